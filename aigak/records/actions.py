"""Every write to records goes through here: atomic, by an actor, versioned and audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, Team, User, audit
from aigak.questionnaires.models import Questionnaire, without_heavy
from aigak.questionnaires.validation import Problem, clean_answers
from aigak.records import bulk, bulk_check, hooks, importing
from aigak.records.ids import record_id_problems
from aigak.records.importing import ImportFailed as ImportFailed
from aigak.records.importing import ImportResult as ImportResult
from aigak.records.importing import RowProblem as RowProblem
from aigak.records.links import sync_links
from aigak.records.models import Person, Record, RecordCounter, RecordVersion, Status
from aigak.records.search import choice_words, search_texts

NAME_FIELD = "full_name"


class RecordInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _gaps_allowed(problems: list[Problem], draft: bool) -> list[Problem]:
    """A draft may leave required questions unanswered; every other rule still holds."""
    return [p for p in problems if not (draft and p.rule == "required")]


def missing_answers(record: Record) -> list[Problem]:
    """The required questions a record leaves unanswered (submitting checks them)."""
    definition = record.questionnaire.definition
    _, problems = clean_answers(
        definition, dict(record.answers), keep_irrelevant=True, previous=record.answers
    )
    return [p for p in problems if p.rule == "required"]


def _next_record_id(questionnaire: Questionnaire) -> str:
    """The next free id, from the questionnaire's counter row, locked until commit.

    The lock makes concurrent creates wait for each other instead of picking the same
    number (PostgreSQL); SQLite's write transactions already run one at a time.
    """
    prefix = questionnaire.name[:1].upper()
    counters = RecordCounter.objects.select_for_update()
    counter = counters.filter(questionnaire=questionnaire).first()
    made = counter is None
    if counter is None:  # the questionnaire's first record
        counter, made = RecordCounter.objects.get_or_create(questionnaire=questionnaire)
        counter = counters.get(pk=counter.pk)
    if made or counter.last == 0:
        counter.last = Record.objects.filter(questionnaire=questionnaire).count()
    count = counter.last + 1
    taken = Record.objects.filter(questionnaire=questionnaire)
    if taken.filter(record_id=f"{prefix}-{count:06d}").exists():
        # An import took this number: go on after the highest id of this shape.
        highest = (
            taken.filter(record_id__regex=rf"^{prefix}-[0-9]{{6}}$")
            .order_by("-record_id")
            .values_list("record_id", flat=True)
            .first()
        )
        count = max(count, int(highest.rsplit("-", 1)[1]) + 1 if highest else count)
        while taken.filter(record_id=f"{prefix}-{count:06d}").exists():
            count += 1
    counter.last = count
    counter.save(update_fields=["last"])
    return f"{prefix}-{count:06d}"


def _apply_search(record: Record) -> None:
    definition = record.form_version.definition
    record.search_text, record.search_private = search_texts(
        definition, record.answers, record.record_id
    )
    record.search_choices = choice_words(definition, record.answers)


CREATE_ATTEMPTS = 5


def create_record(
    actor: User,
    questionnaire: Questionnaire,
    raw: dict[str, Any],
    *,
    status: str = Status.SUBMITTED,
    lang: str = "en",
    note: str = "",
) -> Record:
    """A new record, version 1. An id given in raw is kept (refused if taken); without
    one the next free id is given, and tried again should another writer take it first."""
    perms.require(perms.can_create_records(actor), "create records")
    for attempt in range(CREATE_ATTEMPTS):
        try:
            with transaction.atomic():
                return _create(actor, questionnaire, raw, status=status, lang=lang, note=note)
        except IntegrityError:
            given = raw.get("record_id")
            if given or attempt == CREATE_ATTEMPTS - 1:
                if Record.objects.filter(questionnaire=questionnaire, record_id=given).exists():
                    raise RecordInvalid(
                        [
                            Problem.said(
                                "record_id",
                                given,
                                "unique",
                                gettext_noop("a record with this id exists"),
                            )
                        ]
                    ) from None
                raise
    raise AssertionError("unreachable")


def _create(
    actor: User,
    questionnaire: Questionnaire,
    raw: dict[str, Any],
    *,
    status: str,
    lang: str,
    note: str,
) -> Record:
    definition = questionnaire.definition
    raw = dict(raw)
    assigned = ""  # an id given here by the counter, which found it free
    if not raw.get("record_id") and "record_id" in definition.fields:
        raw["record_id"] = assigned = _next_record_id(questionnaire)
    answers, problems = clean_answers(definition, raw, lang=lang)
    problems = _gaps_allowed(problems, status == Status.DRAFT) + record_id_problems(answers)
    if problems:
        raise RecordInvalid(problems)
    record_id = str(answers.get("record_id") or "")
    if not record_id:
        record_id = assigned = _next_record_id(questionnaire)
    taken = Record.objects.filter(questionnaire=questionnaire, record_id=record_id)
    if record_id != assigned and taken.exists():
        raise RecordInvalid(
            [
                Problem.said(
                    "record_id", record_id, "unique", gettext_noop("a record with this id exists")
                )
            ]
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
    hooks.record_saved(record)
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
    hooks.record_saved(record)
    RecordVersion.objects.create(
        record=record,
        number=record.version,
        answers=answers,
        status=record.status,
        form_version=record.form_version,
        author=actor,
        note=note,
    )


@dataclass
class Conflict:
    """One field both editors changed, to different values."""

    field: str
    base: Any  # the value both started from
    theirs: Any  # what the other editor saved
    mine: Any  # what this editor sent


class EditConflict(Exception):
    """The record changed since the editor opened it, in fields the editor changed too."""

    def __init__(self, record: Record, base_version: int, conflicts: list[Conflict]):
        self.record = record
        self.base_version = base_version
        self.conflicts = conflicts
        super().__init__(
            f"{record.record_id}: version {record.version} was saved after version "
            f"{base_version}; changed by both: {', '.join(c.field for c in conflicts)}"
        )

    def as_dict(self) -> dict[str, Any]:
        """What the API answers with 409."""
        return {
            "record_id": self.record.record_id,
            "base_version": self.base_version,
            "current_version": self.record.version,
            "conflicts": [c.__dict__ for c in self.conflicts],
        }


def _three_way(
    base: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any], names: Iterable[str]
) -> tuple[dict[str, Any], list[str], list[Conflict]]:
    """Theirs with my changes since base laid over, field by field.

    Returns the merged answers, the fields taken from mine, and the fields both changed.
    """
    merged, taken, conflicts = dict(theirs), [], []
    for name in sorted(set(names)):
        b, t, m = base.get(name), theirs.get(name), mine.get(name)
        if m == b or m == t:
            continue
        if t == b:
            merged[name] = m
            taken.append(name)
            if m is None:
                merged.pop(name, None)
        else:
            conflicts.append(Conflict(name, b, t, m))
    return merged, taken, conflicts


def _locked(record: Record) -> Record:
    """The record read again and locked until commit (the row only, on PostgreSQL), with
    its questionnaire and that one's current version (a save needs both)."""
    return (
        Record.objects.select_for_update(of=("self",))
        .select_related("questionnaire__current")
        .defer(*without_heavy("questionnaire__current"))
        .get(pk=record.pk)
    )


