"""Benchmark: the qantar2022 report over N Victims records, from SQLite or PostgreSQL.

    python bench/report_bench.py --records 1000000 --database sqlite
    python bench/report_bench.py --records 1000000 --database postgres

Records come from the demo generator scaled up (the 579 demo records over and over,
each with its own id) and are written straight into the records table (COPY on
PostgreSQL, executemany on SQLite): the benchmark measures the report, not the import
(no versions, no validation). They stay between runs, one database per size (the data
folder /tmp/aigak-report-bench-sqlite-N or $BENCH_DATA_DIR; the PostgreSQL database
aigak_report_bench_N or $BENCH_DATABASE_URL),
so a second run only reports. The coded form is brought up to date first (`aigak report
--rebuild-index`, timed; a no-op once done), and the DuckDB contender's table written once
(bench/duckdb_contender.py). Then, interleaved for --rounds rounds, the report runs in a
child process as `aigak report` builds it (JSON rendered), then the same tables in DuckDB
in another: wall time, CPU time (user + sys, worker processes included), the report's
read/compute split and seconds per table (wall and CPU time), the peak resident memory of the process tree,
and the load average. Results also go to bench/out/. Wrap timed runs in
`flock /tmp/aigak-bench.lock`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb_contender
from proctree import Memory

POSTGRES = "postgres://postgres@127.0.0.1:5432/aigak_report_bench"
BATCH = 20_000


def configure(database: str, n: int) -> dict[str, str]:
    """Environment of the benchmark database for n records (one per size, kept)."""
    env = dict(os.environ)
    folder = os.environ.get("BENCH_DATA_DIR") or f"/tmp/aigak-report-bench-{database}-{n}"
    env["AIGAK_DATA_DIR"] = folder
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


def measure(env: dict[str, str], command: list[str]) -> dict[str, Any]:
    """Run a child process: wall and CPU seconds (its workers included), peak memory of
    the process tree, the load average, and what it printed (JSON) on stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        with Memory(process.pid) as memory:
            code = process.wait()
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        printed, errors = out.read().strip(), err.read().strip()
    if code:
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{errors}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_mib": round(memory.peak_kb / 1024),
        "load": load,
        "out": json.loads(printed) if printed.startswith("{") else printed,
        "err": errors,
    }


def child(kind: str, where: list[str], threads: int, use_coded: bool) -> None:
    """In the child process: the report (as `aigak report` builds it, JSON rendered) or
    the contender; timings as JSON on stdout."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    django.setup()
    contender = Path(os.environ["AIGAK_DATA_DIR"]) / "contender.duckdb"
    if kind == "duckdb-load":
        rows, seconds = duckdb_contender.load(contender)
        print(json.dumps({"rows": rows, "load_s": seconds}))
        return
    if kind == "duckdb":
        print(json.dumps(duckdb_contender.run(contender, threads)))
        return
    from aigak.reports.build import build_report
    from aigak.reports.outputs import render

    built = build_report("qantar2022", where, use_coded=use_coded)
    started = time.perf_counter()
    render(built, "json")
    timings = dict(built.timings, json_s=time.perf_counter() - started)
    print(json.dumps({"n_records": built.data["n_records"], **timings}))


def _me(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def _per_table(aigak: dict[str, Any], cpu: bool = False, parts: bool = False) -> dict[str, float]:
    """Aigak's seconds per table: its counting plus an equal share of the reading (wall
    time, or with ``cpu`` CPU time, which a loaded machine leaves readable); with
    ``parts`` also the CPU time of making the table's part of the report (its rows and
    comments as dicts, which DuckDB's fetched rows do not include)."""
    tables = aigak["tables_cpu" if cpu else "tables"]
    share = aigak["read_cpu" if cpu else "read"] / len(tables)
    made = aigak.get("results_cpu", {}) if parts else {}
    return {t: s + share + made.get(t, 0.0) for t, s in tables.items()}


