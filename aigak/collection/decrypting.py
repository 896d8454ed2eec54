"""Encrypted submissions into records, with a private key a coordinator gives for one
request.

The key is read from the request, used, and dropped with it: it is never written to the
database, a file or a log. Each encrypted file is decrypted from the evidence store into
a temporary file chunk by chunk (aigak.lib.odk_crypto), so a video never has to fit in
memory; the signature over every file is checked before anything is written. Then the
submission is read like any other: a record and its evidence, or kept for review.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

from django.db import transaction

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.collection.models import Submission, SubmissionFile, SubmissionState
from aigak.collection.receiving import Part, file_fields, make_record, store_parts
from aigak.evidence.storage import store, uploads_dir
from aigak.lib.odk_crypto import EncryptedSubmission, OdkCryptoError
from aigak.questionnaires.models import Questionnaire

MAX_XML = 10 * 1024 * 1024


@dataclass
class Decrypted:
    records: int = 0
    review: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (instanceID, why)


def waiting(questionnaire: Questionnaire | None = None):
    rows = Submission.objects.filter(state=SubmissionState.ENCRYPTED).select_related(
        "questionnaire", "user"
    )
    return rows.filter(questionnaire=questionnaire) if questionnaire is not None else rows


def decrypt_waiting(
    actor: User, private_key_pem: bytes, questionnaire: Questionnaire | None = None
) -> Decrypted:
    perms.require(perms.can_manage_collection(actor), "decrypt submissions")
    result = Decrypted()
    for submission in waiting(questionnaire):
        try:
            xml, parts = _open(submission, private_key_pem)
        except OdkCryptoError as exc:
            result.failed.append((submission.instance_id, str(exc)))
            continue
        state = _write(actor, submission, xml, parts)
        if state == SubmissionState.ACCEPTED:
            result.records += 1
        else:
            result.review += 1
    return result


def _open(submission: Submission, private_key_pem: bytes) -> tuple[bytes, list[Part]]:
    """The plain XML and the plain media, put in the evidence store; nothing in the
    database changes. OdkCryptoError for a wrong key, a missing or altered file."""
    opened = EncryptedSubmission.open(private_key_pem, bytes(submission.xml))
    held = {row.name: row for row in submission.files.all()}
    manifest = opened.manifest
    xml = b""
    media = []
    with tempfile.TemporaryDirectory(dir=uploads_dir()) as folder:
        for position, name in enumerate(manifest.files):
            row = held.get(name)
            if row is None:
                raise OdkCryptoError(f"missing file: {name}")
            plain_path = f"{folder}/{position}"
            with store().open(row.sha256) as source, open(plain_path, "wb") as target:
                opened.decrypt_stream(name, source, target)
            if name == manifest.encrypted_xml_file:
                with open(plain_path, "rb") as handle:
                    xml = handle.read(MAX_XML + 1)
                if len(xml) > MAX_XML:
                    raise OdkCryptoError(f"{name}: the submission XML is too large")
            else:
                media.append((name[: -len(".enc")], plain_path))
        opened.verify()
        handles = [(name, open(path, "rb")) for name, path in media]
        try:
            parts = store_parts(handles, encrypted=False)
        finally:
            for _, handle in handles:
                handle.close()
    return xml, parts


@transaction.atomic
def _write(actor: User, submission: Submission, xml: bytes, parts: list[Part]) -> str:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    submission.envelope, submission.xml = bytes(submission.xml), xml
    submission.save(update_fields=["envelope", "xml", "updated_at"])
    for part in parts:
        SubmissionFile.objects.update_or_create(
            submission=submission, name=part.name, defaults=file_fields(part)
        )
    make_record(submission)
    audit(
        actor,
        AuditAction.UPDATE,
        submission,
        decrypted=submission.instance_id,
        form=submission.questionnaire.name,
        state=submission.state,
    )
    return str(submission.state)
