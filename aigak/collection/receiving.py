"""A submission from a device becomes a record: kept whole first, then read, checked and
written, all of it or none.

Every POST is stored before anything is judged: the XML in a `Submission` (one per form
and instanceID, so a resend finds it) and each file in the evidence store by its hash
(streamed, never whole in memory). A POST marked `*isIncomplete*` waits for the rest.
The last POST reads the instance: with the same rules as the web form and import it
becomes a record (author: the user, status `submitted`) and each file evidence linked to
it, or, when a rule fails, the submission is kept for a coordinator's review: the device
is told it arrived, so it never sends it again and again. An instance with a
`deprecatedID` is a new version of the record its earlier instance made. An encrypted
instance waits, unreadable, for a coordinator's private key (aigak.collection.decrypting).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from aigak.accounts.models import AuditAction, User, audit
from aigak.collection.models import Device, Submission, SubmissionFile, SubmissionState
from aigak.evidence.actions import EvidenceRefused, StoredFile, store_upload, take_in
from aigak.evidence.sniff import reason_said
from aigak.questionnaires.answer_types import said, words
from aigak.questionnaires.models import Questionnaire
from aigak.records.actions import RecordInvalid, create_record, update_record
from aigak.records.models import Record
from aigak.records.readers import instance_record_id
from aigak.records.xml_instance import InstanceError, InstanceMeta, read_header, read_instance

MAX_ID = 100


class SubmissionRefused(Exception):
    """The POST cannot be taken (nothing of it was kept); status is the HTTP status."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@dataclass
class Received:
    submission: Submission
    status: int  # 201 taken, 202 already held
    message: str


@dataclass
class Part:
    """A file of the POST, in the evidence store."""

    name: str
    stored: StoredFile
    refused: str = ""


def file_name(name: str) -> str:
    """The base name a device gave a file (no folders, at most 255 characters).

    >>> file_name("../../a/1704.jpg"), file_name("C:\\\\x\\\\b.mp4")
    ('1704.jpg', 'b.mp4')
    """
    return os.path.basename(name.replace("\\", "/")).strip()[:255]


def store_parts(files: Iterable[tuple[str, Any]], *, encrypted: bool) -> list[Part]:
    """Each file into the evidence store. A file evidence may not be (an executable) is
    kept too, unchecked, and marked: the submission stays whole, the file never becomes
    evidence."""
    parts = []
    for name, upload in files:
        try:
            stored = store_upload(upload, name=name, check=not encrypted)
            parts.append(Part(name, stored))
        except EvidenceRefused as exc:
            upload.seek(0)
            parts.append(Part(name, store_upload(upload, name=name, check=False), str(exc)))
    return parts


def read_meta(xml: bytes) -> InstanceMeta:
    try:
        meta = read_header(xml)
    except InstanceError as exc:
        raise SubmissionRefused(400, f"xml_submission_file: {exc}") from None
    if len(meta.instance_id) > MAX_ID or len(meta.deprecated_id) > MAX_ID:
        raise SubmissionRefused(400, "xml_submission_file: the instanceID is too long")
    if not meta.instance_id:
        meta.instance_id = "sha256:" + hashlib.sha256(xml).hexdigest()[:32]
    return meta


def receive(
    user: User,
    questionnaire: Questionnaire,
    xml: bytes,
    meta: InstanceMeta,
    parts: list[Part],
    *,
    incomplete: bool,
    device_hint: str = "",
) -> Received:
    """Keep one POST of a submission and, when it is the last, make its record."""
    device = (meta.device_id or device_hint)[:200]
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _receive(user, questionnaire, xml, meta, parts, incomplete, device)
        except IntegrityError:
            if attempt:  # another POST of the same instance made its row first
                raise
    raise AssertionError("unreachable")


def _receive(
    user: User,
    questionnaire: Questionnaire,
    xml: bytes,
    meta: InstanceMeta,
    parts: list[Part],
    incomplete: bool,
    device: str,
) -> Received:
    submission = (
        Submission.objects.select_for_update()
        .filter(questionnaire=questionnaire, instance_id=meta.instance_id)
        .first()
    )
    if submission is None:
        submission = Submission.objects.create(
            questionnaire=questionnaire,
            instance_id=meta.instance_id,
            deprecated_id=meta.deprecated_id,
            form_version=meta.version[:60],
            user=user,
            device_id=device,
            xml=xml,
            state=SubmissionState.INCOMPLETE,
        )
        _seen_device(user, device, questionnaire, meta.instance_id)
    elif submission.user_id != user.pk:
        # An instanceID is the device's: another user's resend must not touch it.
        raise SubmissionRefused(409, "this submission was sent by another user")
    new_files = _add_files(submission, parts)
    audit(
        user,
        AuditAction.UPLOAD,
        object_type="submission",
        object_id=submission.pk,
        form=questionnaire.name,
        instance=meta.instance_id,
        device=device,
        files=len(parts),
        incomplete=incomplete,
    )
    if submission.state == SubmissionState.ACCEPTED:
        _take_in_files(submission, new_files)
        return Received(submission, 202, "This submission was already received.")
    if submission.state in (SubmissionState.REVIEW, SubmissionState.ENCRYPTED):
        return Received(submission, 202, "This submission was already received.")
    submission.xml = xml
    if incomplete:
        submission.save(update_fields=["xml", "updated_at"])
        return Received(submission, 201, "Part of the submission received; waiting for the rest.")
    if meta.encrypted:
        submission.state = SubmissionState.ENCRYPTED
        submission.save(update_fields=["xml", "state", "updated_at"])
        return Received(submission, 201, "Encrypted submission received.")
    make_record(submission)
    return Received(submission, 201, "Submission received. Thank you.")


