"""Moving request bodies to disk and hashing them, without holding them in memory.

Two things keep a multi-gigabyte upload close to disk speed on a small machine:
- When the WSGI server has spooled the body to a real file (waitress does), the bytes go
  to the partial upload with `copy_file_range`, inside the kernel, with no Python copy.
- The SHA-256 of the whole upload is computed by a background thread that reads back what
  was just written (from the page cache) while the client sends the next chunk. Only the
  last chunk waits for it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
from typing import Any, BinaryIO

from aigak.evidence.storage import BLOCK

IDLE_SECONDS = 60


def copy_body(body: BinaryIO, fd: int, offset: int, length: int, chunk_digest: Any) -> int:
    """Write up to `length` bytes of `body` at `offset` of `fd`; return how many arrived.

    When `chunk_digest` is given the bytes must pass through Python to be hashed.
    A body that ends early (the client went away) writes what arrived.
    """
    if chunk_digest is None:
        copied = _copy_in_kernel(body, fd, offset, length)
        if copied is not None:
            return copied
    buffer = bytearray(min(BLOCK, max(length, 1)))
    view = memoryview(buffer)
    received = 0
    while received < length:
        n = _read_into(body, view[: min(len(buffer), length - received)])
        if not n:
            break
        if chunk_digest is not None:
            chunk_digest.update(view[:n])
        written = 0
        while written < n:
            written += os.pwrite(fd, view[written:n], offset + received + written)
        received += n
    return received


def _copy_in_kernel(body: BinaryIO, fd: int, offset: int, length: int) -> int | None:
    """copy_file_range from a spooled body file; None when the body is not a regular file."""
    try:
        source = body.fileno()
        if not stat.S_ISREG(os.fstat(source).st_mode):
            return None
        body.flush()  # type: ignore[attr-defined]
        start = body.tell()
    except (AttributeError, OSError, ValueError):
        return None
    available = max(0, os.fstat(source).st_size - start)
    count = min(length, available)
    copied = 0
    try:
        while copied < count:
            n = os.copy_file_range(source, fd, count - copied, start + copied, offset + copied)
            if n == 0:
                break
            copied += n
    except OSError as problem:
        if copied or problem.errno not in (
            errno.EXDEV,
            errno.ENOSYS,
            errno.EOPNOTSUPP,
            errno.EINVAL,
        ):
            raise
        return None
    body.seek(start + copied)
    return copied


def _read_into(body: BinaryIO, view: memoryview) -> int:
    readinto = getattr(body, "readinto", None)
    if readinto is not None:
        return readinto(view) or 0
    data = body.read(len(view))
    view[: len(data)] = data
    return len(data)


def hash_range(path: str, start: int, end: int, digest: Any) -> None:
    """Feed bytes [start, end) of a file to `digest`."""
    buffer = bytearray(BLOCK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        handle.seek(start)
        position = start
        while position < end:
            n = handle.readinto(view[: min(BLOCK, end - position)])
            if not n:
                raise OSError(f"{path} ends at {position}, expected {end} bytes")
            digest.update(view[:n])
            position += n


class RunningHash:
    """SHA-256 of a growing file's bytes [0, scheduled), hashed in a background thread."""

    def __init__(self, path: str):
        self.path = path
        self.digest = hashlib.sha256()
        self.done = 0  # bytes hashed
        self.scheduled = 0  # bytes written and handed to the thread
        self.error: BaseException | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def extend_to(self, end: int) -> None:
        """Bytes up to `end` are on disk: hash them when the thread gets to it."""
        with self._cond:
            self.scheduled = max(self.scheduled, end)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def hexdigest(self, end: int) -> str:
        """The SHA-256 of bytes [0, end) once hashed (waits for the thread)."""
        with self._cond:
            while self.done < end and self.error is None:
                self._cond.wait()
            if self.error is not None:
                raise OSError(f"hashing {self.path} failed: {self.error}")
            return self.digest.hexdigest()

    def _work(self) -> None:
        while True:
            with self._cond:
                while self.done >= self.scheduled:
                    if not self._cond.wait(timeout=IDLE_SECONDS) and self.done >= self.scheduled:
                        self._thread = None
                        return
                start, end = self.done, self.scheduled
            try:
                hash_range(self.path, start, end, self.digest)
            except BaseException as problem:  # reported to whoever waits for the digest
                with self._cond:
                    self.error, self._thread = problem, None
                    self._cond.notify_all()
                return
            with self._cond:
                self.done = end
                self._cond.notify_all()
