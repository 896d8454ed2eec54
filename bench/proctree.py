"""Memory of a command and its worker processes, read from /proc while it runs.

rusage's max RSS is per process and, for a child, also counts what the parent held when
it forked, so the benchmarks read /proc instead: the process's own high-water mark
(VmHWM) and the highest sum of the resident sizes of it and all its descendants seen at
each poll (pages shared between them counted once per process, so an upper bound).
"""

from __future__ import annotations

import threading
from pathlib import Path


def status_kb(pid: int, key: str) -> int:
    """A "<key>: <n> kB" line of /proc/<pid>/status, 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every living child, grandchild, ... of a process."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            kids = [
                int(k) for k in Path(f"/proc/{current}/task/{current}/children").read_text().split()
            ]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found


class Memory:
    """`with Memory(pid) as memory:` polls until the block ends; then `own_kb` is the
    process's own peak and `peak_kb` the peak of it and its descendants together."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid = pid
        self.every = every
        self.own_kb = 0
        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self.done.wait(self.every):
            self.own_kb = max(self.own_kb, status_kb(self.pid, "VmHWM"))
            pids = [self.pid, *descendants(self.pid)]
            self.peak_kb = max(self.peak_kb, sum(status_kb(p, "VmRSS") for p in pids))

    def __enter__(self) -> Memory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()
