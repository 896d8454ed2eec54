"""API tokens: issued once in clear, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from aigak.accounts.models import ApiToken, AuditAction, User, audit


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(user: User, actor: User | None = None) -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=_digest(key), prefix=key[:8])
    audit(actor or user, AuditAction.TOKEN, user, prefix=key[:8])
    return key


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(key), revoked_at__isnull=True, user__is_active=True)
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
