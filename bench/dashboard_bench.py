"""The dashboard, the sorted and date-ranged list and the list's export at 100,000
Victims records: ms per request.

    python bench/dashboard_bench.py                      # SQLite, 100,000 records
    python bench/dashboard_bench.py --db postgres --rows 20000

The database is filled once by `bench/import_bench.py` (as `bench/list_bench.py` does,
in the same --work folder, so the two share it). A child process with that database's
settings requests each page through Django's test client as a logged-in user (the view,
its queries and the template, no network): every page twice to warm up, then --repeat
times; p50, p95 and the slowest are printed, with the child's CPU time (and on
PostgreSQL the server's for that connection).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from list_bench import _backend_cpu, bench_users, ensure_filled, summary, timed  # noqa: E402

PAGES = [
    ("dashboard, coordinator", "/", "coordinator"),
    ("dashboard, documenter of a team", "/", "documenter"),
    ("list sorted by name", "/records/victim/?sort=full_name", "coordinator"),
    ("list sorted by name, descending", "/records/victim/?sort=-full_name", "coordinator"),
    (
        "list, date range on the date of death",
        "/records/victim/?date=death_date&from=2022-01-05&to=2022-01-06",
        "coordinator",
    ),
    ("list, status and mine", "/records/victim/?status=submitted&mine=1", "coordinator"),
]
EXPORTS = [
    ("export CSV, filtered (gender=female)", "/records/victim/export/csv/?f_gender=female"),
]


def child(repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from aigak.records.models import Record

    users = bench_users()
    clients = {name: Client() for name in users}
    for name, user in users.items():
        clients[name].force_login(user)
    backend = _backend_cpu(connection)
    results = []
    for what, url, who, times_ in [(w, u, who, repeat) for w, u, who in PAGES] + [
        (w, u, "coordinator", max(3, repeat // 10)) for w, u in EXPORTS
    ]:
        client = clients[who]
        for _ in range(2 if times_ == repeat else 1):
            assert client.get(url).status_code == 200, url

        def get(url: str = url, client: Any = client) -> Any:
            response = client.get(url)
            streamed = getattr(response, "streaming", False)
            response.size = len(
                b"".join(response.streaming_content) if streamed else response.content
            )
            return response

        times, cpu, response = timed(get, times_, backend)
        results.append({"what": what, "url": url, **summary(times, cpu), "bytes": response.size})
    print(json.dumps({"vendor": connection.vendor, "records": Record.live.count(),
                      "pages": results}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--work", default="/tmp/aigak-bench")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env = ensure_filled(args.db, args.rows, work)
    load_before = os.getloadavg()
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    print(f"\n{result['vendor']}, {result['records']:,} records, ms per request")
    print("load average before {:.1f} {:.1f} {:.1f}, after {:.1f} {:.1f} {:.1f}".format(
        *load_before, *result["load_average"]["after"]))  # fmt: skip
    print(f"{'page':42} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p50':>8}")
    for page in result["pages"]:
        print(f"{page['what']:42} {page['p50_ms']:>7} {page['p95_ms']:>7} "
              f"{page['max_ms']:>7} {page['cpu_p50_ms']:>8}")  # fmt: skip
    (work / f"dashboard_bench-{args.db}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
