"""Record list, filters and full-text search at 100,000 Victims records: p95 per page.

    python bench/list_bench.py                 # SQLite and PostgreSQL, 100,000 records
    python bench/list_bench.py --db sqlite --rows 20000

Each database is filled once by `bench/import_bench.py` (reused when it is already there
with --keep), then a child process with that database's settings requests each page of
the record list through Django's test client as a logged-in user: the view, its queries
(count for the paginator, capped at 1,000, and the page) and the template, but no
network. The CPU time of the child (and, on PostgreSQL, of the server for that database)
is reported beside the wall time, as other work on a shared machine inflates the latter. Every page is
requested twice to warm up, then `--repeat` times; p50, p95 and the slowest are printed.
Target (issue 2): p95 under 200 ms on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (what, URL, user): the list a coordinator sees and the narrower one of a documenter.
PAGES = [
    ("list, first page", "/records/victim/", "coordinator"),
    ("list, page 1,000", "/records/victim/?page=1000", "coordinator"),
    ("filter select_one (gender)", "/records/victim/?f_gender=female", "coordinator"),
    ("filter select_multiple (essence)", "/records/victim/?f_essence=gunshot", "coordinator"),
    (
        "two filters (vital_status, event_region)",
        "/records/victim/?f_vital_status=deceased&f_event_region=almaty",
        "coordinator",
    ),
    ("search, common surname", "/records/victim/?q=Кудайбергенов", "coordinator"),
    ("search, word prefix", "/records/victim/?q=Кудайберг", "coordinator"),
    ("search, two words", "/records/victim/?q=Ахметова+Айгуль", "coordinator"),
    ("search, one record id", "/records/victim/?q=V-012345", "coordinator"),
    ("search + filter", "/records/victim/?q=Ким&f_gender=male", "coordinator"),
    ("search, no hit", "/records/victim/?q=Zzyzx", "coordinator"),
    ("search, page 5", "/records/victim/?q=Кудайберг&page=5", "coordinator"),
    ("search, Latin for Cyrillic", "/records/victim/?q=Kudaibergenov", "coordinator"),
    ("search, Latin, two words", "/records/victim/?q=Akhmetova+Aigul", "coordinator"),
    ("search, a typo (no exact hit)", "/records/victim/?q=Kudaibergenof", "coordinator"),
    ("search, no hit, name-like", "/records/victim/?q=Zzyzxova", "coordinator"),
    (
        "search + filter, few matches",
        "/records/victim/?q=Кудайбергенов&f_event_locality=karaganda",
        "coordinator",
    ),
    (
        "three filters, few matches",
        "/records/victim/?f_gender=female&f_vital_status=deceased&f_event_locality=karaganda",
        "coordinator",
    ),
    ("documenter's team list", "/records/victim/", "documenter"),
]


def timed(get: Any, repeat: int, backend: Any) -> tuple[list[float], list[float], Any]:
    """Call `get()` `repeat` times (each must answer 200): the sorted wall and CPU times in
    ms (this process plus the database server's, `backend`), and the last response."""
    times, cpu, response = [], [], None
    for _ in range(repeat):
        start, start_cpu, start_server = time.perf_counter(), time.process_time(), backend()
        response = get()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu + backend() - start_server) * 1000)
        assert response.status_code == 200, response
    return sorted(times), sorted(cpu), response


def summary(times: list[float], cpu: list[float]) -> dict[str, float]:
    """p50, p95 and max wall time, p50 and p95 CPU time, in ms, of sorted times."""
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_p95(times), 1),
        "max_ms": round(times[-1], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(_p95(cpu), 1),
    }


def bench_users() -> dict:
    """The coordinator and the documenter (of the bench team) the pages are read as; call
    it after django.setup()."""
    from aigak.accounts.models import Role, Team, User

    team, _ = Team.objects.get_or_create(name="bench team")
    return {
        "coordinator": User.objects.get_or_create(
            username="bench_coordinator", defaults={"role": Role.COORDINATOR}
        )[0],
        "documenter": User.objects.get_or_create(
            username="bench_documenter", defaults={"role": Role.DOCUMENTER, "team": team}
        )[0],
    }


def child(repeat: int) -> None:
    """Run inside the database's environment: time every page; print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from aigak.records.models import Record

    users = bench_users()
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    backend = _backend_cpu(connection)
    results = []
    for what, url, who in PAGES:
        client = clients[who]
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times, cpu, response = timed(lambda c=client, u=url: c.get(u), repeat, backend)
        results.append(
            {
                "what": what,
                "url": url,
                **summary(times, cpu),
                "shown": _shown_count(response.content.decode()),
            }
        )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "records": Record.live.count(),
                "pages": results,
            }
        )
    )


def _shown_count(html: str) -> str:
    """What the page says of the number of matches ("37,506 records", "More than ...")."""
    found = re.search(r'<p class="muted count">([^<]*)</p>', html)
    return found.group(1).strip() if found else ""


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, round(0.95 * len(values)) - 1)]


def _backend_cpu(connection: Any) -> Callable[[], float]:
    """CPU seconds so far of this process's PostgreSQL server process (0 on SQLite).

    Counted in clock ticks (10 ms): per request it is rounded, over 40 requests it is not
    far off.
    """
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return seconds


def ensure_filled(db: str, rows: int, work: Path) -> dict[str, str]:
    import import_bench

    data_dir = work / f"data-{db}"
    env = import_bench.environment(db, data_dir)
    count = subprocess.run(
        [sys.executable, "-m", "aigak", "manage", "shell", "-c",
         "from aigak.records.models import Record; print(Record.live.count())"],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    have = int(count.stdout.strip().splitlines()[-1]) if count.returncode == 0 else 0
    if have < rows:
        print(f"{db}: filling with {rows} records (bench/import_bench.py)...", flush=True)
        csv_path = import_bench.write_rows(work / f"victims-{rows}.csv", rows)
        import_bench.run(db, csv_path, work)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--work", default="/tmp/aigak-bench")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    report = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = ensure_filled(db, args.rows, work)
        load_before = os.getloadavg()
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["load_average"] = {"before": load_before, "after": os.getloadavg()}
        report.append(result)
        print(f"\n{result['vendor']}, {result['records']:,} records, ms per request")
        print("load average before {:.1f} {:.1f} {:.1f}, after {:.1f} {:.1f} {:.1f}".format(
            *load_before, *result["load_average"]["after"]))  # fmt: skip
        print(f"{'page':45} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p50':>8} {'cpu p95':>8}")
        for page in result["pages"]:
            flag = "" if page["p95_ms"] < 200 else "  <- over 200 ms"
            print(
                f"{page['what']:45} {page['p50_ms']:>7} {page['p95_ms']:>7} "
                f"{page['max_ms']:>7} {page['cpu_p50_ms']:>8} {page['cpu_p95_ms']:>8}  "
                f"{page['shown']}{flag}"
            )
    (work / "list_bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
