"""The live records' check of a block of the coded form (`aigak.reports.blocks`), alone,
on a SQLite database the report bench made: CPU per block of 100,000 ids, the check as
the code writes it against the same check with a linear mix of id and version (its form
before the mix was squared), alternated.

    python bench/live_check_bench.py /tmp/aigak-report-bench-sqlite-1000000/aigak.sqlite3

The database is opened read-only; the statements run in one process, ten blocks a round.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINEAR = "SUM((id * 40503 + version * 9973) % 2147483647)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--block", type=int, default=100_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["AIGAK_DATA_DIR"] = str(Path(args.database).resolve().parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    import django

    django.setup()
    from django.db import connection

    from aigak.reports import blocks

    checked = blocks._live_check(connection).replace("%%", "%").replace("%s", "?")
    linear = checked.replace(f"SUM({blocks._SCRAMBLED.replace('%%', '%')})", LINEAR)
    assert linear != checked
    db = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    questionnaire, top = db.execute(
        "SELECT questionnaire_id, MAX(id) FROM records_record GROUP BY 1 ORDER BY COUNT(*) DESC"
    ).fetchone()
    spans = range(top // args.block + 1)
    for _ in range(args.rounds):
        for name, sql in (("linear mix", linear), ("squared mix", checked)):
            began = time.process_time()
            for k in spans:
                db.execute(sql, (questionnaire, k * args.block, (k + 1) * args.block)).fetchone()
            per = (time.process_time() - began) / len(spans) * 1000
            print(f"{name:12} {per:5.1f} ms CPU per block  (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
