"""Benchmark: the qantar2022 report over N Victims records, from SQLite or PostgreSQL.

    python bench/report_bench.py --records 1000000 --database sqlite
    python bench/report_bench.py --records 1000000 --database postgres

Records come from the demo generator scaled up (the 579 demo records over and over,
each with its own id) and are written straight into the records table (COPY on
PostgreSQL, executemany on SQLite): the benchmark measures the report, not the import
(no versions, no validation). They stay between runs, one database per size (the data
folder /tmp/aigak-report-bench-sqlite-N; the PostgreSQL database aigak_report_bench_N),
so a second run only reports. The report runs as `aigak report qantar2022 --timings` in a
child process: its wall time, CPU time (user + sys, worker processes included), its
read/compute split, the peak resident memory of it and its workers, and the load
average are printed. Wrap timed runs in `flock /tmp/aigak-bench.lock`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from proctree import Memory

POSTGRES = "postgres://postgres@127.0.0.1:5432/aigak_report_bench"
BATCH = 20_000


def configure(database: str, n: int) -> dict[str, str]:
    """Environment of the benchmark database for n records (one per size, kept)."""
    env = dict(os.environ)
    env["AIGAK_DATA_DIR"] = f"/tmp/aigak-report-bench-{database}-{n}"
    Path(env["AIGAK_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"{POSTGRES}_{n}")
        _create_postgres_database(env["DATABASE_URL"])
    else:
        env.pop("DATABASE_URL", None)
    os.environ.update(env)
    if database != "postgres":
        os.environ.pop("DATABASE_URL", None)
    return env


def _create_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load(n: int) -> float:
    """Make the database hold exactly n demo Victims records; seconds spent writing."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from aigak.questionnaires.registry import ensure_shipped, get_questionnaire
    from aigak.records.demo_victims import scaled_answers
    from aigak.records.models import Record

    call_command("migrate", interactive=False, verbosity=0)
    ensure_shipped()
    victim = get_questionnaire("victim")
    have = Record.objects.filter(questionnaire=victim).count()
    if have == n:
        return 0.0
    started = time.perf_counter()
    with transaction.atomic():
        Record.objects.filter(questionnaire=victim).delete()
    try:
        import orjson

        def dumps(value: dict) -> str:
            return orjson.dumps(value).decode()
    except ImportError:
        import json

        def dumps(value: dict) -> str:
            return json.dumps(value, ensure_ascii=False)

    # Every other column gets its model default, so a column added later needs no change.
    now = "2023-05-01 00:00:00+00"
    fixed = {"questionnaire_id": victim.pk, "form_version_id": victim.current_id,
             "status": "submitted", "version": 1, "created_at": now, "updated_at": now}  # fmt: skip
    for f in Record._meta.concrete_fields:
        if f.primary_key or f.column in fixed or f.column in ("record_id", "answers"):
            continue
        if f.has_default():
            default = f.get_default()
            fixed[f.column] = dumps(default) if isinstance(default, dict | list) else default
        elif f.null:
            fixed[f.column] = None
        else:
            raise SystemExit(f"records_record.{f.column}: no default to write")
    names = ["record_id", "answers", *fixed]
    columns = ", ".join(names)
    constant = tuple(fixed.values())
    rows = ((a["record_id"], dumps(a), *constant) for a in scaled_answers(n))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY records_record ({columns}) FROM STDIN") as copy:
                for i, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if i % 100_000 == 0:
                        print(f"  {i} written", file=sys.stderr)
        else:
            marks = ", ".join(["%s"] * len(names))
            batch = []
            for i, row in enumerate(rows, 1):
                batch.append(row)
                if len(batch) == BATCH:
                    cursor.executemany(
                        f"INSERT INTO records_record ({columns}) VALUES ({marks})", batch
                    )
                    batch = []
                if i % 100_000 == 0:
                    print(f"  {i} written", file=sys.stderr)
            if batch:
                cursor.executemany(
                    f"INSERT INTO records_record ({columns}) VALUES ({marks})", batch
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE records_record")
    connection.close()
    return time.perf_counter() - started


def measure(env: dict[str, str], where: list[str]) -> dict[str, float | str]:
    """Run the report in a child process: wall and CPU seconds (its workers included),
    peak memory of the process tree, its own read/compute timings, the load average."""
    command = [sys.executable, "-m", "aigak.cli", "report", "qantar2022", "--timings",
               "--out", os.devnull]  # fmt: skip
    for w in where:
        command += ["--where", w]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        with Memory(process.pid) as memory:
            code = process.wait()
        wall = time.perf_counter() - started
        err.seek(0)
        timings = err.read().strip()
    if code:
        raise SystemExit(f"report failed ({code}):\n{timings}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mib": round(memory.peak_kb / 1024),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "timings": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=579)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--where", action="append", default=[])
    args = parser.parse_args()
    env = configure(args.database, args.records)
    written = load(args.records)
    if written:
        print(f"wrote {args.records} records in {written:.1f} s")
    result = measure(env, args.where)
    print(f"{args.database}, {args.records} records: {result}")


if __name__ == "__main__":
    main()
