"""The public memorial list at 10,000 published names: p95 per page.

    IMPORT_BENCH_DB=aigak_bench_memorial python bench/memorial_bench.py   # both databases
    python bench/memorial_bench.py --db sqlite --rows 10000

The database is filled by `bench/import_bench.py` (random Victims rows), then every
record is made verified and consenting and published (Publication rows in bulk, as
`aigak publish` would leave them, without its audit rows). A child process requests each
page through Django's test client as an anonymous visitor: the view, the signature query
that checks eligibility, the cached index, search and the template, no network. The
first request after a publish (the index is built again) is timed apart. Every page is
requested twice to warm up, then `--repeat` times; wall time and this process's CPU time
(on SQLite that includes the database's work; on PostgreSQL the server's is not counted).
Target (issue 17): p95 under 50 ms.
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

PAGES = [
    ("list, first page", "/public/"),
    ("list, page 100", "/public/?page=100"),
    ("list in Kazakh", "/public/?lang=kk"),
    ("search, Cyrillic surname", "/public/?q=Кудайбергенов"),
    ("search, Latin spelling", "/public/?q=Kudaibergenov"),
    ("search, prefix of two words", "/public/?q=Ахм+Айг"),
    ("search, no hit", "/public/?q=Zzyzx"),
    ("filter region + vital status", "/public/?region=almaty&vital=deceased"),
    ("search + filter", "/public/?q=Ким&vital=alive"),
]


def child(repeat: int, rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from aigak.publishing.models import Publication
    from aigak.records.models import Record

    records = Record.live.filter(questionnaire__name="victim").order_by("pk")[:rows]
    pks = list(records.values_list("pk", flat=True))
    Record.objects.filter(pk__in=pks).update(status="verified")
    for record in Record.objects.filter(pk__in=pks).only("pk", "answers"):
        if record.answers.get("consent_publish_name") != "yes":
            record.answers["consent_publish_name"] = "yes"
            Record.objects.filter(pk=record.pk).update(answers=record.answers)
    have = set(Publication.objects.values_list("record_id", flat=True))
    now = timezone.now()
    Publication.objects.bulk_create(
        [Publication(record_id=pk, published_at=now) for pk in pks if pk not in have],
        batch_size=2000,
    )
    client = Client()
    start = time.perf_counter()
    assert client.get("/public/").status_code == 200
    cold_ms = (time.perf_counter() - start) * 1000
    public_id = Publication.objects.values_list("public_id", flat=True).first()
    results = []
    for what, url in [*PAGES, ("one person's page", f"/public/victims/{public_id}/")]:
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, url
        times.sort()
        cpu.sort()
        results.append({"what": what, "url": url, "p50_ms": round(statistics.median(times), 1),
                        "p95_ms": round(times[min(len(times) - 1, round(0.95 * len(times)) - 1)], 1),
                        "max_ms": round(times[-1], 1),
                        "cpu_p50_ms": round(statistics.median(cpu), 1),
                        "cpu_p95_ms": round(cpu[min(len(cpu) - 1, round(0.95 * len(cpu)) - 1)], 1)})  # fmt: skip
    published = Publication.objects.filter(withdrawn_at__isnull=True).count()
    print(json.dumps({"vendor": connection.vendor, "published": published,
                      "cold_first_request_ms": round(cold_ms, 1), "pages": results}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--work", default="/tmp/aigak-bench-memorial")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat, args.rows)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from list_bench import ensure_filled

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        env = ensure_filled(db, args.rows, work)
        load = os.getloadavg()
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat),
             "--rows", str(args.rows)],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["load_before"] = [round(x, 2) for x in load]
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result, indent=1, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
