"""The REST API at 100,000 Victims records: a page of 100 records (p95), and a full sync
by cursor (wall time).

    python bench/api_bench.py                  # SQLite and PostgreSQL, 100,000 records
    python bench/api_bench.py --db sqlite --rows 20000

Each database is filled once with the generator of `bench/import_bench.py` and
`aigak import` (kept in --work and reused). A child process with that database's
settings then asks the API through Django's test client with a token (the whole request:
token check, throttle, view, queries, audit row, JSON; no network): each list request
twice to warm up, then --repeat times, p50 and p95; then a full sync, every record by
cursor in pages of --sync-page (`updated_since` from the epoch, oldest change first), as
a client that copies the records elsewhere would. CPU time of the child (and of the
PostgreSQL server process) is printed beside the wall time: on a shared machine other
work inflates the wall time. Targets (issue 15): p95 under 100 ms for 100 records; a
full sync under 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("IMPORT_BENCH_DB", "h_api_bench")  # this bench's own database

LISTS = [
    ("100 records, first page", "/api/v1/records/victim/?limit=100", "coordinator"),
    ("100 records, filter (gender)", "/api/v1/records/victim/?limit=100&f_gender=female",
     "coordinator"),
    ("100 records, search", "/api/v1/records/victim/?limit=100&q=Кудайберг", "coordinator"),
    ("100 records, updated_since", "/api/v1/records/victim/?limit=100"
     "&updated_since=2000-01-01T00:00:00Z", "coordinator"),
    ("100 records, documenter's team", "/api/v1/records/victim/?limit=100", "documenter"),
    ("one record", "/api/v1/records/victim/V-012345/", "coordinator"),
]  # fmt: skip


def child(repeat: int, sync_page: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from list_bench import _backend_cpu, bench_users, summary, timed

    from aigak.accounts.tokens import issue_token
    from aigak.records.models import Record

    users = bench_users()
    headers = {name: {"HTTP_AUTHORIZATION": f"Token {issue_token(u)}"} for name, u in users.items()}
    client = Client()
    backend = _backend_cpu(connection)
    results = []
    for what, url, who in LISTS:
        for _ in range(2):
            assert client.get(url, **headers[who]).status_code == 200, url
        times, cpu, response = timed(
            lambda u=url, h=headers[who]: client.get(u, **h), repeat, backend
        )
        body = response.json()
        rows = len(body["results"]) if "results" in body else 1
        results.append({"what": what, "url": url, **summary(times, cpu), "rows": rows})
    start, start_cpu, start_server = time.perf_counter(), time.process_time(), backend()
    url = f"/api/v1/records/victim/?limit={sync_page}&updated_since=1970-01-01T00:00:00Z"
    seen, pages = set(), 0
    while url:
        response = client.get(url, **headers["coordinator"])
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        seen.update(r["record_id"] for r in body["results"])
        pages += 1
        url = body["next_url"]
    sync = {
        "records": len(seen),
        "pages": pages,
        "page_size": sync_page,
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(time.process_time() - start_cpu + backend() - start_server, 1),
    }
    print(json.dumps({"vendor": connection.vendor, "records": Record.live.count(),
                      "lists": results, "sync": sync}))  # fmt: skip


def ensure_filled(db: str, rows: int, work: Path) -> dict[str, str]:
    """The list benchmark's filled database, with a rate limit the bench never meets."""
    from list_bench import ensure_filled as filled

    return {**filled(db, rows, work), "AIGAK_API_RATE": "100000/minute"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--work", default="/tmp/aigak-api-bench")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--sync-page", type=int, default=1000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat, args.sync_page)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    report = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = ensure_filled(db, args.rows, work)
        load_before = os.getloadavg()
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat),
             "--sync-page", str(args.sync_page)],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["load_average"] = {"before": load_before, "after": os.getloadavg()}
        report.append(result)
        print(f"\n{result['vendor']}, {result['records']:,} records, ms per request")
        print("load average before {:.1f} {:.1f} {:.1f}, after {:.1f} {:.1f} {:.1f}".format(
            *load_before, *result["load_average"]["after"]))  # fmt: skip
        print(f"{'request':36} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p50':>8} {'cpu p95':>8}")
        for row in result["lists"]:
            flag = "" if row["p95_ms"] < 100 else "  <- over 100 ms"
            print(f"{row['what']:36} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['max_ms']:>7} "
                  f"{row['cpu_p50_ms']:>8} {row['cpu_p95_ms']:>8}  {row['rows']} rows{flag}")  # fmt: skip
        print("full sync: {records:,} records in {pages} pages of {page_size}: "
              "{wall_s} s wall, {cpu_s} s CPU".format(**result["sync"]))  # fmt: skip
    (work / "api_bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
