"""Logins and failed logins go to the audit log (no password, no attempted name)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from aigak.accounts.models import AuditAction, audit


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit(user, AuditAction.LOGIN, user)


@receiver(user_login_failed)
def record_failed_login(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # The attempted user name may itself be personal data: keep only that it happened.
    audit(None, AuditAction.LOGIN_FAILED, object_type="user")
