"""The public statistics' small-cell suppression over small databases, where nearly every
count is 1-4 and the whole grid is hidden or complementary.

    python bench/suppression_bench.py                 # 3, 10, 30, 100 and 579 (demo) records
    python bench/suppression_bench.py --sizes 3 10

For each size, an empty data folder gets that many Victims rows of the test generator
(`victim_fixture.random_row`, seeded by the size) through `aigak import` (the demo data
set through `aigak demo` for "demo"); the report the statistics build makes is read
once, its suppression grid made as the build makes it (`statistics.report_grid`), and
`suppression.suppress` timed on a copy of it, in CPU time, --rounds times. Printed: the
grid's cells and sums, the cells hidden, the CPU seconds of each round.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fill(folder: Path, size: str) -> None:
    """The data folder with `size` Victims records (or the demo data set)."""
    env = {**os.environ, "AIGAK_DATA_DIR": str(folder), "AIGAK_PUBLIC_STATISTICS": "command"}
    aigak = [sys.executable, "-m", "aigak"]
    if size == "demo":
        subprocess.run([*aigak, "demo"], env=env, check=True, capture_output=True)
        return
    from aigak.records.tests import victim_fixture

    rng = random.Random(int(size))
    path = folder / "rows.csv"
    victim_fixture.write_csv(path, (victim_fixture.random_row(rng, n) for n in range(1, int(size) + 1)))  # fmt: skip
    subprocess.run(
        [*aigak, "import", "victim", str(path)], env=env, check=True, capture_output=True
    )


def measure(size: str, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"aigak-suppression-{size}-"))
    fill(folder, size)
    code = f"""
import copy, sys, time
import django
django.setup()
from aigak.publishing import statistics, statistics_runs, suppression
from aigak.reports import build
built = build.build_reports(statistics_runs.REPORT, ["en"], workers=1, comments=False)["en"]
tables = [statistics._stripped(copy.deepcopy(t)) for t in built.data["tables"]]
hidden_fields = {{f.name for f in built.definition.fields.values() if f.confidential}}
tables = [t for t in tables if not set(t["field"].split(" x ")) & hidden_fields]
grid, _ = statistics.report_grid(tables, built.definition, built.spec)
for _ in range({rounds}):
    one = copy.deepcopy(grid)
    began = time.process_time()
    hidden = suppression.suppress(one)
    print(len(grid.values), len(grid.sums), len(hidden), round(time.process_time() - began, 2))
"""
    env = {**os.environ, "AIGAK_DATA_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "aigak.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True, cwd=ROOT).stdout.split("\n")  # fmt: skip
    rows = [line.split() for line in out if line.strip()]
    cells, sums, hidden = rows[0][:3]
    seconds = ", ".join(f"{r[3]} s" for r in rows)
    print(f"{size:>5} records: {cells} cells, {sums} sums, {hidden} hidden; suppress CPU {seconds}"
          f"  (load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["3", "10", "30", "100", "demo"])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    for size in args.sizes:
        measure(size, args.rounds)
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
