"""Django's SQLite backend, with write transactions taken in turn.

SQLite lets one writer in at a time; the others poll the lock (busy_timeout) with
growing sleeps, so under many writers one can wait past the timeout while later ones get
in. Here the threads of one process queue on a lock instead and enter one after another;
between processes (`aigak serve --workers`, a command-line import beside the server) the
one holding the thread lock then takes an exclusive `flock` on a file beside the database
(`<database>.writer`), polled without blocking and with short sleeps, so a waiting writer
holds neither the GIL nor SQLite's lock and the timeout still applies. Only `atomic`
blocks (every write Aigak makes through its actions) are queued; the busy timeout remains
for the rest. Where there is no `flock` (Windows) the queue is within one process.

A long writer that lets the lock go between short transactions (an import, written in
steps) asks `writers_waiting` whether to leave it free a moment: the threads of this
process queued for the lock are counted, and a process polling the lock file marks
itself meanwhile with a shared `flock` on a second file (`<database>.waiting`), which
the long writer probes with an exclusive one let go at once.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # Windows: one process only
    fcntl = None  # type: ignore[assignment]

_writer = threading.Lock()
QUEUE_TIMEOUT = 30.0  # seconds a write waits for the other writers
LOCK_SUFFIX = ".writer"
WAITING_SUFFIX = ".waiting"  # shared-locked by a process while it polls the lock file
PROBE = ":probe"  # the key of the descriptor `writers_waiting` probes the marks with
# The lock files this process opened: key -> (pid, descriptor). A descriptor inherited
# over fork shares its lock with the parent, so a child opens its own.
_lock_files: dict[str, tuple[int, int]] = {}
# Threads of this process waiting for `_writer` (a count kept under its own lock).
_queued = 0
_queued_lock = threading.Lock()


def _lock_file(path: str, key: str = "") -> int:
    """This process's descriptor of a lock file. `flock` locks belong to an open file,
    so the probe of the waiting marks opens the file apart (`key`): on the marking
    descriptor it would turn this process's own mark into its probe."""
    pid = os.getpid()
    known = _lock_files.get(path + key)
    if known is not None and known[0] == pid:
        return known[1]
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    _lock_files[path + key] = (pid, fd)
    return fd


def take_file_lock(database: str, deadline: float) -> int | None:
    """Hold the exclusive lock on the database's lock file (the caller holds `_writer`),
    waiting until `deadline` (time.monotonic()); its descriptor, or None without flock."""
    if fcntl is None:
        return None
    fd = _lock_file(database + LOCK_SUFFIX)
    mark, marked = _lock_file(database + WAITING_SUFFIX), False
    pause = 0.0005
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError(
                        "database is locked (waited for other writers)"
                    ) from None
            # Waiting: marked for the holder to see (`writers_waiting`). A mark refused
            # (the holder probing at this instant) is tried again at the next poll.
            marked = marked or _try_flock(mark, fcntl.LOCK_SH)
            time.sleep(pause)
            pause = min(pause * 2, 0.005)
    finally:
        if marked:
            fcntl.flock(mark, fcntl.LOCK_UN)


def _try_flock(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def release_file_lock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)


def writers_waiting(database: str | None) -> bool:
    """Whether another writer waits for the write lock now: a thread of this process
    queued for it, or another process polling the lock file of `database` (a file's
    path; None for the in-memory test database). True where it cannot be told (no
    `flock`): a caller that pauses for waiting writers then always pauses."""
    if _queued:
        return True
    if database is None:
        return False
    if fcntl is None:
        return True
    probe = _lock_file(database + WAITING_SUFFIX, PROBE)
    if not _try_flock(probe, fcntl.LOCK_EX):
        return True  # a waiter's shared mark is there
    fcntl.flock(probe, fcntl.LOCK_UN)
    return False


SHARED_CACHE_WAIT = 30.0  # seconds a statement of the in-memory test database retries


class SharedCacheCursor(base.SQLiteCursorWrapper):
    """A cursor of the in-memory test database that waits for a table lock.

    In SQLite's shared cache a statement that meets another connection's table lock fails
    at once ("database table is locked"): the busy timeout does not apply there. A write
    outside an `atomic` block (a background run's progress, a session's row) can meet the
    live server's writer that way; this retries the statement, which had no effect, as the
    busy timeout would on a file database.
    """

    wait = SHARED_CACHE_WAIT  # the connection's `timeout` option when it names one

    def execute(self, query: str, params: Any = None) -> Any:
        # One statement fails whole, so it can be tried again; `executemany` is not
        # retried (rows before the failing one may stand).
        return _retried(lambda: base.SQLiteCursorWrapper.execute(self, query, params), self.wait)


def _retried(statement: Any, wait: float) -> Any:
    deadline = time.monotonic() + wait
    pause = 0.001
    while True:
        try:
            return statement()
        except sqlite3.OperationalError as error:
            if "is locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False
    _file_lock: int | None = None

    def get_new_connection(self, conn_params: dict) -> object:
        connection = super().get_new_connection(conn_params)
        if self.is_in_memory_db():
            # The test database: one in-memory database shared by the live server's
            # threads and a background run's thread through SQLite's shared cache, where a
            # reader's table lock makes a writer fail at once ("database table is locked")
            # instead of waiting. Readers there take no table locks; a file database (WAL)
            # never needs this.
            connection.execute("PRAGMA read_uncommitted = 1")
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        if self.is_in_memory_db():
            cursor = self.connection.cursor(factory=SharedCacheCursor)
            timeout = (self.settings_dict.get("OPTIONS") or {}).get("timeout")
            if timeout is not None:
                cursor.wait = float(timeout)
            return cursor
        return super().create_cursor(name)

    def writers_waiting(self) -> bool:
        """Whether another writer waits for the write lock (`writers_waiting`)."""
        return writers_waiting(None if self.is_in_memory_db() else str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        global _queued
        deadline = time.monotonic() + QUEUE_TIMEOUT
        if not _writer.acquire(blocking=False):
            with _queued_lock:
                _queued += 1
            try:
                taken = _writer.acquire(timeout=QUEUE_TIMEOUT)
            finally:
                with _queued_lock:
                    _queued -= 1
            if not taken:
                raise OperationalError("database is locked (waited for other writers)")
        self._holds_writer = True
        try:
            if not self.is_in_memory_db():
                self._file_lock = take_file_lock(str(self.settings_dict["NAME"]), deadline)
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            try:
                if self._file_lock is not None:
                    fd, self._file_lock = self._file_lock, None
                    release_file_lock(fd)
            finally:
                _writer.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_writer()
