"""The cost of SQLite's synchronous=FULL (Aigak's setting) against NORMAL, in WAL mode.

    python bench/sqlite_sync_bench.py [--commits 2000] [--dir FOLDER]

Each setting gets a fresh database file in FOLDER (default: a temporary folder beside the
working directory, i.e. on the disk a data folder would use), and `--commits` small write
transactions, one after another, each inserting a row of about 1 KB (a record's size) and
committing, as a web save does. Reported: commits per second and the mean and p95 time
per commit, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path


def run(folder: Path, mode: str, commits: int) -> dict[str, float]:
    path = folder / f"sync-{mode.lower()}.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={mode}")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    body = "Ж" * 512
    times = []
    for _ in range(commits):
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (body) VALUES (?)", (body,))
        db.execute("COMMIT")
        times.append(time.perf_counter() - start)
    db.close()
    times.sort()
    total = sum(times)
    return {
        "commits_per_s": round(commits / total),
        "mean_ms": round(total / commits * 1000, 3),
        "p95_ms": round(times[int(0.95 * commits)] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=Path.cwd())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as work:
        results = {mode: run(Path(work), mode, args.commits) for mode in ("NORMAL", "FULL")}
    print(json.dumps({"commits": args.commits, **results, "load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
