"""Every write to evidence goes through here: atomic, by an actor, written to the custody log.

A custody event keeps the file's hash, so the log stays meaningful after a deletion.
Uploads, downloads, deletions and exports also go to the system audit log.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.evidence import access, sniff
from aigak.evidence.models import CustodyAction, CustodyEvent, Evidence, EvidenceRecord
from aigak.evidence.storage import store, thumbnails_dir, uploads_dir
from aigak.records.models import Record

PROVENANCE_FIELDS = ("captured_by", "captured_at", "captured_where", "source", "description")

_AUDITED: dict[str, str] = {
    CustodyAction.UPLOAD: AuditAction.UPLOAD,
    CustodyAction.VIEW: AuditAction.VIEW,
    CustodyAction.PLAY: AuditAction.VIEW,
    CustodyAction.DOWNLOAD: AuditAction.DOWNLOAD,
    CustodyAction.LINK: AuditAction.UPDATE,
    CustodyAction.UNLINK: AuditAction.UPDATE,
    CustodyAction.EXPORT: AuditAction.EXPORT,
    CustodyAction.DELETE: AuditAction.DELETE,
}


class EvidenceRefused(ValueError):
    """Bad input: the file or the request cannot be accepted (nothing was stored). Its
    message is English; a page says it in its reader's language (`gettext`) when it is one
    of those marked for translation."""


def log_custody(
    evidence: Evidence, action: str, user: User | None, *, reason: str = "", **metadata: Any
) -> CustodyEvent:
    """Append one custody event (and its audit row) in the caller's transaction."""
    event = CustodyEvent.objects.create(
        evidence=evidence,
        action=action,
        user=user if getattr(user, "pk", None) else None,
        sha256=evidence.sha256,
        reason=reason,
        metadata=metadata,
    )
    if action in _AUDITED:
        audit(user, _AUDITED[action], evidence, sha256=evidence.sha256, **metadata)
    return event


def provenance_from(values: dict[str, Any]) -> dict[str, str]:
    limits = {f.name: f.max_length for f in Evidence._meta.get_fields() if hasattr(f, "max_length")}
    clean = {}
    for name in PROVENANCE_FIELDS:
        value = str(values.get(name) or "").strip()
        limit = limits.get(name)
        clean[name] = value[:limit] if limit else value
    return clean


@transaction.atomic
def take_in(
    user: User,
    sha256: str,
    size: int,
    content_type: str,
    *,
    name: str = "",
    provenance: dict[str, Any] | None = None,
    record: Record | None = None,
    via: str = "tus",
    repaired: bool = False,
    reason: str = "",
    custody: dict[str, Any] | None = None,
) -> tuple[Evidence, bool]:
    """Register stored bytes as evidence (or find the same bytes the user already sees).

    Called once the file sits in the store. Returns (evidence, created). Evidence with
    the same bytes that the user may not see is left alone and a new row made, so an
    upload reveals nothing about it (not even that it exists). repaired: the upload
    replaced a stored copy that had failed its hash; every row of these bytes says so
    in its custody log. reason and custody: what the upload's custody event says of
    where the file came from.
    """
    _lock_content(sha256)
    if repaired:
        _log_repair(user, sha256, via)
    # Lock first, then filter: PostgreSQL refuses FOR UPDATE with the DISTINCT of a
    # visibility query.
    same_bytes = list(
        Evidence.objects.select_for_update().filter(sha256=sha256).values_list("pk", flat=True)
    )
    evidence = (
        access.visible_evidence(user, Evidence.objects.filter(pk__in=same_bytes))
        .order_by("pk")
        .first()
    )
    created = evidence is None
    if evidence is None:
        evidence = Evidence.objects.create(
            sha256=sha256,
            size=size,
            content_type=content_type,
            original_name=os.path.basename(name)[:255],
            uploaded_by=user,
            team_id=user.team_id,
            **provenance_from(provenance or {}),
        )
    elif evidence.deleted_at is not None:
        # The same bytes came back after a deletion: the evidence exists again.
        evidence.deleted_at, evidence.deleted_by, evidence.deleted_reason = None, None, ""
        evidence.save(update_fields=["deleted_at", "deleted_by", "deleted_reason"])
    log_custody(
        evidence,
        CustodyAction.UPLOAD,
        user,
        reason=reason,
        name=name[:255],
        via=via,
        duplicate=not created,
        **(custody or {}),
    )
    if record is not None:
        link(user, evidence, record)
    return evidence, created


