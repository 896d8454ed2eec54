"""Write transactions of several processes on one SQLite file go one after another
(`aigak.lib.sqlite3`: a `flock` on `<database>.writer`), so none meets SQLite's lock."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aigak.lib.sqlite3 import base

pytestmark = pytest.mark.skipif(base.fcntl is None, reason="no flock here")

# One writer process: Django with only this database, SQLite's busy timeout at zero (a
# write transaction that meets another's lock fails at once), N transactions that each
# hold the lock a little while.
WRITER = r"""
import json, sys, time
import django
from django.conf import settings

path, name, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
settings.configure(
    DATABASES={"default": {
        "ENGINE": "aigak.lib.sqlite3", "NAME": path,
        "OPTIONS": {"timeout": 0, "transaction_mode": "IMMEDIATE"},
    }},
    INSTALLED_APPS=[], USE_TZ=True,
)
django.setup()
from django.db import connection, transaction

failed = []
time.sleep(max(0.0, start - time.time()))
for n in range(40):
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO saves (writer, n) VALUES (%s, %s)", [name, n])
                time.sleep(0.003)
    except Exception as problem:
        failed.append(str(problem))
print(json.dumps(failed))
"""


def _writers(database: Path) -> list[subprocess.Popen]:
    start = time.time() + 2.0  # both begin at the same moment
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), name, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE saves (writer TEXT, n INTEGER)")
    failures = []
    for process in _writers(database):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        failures.extend(json.loads(out))
    assert failures == []
    with sqlite3.connect(database) as check:
        rows = check.execute("SELECT writer, count(*) FROM saves GROUP BY writer").fetchall()
    assert dict(rows) == {"a": 40, "b": 40}
    assert (tmp_path / "db.sqlite3.writer").stat().st_mode & 0o077 == 0


def test_a_writer_waits_for_the_file_lock_no_longer_than_its_deadline(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
            database + base.LOCK_SUFFIX,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(Exception, match="database is locked"):
            base.take_file_lock(database, time.monotonic() + 0.3)
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
    fd = base.take_file_lock(database, time.monotonic() + 5)  # free again
    assert fd is not None
    base.release_file_lock(fd)


# A process that waits for the writers' lock while this one holds it.
WAITER = r"""
import sys, time
from aigak.lib.sqlite3 import base
fd = base.take_file_lock(sys.argv[1], time.monotonic() + 20)
print("in", flush=True)
base.release_file_lock(fd)
"""


def _until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_holder_sees_a_process_waiting_for_the_lock_until_it_is_in(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    held = base.take_file_lock(database, time.monotonic() + 5)
    assert held is not None
    assert not base.writers_waiting(database)  # nobody else
    waiter = subprocess.Popen(
        [sys.executable, "-c", WAITER, database], stdout=subprocess.PIPE, text=True
    )
    try:
        assert _until(lambda: base.writers_waiting(database))
        # Probing many times does not take the waiter's mark away for good.
        for _ in range(1000):
            base.writers_waiting(database)
        assert _until(lambda: base.writers_waiting(database))
        base.release_file_lock(held)
        assert waiter.stdout.readline().strip() == "in"
        assert waiter.wait(timeout=20) == 0
        assert not base.writers_waiting(database)
    finally:
        waiter.kill()
        waiter.wait()


@pytest.mark.django_db(transaction=True)
def test_the_holder_sees_a_thread_of_its_process_waiting_for_the_lock():
    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's writers' queue")
    got_in = threading.Event()

    def save() -> None:
        with transaction.atomic():
            got_in.set()
        connection.close()

    assert not connection.writers_waiting()
    with transaction.atomic():
        thread = threading.Thread(target=save)
        thread.start()
        assert _until(connection.writers_waiting)
        assert not got_in.is_set()
    thread.join(timeout=20)
    assert got_in.is_set() and not connection.writers_waiting()


# A process that waits for the writers' lock, then says when it got in.
QUEUED_SAVE = r"""
import sys, time
from aigak.lib.sqlite3 import base
print("waiting", flush=True)
fd = base.take_file_lock(sys.argv[1], time.monotonic() + 30)
print(time.time(), flush=True)
base.release_file_lock(fd)
"""


def test_a_long_writer_in_steps_lets_a_waiting_process_in_after_its_next_step(tmp_path):
    """An import's batches (bulk.pause_for_writers): a process waiting for the lock gets
    in after the batch it waited through. Without the pause it polls (every 5 ms at
    most) while the lock is free for microseconds between batches, and waits on."""
    from aigak.records import bulk

    database = str(tmp_path / "db.sqlite3")
    fd = base.take_file_lock(database, time.monotonic() + 5)
    waiter = subprocess.Popen(
        [sys.executable, "-c", QUEUED_SAVE, database], stdout=subprocess.PIPE, text=True
    )
    steps_ended: list[float] = []
    try:
        assert waiter.stdout.readline().strip() == "waiting"
        assert _until(lambda: base.writers_waiting(database))  # it polls, marked
        for _ in range(3):  # three batches of 20 ms each, as an import writes them
            time.sleep(0.02)
            base.release_file_lock(fd)
            steps_ended.append(time.time())
            bulk.pause_for_writers(lambda: base.writers_waiting(database), 0.2)
            fd = base.take_file_lock(database, time.monotonic() + 10)
        base.release_file_lock(fd)
        got_in = float(waiter.stdout.readline())
    finally:
        waiter.kill()
        waiter.wait()
    # In after the first batch: it held the lock before the second began.
    assert got_in < steps_ended[1], got_in - steps_ended[0]