def _compare(i: int, how: str, mine: dict[str, float], theirs: dict[str, float]) -> None:
    ratios = {t: mine[t] / theirs[t] for t in theirs if theirs[t] > 0}
    worst = sorted(ratios.items(), key=lambda x: -x[1])[:5]
    over = sum(1 for r in ratios.values() if r > 2)
    print(f"round {i} per table aigak/duckdb ({how}): median "
          f"{statistics.median(ratios.values()):.2f}, worst "
          f"{', '.join(f'{t} {r:.2f}' for t, r in worst)}; over 2x: {over} of {len(ratios)}")  # fmt: skip
    print("  " + ", ".join(f"{t} {mine[t] * 1000:.0f}/{theirs[t] * 1000:.0f} ms" for t in theirs))


def summary(rounds: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
    for i, (a, d) in enumerate(rounds, 1):
        o = a["out"]
        print(f"round {i} aigak: report {o['total']:.2f} s (read {o['read']:.2f}, compute "
              f"{o['compute']:.2f}, {o['processes']} processes), JSON {o['json_s']:.2f} s, "
              f"command wall {a['wall_s']} s, CPU {a['cpu_s']} s, peak {a['peak_mib']} MiB, "
              f"load {a['load']}")  # fmt: skip
        if d is None:
            continue
        print(f"round {i} duckdb: tables {sum(d['out']['tables'].values()):.2f} s (open "
              f"{d['out']['open_s']:.2f} s), process wall {d['wall_s']} s, CPU {d['cpu_s']} s, "
              f"peak {d['peak_mib']} MiB, load {d['load']}")  # fmt: skip
        _compare(i, "wall", _per_table(o), d["out"]["tables"])
        if "tables_cpu" in o and "tables_cpu" in d["out"]:
            _compare(i, "CPU", _per_table(o, cpu=True), d["out"]["tables_cpu"])
            if "results_cpu" in o:
                mine = _per_table(o, cpu=True, parts=True)
                _compare(
                    i, "CPU, with the table's part of the report", mine, d["out"]["tables_cpu"]
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=579)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--where", action="append", default=[])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    parser.add_argument("--no-contender", action="store_true")
    parser.add_argument("--answers", action="store_true", help="ignore the coded form")
    parser.add_argument("--child", choices=("aigak", "duckdb", "duckdb-load"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.where, args.threads, not args.answers)
        return
    env = configure(args.database, args.records)
    written = load(args.records)
    if written:
        print(f"wrote {args.records} records in {written:.1f} s")
    rebuilt = measure(env, [sys.executable, "-m", "aigak.cli", "report", "--rebuild-index"])
    print(f"coded form brought up to date: {rebuilt['wall_s']} s wall, {rebuilt['cpu_s']} s CPU "
          f"({rebuilt['err'].splitlines()[0]}), load {rebuilt['load']}")  # fmt: skip
    if args.database == "postgres":  # as an import ends: visibility map and statistics
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) records_record, reports_coded")
    contender = Path(env["AIGAK_DATA_DIR"]) / "contender.duckdb"
    if not args.no_contender and not contender.exists():
        loaded = measure(env, _me("--child", "duckdb-load"))
        print(f"DuckDB table written: {loaded['out']} ({loaded['wall_s']} s wall)")
    extra = [a for w in args.where for a in ("--where", w)] + (
        ["--answers"] if args.answers else []
    )
    rounds = []
    for _ in range(args.rounds):  # interleaved: Aigak, DuckDB, Aigak, DuckDB...
        mine = measure(env, _me("--child", "aigak", *extra))
        theirs = None
        if not args.no_contender:
            theirs = measure(env, _me("--child", "duckdb", "--threads", str(args.threads)))
        rounds.append((mine, theirs))
    print(f"{args.database}, {args.records} records:")
    summary(rounds)
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"report-{args.database}-{args.records}-{stamp}.json").write_text(
        json.dumps([{"aigak": a, "duckdb": d} for a, d in rounds], indent=1)
    )


if __name__ == "__main__":
    main()
