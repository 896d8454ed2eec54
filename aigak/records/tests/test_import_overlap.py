"""`aigak import` writes each checked chunk while the next ones are checked, and is still
all or none: a problem found late, after chunks were written, leaves nothing behind and
every problem is reported; a record id given twice chunks apart is refused; the record
ids of the whole file are reserved before the first write; the result is the one of
checking everything first."""

from __future__ import annotations

import multiprocessing
import random
from typing import Any

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from aigak.records import actions, bulk_check, import_runs, importing
from aigak.records.models import (
    ImportRun,
    Person,
    Record,
    RecordCounter,
    RecordLink,
    RecordVersion,
)
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.test_import_steps import _state as written
from aigak.reports.models import CodedRecord

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 100  # rows per checked chunk here: a long file of many chunks, quickly


@pytest.fixture
def victim(db, monkeypatch):
    monkeypatch.setattr(bulk_check, "CHUNK", CHUNK)
    monkeypatch.setattr(bulk_check, "AHEAD_PER_WORKER", 2)  # the others wait in the spool
    assert bulk_check._workers() > 0, "the checking runs in worker processes here"
    return vf.install("victim")


@pytest.fixture
def steps(monkeypatch) -> list[int]:
    """The import's steps as they begin (the run's beats): how many were written."""
    beat, seen = import_runs.beat, []

    def counting(run: ImportRun) -> None:
        beat(run)
        seen.append(Record.objects.filter(import_run=run).count())

    monkeypatch.setattr(import_runs, "beat", counting)
    return seen


def _rows(first: int, count: int, seed: int) -> list[tuple[int, dict[str, str]]]:
    rng = random.Random(seed)
    return [(n, vf.random_row(rng, n)) for n in range(first, first + count)]


def _state() -> dict[str, Any]:
    """Every table an import writes (`test_import_steps`), the record counter and
    SQLite's full-text indexes, as counts."""
    state = {**written(), "counter": list(RecordCounter.objects.values_list("last", flat=True))}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for index in ("records_fts", "records_choices"):
                cursor.execute(f"SELECT count(*) FROM {index}_docsize")
                state[index] = cursor.fetchone()[0]
    return state


def test_a_bad_row_late_in_a_long_file_leaves_nothing_and_every_problem_is_reported(victim, steps):
    actions.import_rows(None, victim, _rows(1, 10, seed=1))
    before = _state()
    steps.clear()
    rows = _rows(11, 12 * CHUNK, seed=2)  # rows 11 to 1210: twelve chunks
    rows[1150 - 11][1]["vital_status"] = "maybe"  # in the twelfth chunk
    rows[1190 - 11][1]["record_id"] = "V-000020"  # the id of row 20, eleven chunks before
    rows[1200 - 11][1]["record_id"] = "V-000005"  # an existing record's: an update, fine

    with pytest.raises(actions.ImportFailed) as failed:
        actions.import_rows(None, victim, rows)

    # The first eleven chunks were written (a step each) before the problem was known.
    assert len(steps) == 11 and steps[-1] == 10 * CHUNK
    found = [(p.row, p.problem.field) for p in failed.value.problems]
    assert found == [(1150, "vital_status"), (1190, "record_id")]
    assert failed.value.problems[1].problem.rule == "unique"
    assert "also on row 20" in str(failed.value)
    assert _state() == before  # no records, versions, persons, index rows, run; counter


def test_every_problem_is_reported_after_the_first(victim, steps):
    rows = _rows(1, 6 * CHUNK, seed=3)
    bad = [150, 151, 420, 599]
    for number in bad:
        rows[number - 1][1]["vital_status"] = "maybe"
    with pytest.raises(actions.ImportFailed) as failed:
        actions.import_rows(None, victim, rows)
    assert [p.row for p in failed.value.problems] == bad
    assert len(steps) == 1  # the first chunk written, then nothing more
    assert Record.objects.count() == 0 and ImportRun.objects.count() == 0


