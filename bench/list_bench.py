"""Record list, filters and full-text search at 100,000 Victims records: p95 per page.

    python bench/list_bench.py                 # SQLite and PostgreSQL, 100,000 records
    python bench/list_bench.py --db sqlite --rows 20000

Each database is filled once by `bench/import_bench.py` (reused when it is already there
with --keep), then a child process with that database's settings requests each page of
the record list through Django's test client as a logged-in user: the view, its queries
(count for the paginator and the page) and the template, but no network. Every page is
requested twice to warm up, then `--repeat` times; p50, p95 and the slowest are printed.
Target (issue 2): p95 under 200 ms on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    ("documenter's team list", "/records/victim/", "documenter"),
]


def child(repeat: int) -> None:
    """Run inside the database's environment: time every page; print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from aigak.accounts.models import Role, Team, User
    from aigak.records.models import Record

    team, _ = Team.objects.get_or_create(name="bench team")
    users = {
        "coordinator": User.objects.get_or_create(
            username="bench_coordinator", defaults={"role": Role.COORDINATOR}
        )[0],
        "documenter": User.objects.get_or_create(
            username="bench_documenter", defaults={"role": Role.DOCUMENTER, "team": team}
        )[0],
    }
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    results = []
    for what, url, who in PAGES:
        client = clients[who]
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
        times.sort()
        results.append(
            {
                "what": what,
                "url": url,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[min(len(times) - 1, round(0.95 * len(times)) - 1)], 1),
                "max_ms": round(times[-1], 1),
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
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        report.append(result)
        print(f"\n{result['vendor']}, {result['records']:,} records, ms per request")
        print(f"{'page':45} {'p50':>7} {'p95':>7} {'max':>7}")
        for page in result["pages"]:
            flag = "" if page["p95_ms"] < 200 else "  <- over 200 ms"
            print(
                f"{page['what']:45} {page['p50_ms']:>7} {page['p95_ms']:>7} "
                f"{page['max_ms']:>7}{flag}"
            )
    (work / "list_bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
