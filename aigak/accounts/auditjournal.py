"""Page reads' audit rows under `aigak serve`: on disk before the page is sent, in the
audit table a moment later, written by one thread of the process in one transaction.

Why. Every page a signed-in user reads writes an audit row. Written in the request, that
row is a write transaction: on SQLite it waits in the one-writer queue behind every save
(and its `synchronous=FULL` commit), on PostgreSQL behind the chain's advisory lock. The
page waited for it.

How. `journaled()` appends the row (its time is the time of the read) as one JSON line
to this process's journal file, `<data folder>/audit-journal/<token>.jsonl`, and
`fsync`s it before it returns: the page is sent only once its row is on disk. A thread
of the process (`Journal.run`) then moves the file aside (`<token>.<n>.flushing`,
renamed and the folder synced), appends all its rows to the chain in one transaction,
and removes the file after the commit. Each process holds an exclusive `flock` on
`<token>.lock` while it lives; a process that starts takes the lock of any journal whose
process died (the kernel released it) and writes its rows the same way. A file whose rows
were committed just before its process died (the file not yet removed) is recognised by
its first row, already in the table (one file, one transaction), and removed unwritten.
A line cut short by a crash was never acknowledged (its `fsync` had not returned) and is
skipped.

Only `aigak serve` starts a journal (`start`); everywhere else (tests, commands, a
server without one) `journaled()` answers False and the caller writes the row itself.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from aigak.lib.disk import sync_folder

try:
    import fcntl
except ImportError:  # Windows: no journal, rows written in the request
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
FOLDER = "audit-journal"
FLUSH_EVERY = 1.0  # seconds between flushes when nothing wakes the thread sooner


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """The complete lines of a journal file; a last line cut short is skipped."""
    rows = []
    for line in path.read_bytes().split(b"\n"):
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue  # empty, or cut short by a crash before its fsync returned
    return rows


def _already_written(row: dict[str, Any]) -> bool:
    from aigak.accounts.models import AuditEvent

    return AuditEvent.objects.filter(
        at=datetime.fromisoformat(row["at"]),
        actor_id=row["actor_id"],
        action=row["action"],
        object_id=row["object_id"],
        ip=row["ip"],
    ).exists()


def write_file(path: Path) -> int:
    """Append a journal file's rows to the chain in one transaction and remove the file;
    the number of rows written (0 when its rows were in the table already)."""
    from aigak.accounts import auditlog
    from aigak.accounts.models import AuditEvent

    rows = _read_rows(path)
    written = 0
    if rows and not _already_written(rows[0]):
        for row in rows:
            row["at"] = datetime.fromisoformat(row["at"])
        auditlog.append_rows(AuditEvent, rows)
        written = len(rows)
    path.unlink()
    return written


def _flushing_order(path: Path) -> tuple[int, str]:
    part = path.name.rsplit(".", 2)
    return (int(part[1]) if len(part) == 3 and part[1].isdigit() else 1 << 62), path.name


def recover(folder: Path, own_token: str = "") -> int:
    """Write the rows of journals whose processes died; the number of rows written."""
    if fcntl is None or not folder.is_dir():
        return 0
    written = 0
    for lock_path in sorted(folder.glob("*.lock")):
        token = lock_path.name.removesuffix(".lock")
        if token == own_token:
            continue
        try:
            fd = os.open(lock_path, os.O_RDWR)
        except FileNotFoundError:
            continue  # another process has just recovered it
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its process is alive
            files = sorted(folder.glob(f"{token}.*.flushing"), key=_flushing_order)
            files += [p for p in [folder / f"{token}.jsonl"] if p.exists()]
            for path in files:
                written += write_file(path)
            lock_path.unlink(missing_ok=True)
        finally:
            os.close(fd)
    if written:
        log.warning("audit journal: %d row(s) of a stopped process written", written)
    return written


class Journal:
    """This process's journal: the file the request threads append to and the thread
    that moves its rows into the table."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        # Locked before it has the name `recover` looks for: never seen unlocked.
        locking = folder / f"{self.token}.locking"
        self.lock_fd = os.open(locking, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        os.rename(locking, folder / f"{self.token}.lock")
        self.path = folder / f"{self.token}.jsonl"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.pending = 0  # lines appended since the file was last moved aside
        self.moved = 0  # files moved aside so far (their number)
        self.lock = threading.Lock()  # the file: appends, and moving it aside
        self.flushing = threading.Lock()  # one flush at a time
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self.run, name="audit-journal", daemon=True)

    def append(self, row: dict[str, Any]) -> None:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self.lock:
            os.write(self.fd, line.encode())
            os.fsync(self.fd)
            self.pending += 1
        self.wake.set()

    def _move_aside(self) -> None:
        """The current file becomes the next `.flushing` file and a new one is begun."""
        with self.lock:
            if not self.pending:
                return
            self.moved += 1
            os.rename(self.path, self.folder / f"{self.token}.{self.moved:09d}.flushing")
            sync_folder(self.folder)  # the rename is on disk before its rows are written
            os.close(self.fd)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self.pending = 0

    def flush(self) -> int:
        """Write every row appended so far to the table; the number written. A failure
        (the database busy or gone) leaves the files for the next flush."""
        with self.flushing:
            self._move_aside()
            written = 0
            for path in sorted(self.folder.glob(f"{self.token}.*.flushing"), key=_flushing_order):
                written += write_file(path)
            return written

    def run(self) -> None:
        while not self.stopping:
            self.wake.wait(FLUSH_EVERY)
            self.wake.clear()
            close_old_connections()  # this thread's, as a request's end would
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the rows stay on disk; tried again
                log.exception("audit journal: rows not written yet, will try again")
            finally:
                close_old_connections()

    def close(self) -> None:
        """Stop the thread, write what is left, and give up the journal."""
        self.stopping = True
        self.wake.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - the rows stay on disk for the next start
            log.exception("audit journal: rows left for the next start to write")
        finally:
            os.close(self.fd)
            if not self.pending and not any(self.folder.glob(f"{self.token}.*.flushing")):
                self.path.unlink(missing_ok=True)
                (self.folder / f"{self.token}.lock").unlink(missing_ok=True)
            os.close(self.lock_fd)  # a file left is taken by the next start


_journal: Journal | None = None


def start(folder: Path) -> Journal | None:
    """Begin this process's journal (after writing those of stopped processes); None
    where there is no `flock`."""
    global _journal
    if fcntl is None:
        return None
    journal = Journal(folder)
    recover(folder, own_token=journal.token)
    journal.thread.start()
    _journal = journal
    return journal


def stop() -> None:
    global _journal
    journal, _journal = _journal, None
    if journal is not None:
        journal.close()


def journaled(
    actor: Any, action: str, *, object_type: str = "", object_id: str = "", **metadata: Any
) -> bool:
    """Put an audit row in this process's journal, on disk when this returns; False
    when the process has no journal (the caller then writes it with `audit`)."""
    journal = _journal
    if journal is None:
        return False
    from aigak.accounts import auditlog

    ctx = auditlog.current()
    journal.append(
        {
            "at": timezone.now().isoformat(timespec="microseconds"),
            "actor_id": getattr(actor, "pk", None),
            "action": action,
            "object_type": object_type[:40],
            "object_id": str(object_id)[:64],
            "ip": ctx.ip if ctx else "",
            "metadata": json.loads(json.dumps(metadata)),
        }
    )
    if ctx is not None:
        ctx.rows += 1
    return True
