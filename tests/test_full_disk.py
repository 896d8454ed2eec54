"""A real full disk: the data folder on a small tmpfs, filled to the last byte.

The database (SQLite, WAL), the evidence store, the import's staging folder (TMPDIR) and
the backup's output all live on a 32 MB tmpfs mounted for the test. Every operation runs
in a process of its own (`python -m aigak ...`, and full_disk_steps.py for the web pages
through Django's test client), as it would on a server. Mounting needs root (CI runs as
root); elsewhere the tests are skipped.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aigak.records.tests import victim_fixture as vf
from tests.full_disk_steps import fill

# SQLite's own files on a disk: the same test whatever DATABASE_URL names, so the
# PostgreSQL run leaves it to the SQLite run.
pytestmark = pytest.mark.sqlite_run

ROOT = Path(__file__).resolve().parents[1]
STEPS = Path(__file__).with_name("full_disk_steps.py")
SIZE = "32m"


@pytest.fixture
def small_disk(tmp_path):
    """A 32 MB tmpfs at tmp_path/disk, unmounted after the test whatever happens."""
    if sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("needs Linux's mount to make a small file system")
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"mounting a tmpfs is not permitted here (needs root): {mounted.stderr.strip()}"
        )
    try:
        (where / "data").mkdir()
        (where / "tmp").mkdir()
        (where / "backups").mkdir()
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _env(disk: Path, staging: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(AIGAK_DATA_DIR=str(disk / "data"), TMPDIR=str(staging or disk / "tmp"))
    return env


def _aigak(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aigak", *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _steps(env: dict[str, str], *argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(STEPS), *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _csv(path: Path, first: int, last: int, seed: int) -> Path:
    rng = random.Random(seed)
    vf.write_csv(path, (vf.random_row(rng, n) for n in range(first, last + 1)))
    return path


def _rows(database: Path, *, live: bool = False) -> dict[str, str]:
    """Every record's answers by id; `live`: those every reader sees (not deleted, nor
    written by an import that has not finished)."""
    where = " WHERE deleted_at IS NULL" if live else ""
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT record_id, answers FROM records_record" + where))


def _checked(database: Path) -> tuple[str, tuple[int, int, int]]:
    """integrity_check's answer, and wal_checkpoint(TRUNCATE)'s (busy, log, checkpointed)."""
    db = sqlite3.connect(database, isolation_level=None)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        checkpoint = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        db.close()
    return integrity, checkpoint


def _refused_clearly(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr[-3000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    for word in ("the disk is full", *words):
        assert word in done.stderr, done.stderr[-3000:]


def test_a_full_disk_is_said_clearly_changes_nothing_and_all_works_once_space_is_back(
    small_disk, tmp_path
):
    env = _env(small_disk)
    database = small_disk / "data" / "aigak.sqlite3"
    token = _steps(env, "setup")["token"]
    first = _aigak(env, "import", "victim", str(_csv(tmp_path / "first.csv", 1, 200, 1)))
    assert (first.returncode, first.stdout.strip()) == (0, "created 200, updated 0"), first.stderr
    before = _steps(env, "web", "plain", token, "before")
    assert (before["save"], before["form"], before["tus"]["patch"]) == (302, 302, 204)
    kept = _rows(database)
    assert _checked(database)[1][0] == 0  # an empty WAL: the full disk's writes need room

    filler = small_disk / "filler"
    full = _steps(env, "web", f"fill:{filler}", token, "full")
    assert full["filled"] > 20 * 1024**2
    # The save: the form again with what was typed and the reason, nothing written.
    assert full["save"] == 503
    assert len(full["save_says"]) == 2  # "disk is full", and the name typed
    # The uploads: refused with the reason, no half file left, no evidence row.
    assert full["form"] == 507 and "disk is full" in full["form_body"]
    assert full["tus"]["create"] == 507 and "disk is full" in full["tus"]["create_body"]
    assert full["resume"] == 507, full["resume_body"]
    assert full["partial_sizes"] == [0]  # the started upload, cut back to what was acknowledged
    assert [u for u in full["uploads"] if u[0] < u[1]] == [[0, 150_000]]  # still to come
    assert full["records"] == before["records"] and full["evidence"] == before["evidence"]

    second = _csv(tmp_path / "second.csv", 1001, 1300, 2)  # ids the saves do not take
    _refused_clearly(_aigak(env, "import", "victim", str(second)), "nothing was imported")
    assert not list((small_disk / "tmp").iterdir())  # the staged rows are gone
    backup = small_disk / "backups" / "all.tar"
    _refused_clearly(_aigak(env, "backup", "--unencrypted", str(backup)), "nothing was written")
    assert not list((small_disk / "backups").iterdir())  # no .partial
    assert _rows(database) == kept

    filler.unlink()  # space is back
    integrity, checkpoint = _checked(database)
    assert integrity == "ok" and checkpoint[0] == 0
    after = _steps(env, "web", "resume", token, "after")
    assert (after["save"], after["form"], after["tus"]["patch"], after["resume"]) == (
        302,
        302,
        204,
        204,
    )
    assert after["evidence"] == sorted(
        [*before["evidence"], "resumed.mp4", "scan-after.mp4", "interview.mp4"]
    )
    assert after["partial_sizes"] == []
    imported = _aigak(env, "import", "victim", str(second))
    assert (imported.returncode, imported.stdout.strip()) == (0, "created 300, updated 0"), (
        imported.stderr
    )
    saved = _aigak(env, "backup", "--unencrypted", str(backup))
    assert saved.returncode == 0, saved.stderr
    assert backup.stat().st_size > 0 and not list((small_disk / "backups").glob("*.partial"))

    integrity, checkpoint = _checked(database)
    assert integrity == "ok" and checkpoint[0] == 0
    assert Path(f"{database}-wal").stat().st_size == 0
    now = _rows(database)
    assert {k: now[k] for k in kept} == kept  # everything written before the disk filled
    assert len(now) == len(kept) + 1 + 300


def test_an_import_the_disk_stops_half_way_leaves_the_database_as_it_was(small_disk, tmp_path):
    """The rows are staged off the small disk, so it fills while the import writes them
    into the database: the batch being written rolls back, whatever WAL is left is
    recovered by the next open, and the batches written before stay unseen until they
    are removed (by the import itself, or, the disk being full, by the next import)."""
    staging = tmp_path / "staging"
    staging.mkdir()
    env = _env(small_disk, staging)
    database = small_disk / "data" / "aigak.sqlite3"
    first = _aigak(env, "import", "victim", str(_csv(tmp_path / "first.csv", 1, 200, 3)))
    assert first.returncode == 0, first.stderr
    kept = _rows(database)
    assert _checked(database)[1][0] == 0
    filler = small_disk / "filler"
    size = fill(filler)
    os.truncate(filler, size - 1024**2)  # room for part of the write, not all of it

    big = _csv(tmp_path / "big.csv", 201, 2200, 4)
    _refused_clearly(_aigak(env, "import", "victim", str(big)), "nothing was imported")
    assert not list(staging.iterdir())
    assert _rows(database, live=True) == kept

    filler.unlink()
    integrity, checkpoint = _checked(database)
    assert integrity == "ok" and checkpoint[0] == 0
    assert _rows(database, live=True) == kept
    again = _aigak(env, "import", "victim", str(big))
    assert (again.returncode, again.stdout.strip()) == (0, "created 2000, updated 0"), again.stderr
    assert len(_rows(database)) == 2200 and kept.items() <= _rows(database).items()
    assert _checked(database) == ("ok", (0, 0, 0))
