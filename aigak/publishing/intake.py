"""Public intake: what anyone may send without an account, and its moderation.

Guards against spam and abuse, none of them a third-party service: a limit of
submissions per sender address and hour (the address is kept only as a keyed hash), a
honeypot field people never see, a minimum time between opening the form and sending it
(the opening time is signed by the server), and limits on the number and size of
attached files. A coordinator accepts a submission (it becomes a record of its
questionnaire, possibly about a person the centre already has a Victims record of) or
rejects it with a reason. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.evidence import sniff
from aigak.evidence.actions import EvidenceRefused, attach_small_file
from aigak.publishing.intake_models import PublicForm, Submission, SubmissionFile, SubmissionStatus
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import OPEN_TO_PUBLIC
from aigak.questionnaires.validation import Problem, clean_answers
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records import actions
from aigak.records.links import reference_fields
from aigak.records.models import Record, Status

DEFAULT_PUBLIC = OPEN_TO_PUBLIC  # open to the public until a coordinator closes them
PER_HOUR = 5  # submissions from one address in an hour
MIN_SECONDS = 3  # a person takes longer than this to fill even the shortest form
MAX_AGE = dt.timedelta(days=1)  # a form opened longer ago is opened again
MAX_FILES = 3
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_BODY = MAX_FILES * MAX_FILE_SIZE + 256 * 1024  # the files and the answers
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_PATTERN = re.compile(rf"^[{RECEIPT_ALPHABET}]{{4}}(-[{RECEIPT_ALPHABET}]{{4}}){{2}}$")
HONEYPOT = "website"
PLACEHOLDER_ID = "P-000000"


class IntakeRefused(ValueError):
    """The submission is not taken; `status` is the HTTP status that says why."""

    def __init__(self, reason: str, status: int = 400):
        self.status = status
        super().__init__(reason)


class IntakeInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class Upload:
    name: str
    data: bytes


def is_public(questionnaire: Questionnaire) -> bool:
    choice = PublicForm.objects.filter(questionnaire=questionnaire).first()
    if choice is None:
        return questionnaire.name in DEFAULT_PUBLIC
    return choice.public


@transaction.atomic
def set_public(actor: User, questionnaire: Questionnaire, public: bool) -> None:
    perms.require(perms.can_manage_forms(actor), "open questionnaires to the public")
    PublicForm.objects.update_or_create(
        questionnaire=questionnaire, defaults={"public": public, "changed_by": actor}
    )
    audit(actor, AuditAction.UPDATE, questionnaire, public=public)


def public_fields(definition: FormDefinition) -> set[str]:
    """The answers the public may give: not the record id, not a reference to another
    record, not a legal analysis, nothing the form or the server computes."""
    references = set(reference_fields(definition.fields))
    names = {
        f.name
        for f in definition.fields.values()
        if f.type not in ("note", "calculate")
        and not f.read_only
        and not f.metadata
        and not f.legal_analysis
        and f.name != "record_id"
        and f.name not in references
    }
    repeats = {
        r for r in definition.repeats() if all(f.name in names for f in definition.repeat_fields(r))
    }
    return names | repeats


def sender_key(address: str) -> str:
    """A keyed hash of the sender's address: enough to count, not to know who."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"intake:{address}".encode(), hashlib.sha256).hexdigest()


def receipt_hash(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch in RECEIPT_ALPHABET)
    return hashlib.sha256(f"receipt:{normal}".encode()).hexdigest()


def new_receipt() -> str:
    """e.g. 7KQH-M2XD-PA9T: 12 letters of 32, 60 bits."""
    letters = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def check_guards(
    *, key: str, honeypot: str, started: dt.datetime | None, uploads: list[Upload]
) -> None:
    """Raise IntakeRefused when a guard stops the submission (nothing is stored)."""
    if honeypot:
        raise IntakeRefused("honeypot", status=200)  # the caller pretends it was taken
    now = timezone.now()
    if started is None or now - started > MAX_AGE:
        raise IntakeRefused(_("The form has expired: it was opened again, please send it again."))
    if (now - started).total_seconds() < MIN_SECONDS:
        raise IntakeRefused(
            _("The form was sent too quickly; please wait a moment and send it again.")
        )
    if len(uploads) > MAX_FILES:
        raise IntakeRefused(
            _("At most %(n)s files may be attached.") % {"n": MAX_FILES}, status=413
        )
    if any(len(u.data) > MAX_FILE_SIZE for u in uploads):
        raise IntakeRefused(_("A file is larger than 5 MB."), status=413)
    for upload in uploads:
        _type, reason = sniff.refusal(upload.data[: sniff.SNIFF_BYTES], complete=True)
        if reason:
            raise IntakeRefused(
                _("%(name)s: %(reason)s")
                % {"name": upload.name[:80], "reason": sniff.reason_in_words(reason)}
            )
    hour_ago = now - dt.timedelta(hours=1)
    if Submission.objects.filter(sender_key=key, created_at__gte=hour_ago).count() >= PER_HOUR:
        raise IntakeRefused(_("Too many messages from this address; please try again later."), 429)


