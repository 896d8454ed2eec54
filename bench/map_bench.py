"""The public map and timeline: how long a page takes over many records.

    python bench/map_bench.py                      # 10,000 victims, 1,000 events, SQLite
    DATABASE_URL=postgres://... python bench/map_bench.py --victims 10000

Victims and events are written straight into the records table (bulk_create: the pages
only read answers, so the save path is not what is measured), then each page is rendered
through the test client REPEAT times; median and 95th percentile in milliseconds.
On PostgreSQL the database named by DATABASE_URL gets the rows (use a scratch database).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

REPEAT = 30


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--victims", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000)
    args = parser.parse_args()
    os.environ.setdefault("AIGAK_DATA_DIR", tempfile.mkdtemp(prefix="aigak-map-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from aigak.publishing.mapdata import LOCALITIES
    from aigak.questionnaires.registry import ensure_shipped, get_questionnaire
    from aigak.records.models import Record

    call_command("migrate", verbosity=0)
    ensure_shipped()
    rng = random.Random(1)
    places = sorted(LOCALITIES)
    for name, count in (("victim", args.victims), ("event", args.events)):
        form = get_questionnaire(name)
        Record.objects.filter(questionnaire=form).delete()
        rows = []
        for n in range(count):
            place = rng.choice(places)
            lat, lon = LOCALITIES[place]
            day = f"2022-01-{rng.randint(1, 31):02d}"
            answers = {"event_locality": place, "event_region": "almaty",
                       "vital_status": rng.choice(["deceased", "alive", "unknown"]),
                       "violation_start": day, "event_date": day,
                       "coordinates": f"{lat + rng.random() / 10} {lon + rng.random() / 10}"}  # fmt: skip
            rows.append(Record(questionnaire=form, form_version=form.current,
                               record_id=f"B-{n:06d}", answers=answers))  # fmt: skip
        Record.objects.bulk_create(rows, batch_size=2000)
    print(f"database: {connection.vendor}; {args.victims} victims, {args.events} events; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    client = Client()
    for path in ("/public/map/", "/public/timeline/"):
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{path}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
