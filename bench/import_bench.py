"""Time `aigak import` of N Victims rows from CSV, on SQLite and on PostgreSQL.

    python bench/import_bench.py                      # 100,000 rows, SQLite and PostgreSQL
    python bench/import_bench.py --rows 20000 --db sqlite
    python bench/import_bench.py --keep               # leave the databases for list_bench

The CSV is written the way another program would (every cell quoted, CRLF, Cyrillic
text with commas, quotes and newlines, about a quarter of the optional cells empty) with
the field and choice names of `victim-questionnaire.md`. Each import runs as its own
`python -m aigak import victim FILE` process into an empty, already migrated database;
wall time, CPU time and peak memory (maximum resident set) are those of that process.

The raw floor is measured in the same run, interleaved with the imports (floor, import,
floor, import, ... for `--rounds`): a process of its own that reads the same CSV with
`csv.reader`, turns each row into JSON text (`json.dumps` of the row as a dict) and
inserts it with `executemany` into a one-column table, in one transaction, on the same
database (SQLite with Aigak's pragmas; PostgreSQL into a table of the bench database).
Targets (issue 18): 100,000 rows within 4x the floor, peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proctree import Memory  # noqa: E402

from aigak.records.tests import victim_fixture  # noqa: E402

# The PostgreSQL database the bench drops and makes again (IMPORT_BENCH_DB overrides).
BENCH_DB = os.environ.get("IMPORT_BENCH_DB", "aigak_bench")
POSTGRES_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"


def write_rows(path: Path, count: int, seed: int = 2022) -> Path:
    """The benchmark CSV; reused when it exists with the same row count."""
    if path.exists():
        return path
    rng = random.Random(seed)
    rows = (victim_fixture.random_row(rng, number) for number in range(1, count + 1))
    victim_fixture.write_csv(path, rows)  # streamed: this process stays small
    return path


def environment(db: str, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "AIGAK_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
    return env


def fresh_database(db: str, data_dir: Path) -> dict[str, str]:
    """An empty, migrated database with the shipped questionnaires; its environment."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if db == "postgres":
        for sql in (f"drop database if exists {BENCH_DB}", f"create database {BENCH_DB}"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True
            )
    env = environment(db, data_dir)
    subprocess.run(
        [sys.executable, "-m", "aigak", "manage", "shell", "-c",
         "from aigak.questionnaires.registry import ensure_shipped; ensure_shipped()"],
        env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return env


class ServerCpu:
    """CPU seconds of the PostgreSQL server processes serving the bench database.

    The server works in its own processes (parsing JSON, GIN and full-text indexes), so
    the import's own CPU time leaves it out; this polls /proc for those backends.
    """

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.tick = os.sysconf("SC_CLK_TCK")

    def _poll(self) -> None:
        query = (
            f"select pid from pg_stat_activity where datname = '{BENCH_DB}' "
            "and pid <> pg_backend_pid()"
        )
        while not self.done.wait(0.5):
            pids = subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-c", query],
                capture_output=True, text=True,
            ).stdout.split()  # fmt: skip
            for pid in map(int, pids):
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                cpu = (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
                self.seen[pid] = max(self.seen.get(pid, 0.0), cpu)

    def __enter__(self) -> ServerCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return round(sum(self.seen.values()), 1)


# The raw floor: csv.reader, one JSON text per row, executemany into one table.
FLOOR = """
import csv, json, sys
db, target, path = sys.argv[1:4]
if db == "sqlite":
    import sqlite3
    conn = sqlite3.connect(target, isolation_level=None)
    conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "DROP TABLE IF EXISTS import_floor;"
                       "CREATE TABLE import_floor (id INTEGER PRIMARY KEY, answers TEXT)")
    sql = "INSERT INTO import_floor (answers) VALUES (?)"
else:
    import psycopg
    conn = psycopg.connect(target, autocommit=True)
    conn.execute("DROP TABLE IF EXISTS import_floor")
    conn.execute("CREATE TABLE import_floor (id bigserial PRIMARY KEY, answers text)")
    sql = "INSERT INTO import_floor (answers) VALUES (%s)"
cursor = conn.cursor()
cursor.execute("BEGIN")
with open(path, newline="", encoding="utf-8-sig") as handle:
    reader = csv.reader(handle)
    header = next(reader)
    batch = []
    for row in reader:
        batch.append((json.dumps(dict(zip(header, row)), ensure_ascii=False),))
        if len(batch) == 1000:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
cursor.execute("COMMIT")
cursor.execute("DROP TABLE import_floor")
"""


def floor(db: str, csv_path: Path, work: Path, env: dict[str, str]) -> dict[str, object]:
    """The raw floor on the same database, as a process of its own."""
    target = str(work / "floor.sqlite3") if db == "sqlite" else POSTGRES_URL
    result = measured([sys.executable, "-c", FLOOR, db, target, str(csv_path)], env)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
    return {k: v for k, v in result.items() if k not in ("stdout", "stderr")}


def measured(argv: list[str], env: dict[str, str]) -> dict[str, object]:
    """Run a command; its wall and CPU seconds, peak memory and output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        with (
            ServerCpu() if "DATABASE_URL" in env else contextlib.nullcontext() as server,
            Memory(process.pid) as memory,
        ):
            _, status, usage = os.wait4(process.pid, 0)  # this process's own resource use
        wall = time.monotonic() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{err.read()}")
        return {
            "wall_s": round(wall, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "max_rss_mb": round(memory.own_kb / 1024),
            "with_children_mb": round(memory.peak_kb / 1024),
            "stdout": out.read().strip(),
            "stderr": err.read(),
            "server_cpu_s": server.seconds if server else None,
        }


def database_size(db: str, data_dir: Path) -> str:
    if db == "sqlite":
        size = sum(p.stat().st_size for p in data_dir.glob("aigak.sqlite3*"))
        return f"{size / 1e6:.0f} MB"
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-c",
         f"select pg_size_pretty(pg_database_size('{BENCH_DB}'))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


# `aigak import` as the console script runs it, reporting the CPU time of the importing
# process itself and of its checking processes apart (on stderr, last line).
IMPORT = """
import json, resource, sys
from aigak.cli import main
code = main(sys.argv[1:])
own = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"main_cpu_s": own.ru_utime + own.ru_stime,
                  "workers_cpu_s": workers.ru_utime + workers.ru_stime}), file=sys.stderr)
