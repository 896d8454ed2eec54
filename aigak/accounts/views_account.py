"""Every user's own account: the second login step, enrolment of a second factor,
recovery codes, password, tokens and sessions; and the one-time password-reset link."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from aigak.accounts import actions, sessions, tokens, twofactor
from aigak.accounts.forms import ChangePasswordForm, CodeForm, NewPasswordForm
from aigak.accounts.models import ApiToken, AuditAction, UserSession, audit
from aigak.accounts.permissions import can_manage_own_account, require


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


def login_verify(request: HttpRequest) -> HttpResponse:
    """The login's second step: a code from the authenticator app, or a recovery code."""
    user: Any = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_verified():
        return HttpResponseRedirect(_next(request))
    devices = list(django_otp.devices_for_user(user))
    if not devices:
        return HttpResponseRedirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "")
        # Six digits are an app's code, anything else a recovery code: trying a code on
        # the wrong kind of device would count against that device's throttle.
        app_code = code.isdigit() and len(code) == 6
        for device in devices:
            if isinstance(device, TOTPDevice) != app_code:
                continue
            matched = django_otp.verify_token(user, device.persistent_id, code)
            if matched is not None:
                django_otp.login(request, matched)
                audit(user, AuditAction.TWO_FACTOR, user, verified=type(matched).__name__)
                return HttpResponseRedirect(_next(request))
        audit(None, AuditAction.LOGIN_FAILED, object_type="user", username=user.username,
              step="second_factor")  # fmt: skip
        form.add_error("code", _("The code is not right, or too many tries: wait and retry."))
    return render(request, "registration/verify.html", {"form": form, "next": _next(request)})


def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (TOTP); shows the recovery codes once on success."""
    user: Any = request.user
    require(can_manage_own_account(user), "enrol a second factor")
    if django_otp.user_has_device(user) and not user.is_verified():
        # Only a session that proved the current factor may replace it.
        return redirect(f"{reverse('login-verify')}?next={request.path}")
    device = actions.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.confirm_enrolment(user, device, form.cleaned_data["code"])
        except actions.UserRefused as exc:
            form.add_error("code", str(exc))
        else:
            django_otp.login(request, device)
            return render(request, "account/recovery_codes.html", {"codes": codes})
    context = {
        "form": form,
        "secret": twofactor.secret_of(device),
        "qr": twofactor.qr_svg(device),
        "next": _next(request),
        "enrolled": django_otp.user_has_device(user),
    }
    return render(request, "account/two_factor.html", context)


@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(can_manage_own_account(user) and user.is_verified(), "make new recovery codes")
    codes = actions.new_recovery_codes(user)
    return render(request, "account/recovery_codes.html", {"codes": codes})


def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(can_manage_own_account(user), "see this account")
    context = {
        "enrolled": django_otp.user_has_device(user),
        "required": twofactor.required(user),
        "enrol_by": twofactor.grace_left(user),
        "tokens": tokens.live_tokens(user),
        "sessions": sessions.open_sessions(user),
        "current_session": sessions.current_id(request),
    }
    return render(request, "account/account.html", context)


def change_password(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(can_manage_own_account(user), "change this password")
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.change_own_password(user, data["current_password"], data["new_password"])
        except actions.UserRefused as exc:
            form.add_error(None, str(exc))
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:account")
    return render(request, "account/password.html", {"form": form})


@require_POST
def new_token(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(can_manage_own_account(user), "make a token")
    key = tokens.issue_token(user)
    return render(request, "account/token.html", {"key": key})


@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke_token(request.user, token)  # type: ignore[arg-type]
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:account")


@require_POST
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    actions.end_session(request.user, session)  # type: ignore[arg-type]
    messages.success(request, _("The session has been ended."))
    return redirect("accounts:account")


def reset_link(request: HttpRequest, key: str) -> HttpResponse:
    """A one-time link an administrator made: set a new password, then log in."""
    link = actions.user_for_reset_link(key)
    if link is None:
        return render(request, "registration/reset_invalid.html", status=404)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.use_reset_link(link, form.cleaned_data["new_password"])
        except actions.UserRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your password has been set: log in with it."))
            return redirect("login")
    return render(request, "registration/reset.html", {"form": form, "who": link.user})
