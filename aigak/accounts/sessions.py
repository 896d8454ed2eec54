"""Each login's session, so its user can list and end it: only the key's hash is kept,
and a request on an ended session logs out (aigak.accounts.middleware)."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from aigak.accounts import auditlog
from aigak.accounts.models import UserSession

IDLE_KEY = "aigak_last_seen"  # session: time of the last request (idle timeout)


def _digest(key: str | None) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def started(request: HttpRequest, user: Any) -> None:
    """Called on login (signal): remember the new session, and start its idle clock now
    (so the first page after the login does not have to write the session)."""
    request.session[IDLE_KEY] = time.time()
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    UserSession.objects.get_or_create(
        key_hash=_digest(key),
        defaults={
            "user": user,
            "ip": auditlog.client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
    )


def ended(request: HttpRequest) -> None:
    """Called on logout (signal)."""
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        UserSession.objects.filter(key_hash=_digest(key), ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def current_id(request: HttpRequest) -> int | None:
    row = UserSession.objects.filter(key_hash=_digest(request.session.session_key)).first()
    return row.pk if row else None


def is_revoked(request: HttpRequest) -> bool:
    return UserSession.objects.filter(
        key_hash=_digest(request.session.session_key), ended_at__isnull=False
    ).exists()


def open_sessions(user: Any) -> QuerySet[UserSession]:
    """The user's sessions that may still be alive (not ended, within the absolute age)."""
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(
        user=user, ended_at__isnull=True, created_at__gte=since
    ).order_by("-created_at")