sys.exit(code)
"""


def run(db: str, csv_path: Path, work: Path, *, export: bool = True) -> dict[str, object]:
    data_dir = work / f"data-{db}"
    env = fresh_database(db, data_dir)
    raw_floor = floor(db, csv_path, work, env)
    load = os.getloadavg()
    result = measured([sys.executable, "-c", IMPORT, "import", "victim", str(csv_path)], env)
    split = json.loads(str(result.pop("stderr")).strip().splitlines()[-1])
    result["main_cpu_s"] = round(split["main_cpu_s"], 1)
    result["workers_cpu_s"] = round(split["workers_cpu_s"], 1)
    # On a machine of its own with 2 CPUs the import takes at least the busier of: the
    # main process's CPU time, or all CPU time shared by two.
    server = float(result["server_cpu_s"] or 0)
    result["idle_2cpu_estimate_s"] = round(
        max(split["main_cpu_s"], (split["main_cpu_s"] + split["workers_cpu_s"] + server) / 2), 1
    )
    result["db"] = db
    result["floor"] = raw_floor
    result["times_floor"] = round(float(result["wall_s"]) / float(raw_floor["wall_s"]), 1)
    result["load_before"] = [round(x, 1) for x in load]
    result["size"] = database_size(db, data_dir)
    if not export:
        return result
    out = work / f"export-{db}.csv"
    exported = measured([sys.executable, "-m", "aigak", "export", "victim", "--out", str(out)], env)
    result["export"] = {k: v for k, v in exported.items() if k != "stdout" and k != "stderr"}
    # The export must give back the file's every cell (it is the same generator's file).
    result["export_matches_input"] = _same_cells(csv_path, out)
    return result


def _same_cells(source: Path, exported: Path) -> bool:
    """Every cell of the imported file is in the export (both are in record_id order)."""
    import csv

    with (
        open(source, newline="", encoding="utf-8-sig") as a,
        open(exported, newline="", encoding="utf-8-sig") as b,
    ):
        pairs = itertools.zip_longest(csv.DictReader(a), csv.DictReader(b))
        return all(
            given is not None
            and back is not None
            and all(back.get(column) == value for column, value in given.items())
            for given, back in pairs
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--work", default="/tmp/aigak-bench", help="folder for files and data")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--rounds", type=int, default=1, help="floor and import, interleaved")
    parser.add_argument("--no-export", action="store_true", help="skip the export check")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    csv_path = write_rows(work / f"victims-{args.rows}.csv", args.rows)
    print(
        f"{args.rows} rows, {csv_path.stat().st_size / 1e6:.0f} MB of CSV "
        f"(written in {time.monotonic() - started:.0f} s)",
        flush=True,
    )
    results = []
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in [db for _ in range(args.rounds) for db in databases]:
        result = run(db, csv_path, work, export=not args.no_export)
        results.append(result)
        rate = args.rows / float(result["wall_s"])
        print(
            f"{db:8}  wall {result['wall_s']:>6} s  cpu {result['cpu_s']:>6} s "
            f"(main {result['main_cpu_s']}, checking {result['workers_cpu_s']}, "
            f"database server {result['server_cpu_s'] or '-'}; "
            f"idle 2-CPU estimate {result['idle_2cpu_estimate_s']} s)  "
            f"peak {result['max_rss_mb']:>5} MB (with checking processes "
            f"{result['with_children_mb']} MB)  {rate:,.0f} rows/s  db {result['size']}  "
            f"-> {result['stdout']}  [load {os.getloadavg()[0]:.1f}]",
            flush=True,
        )
        raw = result["floor"]
        print(
            f"{'':8}  raw floor: wall {raw['wall_s']} s  cpu {raw['cpu_s']} s  "
            f"peak {raw['max_rss_mb']} MB  server {raw['server_cpu_s'] or '-'} s  "
            f"-> import is {result['times_floor']}x the floor "
            f"[load before {result['load_before']}]",
            flush=True,
        )
        if "export" not in result:
            continue
        export = result["export"]
        print(
            f"{'':8}  export: wall {export['wall_s']} s  cpu {export['cpu_s']} s  "
            f"peak {export['max_rss_mb']} MB  every cell back: {result['export_matches_input']}",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(work / f"data-{db}", ignore_errors=True)
    (work / "import_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