@transaction.atomic
def update_record(
    actor: User,
    record: Record,
    raw: dict[str, Any],
    *,
    lang: str = "en",
    note: str = "",
    base_version: int | None = None,
    resolve: dict[str, str] | None = None,
    resolved_at: int | None = None,
) -> Record:
    """Save changed answers as a new version; fields the actor may not edit keep their value.

    base_version is the version the editor started from. If another save came after it,
    the editor's changes are merged field by field with it (noted in the version); a field
    both changed raises EditConflict and nothing is saved, unless resolve names for it
    "mine" or "theirs", chosen when the record was at version resolved_at. An answer the save makes not
    relevant is dropped, and named in the version's note (validation.clean_answers).
    """
    record = _locked(record)
    perms.require(perms.can_edit_record(actor, record), "edit this record")
    definition = record.questionnaire.definition
    allowed = perms.editable_fields(actor, definition, record)
    mine_raw = {name: value for name, value in raw.items() if name in allowed}
    mine_raw.pop("record_id", None)  # the id is stable
    merged_note = ""
    start = record.answers
    if base_version is not None and base_version != record.version:
        start = RecordVersion.objects.get(record=record, number=base_version).answers
    draft = record.status == Status.DRAFT
    mine, problems = clean_answers(definition, {**start, **mine_raw}, lang=lang, previous=start)
    problems = _gaps_allowed(problems, draft)
    if problems:
        raise RecordInvalid(problems)
    if start is not record.answers:
        mine, taken, conflicts = _three_way(start, record.answers, mine, allowed)
        if resolve and resolved_at == record.version:
            conflicts = _resolved(mine, taken, conflicts, resolve)
        if conflicts:
            raise EditConflict(record, base_version or 0, conflicts)
        merged_note = f"merged with version {record.version} (started from {base_version}): " + (
            ", ".join(taken) or "nothing changed"
        )
        mine, problems = clean_answers(definition, mine, lang=lang, previous=record.answers)
        problems = _gaps_allowed(problems, draft)
        if problems:
            raise RecordInvalid(problems)
    answers = mine
    if answers == record.answers:
        return record
    changed = sorted(
        k for k in set(answers) | set(record.answers) if answers.get(k) != record.answers.get(k)
    )
    dropped = _dropped(definition, record.answers, mine_raw, answers)
    parts = [note or "edited", merged_note]
    if dropped:
        parts.append("not relevant, left out: " + ", ".join(dropped))
    _new_version(record, actor, answers, "; ".join(p for p in parts if p)[:300])
    if record.person_id and answers.get(NAME_FIELD):
        Person.objects.filter(pk=record.person_id).update(
            display_name=str(answers[NAME_FIELD])[:300]
        )
    sync_links(record, actor)
    audit(
        actor, AuditAction.UPDATE, record, version=record.version, fields=changed, dropped=dropped
    )
    return record