def test_a_record_id_given_again_chunks_apart_is_refused(victim, steps):
    rows = _rows(1, 5 * CHUNK, seed=4)
    rows[450 - 1][1]["record_id"] = rows[30 - 1][1]["record_id"]
    with pytest.raises(actions.ImportFailed) as failed:
        actions.import_rows(None, victim, rows)
    assert [(p.row, p.problem.rule) for p in failed.value.problems] == [(450, "unique")]
    assert len(steps) == 4  # chunks before the one with the repeated id were written
    assert _state()["records"] == 0 and not RecordCounter.objects.exclude(last=0).exists()


def test_a_failure_mid_way_removes_what_was_written_and_stops_the_checking(victim, monkeypatch):
    actions.import_rows(None, victim, _rows(1, 10, seed=5))
    before = _state()
    beat, seen = import_runs.beat, [0]

    def failing(run: ImportRun) -> None:
        beat(run)
        seen[0] += 1
        if seen[0] == 3:
            raise OSError("disk full")

    monkeypatch.setattr(import_runs, "beat", failing)
    with pytest.raises(OSError, match="disk full"):
        actions.import_rows(None, victim, _rows(11, 20 * CHUNK, seed=6))
    assert _state() == before
    assert multiprocessing.active_children() == []  # the checking processes ended


def test_the_ids_of_later_chunks_are_reserved_before_the_first_write(
    victim, coordinator, monkeypatch
):
    made: list[Record] = []
    alive = {"vital_status": "alive"}
    beat, seen = import_runs.beat, [0]

    def with_a_save(run: ImportRun) -> None:
        beat(run)
        seen[0] += 1
        if seen[0] == 2:  # a web save once the second step committed, the lock let go
            transaction.on_commit(lambda: made.append(actions.create_record(coordinator, victim, alive)))  # fmt: skip

    monkeypatch.setattr(import_runs, "beat", with_a_save)
    result = actions.import_rows(None, victim, _rows(1, 5 * CHUNK, seed=7))

    assert (result.created, result.updated) == (5 * CHUNK, 0)
    assert made and made[0].record_id == f"V-{5 * CHUNK + 1:06d}"  # past the whole file
    assert Record.live.count() == 5 * CHUNK + 1


def _snapshot() -> list[tuple[Any, ...]]:
    """What an import leaves, without keys and times."""
    records = []
    for record in Record.objects.select_related("person").order_by("record_id"):
        versions = [
            (v.number, v.answers, v.status, v.note) for v in record.versions.order_by("number")
        ]
        coded = CodedRecord.objects.filter(record=record).first()
        records.append(
            (
                record.record_id, record.answers, record.version, record.status,
                record.deleted_at, record.import_run_id, record.search_text,
                record.search_private, record.search_choices,
                record.person.display_name if record.person else None, versions,
                model_to_dict(coded, exclude=["record"]) if coded else None,
            )
        )  # fmt: skip
    return records


def test_the_result_is_that_of_checking_every_row_first(victim):
    first = _rows(1, 50, seed=8)
    changed = [(n, {**row, "full_name": f"Изменённая {n}"}) for n, row in first[:30]]
    rows = [*_rows(51, 3 * CHUNK + 40, seed=9), *changed, *first[40:]]
    rows = [(number, row) for number, (_, row) in enumerate(rows, start=1)]

    actions.import_rows(None, victim, first)
    overlapped = actions.import_rows(None, victim, rows)
    written = _snapshot()

    for model in (RecordLink, CodedRecord, RecordVersion, Record, Person, RecordCounter):
        model.objects.all().delete()
    actions.import_rows(None, victim, first)
    checked = bulk_check.check_file(
        bulk_check.checking_definition(victim.definition),
        rows,
        id_is_field=True,
        preparers=actions.hooks.import_preparers(victim),
    )
    two_phase = importing.ImportResult()
    try:
        importing.write_checked(None, victim, checked, "import", "submitted", two_phase)
    finally:
        checked.close()

    assert (overlapped.created, overlapped.updated, overlapped.unchanged) == (
        3 * CHUNK + 40,
        30,
        10,
    )
    assert (two_phase.created, two_phase.updated, two_phase.unchanged) == (3 * CHUNK + 40, 30, 10)
    assert _snapshot() == written