def _lock_content(sha256: str) -> None:
    """Take-ins of the same bytes wait for each other until commit, so two identical
    uploads at the same moment make one row. SQLite's write transactions already run
    one at a time; PostgreSQL gets a transaction-level advisory lock on the hash (a
    SELECT ... FOR UPDATE finds no row to lock before the first row exists)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(sha256[:15], 16)])


def _log_repair(user: User, sha256: str, via: str) -> None:
    now = timezone.now()
    for evidence in Evidence.objects.filter(sha256=sha256):
        evidence.last_verified_at, evidence.last_verified_ok = now, True
        evidence.save(update_fields=["last_verified_at", "last_verified_ok"])
        log_custody(evidence, CustodyAction.REPAIR, user, via=via, result="intact bytes stored")
    audit(user, AuditAction.VERIFY, object_type="evidence", repaired=sha256)


@transaction.atomic
def link(user: User, evidence: Evidence, record: Record) -> EvidenceRecord:
    perms.require(access.can_link(user, record), "link evidence to this record")
    row, created = EvidenceRecord.objects.get_or_create(
        evidence=evidence, record=record, defaults={"linked_by": user}
    )
    if created:
        log_custody(evidence, CustodyAction.LINK, user, record=record.pk)
    return row


@transaction.atomic
def unlink(user: User, evidence: Evidence, record: Record, reason: str) -> None:
    perms.require(access.can_link(user, record), "unlink evidence from this record")
    if not reason.strip():
        raise EvidenceRefused(gettext_noop("unlinking evidence needs a reason"))
    deleted, _ = EvidenceRecord.objects.filter(evidence=evidence, record=record).delete()
    if deleted:
        log_custody(evidence, CustodyAction.UNLINK, user, reason=reason, record=record.pk)


@transaction.atomic
def delete_evidence(user: User, evidence: Evidence, reason: str) -> Evidence:
    """Remove the file (admin only, with a reason); the row and custody log stay."""
    perms.require(access.can_delete(user), "delete evidence")
    if not reason.strip():
        raise EvidenceRefused(gettext_noop("deleting evidence needs a reason"))
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.deleted_at is not None:
        return evidence
    evidence.deleted_at, evidence.deleted_by, evidence.deleted_reason = (
        timezone.now(),
        user,
        reason,
    )
    evidence.save(update_fields=["deleted_at", "deleted_by", "deleted_reason"])
    EvidenceRecord.objects.filter(evidence=evidence).delete()
    log_custody(evidence, CustodyAction.DELETE, user, reason=reason, size=evidence.size)
    # The bytes go only once the deletion is committed.
    sha = evidence.sha256
    transaction.on_commit(lambda: _remove_bytes(sha))
    return evidence


def _remove_bytes(sha256: str) -> None:
    if Evidence.objects.filter(sha256=sha256, deleted_at__isnull=True).exists():
        return  # other evidence holds the same bytes
    store().delete(sha256)
    (thumbnails_dir() / f"{sha256}.jpg").unlink(missing_ok=True)


@dataclass
class StoredFile:
    """Bytes put in the evidence store, not yet registered as evidence."""

    sha256: str
    size: int
    content_type: str
    repaired: bool = False


def store_upload(upload: BinaryIO, *, name: str, check: bool = True) -> StoredFile:
    """Copy a posted file into the evidence store, hashing while writing; never whole in
    memory. check: sniff it and refuse (EvidenceRefused) what evidence may not be; an
    encrypted file, which reads as noise, is stored unchecked."""
    partial = uploads_dir() / f"form-{uuid.uuid4().hex}.part"
    digest, head = hashlib.sha256(), b""
    try:
        with open(partial, "wb") as out:
            for chunk in (
                upload.chunks()
                if hasattr(upload, "chunks")
                else iter(lambda: upload.read(1 << 20), b"")
            ):
                if len(head) < sniff.SNIFF_BYTES:
                    head += chunk[: sniff.SNIFF_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
                if out.tell() > settings.EVIDENCE_MAX_SIZE:
                    raise EvidenceRefused(
                        gettext_noop("the file is larger than the maximum evidence size")
                    )
            size = out.tell()
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        content_type = "application/octet-stream"
        if check:
            content_type, reason = sniff.refusal(head, complete=True)
            reason = reason or sniff.file_refusal(partial, name, content_type)
            if reason:
                raise EvidenceRefused(reason)
        repaired = store().put(partial, sha256)
        return StoredFile(sha256, size, content_type, repaired)
    finally:
        partial.unlink(missing_ok=True)


def attach_small_file(
    user: User,
    upload: BinaryIO,
    *,
    name: str,
    provenance: dict[str, Any] | None = None,
    record: Record | None = None,
) -> Evidence:
    """Store a form-posted file: hash while writing, sniff, refuse or take it in."""
    perms.require(access.can_upload(user), "upload evidence")
    if record is not None:
        perms.require(access.can_link(user, record), "link evidence to this record")
    stored = store_upload(upload, name=name)
    evidence, _ = take_in(
        user,
        stored.sha256,
        stored.size,
        stored.content_type,
        name=name,
        provenance=provenance,
        record=record,
        via="form",
        repaired=stored.repaired,
    )
    return evidence
