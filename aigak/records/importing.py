"""`aigak import`'s write: an import run, written while its rows are still being checked.

An import outside a transaction (`actions.import_rows`) reads its whole file first: this
process spools the raw rows and notes their record ids, which are reserved
(`reserve_record_ids`) before anything is written, while the checking processes start
on the first chunks (`bulk_check.checked_ahead`). Then, chunk by chunk in the file's
order, each checked chunk is written as the run's unseen steps (`bulk.BatchWriter`,
`records.import_runs`) while the next ones are checked: the write and the checking, a
core each, go on at once instead of one after the other.

All or none still holds. Once any problem is known (a bad row, a record id given twice,
even on rows chunks apart) nothing more is written, but the checking goes on to the last
row so that every problem is reported with its row; then the run is discarded, the
counter of record ids put back when nobody took a number since, and `ImportFailed`
raised: nothing was imported. What a run wrote is never seen before its last step.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction

from aigak.accounts.models import AuditAction, User, audit
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.validation import Problem
from aigak.records import bulk, bulk_check, hooks, import_runs
from aigak.records.models import ImportRun, RecordCounter

logger = logging.getLogger(__name__)


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


class Reservation(NamedTuple):
    """The questionnaire's counter of record ids before an import moved it, and after."""

    before: int
    after: int


def reserve_record_ids(
    questionnaire: Questionnaire, record_ids: Iterable[str], held: Reservation | None = None
) -> Reservation | None:
    """Before an import writes in steps: the counter goes past the highest id of the
    `actions._next_record_id` shape among its rows, so a record created meanwhile is not
    given one of them (and then taken by the import for the same record). `held`: what
    the import reserved already (nothing asked of the database when it covers them)."""
    shape = re.compile(re.escape(questionnaire.name[:1].upper()) + "-([0-9]{6})")
    highest = max((int(m.group(1)) for r in record_ids if (m := shape.fullmatch(r))), default=0)
    if highest <= (held.after if held else 0):
        return held
    with transaction.atomic():
        counter, _ = RecordCounter.objects.get_or_create(questionnaire=questionnaire)
        counter = RecordCounter.objects.select_for_update().get(pk=counter.pk)
        before = held.before if held else counter.last
        if counter.last < highest:
            counter.last = highest
            counter.save(update_fields=["last"])
    return Reservation(before, counter.last)


def release_record_ids(questionnaire: Questionnaire, held: Reservation) -> None:
    """After a failed import: the counter back where it was, unless a record was created
    since (then the numbers it skipped stay unused, as after a deleted record)."""
    if held.before == held.after:
        return
    with transaction.atomic():
        RecordCounter.objects.select_for_update().filter(
            questionnaire=questionnaire, last=held.after
        ).update(last=held.before)


def import_in_steps(
    actor: User | None,
    questionnaire: Questionnaire,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    source: str,
    status: str,
    progress: Callable[[int], None] | None,
    result: ImportResult,
) -> None:
    """Check the rows and write them as an import run at the same time; all or none."""
    definition = questionnaire.definition
    checked = bulk_check.CheckedFile(preparers=hooks.import_preparers(questionnaire))
    raw = bulk_check.raw_rows(rows, id_is_field="record_id" in definition.fields)
    run: ImportRun | None = None
    held: Reservation | None = None
    try:
        with bulk_check.checked_ahead(
            bulk_check.checking_definition(definition), raw, checked.folder.name, checked.preparers
        ) as ahead:
            import_runs.clear_abandoned()
            held = reserve_record_ids(questionnaire, ahead.record_ids)
            ahead.record_ids.clear()  # memory: the checked ones are kept (`checked.seen`)
            run = import_runs.start(questionnaire, source)
            writer = _writer(actor, questionnaire, source, status, run, checked.preparers)
            for verdicts, place in ahead.results:
                checked.take(verdicts, place)
                if progress:
                    progress(len(verdicts))
                if checked.problems:  # nothing more written; the checking goes on
                    continue
                chunk = checked.chunk(place)
                # The ids as checked: the same as read, but the counter must cover them.
                held = reserve_record_ids(questionnaire, (r.record_id for r in chunk), held)
                writer.write_steps(chunk)
        if checked.problems:
            result.problems = [RowProblem(number, p) for number, p in checked.problems]
            raise ImportFailed(source, result.problems)
        _finish(actor, questionnaire, source, writer, checked, result)
    except BaseException:
        _undo(questionnaire, run, held)
        raise
    finally:
        checked.close()


def write_checked(
    actor: User | None,
    questionnaire: Questionnaire,
    checked: bulk_check.CheckedFile,
    source: str,
    status: str,
    result: ImportResult,
) -> None:
    """Write rows all checked beforehand (`bulk_check.check_file`, none wrong) as an
    import run: the write alone, one phase after the other (`bench/write_bench.py`)."""
    import_runs.clear_abandoned()
    held = reserve_record_ids(questionnaire, checked.record_ids)
    run = import_runs.start(questionnaire, source)
    try:
        writer = _writer(actor, questionnaire, source, status, run, checked.preparers)
        writer.write(checked)
        _finish(actor, questionnaire, source, writer, checked, result)
    except BaseException:
        _undo(questionnaire, run, held)
        raise


def _writer(
    actor: User | None,
    questionnaire: Questionnaire,
    source: str,
    status: str,
    run: ImportRun,
    preparers: hooks.Preparers,
) -> bulk.BatchWriter:
    note = f"imported from {source}"
    writer = bulk.BatchWriter(questionnaire, actor=actor, status=status, note=note, run=run)
    writer.preparers = preparers
    return writer


def _finish(
    actor: User | None,
    questionnaire: Questionnaire,
    source: str,
    writer: bulk.BatchWriter,
    checked: bulk_check.CheckedFile,
    result: ImportResult,
) -> None:
    """The run's last step: one transaction."""
    with transaction.atomic():
        writer.finish(checked)
        imported(actor, questionnaire, source, writer, result)


def _undo(questionnaire: Questionnaire, run: ImportRun | None, held: Reservation | None) -> None:
    """After a failure: what the run wrote removed, the counter put back."""
    try:
        if run is not None:
            import_runs.discard(run.pk)
        if held is not None:
            release_record_ids(questionnaire, held)
    except Exception as problem:  # a full disk: the next import removes them
        logger.warning(
            "the rows of a failed import (run %s) are left, unseen, for the next "
            "import to remove: %s",
            run.pk if run else None,
            problem,
        )


def imported(
    actor: User | None,
    questionnaire: Questionnaire,
    source: str,
    writer: bulk.BatchWriter,
    result: ImportResult,
) -> None:
    """The counts of a written import, and its audit row (in its last transaction)."""
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
