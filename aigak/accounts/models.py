"""Users with one role each, teams, and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    LAWYER = "lawyer", _("Lawyer")
    DOCUMENTER = "documenter", _("Documenter")
    VIEWER = "viewer", _("Viewer")


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    # Set at the first login that needs a second factor the user has not enrolled.
    enrol_by = models.DateTimeField(null=True, blank=True)
    # A temporary password set by an administrator: the next page is "change password".
    must_change_password = models.BooleanField(default=False)


class ApiToken(models.Model):
    """A bearer token for the REST API and resumable uploads; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)


class UserSession(models.Model):
    """A login's session, so that its user can see and end it (the session key is kept
    only as a hash)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True)
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)


class OneTimeLink(models.Model):
    """A password-reset link an administrator made: used once, then dead."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class AuditAction(models.TextChoices):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOCKOUT = "lockout"
    READ = "read"
    REFUSED = "refused"
    PASSWORD = "password"
    TWO_FACTOR = "two_factor"
    SESSION = "session"
    TEAM = "team"
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    RESTORE = "restore"
    DELETE = "delete"
    STATUS = "status"
    IMPORT = "import"
    EXPORT = "export"
    REPORT = "report"
    PUBLISH = "publish"
    MERGE = "merge"
    UNMERGE = "unmerge"
    DECIDE = "decide"
    UPLOAD = "upload"
    DOWNLOAD = "download"
    VERIFY = "verify"
    BACKUP = "backup"
    RESTORE_BACKUP = "restore_backup"
    USER = "user"
    TOKEN = "token"


# The actions in words (the choices keep their stored labels: no migration for a wording).
AUDIT_ACTION_LABELS = {
    "login": _("Signed in"),
    "login_failed": _("Failed sign-in"),
    "logout": _("Signed out"),
    "lockout": _("Locked out"),
    "read": _("Read"),
    "refused": _("Refused"),
    "password": _("Password"),
    "two_factor": _("Two-factor"),
    "session": _("Session"),
    "team": _("Team"),
    "view": _("Viewed"),
    "create": _("Created"),
    "update": _("Updated"),
    "restore": _("Restored"),
    "delete": _("Deleted"),
    "status": _("Status changed"),
    "import": _("Imported"),
    "export": _("Exported"),
    "report": _("Report"),
    "publish": _("Published"),
    "merge": _("Merged"),
    "unmerge": _("Merge undone"),
    "decide": _("Decided"),
    "upload": _("Uploaded"),
    "download": _("Downloaded"),
    "verify": _("Verified"),
    "backup": _("Backed up"),
    "restore_backup": _("Restored from backup"),
    "user": _("User account"),
    "token": _("Token"),
}


class AuditEvent(models.Model):
    """Append-only: who did what to which object, when, from where. Metadata never holds
    answers. Rows are hash-chained (aigak.accounts.auditlog); the database refuses to
    change or delete them."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTION_LABELS.get(self.action, self.action))


def audit(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    **metadata: Any,
) -> AuditEvent:
    """Write one audit row; call it inside the action's own transaction. The client's
    address comes from the request being served, if any."""
    from aigak.accounts import auditlog

    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    return auditlog.append(
        AuditEvent,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type[:40],
        object_id=str(object_id)[:64],
        metadata=metadata,
    )
