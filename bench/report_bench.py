"""Benchmark: the qantar2022 report over N Victims records, from SQLite or PostgreSQL.

    python bench/report_bench.py --records 1000000 --database sqlite
    python bench/report_bench.py --records 1000000 --database postgres

Records come from the demo generator scaled up (the 579 demo records over and over,
each with its own id) and are written straight into the records table (COPY on
PostgreSQL, executemany on SQLite): the benchmark measures the report, not the import
(no versions, no validation). They stay between runs (the data folder is
/tmp/aigak-report-bench-sqlite; the PostgreSQL database aigak_report_bench), so a
second run only reports. The report runs as `aigak report qantar2022 --timings` in a
child process: its wall time, its read/compute split and its peak memory (max RSS) are
printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

POSTGRES = "postgres://postgres@127.0.0.1:5432/aigak_report_bench"
BATCH = 20_000


def configure(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env["AIGAK_DATA_DIR"] = f"/tmp/aigak-report-bench-{database}"
    Path(env["AIGAK_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", POSTGRES)
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

    columns = (
        "questionnaire_id, form_version_id, record_id, status, answers, version, "
        "search_text, search_private, deleted_reason, created_at, updated_at"
    )
    now = "2023-05-01 00:00:00+00"
    rows = (
        (
            victim.pk,
            victim.current_id,
            a["record_id"],
            "submitted",
            dumps(a),
            1,
            "",
            "",
            "",
            now,
            now,
        )
        for a in scaled_answers(n)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY records_record ({columns}) FROM STDIN") as copy:
                for i, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if i % 100_000 == 0:
                        print(f"  {i} written", file=sys.stderr)
        else:
            marks = ", ".join(["%s"] * 11)
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
    command = [sys.executable, "-m", "aigak.cli", "report", "qantar2022", "--timings",
               "--out", os.devnull]  # fmt: skip
    for w in where:
        command += ["--where", w]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB on Linux
    return {"wall_s": round(wall, 2), "peak_mib": round(peak), "timings": done.stderr.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=579)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--where", action="append", default=[])
    args = parser.parse_args()
    env = configure(args.database)
    written = load(args.records)
    if written:
        print(f"wrote {args.records} records in {written:.1f} s")
    result = measure(env, args.where)
    print(f"{args.database}, {args.records} records: {result}")


if __name__ == "__main__":
    main()
