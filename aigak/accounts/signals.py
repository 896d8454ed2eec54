"""Logins, logouts, failed logins and lockouts go to the audit log (never a password)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from aigak.accounts import sessions
from aigak.accounts.models import AuditAction, audit


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit(user, AuditAction.LOGIN, user)
    if request is not None and hasattr(request, "session"):
        sessions.started(request, user)


@receiver(user_logged_out)
def record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(user, AuditAction.LOGOUT, user)
    if request is not None:
        sessions.ended(request)


@receiver(user_login_failed)
def record_failed_login(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # The name tried is kept (an attack on one account must be visible); the password never.
    name = str((credentials or {}).get("username") or "")[:150]
    audit(None, AuditAction.LOGIN_FAILED, object_type="user", username=name)


@receiver(user_locked_out)
def record_lockout(
    sender: Any, request: Any, username: Any, ip_address: Any, **kwargs: Any
) -> None:
    audit(None, AuditAction.LOCKOUT, object_type="user", username=str(username or "")[:150])
