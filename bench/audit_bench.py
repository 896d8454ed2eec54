"""The audit log's cost: appending hash-chained rows, and `aigak audit verify`.

    python bench/audit_bench.py                 # 20,000 rows in a fresh SQLite data folder
    DATABASE_URL=postgres://... python bench/audit_bench.py --rows 20000

Measured with wall-clock time:
1. appends: ROWS calls of `audit()`, each its own transaction (as a page read is), one
   writer; rows per second;
2. the same by 4 threads at once (each its own connection), as concurrent requests;
3. `aigak audit verify` over every row; rows per second.
On PostgreSQL the database named by DATABASE_URL gets the rows (use a scratch database).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("AIGAK_DATA_DIR", tempfile.mkdtemp(prefix="aigak-audit-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from aigak.accounts import auditlog
    from aigak.accounts.models import AuditEvent, audit

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")

    start = time.perf_counter()
    for i in range(args.rows):
        audit(None, "view", object_type="record", object_id=i, n=i)
    took = time.perf_counter() - start
    print(f"1. {args.rows} appends, one writer: {took:.1f} s, {args.rows / took:.0f} rows/s")

    per = args.rows // 4

    def writer(n: int) -> None:
        for i in range(per):
            audit(None, "view", object_type="record", object_id=f"{n}-{i}")
        connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - start
    print(f"2. {per * 4} appends, 4 threads: {took:.1f} s, {per * 4 / took:.0f} rows/s")

    total = AuditEvent.objects.count()
    start = time.perf_counter()
    verdict = auditlog.verify(AuditEvent.objects.order_by("id").iterator(chunk_size=5000))
    took = time.perf_counter() - start
    assert verdict.broken_id is None and verdict.rows == total
    print(f"3. verify {total} rows: {took:.1f} s, {total / took:.0f} rows/s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
