"""Second factor: who needs one, what step a signed-in user still owes, and the
enrolment QR code. Writes (enrolment, recovery codes, reset) are in actions.py."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists
from django.http import HttpRequest
from django.utils import timezone
from django_otp import device_classes
from django_otp.plugins.otp_totp.models import TOTPDevice

from aigak.accounts.permissions import role_of

CHECKED_KEY = "aigak_no_second_factor"  # session: this user has no device and needs none


def required(user: Any) -> bool:
    """Whether the user's role must use a second factor (settings.TWO_FACTOR_ROLES)."""
    return bool(role_of(user)) and role_of(user) in settings.TWO_FACTOR_ROLES


def pending_step(request: HttpRequest) -> str:
    """ "verify" when the user has a second factor this session has not proved, "enrol"
    when the role needs one and the grace period is over, else ""."""
    user: Any = request.user
    if user.is_verified():
        return ""
    needs = required(user)
    if not needs and request.session.get(CHECKED_KEY):
        return ""
    if has_device(user):
        return "verify"
    if not needs:
        request.session[CHECKED_KEY] = True
        return ""
    now = timezone.now()
    if user.enrol_by is None:
        user.enrol_by = now + settings.TWO_FACTOR_GRACE
        get_user_model().objects.filter(pk=user.pk).update(enrol_by=user.enrol_by)
    return "enrol" if now >= user.enrol_by else ""


def has_device(user: Any) -> bool:
    """Whether the user has a confirmed device of any kind, as `django_otp.user_has_device`
    answers, in one query rather than one per kind (asked on every page of a user who
    owes the second step or is in the enrolment grace)."""
    kinds = [
        Exists(kind.objects.devices_for_user(user, confirmed=True)) for kind in device_classes()
    ]
    if not kinds or not getattr(user, "pk", None):
        return False
    return get_user_model().objects.filter(pk=user.pk).filter(reduce(or_, kinds)).exists()


def grace_left(user: Any) -> Any:
    """The enrolment deadline while the user owes a second factor, else None."""
    if required(user) and user.enrol_by and not has_device(user):
        return user.enrol_by
    return None


def secret_of(device: TOTPDevice) -> str:
    """The key in base32, as authenticator apps take it typed in."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the otpauth:// address (no script, no external request)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4))


def enrolment_help() -> str:
    """How to set up the second factor, for the demo's printout."""
    roles = ", ".join(settings.TWO_FACTOR_ROLES) or "none (AIGAK_2FA_ROLES is empty)"
    days = settings.TWO_FACTOR_GRACE.days
    return (
        f"Second factor: required for the roles {roles}"
        + (f", after a grace of {days} day(s)" if days else ", at the first login")
        + ". To enrol: install an authenticator app (FreeOTP, Aegis, Google Authenticator), "
        "log in, open /accounts/two-factor/ (your name at the top, then 'Set up an "
        "authenticator app'), scan the QR code, type the 6-digit code and keep the "
        "recovery codes shown. Later logins ask for a code after the password."
    )
