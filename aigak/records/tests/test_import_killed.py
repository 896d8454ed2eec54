"""An import killed (kill -9) in the middle of its write leaves nothing of itself: the
WAL it leaves behind is recovered by the next open, and the database is as before."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aigak.records.tests import victim_fixture as vf

# SQLite's own files on a disk: the same test whatever DATABASE_URL names, so the
# PostgreSQL run leaves it to the SQLite run.
pytestmark = pytest.mark.sqlite_run


ROOT = Path(__file__).resolve().parents[3]


def _import(env: dict[str, str], path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aigak", "import", "victim", str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _writing(database: Path) -> bool:
    """Whether another connection holds the write lock now."""
    db = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as problem:
        assert "locked" in str(problem) or "busy" in str(problem), problem
        return True
    finally:
        db.close()


def _rows(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT record_id, answers FROM records_record"))


def test_an_import_killed_while_it_writes_leaves_the_database_as_it_was(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AIGAK_DATA_DIR"] = str(tmp_path / "data")
    database = tmp_path / "data" / "aigak.sqlite3"
    first = tmp_path / "first.csv"
    vf.write_csv(first, (vf.random_row(random.Random(1), n) for n in range(1, 101)))
    assert _import(env, first).wait(timeout=600) == 0
    kept = _rows(database)
    big = tmp_path / "big.csv"
    rng = random.Random(2)
    vf.write_csv(big, (vf.random_row(rng, n) for n in range(101, 6101)))

    importing = _import(env, big)
    while importing.poll() is None and not _writing(database):
        time.sleep(0.01)
    assert importing.poll() is None, "the import ended before it was seen writing"
    time.sleep(0.3)  # well into the write: rows are in the WAL, not committed
    assert _writing(database), "the import's write was over too soon"
    os.kill(importing.pid, signal.SIGKILL)
    importing.wait(timeout=60)
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # what the killed write left

    db = sqlite3.connect(database, isolation_level=None)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        for index in ("records_fts", "records_choices"):
            db.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
        triggers = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    finally:
        db.close()
    assert wal.stat().st_size == 0
    assert {"records_fts_ai", "records_choices_ai"} <= triggers  # dropped only inside the write
    assert _rows(database) == kept

    again = _import(env, big)
    out, err = again.communicate(timeout=600)
    assert (again.returncode, out.strip()) == (0, "created 6000, updated 0"), err[-2000:]
