"""Every write to records goes through here: atomic, by an actor, versioned and audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.validation import Problem, clean_answers
from aigak.records import bulk
from aigak.records.links import sync_links
from aigak.records.models import Person, Record, RecordVersion, Status
from aigak.records.search import choice_words, search_texts
from aigak.reports import coded

NAME_FIELD = "full_name"


class RecordInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _next_record_id(questionnaire: Questionnaire) -> str:
    prefix = questionnaire.name[:1].upper()
    count = Record.objects.filter(questionnaire=questionnaire).count() + 1
    while True:
        candidate = f"{prefix}-{count:06d}"
        if not Record.objects.filter(questionnaire=questionnaire, record_id=candidate).exists():
            return candidate
        count += 1


def _apply_search(record: Record) -> None:
    definition = record.form_version.definition
    record.search_text, record.search_private = search_texts(
        definition, record.answers, record.record_id
    )
    record.search_choices = choice_words(definition, record.answers)


@transaction.atomic
def create_record(
    actor: User,
    questionnaire: Questionnaire,
    raw: dict[str, Any],
    *,
    status: str = Status.SUBMITTED,
    lang: str = "en",
    note: str = "",
) -> Record:
    perms.require(perms.can_create_records(actor), "create records")
    definition = questionnaire.definition
    raw = dict(raw)
    if not raw.get("record_id") and "record_id" in definition.fields:
        raw["record_id"] = _next_record_id(questionnaire)
    answers, problems = clean_answers(definition, raw, lang=lang)
    if problems:
        raise RecordInvalid(problems)
    record_id = str(answers.get("record_id") or _next_record_id(questionnaire))
    if Record.objects.filter(questionnaire=questionnaire, record_id=record_id).exists():
        raise RecordInvalid(
            [Problem("record_id", record_id, "unique", "a record with this id exists")]
        )
    person = None
    if answers.get(NAME_FIELD):
        person = Person.objects.create(display_name=str(answers[NAME_FIELD])[:300])
    record = Record(
        questionnaire=questionnaire,
        form_version=questionnaire.current,
        record_id=record_id,
        status=status,
        person=person,
        author=actor,
        team_id=actor.team_id,
        answers=answers,
    )
    _apply_search(record)
    record.save()
    coded.record_saved(record)
    RecordVersion.objects.create(
        record=record,
        number=1,
        answers=answers,
        status=status,
        form_version=record.form_version,
        author=actor,
        note=note or "created",
    )
    sync_links(record, actor)
    audit(actor, AuditAction.CREATE, record, questionnaire=questionnaire.name, version=1)
    return record


def _new_version(record: Record, actor: User | None, answers: dict[str, Any], note: str) -> None:
    record.answers = answers
    record.version += 1
    record.form_version = record.questionnaire.current  # type: ignore[assignment]
    _apply_search(record)
    record.save()
    coded.record_saved(record)
    RecordVersion.objects.create(
        record=record,
        number=record.version,
        answers=answers,
        status=record.status,
        form_version=record.form_version,
        author=actor,
        note=note,
    )


@transaction.atomic
def update_record(
    actor: User, record: Record, raw: dict[str, Any], *, lang: str = "en", note: str = ""
) -> Record:
    """Save changed answers as a new version; fields the actor may not edit keep their value."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    perms.require(perms.can_edit_record(actor, record), "edit this record")
    definition = record.questionnaire.definition
    allowed = perms.editable_fields(actor, definition, record)
    merged = dict(record.answers)
    for name, value in raw.items():
        if name in allowed:
            merged[name] = value
    if "record_id" in merged:
        merged["record_id"] = record.record_id  # the id is stable
    answers, problems = clean_answers(definition, merged, lang=lang)
    if problems:
        raise RecordInvalid(problems)
    if answers == record.answers:
        return record
    changed = sorted(
        k for k in set(answers) | set(record.answers) if answers.get(k) != record.answers.get(k)
    )
    _new_version(record, actor, answers, note or "edited")
    if record.person_id and answers.get(NAME_FIELD):
        Person.objects.filter(pk=record.person_id).update(
            display_name=str(answers[NAME_FIELD])[:300]
        )
    sync_links(record, actor)
    audit(actor, AuditAction.UPDATE, record, version=record.version, fields=changed)
    return record


@transaction.atomic
def restore_version(actor: User, record: Record, number: int) -> Record:
    """Bring back an earlier version's answers as a new version; history is kept whole."""
    record = Record.objects.select_for_update().get(pk=record.pk)
    perms.require(perms.can_restore_versions(actor, record), "restore versions")
    old = RecordVersion.objects.get(record=record, number=number)
    _new_version(record, actor, dict(old.answers), f"restored version {number}")
    audit(actor, AuditAction.RESTORE, record, version=record.version, restored=number)
    return record


