"""Choices from a media file: the cost of a `select_one_from_file` with a choice_filter.

    python bench/file_choices_bench.py                 # 5,000 villages in 50 regions
    python bench/file_choices_bench.py --rows 20000 --repeat 10

The web form's evaluate endpoint filters the file's choices on every change (the filter
evaluated once per choice), and a save or import checks each answer against the file.
Timed here without a database, the file's items given directly (as `FormMediaFiles`
gives them once parsed): milliseconds per call, wall and CPU, with the load average.
"""

from __future__ import annotations

import argparse
import io
import os
import time

import django

FORM = """
| survey |
| | type | name | label | choice_filter |
| | text | region | Region | |
| | select_one_from_file villages.csv | village | Village | region = ${region} |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
    django.setup()
    from pyxform.xls2json_backends import md_table_to_workbook

    from aigak.questionnaires import semantics
    from aigak.questionnaires.answer_types import coerce
    from aigak.questionnaires.xlsform import load_xlsform
    from aigak.questionnaires.xpath.functions_media import form_media, read_items

    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    field = load_xlsform(out.getvalue()).fields["village"]
    rows = "".join(f"v{i},Village {i},r{i % 50}\n" for i in range(args.rows))
    items = read_items("villages.csv", ("name,label,region\n" + rows).encode())
    last = f"v{args.rows - 1}"
    calls = {
        "filter the choices (evaluate endpoint)": lambda: semantics.allowed_choices(
            field, {"region": "r7"}
        ),
        "check one answer (save, import)": lambda: coerce(field, last),
    }
    with form_media(lambda name: items if name == "villages.csv" else None):
        for label, call in calls.items():
            call()  # the choices read once per file content, expressions parsed
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.repeat):
                call()
            wall_ms = (time.perf_counter() - wall) / args.repeat * 1000
            cpu_ms = (time.process_time() - cpu) / args.repeat * 1000
            print(f"{label}: {wall_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU")
    print("rows", args.rows, "load", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
