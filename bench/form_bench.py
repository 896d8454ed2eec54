"""Installing a 500-question XLSForm and rendering its web form.

    .venv/bin/python bench/form_bench.py [--questions 500] [--repeat 3]

The form is generated (seeded, no randomness beyond the layout): groups of 25 questions,
a third select_one/select_multiple over 8-choice lists, the rest text, integer, date and
decimal, every fifth with a `relevant` on the one before, every seventh with a
constraint, labels in English and Russian. Measured, best of --repeat runs:
1. install: `registry.install_form` into a fresh database (pyxform's reading and XForm,
   the mapping to the definition, the checks, storing the version and its audit row);
   target under 3 s;
2. render: `webform.build_form` and the template of the record form's widgets, for a
   user who sees every field; target under 300 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time

os.environ.setdefault("AIGAK_DATA_DIR", tempfile.mkdtemp(prefix="aigak-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")


def build_form(questions: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Russian (ru)", "relevant",
                   "constraint", "required"])  # fmt: skip
    lists = 10
    kinds = ["text", "integer", "date", "decimal"]
    for n in range(questions):
        if n % 25 == 0:
            if n:
                survey.append(["end group"])
            survey.append(["begin group", f"g{n // 25}", f"Part {n // 25}", f"Часть {n // 25}"])
        if n % 3 == 0:
            kind = ("select_one" if n % 2 else "select_multiple") + f" list{n % lists}"
        else:
            kind = kinds[n % len(kinds)]
        relevant = f"${{q{n - 1}}} != ''" if n % 5 == 4 else ""
        constraint = ". >= 0" if kind == "integer" and n % 7 == 0 else ""
        survey.append([kind, f"q{n}", f"Question {n}", f"Вопрос {n}", relevant, constraint,
                       "yes" if n % 11 == 0 else ""])  # fmt: skip
    survey.append(["end group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Russian (ru)"])
    for k in range(lists):
        for c in range(8):
            choices.append([f"list{k}", f"c{c}", f"Choice {c}", f"Вариант {c}"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["bench500", "1"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.template.loader import render_to_string

    from aigak.questionnaires.registry import install_form
    from aigak.questionnaires.webform import build_form as build_web_form

    call_command("migrate", verbosity=0)
    data = build_form(args.questions)
    installs, renders = [], []
    for run in range(args.repeat):
        started = time.perf_counter()
        with transaction.atomic():
            version = install_form(None, data, f"bench{run}").version
        installs.append(time.perf_counter() - started)
    definition = version.definition
    names = set(definition.fields)
    for _ in range(args.repeat):
        started = time.perf_counter()
        block = build_web_form(definition, {}, lang="en", visible=names, editable=names)
        html = render_to_string("records/_block.html", {"block": block})
        renders.append(time.perf_counter() - started)
    print(f"questions {args.questions}, fields {len(definition.fields)}, html {len(html)} bytes")
    print(f"install: best {min(installs):.2f} s, worst {max(installs):.2f} s (target < 3 s)")
    print(f"render:  best {min(renders) * 1000:.0f} ms, worst {max(renders) * 1000:.0f} ms"
          " (target < 300 ms)")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
