"""SQLite: an import run fills the full-text indexes for its records itself, in bulk
(`records.search_sqlite`), and writes its steps without the tables' CHECK constraints
(`bulk.unchecked_json`); the indexes and the checks stay as they were for everything
else."""

from __future__ import annotations

import random
import sqlite3

import pytest
from django.db import connection, transaction

from aigak.records import actions, bulk, import_runs
from aigak.records.models import ImportRun, Record
from aigak.records.search import search
from aigak.records.tests import victim_fixture as vf

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'"),
]
INDEXES = ("records_fts", "records_choices")


@pytest.fixture
def victim(db):
    return vf.install("victim")


def _rows(first: int, count: int, name: str) -> list[tuple[int, dict[str, str]]]:
    rng = random.Random(first)
    rows = [(n, vf.random_row(rng, n)) for n in range(first, first + count)]
    for _, row in rows:
        row["full_name"] = name
    return rows


def _indexed(index: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {index}_docsize")
        return {pk for (pk,) in cursor.fetchall()}


def _sound(*, complete: bool = True) -> None:
    """FTS5's own check of each index; `complete`: also against every record."""
    with connection.cursor() as cursor:
        for index in INDEXES:
            rank = ", rank" if complete else ""
            value = ", 1" if complete else ""
            cursor.execute(f"INSERT INTO {index}({index}{rank}) VALUES ('integrity-check'{value})")


def test_it_indexes_a_run_in_bulk_and_nothing_unfinished_is_searchable(victim, monkeypatch):
    monkeypatch.setattr(bulk, "INDEX_EVERY", 2 * bulk.STEP)
    seen: list[tuple[int, int, int]] = []  # steps, pending records, indexed of them
    beat = import_runs.beat

    def counting(run: ImportRun) -> None:
        beat(run)
        pending = set(Record.objects.filter(import_run=run).values_list("pk", flat=True))
        seen.append((len(seen) + 1, len(pending), len(pending & _indexed("records_fts"))))
        assert not search(Record.live.all(), "Индексов", include_private=True).exists()
        _sound(complete=False)

    monkeypatch.setattr(import_runs, "beat", counting)
    result = actions.import_rows(None, victim, _rows(1, 5 * bulk.STEP + 7, "Индексов Пакетный"))

    assert result.created == 5 * bulk.STEP + 7
    step = bulk.STEP  # before each step: what the steps before it wrote and indexed
    assert seen == [(1, 0, 0), (2, step, 0), (3, 2 * step, 2 * step), (4, 3 * step, 2 * step),
                    (5, 4 * step, 4 * step), (6, 5 * step, 4 * step)]  # fmt: skip
    _sound()  # the last step indexed the rest: every record is in both indexes
    for index in INDEXES:
        assert _indexed(index) == set(Record.objects.values_list("pk", flat=True))
    assert search(Record.live.all(), "Индексов", include_private=True).count() == result.created


def test_a_run_that_fails_after_indexing_leaves_sound_indexes(victim, monkeypatch):
    actions.import_rows(None, victim, _rows(1, 3, "Прежний Живой"))
    monkeypatch.setattr(bulk, "INDEX_EVERY", bulk.STEP)
    beat, count = import_runs.beat, [0]

    def failing(run: ImportRun) -> None:
        beat(run)
        count[0] += 1
        if count[0] == 4:  # three steps written, two of them indexed
            assert _indexed("records_fts") > set(Record.live.values_list("pk", flat=True))
            raise OSError("disk full")

    monkeypatch.setattr(import_runs, "beat", failing)
    with pytest.raises(OSError, match="disk full"):
        actions.import_rows(None, victim, _rows(10, 5 * bulk.STEP, "Сбойный Импорт"))

    _sound()
    assert Record.objects.count() == 3
    for index in INDEXES:
        assert _indexed(index) == set(Record.objects.values_list("pk", flat=True))
    assert search(Record.live.all(), "Прежний", include_private=True).count() == 3
    assert not search(Record.objects.all(), "Сбойный", include_private=True).exists()


def test_edits_and_deletes_after_an_import_keep_the_indexes(victim, coordinator):
    actions.import_rows(None, victim, _rows(1, bulk.STEP + 3, "Старое Имя"))
    record = Record.live.get(record_id="V-000002")
    actions.update_record(coordinator, record, {**record.answers, "full_name": "Новое Имя"})
    assert search(Record.live.all(), "Новое", include_private=True).get().pk == record.pk
    gone = Record.objects.get(record_id="V-000003")
    gone.versions.all().delete()
    gone.delete()
    _sound()
    assert search(Record.live.all(), "Старое", include_private=True).count() == bulk.STEP + 1


def test_the_checks_hold_again_after_an_import(victim):
    actions.import_rows(None, victim, _rows(1, bulk.STEP + 3, "Проверкин Данных"))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints")
        assert cursor.fetchone()[0] == 0
        with pytest.raises(Exception, match="CHECK constraint failed"), transaction.atomic():
            cursor.execute(
                "UPDATE records_record SET answers = '{not json' "
                "WHERE id = (SELECT max(id) FROM records_record)"
            )
    path = connection.settings_dict["NAME"]
    with sqlite3.connect(path) as db:  # every stored answer is JSON
        assert db.execute("SELECT count(*) FROM records_record WHERE NOT json_valid(answers)").fetchone()[0] == 0  # fmt: skip
        assert db.execute("SELECT count(*) FROM records_recordversion WHERE NOT json_valid(answers)").fetchone()[0] == 0  # fmt: skip