def _resolved(
    merged: dict[str, Any], taken: list[str], conflicts: list[Conflict], resolve: dict[str, str]
) -> list[Conflict]:
    """Apply the editor's choices to merged; the conflicts left without one."""
    left = []
    for c in conflicts:
        choice = resolve.get(c.field)
        if choice == "mine":
            taken.append(c.field)
            if c.mine is None:
                merged.pop(c.field, None)
            else:
                merged[c.field] = c.mine
        elif choice != "theirs":
            left.append(c)
    return left


def _dropped(
    definition: Any, stored: dict[str, Any], sent: dict[str, Any], saved: dict[str, Any]
) -> list[str]:
    """Stored answers the save left out though the editor did not clear them."""
    return sorted(
        name
        for name, value in stored.items()
        if name not in saved
        and name in definition.fields
        and definition.fields[name].type != "calculate"
        and sent.get(name, value) not in (None, "", [])
    )


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
    perms.require(perms.can_change_status(actor, record, status), "change this record's status")
    if record.status == status:
        return record
    if status != Status.DRAFT:
        gaps = missing_answers(record)
        if gaps:
            raise RecordInvalid(gaps)
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
    hooks.record_deletion(record)
    audit(actor, AuditAction.DELETE, record, reason=reason.strip())
    return record


@transaction.atomic
def undelete_record(actor: User, record: Record) -> Record:
    record = Record.objects.select_for_update().get(pk=record.pk)
    perms.require(perms.role_of(actor) in perms.MANAGING_ROLES, "restore deleted records")
    record.deleted_at = None
    record.deleted_by = None
    record.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    hooks.record_deletion(record)
    audit(actor, AuditAction.RESTORE, record, undeleted=True)
    return record


@transaction.atomic
def assign_team(actor: User, records: list[Record], team: Team | None) -> int:
    """Give records to a team (or to none); each change audited. Returns the count."""
    perms.require(perms.can_assign_teams(actor), "assign records to a team")
    pks = [r.pk for r in records]
    changed = Record.live.filter(pk__in=pks).update(team=team, updated_at=timezone.now())
    for record in records:
        audit(actor, AuditAction.UPDATE, record, team=team.pk if team else None)
    return changed


# --- bulk import ------------------------------------------------------------------


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

    Inside the caller's transaction, every row is checked and prepared first (the
    prepared rows wait in a temporary file: memory stays flat however long the file);
    if any row is wrong nothing is written, else the rows are written in that
    transaction. Outside one (`aigak import`), the rows are written in short
    transactions unseen until one short last step, so other writers get in between,
    each chunk as soon as it is checked while the next ones are checked
    (`records.importing`); a problem anywhere stops the writing and removes what was
    written. Every problem is reported, with its row. A row whose record_id exists
    becomes a new version of that record.
    """
    if actor is not None:
        perms.require(perms.can_import_export(actor), "import records")
    result = ImportResult()
    if not transaction.get_connection().in_atomic_block:
        importing.import_in_steps(
            actor, questionnaire, rows, source=source, status=status, progress=progress,
            result=result,
        )  # fmt: skip
        bulk.refresh_statistics(result.created + result.updated)
        return result
    definition = questionnaire.definition
    checked = bulk_check.check_file(
        bulk_check.checking_definition(definition),
        rows,
        id_is_field="record_id" in definition.fields,
        progress=progress,
        preparers=hooks.import_preparers(questionnaire),
    )
    try:
        if checked.problems:
            result.problems = [RowProblem(number, p) for number, p in checked.problems]
            raise ImportFailed(source, result.problems)
        note = f"imported from {source}"
        writer = bulk.BatchWriter(questionnaire, actor=actor, status=status, note=note)
        writer.write(checked)
        importing.imported(actor, questionnaire, source, writer, result)
    finally:
        checked.close()
    bulk.refresh_statistics(result.created + result.updated)
    return result
