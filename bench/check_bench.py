"""The checking side of an import in one process: N Victims rows through the form's rules.

    python bench/check_bench.py                     # 20,000 rows
    python bench/check_bench.py --rows 100000 --profile 30

Reads the import bench's CSV (`import_bench.write_rows`, the same generator and seed)
with the importer's reader and runs every row through what a checking process does,
`bulk_check._check` with the form an import checks against (`checking_definition`):
coercion, calculations, relevance, required and constraint rules, then the stored
JSON, search texts and choice words. With --parts, also the apps' parts of a row (the
report's coded rows), which need the questionnaire from a database: a new SQLite one in
a temporary folder is migrated first; else no database is touched.

Prints the CPU time of reading the rows and of checking them (process time), in
microseconds a row, and with --profile the functions that take the most time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
os.environ.setdefault("AIGAK_DATA_DIR", tempfile.mkdtemp(prefix="aigak-check-bench-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--work", default="/tmp/aigak-bench", help="folder of the CSV")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--parts", action="store_true", help="the apps' parts too (migrates)")
    args = parser.parse_args()

    import django

    django.setup()
    from import_bench import write_rows

    from aigak.questionnaires.registry import FORMS_DIR
    from aigak.questionnaires.xlsform import load_xlsform
    from aigak.records import bulk_check, readers

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    csv_path = write_rows(work / f"victims-{args.rows}.csv", args.rows)
    definition = load_xlsform(FORMS_DIR / "victim.xlsx")
    preparers = _preparers() if args.parts else ()
    checking = bulk_check.checking_definition(definition)

    started = time.process_time()
    raw = [(n, r, None) for n, r in readers.read_csv(csv_path, definition, None)]
    read = time.process_time() - started
    chunks = [raw[i : i + bulk_check.CHUNK] for i in range(0, len(raw), bulk_check.CHUNK)]
    profile = cProfile.Profile() if args.profile else None
    started, wall = time.process_time(), time.monotonic()
    if profile:
        profile.enable()
    good = bad = 0
    for chunk in chunks:
        verdicts, rows = bulk_check._check(checking, chunk, preparers)
        good += len(rows)
        bad += sum(1 for _, problems, _ in verdicts if problems)
    if profile:
        profile.disable()
    checked = time.process_time() - started
    print(
        f"{len(raw)} rows ({good} good, {bad} with problems): reading {read:.1f} s CPU, "
        f"checking and preparing {checked:.1f} s CPU ({checked / len(raw) * 1e6:.0f} us a row, "
        f"{time.monotonic() - wall:.1f} s wall)  [load {os.getloadavg()[0]:.1f}]"
    )
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
        print(out.getvalue())


def _preparers() -> tuple[object, ...]:
    from django.core.management import call_command

    from aigak.questionnaires.registry import ensure_shipped, get_questionnaire
    from aigak.records import hooks

    call_command("migrate", verbosity=0)
    ensure_shipped()
    return hooks.import_preparers(get_questionnaire("victim"))


if __name__ == "__main__":
    main()