@transaction.atomic
def set_status(actor: User, record: Record, status: str) -> Record:
    record = Record.objects.select_for_update().get(pk=record.pk)
    if status not in Status.values:
        raise ValueError(f"unknown status {status!r}")
    if status == Status.VERIFIED or record.status == Status.VERIFIED:
        perms.require(perms.can_verify(actor), "verify records")
    else:
        perms.require(perms.can_edit_record(actor, record), "change this record")
    if record.status == status:
        return record
    previous = record.status
    record.status = status
    _new_version(record, actor, dict(record.answers), f"status {previous} -> {status}")
    audit(actor, AuditAction.STATUS, record, before=previous, after=status)
    return record


@transaction.atomic
def delete_record(actor: User, record: Record, reason: str) -> Record:
    if not reason.strip():
        raise ValueError("a reason is required to delete a record")
    record = Record.objects.select_for_update().get(pk=record.pk)
    perms.require(perms.can_delete_record(actor, record), "delete this record")
    record.deleted_at = timezone.now()
    record.deleted_by = actor
    record.deleted_reason = reason.strip()
    record.save(update_fields=["deleted_at", "deleted_by", "deleted_reason", "updated_at"])
    audit(actor, AuditAction.DELETE, record, reason=reason.strip())
    return record


@transaction.atomic
def undelete_record(actor: User, record: Record) -> Record:
    record = Record.objects.select_for_update().get(pk=record.pk)
    perms.require(perms.role_of(actor) in perms.MANAGING_ROLES, "restore deleted records")
    record.deleted_at = None
    record.deleted_by = None
    record.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    audit(actor, AuditAction.RESTORE, record, undeleted=True)
    return record


# --- bulk import ------------------------------------------------------------------


@dataclass
class RowProblem:
    row: int
    problem: Problem

    def __str__(self) -> str:
        return f"row {self.row}: {self.problem}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


class ImportFailed(ValueError):
    def __init__(self, source: str, problems: list[RowProblem]):
        self.source = source
        self.problems = problems
        shown = "\n".join(f"{source}: {p}" for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{source}: {len(problems)} problem(s); nothing was imported\n{shown}{more}"
        )


def import_rows(
    actor: User | None,
    questionnaire: Questionnaire,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    source: str = "import",
    status: str = Status.SUBMITTED,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check every row with the form's rules and write all of them, or none.

    Rows are written in batches as they are checked, inside one transaction that is
    rolled back if any row is wrong: memory stays flat however long the file. A row whose
    record_id exists becomes a new version of that record.
    """
    if actor is not None:
        perms.require(perms.can_import_export(actor), "import records")
    definition = questionnaire.definition
    checking = bulk.checking_definition(definition)
    id_is_field = "record_id" in definition.fields
    result = ImportResult()
    seen: dict[str, int] = {}
    with transaction.atomic():
        writer = bulk.BatchWriter(
            questionnaire, actor=actor, status=status, note=f"imported from {source}"
        )
        given_ids: dict[int, Any] = {}
        if not id_is_field:  # a form of a centre's own may leave the id out of its fields
            rows = _without_ids(rows, given_ids)
        for number, answers, problems, prepared in bulk.checked_rows(checking, rows):
            for p in problems:
                result.problems.append(RowProblem(number, p))
            given = answers.get("record_id") if id_is_field else given_ids.pop(number, "")
            record_id = str(given or "")
            if not record_id and not problems:
                result.problems.append(
                    RowProblem(
                        number, Problem("record_id", "", "required", "every row needs a record_id")
                    )
                )
            if record_id:
                if record_id in seen:
                    result.problems.append(
                        RowProblem(
                            number,
                            Problem(
                                "record_id", record_id, "unique", f"also on row {seen[record_id]}"
                            ),
                        )
                    )
                seen[record_id] = number
            if not result.problems:
                writer.add(bulk.Row(record_id, answers, prepared if id_is_field else None))
            if progress:
                progress(1)
        if result.problems:
            raise ImportFailed(source, result.problems)  # rolls back what was written
        writer.flush()
        result.created, result.updated = writer.created, writer.updated
        result.unchanged = writer.unchanged
        audit(
            actor,
            AuditAction.IMPORT,
            object_type="questionnaire",
            object_id=questionnaire.name,
            source=source,
            created=result.created,
            updated=result.updated,
        )
    bulk.refresh_statistics(result.created + result.updated)
    return result


def _without_ids(
    rows: Iterable[tuple[int, dict[str, Any]]], ids: dict[int, Any]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in rows:
        ids[number] = raw.get("record_id")
        yield number, {k: v for k, v in raw.items() if k != "record_id"}
