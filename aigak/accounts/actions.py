"""Writes to accounts go through here: atomic, by an actor, audited."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, Role, Team, User, audit


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
    user = User(username=name, email=email, role=role)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserRefused(f"password refused: {' '.join(exc.messages)}") from None
    if team and team.strip():
        user.team, _ = Team.objects.get_or_create(name=team.strip())
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    audit(actor, AuditAction.USER, user, created=True, role=role, team=user.team_id)
    return user