def _seen_device(user: User, device: str, questionnaire: Questionnaire, instance: str) -> None:
    if not device:
        return
    row, created = Device.objects.get_or_create(device_id=device, user=user)
    row.submissions += 1
    row.save(update_fields=["submissions", "last_seen"])
    if created:
        audit(user, AuditAction.CREATE, row, device=device, form=questionnaire.name)


def file_fields(part: Part) -> dict[str, Any]:
    """A `SubmissionFile`'s fields for a stored part."""
    return {
        "sha256": part.stored.sha256,
        "size": part.stored.size,
        "content_type": part.stored.content_type,
        "refused": part.refused[:300],
    }


def _add_files(submission: Submission, parts: list[Part]) -> list[SubmissionFile]:
    """The files of this POST the submission did not hold yet (by name)."""
    added = []
    for part in parts:
        row, created = SubmissionFile.objects.get_or_create(
            submission=submission, name=part.name, defaults=file_fields(part)
        )
        if created:
            added.append(row)
    return added


def custody_note(submission: Submission) -> tuple[str, dict[str, Any]]:
    device = submission.device_id or "unknown"
    return f"received from device {device} via OpenRosa", {
        "device": device,
        "instance": submission.instance_id,
    }


def _take_in_files(submission: Submission, files: Iterable[SubmissionFile]) -> None:
    """Each file not refused becomes evidence linked to the submission's record."""
    record = submission.record
    reason, custody = custody_note(submission)
    for row in files:
        if row.refused or row.evidence_id is not None or _ciphertext(submission, row):
            continue
        evidence, _ = take_in(
            submission.user,
            row.sha256,
            row.size,
            row.content_type,
            name=row.name,
            provenance={"captured_by": submission.user.username, "source": reason},
            record=record,
            via="openrosa",
            reason=reason,
            custody=custody,
        )
        row.evidence = evidence
        row.save(update_fields=["evidence"])


def _ciphertext(submission: Submission, row: SubmissionFile) -> bool:
    """An encrypted file of a decrypted submission: its plain copy is the evidence."""
    return bool(submission.envelope) and row.name.endswith(".enc")


def make_record(submission: Submission) -> None:
    """Read the submission and write its record and evidence, or mark it for review;
    in the caller's transaction."""
    definition = submission.questionnaire.definition
    problems: list[dict[str, Any]] = []
    try:
        instance = read_instance(bytes(submission.xml), definition)
    except InstanceError as exc:
        problems.append(noted(exc.template, **exc.params))
        instance = None
    if instance is not None:
        unknown = gettext_noop("element %(path)s is not a question of the form")
        problems += [noted(unknown, path=repr(path)) for path in instance.unknown]
    files = list(submission.files.all())
    refused = gettext_noop("file %(name)s: %(reason)s")
    problems += [
        noted(refused, name=repr(f.name), reason=reason_said(f.refused)) for f in files if f.refused
    ]
    if instance is not None and not problems:
        try:
            with transaction.atomic():
                submission.record = _write_record(submission, instance.answers)
                _take_in_files(submission, files)
                submission.state, submission.problems = SubmissionState.ACCEPTED, []
                submission.save(update_fields=["record", "state", "problems", "updated_at"])
                return
        except RecordInvalid as exc:
            problems += [{"message": str(p), **p.framed()} for p in exc.problems]
        except PermissionDenied as exc:
            may_not = noted(gettext_noop("the user may not write this record"))
            problems.append({**may_not, "message": str(exc) or may_not["message"]})
    submission.record = None
    submission.state, submission.problems = SubmissionState.REVIEW, problems
    submission.save(update_fields=["record", "xml", "state", "problems", "updated_at"])
    audit(
        submission.user,
        AuditAction.REFUSED,
        object_type="submission",
        object_id=submission.pk,
        form=submission.questionnaire.name,
        problems=len(problems),
    )


def noted(template: str, **params: Any) -> dict[str, Any]:
    """A reason for review as a submission keeps it: in English (`message`), with its
    template and values to say it in the reviewer's language (`Submission.problems_in_words`)."""
    return {"message": words(template, params, english=True), **said(template, **params)}


def _write_record(submission: Submission, answers: dict[str, Any]) -> Record:
    user, questionnaire = submission.user, submission.questionnaire
    earlier = None
    if submission.deprecated_id:
        earlier = (
            Submission.objects.filter(
                questionnaire=questionnaire,
                instance_id=submission.deprecated_id,
                record__isnull=False,
            )
            .select_related("record")
            .first()
        )
    reason, _ = custody_note(submission)
    if earlier is not None and earlier.record is not None:
        record = earlier.record
        # The edited instance is the whole answer set: what it no longer holds is cleared.
        raw = {name: None for name in record.answers} | answers
        return update_record(user, record, raw, note=f"edited, {reason}"[:300])
    if not answers.get("record_id") and "record_id" in questionnaire.definition.fields:
        answers = {**answers, "record_id": instance_record_id(submission.instance_id)}
    return create_record(user, questionnaire, answers, note=reason[:300])
