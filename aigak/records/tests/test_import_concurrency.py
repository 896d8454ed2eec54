"""An import holds SQLite's write lock only for its short writes (a batch at a time, each
its own transaction), and fills the full-text indexes in bulk without leaving them or
their triggers behind."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from aigak.lib.sqlite3 import base
from aigak.records import actions, bulk
from aigak.records.models import Record
from aigak.records.tests import victim_fixture as vf

ROOT = Path(__file__).resolve().parents[3]


def _aigak(env: dict[str, str], *argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "aigak", *argv],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _save(database: Path) -> float:
    """One save as the web server makes it (an `atomic` block: queued for the writers'
    file lock, `aigak.lib.sqlite3`); seconds it waited."""
    started = time.monotonic()
    with base._writer:  # the server's queue of this process, as its threads take it
        fd = base.take_file_lock(str(database), started + base.QUEUE_TIMEOUT)
        try:
            _write(database)
        finally:
            if fd is not None:
                base.release_file_lock(fd)
    return time.monotonic() - started


def _save_outside_queue(database: Path) -> float:
    """One write outside the queue (Django writes outside an `atomic` block so, with
    SQLite's busy handler and the server's 10 s timeout); seconds it waited."""
    started = time.monotonic()
    _write(database)
    return time.monotonic() - started


def _write(database: Path) -> None:
    db = sqlite3.connect(database, timeout=10, isolation_level=None)
    try:
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE records_record SET status = status WHERE record_id = 'V-000001'")
        db.execute("COMMIT")
    finally:
        db.close()


def _writing(database: Path) -> bool:
    """Whether an import is in its write phase (its run is there from its first batch
    to its last step)."""
    with sqlite3.connect(database, timeout=10) as db:
        return db.execute("SELECT count(*) FROM records_importrun").fetchone()[0] > 0


@pytest.mark.sqlite_run
@pytest.mark.parametrize("save", [_save, _save_outside_queue])
def test_it_lets_web_saves_through_while_an_import_checks_and_writes_its_rows(tmp_path, save):
    env = {**os.environ, "AIGAK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    first = tmp_path / "first.csv"
    vf.write_csv(first, [vf.random_row(random.Random(1), 1)])
    setup = _aigak(env, "import", "victim", str(first))
    assert setup.wait(timeout=300) == 0, setup.stderr.read() if setup.stderr else ""
    rng = random.Random(2)
    big = tmp_path / "big.csv"
    vf.write_csv(big, (vf.random_row(rng, n) for n in range(2, 6002)))
    database = tmp_path / "data" / "aigak.sqlite3"

    started = time.monotonic()
    importing = _aigak(env, "import", "victim", str(big))
    waits, failures, between_batches = [], [], 0
    while importing.poll() is None:
        writing = _writing(database)
        try:
            waits.append(save(database))
        except sqlite3.OperationalError as exc:  # "database is locked"
            failures.append(str(exc))
        between_batches += writing and _writing(database)
        time.sleep(0.05)
    took = time.monotonic() - started
    out = importing.stdout.read().decode() if importing.stdout else ""

    assert (importing.returncode, out.strip()) == (0, "created 6000, updated 0")
    assert failures == []
    assert len(waits) >= 10  # saves went through all along, not only after the import
    # Saves went through while the import wrote, between its batches.
    assert between_batches >= 3, (between_batches, len(waits))
    if save is _save:
        # Once a save waited for the whole import's write; it now waits for a batch or
        # two: the import leaves the lock free when a writer is queued for it.
        assert max(waits) < took / 4, (max(waits), took)
    else:
        # Not seen waiting: let in by the import's regular pause (bulk.OPEN_EVERY).
        assert max(waits) < bulk.OPEN_EVERY + 2, (max(waits), took)


@pytest.mark.django_db(transaction=True)
def test_it_fills_the_search_indexes_in_bulk_and_puts_the_triggers_back():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's full-text indexes")
    victim = vf.install("victim")
    rng = random.Random(5)
    rows = [(n + 1, vf.random_row(rng, n)) for n in range(1, 1201)]
    actions.import_rows(None, victim, rows)

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
        for index in ("records_fts", "records_choices"):
            cursor.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
    assert {"records_fts_ai", "records_choices_ai"} <= triggers
    Record.objects.create(
        questionnaire=victim,
        form_version=victim.current,
        record_id="V-999999",
        answers={"record_id": "V-999999"},
        search_text="V-999999 Неповторимов",
        search_choices="gender__female",
    )
    from aigak.records.search import filter_select, search

    assert search(Record.objects.all(), "Неповторимов", include_private=False).count() == 1
    assert (
        filter_select(
            Record.objects.filter(record_id="V-999999"), "gender", "female", False
        ).count()
        == 1
    )