def submit(
    questionnaire: Questionnaire,
    raw: dict[str, Any],
    *,
    lang: str,
    key: str,
    receipt_code: str = "",
    uploads: list[Upload] | None = None,
) -> tuple[Submission, str]:
    """Store a public submission for moderation; returns it and the sender's receipt code.

    A receipt code of an earlier submission joins the new one to it (the sender adds more);
    an unknown code gets a new one.
    """
    definition = questionnaire.definition
    allowed = public_fields(definition)
    raw = {k: v for k, v in raw.items() if k in allowed}
    if "record_id" in definition.fields:
        raw["record_id"] = PLACEHOLDER_ID  # checked as the record will be; given on acceptance
    answers, problems = clean_answers(definition, raw, lang=lang)
    if problems:
        raise IntakeInvalid(problems)
    answers.pop("record_id", None)
    code = receipt_code.strip().upper()
    if not code or not Submission.objects.filter(receipt=receipt_hash(code)).exists():
        code = new_receipt()
    assert questionnaire.current is not None, "a public questionnaire has a version"
    with transaction.atomic():
        submission = Submission.objects.create(
            questionnaire=questionnaire,
            form_version=questionnaire.current,
            answers=answers,
            language=lang[:8],
            receipt=receipt_hash(code),
            sender_key=key,
        )
        for upload in uploads or []:
            SubmissionFile.objects.create(
                submission=submission,
                name=upload.name[:200] or "file",
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                data=upload.data,
            )
        audit(None, AuditAction.CREATE, submission, questionnaire=questionnaire.name,
              channel="public", files=len(uploads or []))  # fmt: skip
    return submission, code


def earlier_from_sender(submission: Submission) -> list[Submission]:
    """The earlier submissions sent with the same receipt code."""
    return list(
        Submission.objects.filter(receipt=submission.receipt, created_at__lt=submission.created_at)
        .exclude(pk=submission.pk)
        .order_by("created_at")
    )


def _victim_record(record_id: str) -> Record:
    target = Record.live.filter(questionnaire__name="victim", record_id=record_id).first()
    if target is None:
        raise IntakeInvalid([Problem("victim_record_id", record_id, "unknown",
                                     "no Victims record has this id")])  # fmt: skip
    return target


@transaction.atomic
def accept(actor: User, submission: Submission, victim_record_id: str = "") -> Record:
    """The submission becomes a record (about the person of a Victims record, if named)."""
    perms.require(perms.can_verify(actor), "moderate public submissions")
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.PENDING:
        raise IntakeRefused(_("this submission was already decided"), status=409)
    answers = dict(submission.answers)
    definition = submission.questionnaire.definition
    if victim_record_id.strip():
        if "victim_record_id" not in definition.fields:
            raise IntakeRefused(_("this questionnaire cannot refer to a Victims record"))
        answers["victim_record_id"] = _victim_record(victim_record_id.strip()).record_id
    try:
        record = actions.create_record(
            actor, submission.questionnaire, answers, status=Status.SUBMITTED,
            lang=submission.language, note=f"public submission {submission.pk}",
        )  # fmt: skip
    except actions.RecordInvalid as exc:
        raise IntakeInvalid(exc.problems) from None
    for stored in submission.files.all():
        upload = io.BytesIO(bytes(stored.data))
        try:
            attach_small_file(actor, upload, name=stored.name, record=record,
                              provenance={"source": "public intake"})  # fmt: skip
        except EvidenceRefused as exc:
            said = {"name": stored.name, "reason": sniff.reason_in_words(str(exc))}
            raise IntakeRefused(_("%(name)s: %(reason)s") % said) from None
    submission.status = SubmissionStatus.ACCEPTED
    submission.record = record
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.save(update_fields=["status", "record", "decided_by", "decided_at"])
    audit(actor, AuditAction.DECIDE, submission, decision="accepted", record=record.record_id)
    return record


@transaction.atomic
def reject(actor: User, submission: Submission, reason: str) -> None:
    perms.require(perms.can_verify(actor), "moderate public submissions")
    reason = reason.strip()
    if not reason:
        raise IntakeRefused(_("a rejection needs a reason"))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.PENDING:
        raise IntakeRefused(_("this submission was already decided"), status=409)
    submission.status = SubmissionStatus.REJECTED
    submission.reason = reason[:2000]
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit(actor, AuditAction.DECIDE, submission, decision="rejected")
