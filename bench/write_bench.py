"""The importing process's side of `aigak import` in one process, its phases timed apart.

    python bench/write_bench.py                          # 20,000 rows, SQLite
    python bench/write_bench.py --db postgres --rows 20000
    python bench/write_bench.py --profile 40             # cProfile of the write (CPU)
    SORT=cumulative python bench/write_bench.py --profile 40

Reads the import bench's CSV (`import_bench.write_rows`, the same generator and seed)
into a new, migrated database (SQLite in a temporary folder; PostgreSQL: the database
named by IMPORT_BENCH_DB, dropped and made again), then runs `actions.import_rows` as
`aigak import` does (an import run written in steps) and prints the CPU time of this
process for reading and checking (`bulk_check.check_file`, the checking processes
apart), for the write (`BatchWriter.write` and the last step), and on PostgreSQL the CPU
time of the server's backend serving this connection during the write. The public
statistics build an import asks for is left out (`AIGAK_PUBLIC_STATISTICS=command`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
os.environ.setdefault("AIGAK_DATA_DIR", tempfile.mkdtemp(prefix="aigak-write-bench-"))
os.environ["AIGAK_PUBLIC_STATISTICS"] = "command"
BENCH_DB = os.environ.get("IMPORT_BENCH_DB", "aigak_bench")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu() -> float:
    """CPU seconds of the PostgreSQL backend serving this process's connection."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--work", default="/tmp/aigak-bench", help="folder of the CSV")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    if args.db == "postgres":
        for sql in (f"drop database if exists {BENCH_DB}", f"create database {BENCH_DB}"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True
            )
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from import_bench import write_rows

    from aigak.questionnaires.registry import ensure_shipped, get_questionnaire
    from aigak.records import actions, bulk, bulk_check, readers

    call_command("migrate", verbosity=0)
    ensure_shipped()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    csv_path = write_rows(work / f"victims-{args.rows}.csv", args.rows)
    questionnaire = get_questionnaire("victim")

    # The phases of `actions.import_rows`, timed apart: the checking, then the write.
    started, children = _cpu(), _children_cpu()
    definition = questionnaire.definition
    checked = bulk_check.check_file(
        bulk_check.checking_definition(definition),
        readers.read_csv(csv_path, definition, None),
        id_is_field=True,
        preparers=actions.hooks.import_preparers(questionnaire),
    )
    check_cpu, checking_cpu = _cpu() - started, _children_cpu() - children
    assert not checked.problems, checked.problems[:3]
    result = actions.ImportResult()
    profile = cProfile.Profile(time.process_time) if args.profile else None
    started, server, wall = _cpu(), _backend_cpu(), time.monotonic()
    if profile:
        profile.enable()
    actions.importing.write_checked(None, questionnaire, checked, "bench", "submitted", result)
    if profile:
        profile.disable()
    write_cpu, write_server = _cpu() - started, _backend_cpu() - server
    write_wall = time.monotonic() - wall
    checked.close()
    bulk.refresh_statistics(result.created + result.updated)
    rows = result.created + result.updated
    print(
        f"{args.db} {rows} rows: reading and checking {check_cpu:.1f} s CPU here "
        f"(+ {checking_cpu:.1f} s in checking processes); write {write_cpu:.2f} s CPU "
        f"({write_cpu / rows * 1e6:.0f} us a row, {write_wall:.1f} s wall)"
        + (f", server {write_server:.2f} s" if args.db == "postgres" else "")
        + f"  [load {os.getloadavg()[0]:.1f}]",
        flush=True,
    )
    if profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
