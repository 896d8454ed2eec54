"""An import outside a transaction writes in short transactions (an import run), and is
still all or none: between its batches no reader sees its rows and other writers get in;
a failure removes what it wrote; a run whose process died is cleared."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from aigak.accounts.models import AuditAction, AuditEvent
from aigak.records import actions, bulk, import_runs
from aigak.records.management.commands.export_records import _records as exported
from aigak.records.models import ImportRun, Person, Record, RecordLink, RecordVersion
from aigak.records.search import search
from aigak.records.tests import victim_fixture as vf
from aigak.reports.models import CodedRecord

pytestmark = pytest.mark.django_db(transaction=True)

HIDDEN = "Невидимкин Тестовый"


@pytest.fixture
def victim(db):
    return vf.install("victim")


def _rows(
    first: int, count: int, seed: int = 7, name: str = HIDDEN
) -> list[tuple[int, dict[str, str]]]:
    rng = random.Random(seed)
    rows = [(n, vf.random_row(rng, n)) for n in range(first, first + count)]
    for _, row in rows:
        row["full_name"] = name
    return rows


def _state() -> dict[str, Any]:
    """Every table an import writes, as counts (the audit rows of imports)."""
    return {
        "records": Record.objects.count(),
        "versions": RecordVersion.objects.count(),
        "persons": Person.objects.count(),
        "coded": CodedRecord.objects.count(),
        "links": RecordLink.objects.count(),
        "runs": ImportRun.objects.count(),
        "imports": AuditEvent.objects.filter(action=AuditAction.IMPORT).count(),
    }


def _between_batches(
    monkeypatch: pytest.MonkeyPatch, after: int, do: Callable[[], None]
) -> list[bool]:
    """Call `do` once, just after the import's `after`-th batch committed: its write lock
    let go, the next batch not begun. Returns a list that holds True once it ran."""
    ran: list[bool] = []
    beat, seen = import_runs.beat, [0]

    def counting(run: ImportRun) -> None:
        beat(run)
        seen[0] += 1
        if seen[0] == after:
            transaction.on_commit(lambda: (do(), ran.append(True)))

    monkeypatch.setattr(import_runs, "beat", counting)
    return ran


def test_between_batches_nobody_sees_the_import_and_a_web_save_gets_in(
    victim, coordinator, client, monkeypatch
):
    actions.import_rows(None, victim, _rows(1, 20, seed=1, name="Видимов Первый"))
    before = Record.live.count()
    client.force_login(coordinator)
    made: list[Record] = []

    def meanwhile() -> None:
        pending = Record.objects.filter(import_run__isnull=False)
        assert pending.count() == 2 * bulk.STEP  # two batches written and committed
        assert Record.live.count() == before
        assert not search(Record.live.all(), HIDDEN, include_private=True).exists()
        assert len(list(exported(victim))) == before
        assert "V-000100" not in client.get("/trash/").content.decode()
        listed = client.get("/records/victim/?q=" + HIDDEN.split()[0]).content.decode()
        assert "V-000100" not in listed
        # A save in the meantime: a new record, given an id the import does not hold.
        made.append(actions.create_record(coordinator, victim, {"vital_status": "alive"}))

    ran = _between_batches(monkeypatch, 2, meanwhile)
    result = actions.import_rows(None, victim, _rows(21, 5 * bulk.STEP))

    assert ran == [True] and result.created == 5 * bulk.STEP
    assert Record.live.count() == before + 5 * bulk.STEP + 1
    assert not Record.objects.filter(import_run__isnull=False).exists()
    assert not Person.objects.filter(import_run__isnull=False).exists()
    assert ImportRun.objects.count() == 0
    taken = set(Record.objects.values_list("record_id", flat=True))
    assert len(taken) == Record.objects.count() and made[0].record_id in taken
    assert search(Record.live.all(), HIDDEN, include_private=True).count() >= 5 * bulk.STEP
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("pk")
    assert event.metadata["created"] == 5 * bulk.STEP  # one audit row, as before
    assert RecordVersion.objects.filter(record__record_id="V-000100").get().number == 1


def test_changes_to_existing_records_wait_for_the_last_step(victim, monkeypatch):
    first = _rows(1, 10, seed=2)
    actions.import_rows(None, victim, first)
    changed = [(n, {**row, "full_name": f"Изменённая {n}"}) for n, row in first]
    answers = dict(Record.objects.values_list("record_id", "answers"))

    def meanwhile() -> None:
        pending = Record.objects.filter(import_run__isnull=False)
        written = dict(pending.values_list("record_id", "answers"))
        assert len(written) == bulk.STEP - len(changed)  # the changes wait
        assert dict(Record.objects.values_list("record_id", "answers")) == answers | written

    ran = _between_batches(monkeypatch, 1, meanwhile)
    result = actions.import_rows(None, victim, changed + _rows(11, bulk.STEP + 5, seed=3))

    assert ran == [True]
    assert (result.created, result.updated) == (bulk.STEP + 5, 10)
    record = Record.live.get(record_id="V-000001")
    assert record.version == 2 and record.answers["full_name"] == "Изменённая 1"
    assert list(record.versions.values_list("number", flat=True)) == [2, 1]


@pytest.mark.parametrize("fail_at", [2, "finish"])
def test_an_import_that_fails_while_writing_removes_what_it_wrote(victim, monkeypatch, fail_at):
    actions.import_rows(None, victim, _rows(1, 10, seed=4))
    before = _state()
    kept = dict(Record.objects.values_list("record_id", "answers"))
    beat, seen = import_runs.beat, [0]

    def failing(run: ImportRun) -> None:
        beat(run)
        seen[0] += 1
        if seen[0] == fail_at:
            raise OSError("disk full")

    def failing_finish(run: ImportRun) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(import_runs, "beat", failing)
    if fail_at == "finish":
        monkeypatch.setattr(import_runs, "finish", failing_finish)
    changed = [(1, {**_rows(1, 1, seed=4)[0][1], "full_name": "Другая"})]
    with pytest.raises(OSError, match="disk full"):
        actions.import_rows(None, victim, changed + _rows(11, 3 * bulk.STEP, seed=5))

    assert _state() == before
    assert dict(Record.objects.values_list("record_id", "answers")) == kept


def test_a_bad_row_writes_nothing(victim):
    before = _state()
    rows = _rows(1, 2 * bulk.STEP, seed=6)
    rows[-1][1]["vital_status"] = "maybe"
    with pytest.raises(actions.ImportFailed):
        actions.import_rows(None, victim, rows)
    assert _state() == before


def test_a_run_whose_process_died_is_cleared_and_a_live_one_kept(victim):
    actions.import_rows(None, victim, _rows(1, 5, seed=8))
    before = _state()
    dead = import_runs.start(victim, "dead.csv")
    alive = import_runs.start(victim, "alive.csv")
    checked = actions.bulk_check.check_file(
        victim.definition, _rows(6, 30, seed=9), id_is_field=True
    )
    try:
        writer = bulk.BatchWriter(victim, actor=None, status="submitted", note="x", run=dead)
        writer.write(checked)
    finally:
        checked.close()
    ImportRun.objects.filter(pk=dead.pk).update(pid=_gone_pid())
    assert Record.objects.filter(import_run=dead).count() == 30
    assert Record.live.count() == 5

    assert import_runs.clear_abandoned() == 30
    assert list(ImportRun.objects.values_list("pk", flat=True)) == [alive.pk]
    ImportRun.objects.filter(pk=alive.pk).update(
        beat_at=timezone.now() - import_runs.ABANDONED_AFTER * 2
    )
    assert import_runs.clear_abandoned() == 0
    assert _state() == before
    # The ids the dead run held are free again.
    actions.import_rows(None, victim, _rows(6, 30, seed=9))
    assert Record.live.count() == 35


def _gone_pid() -> int:
    """A process number no process has now (a child that has ended)."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_on_sqlite_the_steps_do_not_wait_for_the_disk_and_the_last_step_does(victim, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's synchronous setting")

    def synchronous() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            return int(cursor.fetchone()[0])

    before = synchronous()
    assert before > 1  # FULL (settings.py) or EXTRA: every commit synced
    seen: dict[str, list[int]] = {"steps": [], "last": []}
    beat, finish = import_runs.beat, import_runs.finish

    def counting(run: ImportRun) -> None:
        seen["steps"].append(synchronous())
        beat(run)

    def finishing(run: ImportRun) -> None:
        seen["last"].append(synchronous())
        finish(run)

    monkeypatch.setattr(import_runs, "beat", counting)
    monkeypatch.setattr(import_runs, "finish", finishing)
    actions.import_rows(None, victim, _rows(1, 3 * bulk.STEP))
    assert seen == {"steps": [1, 1, 1], "last": [before]}  # 1: NORMAL
    assert synchronous() == before

    def failing(run: ImportRun) -> None:  # a failure in a step puts it back too
        raise RuntimeError("disk gone")

    monkeypatch.setattr(import_runs, "beat", failing)
    with pytest.raises(RuntimeError):
        actions.import_rows(None, victim, _rows(1000, bulk.STEP))
    assert synchronous() == before
