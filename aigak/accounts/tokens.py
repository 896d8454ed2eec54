"""API tokens: issued once in clear, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from aigak.accounts import permissions as perms
from aigak.accounts.models import ApiToken, AuditAction, User, audit


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(user: User, actor: User | None = None, days: int | None = None) -> str:
    """A new token, valid `days` (default settings.TOKEN_LIFETIME; 0: no expiry)."""
    key = secrets.token_urlsafe(32)
    lifetime = settings.TOKEN_LIFETIME if days is None else timedelta(days=days)
    expires = timezone.now() + lifetime if lifetime else None
    ApiToken.objects.create(user=user, key_hash=_digest(key), prefix=key[:8], expires_at=expires)
    audit(actor or user, AuditAction.TOKEN, user, prefix=key[:8], expires=str(expires or ""))
    return key


def live_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work."""
    return (
        ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .order_by("-created_at")
    )


@transaction.atomic
def revoke_token(actor: User | None, token: ApiToken) -> None:
    """Revoke one token: its owner or an administrator (None: the server's own command)."""
    if actor is not None:
        perms.require(token.user_id == actor.pk or perms.can_administer(actor), "revoke it")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit(actor, AuditAction.TOKEN, token.user, revoked=token.prefix)


@transaction.atomic
def revoke_all_tokens(actor: User | None, user: User) -> int:
    if actor is not None:
        perms.require(user.pk == actor.pk or perms.can_administer(actor), "revoke them")
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit(actor, AuditAction.TOKEN, user, revoked_all=count)
    return count


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(key), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def user_for_request(request: HttpRequest) -> User | None:
    """The session user, or the user of an `Authorization: Token <key>` header."""
    if request.user.is_authenticated:
        return request.user  # type: ignore[return-value]
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and key.strip():
        return user_for_token(key.strip())
    return None
