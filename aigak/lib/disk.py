"""The disk. Telling a full disk from other failures, wherever it shows: an `OSError`
(ENOSPC, or a quota's EDQUOT) from a file write, SQLite's `SQLITE_FULL` ("database or disk
is full"), PostgreSQL's `disk_full` (SQLSTATE 53100). And making a folder's entries (a
file made or renamed in it) survive a power loss."""

from __future__ import annotations

import errno
import os
from pathlib import Path

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def disk_full(problem: BaseException | None) -> bool:
    """Whether `problem`, or an error it was raised from, is a full disk."""
    seen = 0
    while problem is not None and seen < 5:
        if isinstance(problem, OSError) and problem.errno in FULL_ERRNOS:
            return True
        if "database or disk is full" in str(problem).lower():
            return True  # sqlite3.OperationalError, or Django's wrapper of it
        if getattr(problem, "sqlstate", None) == "53100":
            return True
        problem = problem.__cause__ or problem.__context__
        seen += 1
    return False


def sync_folder(folder: Path) -> None:
    """Put the folder's entries on the disk (after a file in it was made or renamed)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
