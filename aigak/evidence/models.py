"""Evidence files (content-addressed), their links to records, custody log and tus uploads."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Evidence(models.Model):
    """One piece of evidence: a file with what its uploader said about it.

    The bytes are stored once under their SHA-256 and never modified. Several rows may
    share a hash: when someone uploads bytes already held as evidence they may not see,
    they get their own row (their name, provenance, team, custody log) and learn nothing
    about the other one.
    """

    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120)
    original_name = models.CharField(max_length=255, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Provenance: who captured it, when, where, from what source.
    captured_by = models.CharField(max_length=200, blank=True, default="")
    captured_at = models.CharField(max_length=40, blank=True, default="")
    captured_where = models.CharField(max_length=300, blank=True, default="")
    source = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verified_ok = models.BooleanField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deleted_reason = models.TextField(blank=True, default="")
    records = models.ManyToManyField(
        "records.Record", through="EvidenceRecord", related_name="evidence"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]

    @property
    def kind(self) -> str:
        """image, video, audio or document: how the page shows it."""
        major = self.content_type.split("/", 1)[0]
        return major if major in ("image", "video", "audio") else "document"


class EvidenceRecord(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="links")
    record = models.ForeignKey("records.Record", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "record"], name="unique_evidence_record")
        ]


class CustodyAction(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    VIEW = "view", _("Viewed")
    PLAY = "play", _("Played")
    DOWNLOAD = "download", _("Downloaded")
    LINK = "link", _("Linked to record")
    UNLINK = "unlink", _("Unlinked from record")
    EXPORT = "export", _("Exported")
    VERIFY = "verify", _("Verified")
    DELETE = "delete", _("Deleted")
    BACKUP = "backup", _("Backed up")
    RESTORE = "restore", _("Restored from backup")
    REPAIR = "repair", _("Damaged copy replaced by intact bytes")
    PUBLIC_PHOTO = "public_photo", _("Marked as a person's public photo (a copy without metadata)")
    PUBLIC_PHOTO_OFF = "public_photo_off", _("No longer a person's public photo")


class AppendOnly(Exception):
    pass


class CustodyEvent(models.Model):
    """Append-only chain of custody. Keeps the hash even after the file is deleted."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=20, choices=CustodyAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    sha256 = models.CharField(max_length=64)
    reason = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.sha256[:12]}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly("custody events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("custody events are never deleted")

    @property
    def plain_note(self) -> str:
        """The event's details in a sentence for staff (the raw details stay for experts)."""
        meta = self.metadata or {}
        said: list[Any] = []
        if meta.get("name"):
            said.append(_("File name: %(name)s.") % {"name": meta["name"]})
        if meta.get("via") == "form":
            said.append(_("Sent through the upload page."))
        elif meta.get("via"):
            said.append(_("Sent through the upload service."))
        if meta.get("duplicate"):
            said.append(_("The same file was already stored; no second copy was kept."))
        if meta.get("record"):
            said.append(_("Record number %(pk)s in the database.") % {"pk": meta["record"]})
        if meta.get("failed_check"):
            said.append(_("The file did not match its stored fingerprint."))
        if meta.get("backup"):
            said.append(_("From the backup %(name)s.") % {"name": meta["backup"]})
        return " ".join(str(s) for s in said)


class Upload(models.Model):
    """State of one tus upload: bytes arrive in a partial file until offset == length."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    raw_metadata = models.TextField(blank=True, default="")
    # Expected SHA-256 of the whole file, when the client sent one in the metadata.
    checksum = models.CharField(max_length=64, blank=True, default="")
    # SHA-256 of the whole file, written before the file moves into the store, so an
    # upload the server died finishing can be taken in from the store (uploads.py).
    sha256 = models.CharField(max_length=64, blank=True, default="")
    content_type = models.CharField(max_length=120, blank=True, default="")
    record = models.ForeignKey(
        "records.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    temp_path = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def is_expired(self) -> bool:
        return not self.is_complete and self.expires_at <= timezone.now()
