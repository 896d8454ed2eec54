"""Writes to accounts go through here: atomic, by an actor, audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aigak.accounts import permissions as perms
from aigak.accounts.models import (
    ApiToken,
    AuditAction,
    OneTimeLink,
    Role,
    Team,
    User,
    UserSession,
    audit,
)

RESET_LINK_HOURS = 24
RECOVERY_CODES = 10


class UserRefused(ValueError):
    """The name, role or password cannot be used; the message says why."""


@transaction.atomic
def create_user(
    actor: User | None,
    name: str,
    role: str,
    password: str,
    *,
    team: str | None = None,
    email: str = "",
    must_change_password: bool = False,
) -> User:
    """A new user with one role (admins are staff and superusers), audited.

    The actor is an admin, or None for the system (the `createuser` command, run by
    whoever holds the server). The name must be new and valid and the password must
    pass Django's password validators; otherwise UserRefused says what is wrong.
    """
    if actor is not None:
        perms.require(perms.role_of(actor) == Role.ADMIN, "create users")
    name = name.strip()
    if role not in Role.values:
        raise UserRefused(f"{role!r} is not a role (one of {', '.join(Role.values)})")
    if User.objects.filter(username__iexact=name).exists():
        raise UserRefused(f"a user named {name!r} already exists")
    try:
        User.username_validator(name)
    except ValidationError as exc:
        raise UserRefused(f"{name!r} is not a valid login name: {' '.join(exc.messages)}") from None
    user = User(username=name, email=email, role=role, must_change_password=must_change_password)
    _checked_password(user, password)
    if team and team.strip():
        user.team, _ = Team.objects.get_or_create(name=team.strip())
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    audit(actor, AuditAction.USER, user, created=True, role=role, team=user.team_id)
    return user


def temporary_password() -> str:
    """16 random URL-safe characters: shown once, changed at first login."""
    return secrets.token_urlsafe(12)


def _require_admin(actor: User | None, what: str) -> None:
    if actor is not None:
        perms.require(perms.can_administer(actor), what)


def _checked_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserRefused(f"password refused: {' '.join(exc.messages)}") from None


@transaction.atomic
def update_user(
    actor: User, user: User, *, role: str, team: Team | None, is_active: bool
) -> list[str]:
    """Change a user's role, team or whether they may log in; returns what changed.
    An administrator cannot deactivate or demote themselves (the last door would close)."""
    _require_admin(actor, "change users")
    if role not in Role.values:
        raise UserRefused(f"{role!r} is not a role (one of {', '.join(Role.values)})")
    if user.pk == actor.pk and (role != Role.ADMIN or not is_active):
        raise UserRefused("you cannot demote or deactivate yourself")
    changed = {
        "role": (user.role, role),
        "team": (user.team_id, team.pk if team else None),
        "is_active": (user.is_active, is_active),
    }
    changed = {k: v for k, v in changed.items() if v[0] != v[1]}
    user.role, user.team, user.is_active = role, team, is_active
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save()
    if "is_active" in changed and not is_active:
        _end_everything(user)
    audit(actor, AuditAction.USER, user, changed={k: v[1] for k, v in changed.items()})
    return list(changed)


def _end_everything(user: User) -> None:
    """A deactivated user's sessions end and tokens die at once."""
    now = timezone.now()
    UserSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=now)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


@transaction.atomic
def set_temporary_password(actor: User, user: User) -> str:
    """A random password, shown once to the administrator; the user must change it."""
    _require_admin(actor, "reset passwords")
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    UserSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
    audit(actor, AuditAction.PASSWORD, user, how="temporary")
    return password


@transaction.atomic
def make_reset_link(actor: User, user: User) -> str:
    """A one-time key for /accounts/reset/<key>/, valid RESET_LINK_HOURS; only its hash
    is stored."""
    _require_admin(actor, "reset passwords")
    key = secrets.token_urlsafe(32)
    OneTimeLink.objects.create(
        user=user,
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(hours=RESET_LINK_HOURS),
    )
    audit(actor, AuditAction.PASSWORD, user, how="link")
    return key


def user_for_reset_link(key: str) -> OneTimeLink | None:
    return (
        OneTimeLink.objects.select_related("user")
        .filter(
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


@transaction.atomic
def use_reset_link(link: OneTimeLink, password: str) -> User:
    user = link.user
    _checked_password(user, password)
    if (
        OneTimeLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        != 1
    ):
        raise UserRefused("this link has been used already")
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit(user, AuditAction.PASSWORD, user, how="link_used")
    return user


@transaction.atomic
def change_own_password(user: User, old: str, new: str) -> None:
    """The user's own change: the old password must be right, the new one acceptable."""
    if not user.check_password(old):
        raise UserRefused("the current password is not right")
    _checked_password(user, new)
    user.set_password(new)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit(user, AuditAction.PASSWORD, user, how="own")


@transaction.atomic
def lift_lockout(actor: User, user: User) -> int:
    """Forget the failed logins of this user name (any address); returns how many."""
    _require_admin(actor, "lift lockouts")
    from axes.models import AccessAttempt

    count, _ = AccessAttempt.objects.filter(username=user.username).delete()
    audit(actor, AuditAction.LOCKOUT, user, lifted=count)
    return int(count)


@transaction.atomic
def reset_second_factor(actor: User, user: User) -> None:
    """Remove every second factor of a user (lost phone): they enrol again at next login."""
    _require_admin(actor, "reset second factors")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.enrol_by = None
    user.save(update_fields=["enrol_by"])
    audit(actor, AuditAction.TWO_FACTOR, user, reset=True)


@transaction.atomic
def start_enrolment(user: User) -> TOTPDevice:
    """The TOTP device being enrolled (unconfirmed until a code from it is given)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the device with a code from it; returns new recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip()):
        raise UserRefused("the code is not right; check the phone's clock and try again")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit(user, AuditAction.TWO_FACTOR, user, enrolled="totp")
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """RECOVERY_CODES single-use codes replacing any earlier ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit(user, AuditAction.TWO_FACTOR, user, recovery_codes=len(codes))
    return codes


@transaction.atomic
def create_team(actor: User, name: str) -> Team:
    _require_admin(actor, "create teams")
    name = name.strip()
    if not name or len(name) > 120:
        raise UserRefused("a team needs a name of 1 to 120 characters")
    if Team.objects.filter(name__iexact=name).exists():
        raise UserRefused(f"a team named {name!r} already exists")
    team = Team.objects.create(name=name)
    audit(actor, AuditAction.TEAM, team, created=True)
    return team


@transaction.atomic
def end_session(actor: User, session: UserSession) -> None:
    """End one of the actor's own sessions (administrators: anyone's)."""
    perms.require(session.user_id == actor.pk or perms.can_administer(actor), "end this session")
    UserSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    audit(actor, AuditAction.SESSION, session.user, ended=session.pk)
