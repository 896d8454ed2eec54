"""An import killed (kill -9) in the middle of its write leaves nothing of itself that
anyone sees: the WAL it leaves behind is recovered by the next open, the batches it had
committed stay unseen (soft-deleted, marked with its run), and clearing abandoned runs
(as the next import or `aigak serve` does) leaves the database as before."""

from __future__ import annotations

import csv
import io
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


def _rows(database: Path, where: str = "") -> dict[str, str]:
    with sqlite3.connect(database) as db:
        return dict(db.execute(f"SELECT record_id, answers FROM records_record {where}"))


COUNTED = (
    "records_person",
    "records_recordversion",
    "records_recordlink",
    "reports_coded",
    "records_importrun",
    "accounts_auditevent WHERE action != 'export'",  # the test's export is audited
)


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}


def _pending(database: Path) -> int:
    """Records of imports still writing, committed (readers never wait in WAL mode)."""
    with sqlite3.connect(database, timeout=10) as db:
        return db.execute(
            "SELECT count(*) FROM records_record WHERE import_run_id IS NOT NULL"
        ).fetchone()[0]


def _exported(env: dict[str, str]) -> list[str]:
    """The record ids `aigak export` gives (the read path of exports)."""
    done = subprocess.run(
        [sys.executable, "-m", "aigak", "export", "victim"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return sorted(row["record_id"] for row in csv.DictReader(io.StringIO(done.stdout)))


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _ended(pids: list[int], within: float = 30) -> bool:
    """Whether these processes end (or are left as zombies, ended) within `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_running(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


CLEAR = "from aigak.records.import_runs import clear_abandoned; print(clear_abandoned())"


def test_an_import_killed_while_it_writes_leaves_the_database_as_it_was(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AIGAK_DATA_DIR"] = str(tmp_path / "data")
    database = tmp_path / "data" / "aigak.sqlite3"
    first = tmp_path / "first.csv"
    vf.write_csv(first, (vf.random_row(random.Random(1), n) for n in range(1, 101)))
    assert _import(env, first).wait(timeout=600) == 0
    kept = _rows(database)
    before = _counts(database)
    big = tmp_path / "big.csv"
    rng = random.Random(2)
    vf.write_csv(big, (vf.random_row(rng, n) for n in range(101, 6101)))

    importing = _import(env, big)
    # Killed once some batches are committed and more are being written.
    while importing.poll() is None and _pending(database) < 1000:
        time.sleep(0.01)
    assert importing.poll() is None, "the import ended before it was seen writing"
    checking = _children(importing.pid)  # still at work, or waiting for more rows
    assert checking, "the import writes while its checking processes work"
    os.kill(importing.pid, signal.SIGKILL)
    importing.wait(timeout=60)
    assert _ended(checking), "a checking process outlived the killed import"
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # what the killed write left

    db = sqlite3.connect(database, isolation_level=None)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        for index in ("records_fts", "records_choices"):
            # The index is sound, and holds every record not of an unfinished import (the
            # run fills the indexes for its records itself, `records.search_sqlite`).
            db.execute(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
            outside = db.execute(
                f"SELECT count(*) FROM records_record r WHERE import_run_id IS NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {index}_docsize d WHERE d.id = r.id)"
            ).fetchone()[0]
            assert outside == 0
        triggers = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    finally:
        db.close()
    assert wal.stat().st_size == 0
    assert {"records_fts_ai", "records_choices_ai"} <= triggers  # dropped only inside a write
    # Nothing of it is seen: the live records and an export are those of before.
    assert _pending(database) >= 1000
    assert _rows(database, "WHERE deleted_at IS NULL") == kept
    assert _exported(env) == sorted(kept)

    cleared = subprocess.run(
        [sys.executable, "-m", "aigak", "manage", "shell", "-c", CLEAR],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert cleared.returncode == 0, cleared.stderr[-2000:]
    assert int(cleared.stdout.split()[-1]) >= 1000
    assert _rows(database) == kept
    assert _counts(database) == before
    with sqlite3.connect(database) as db:
        for index in ("records_fts", "records_choices"):
            db.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")

    again = _import(env, big)
    out, err = again.communicate(timeout=600)
    assert (again.returncode, out.strip()) == (0, "created 6000, updated 0"), err[-2000:]
    assert _pending(database) == 0
    assert len(_rows(database, "WHERE deleted_at IS NULL")) == 6100
