"""Rules of a 500-question form on one save: p50/p95 of clean_answers, in milliseconds.

    python bench/expressions_bench.py               # 500 questions, 200 saves
    python bench/expressions_bench.py --questions 1000 --repeat 100

The form (built here as an XLSForm and read by Aigak's reader) mixes what real forms
hold: integers with range constraints, select_one and select_multiple questions whose
answers make later questions relevant (`${q} = 'x'`, `selected(...)`), dates
constrained to `. <= today()`, text asked when a number passes a threshold, a chain of
calculations in which each uses the next (so the dependency order matters), and a
repeat of 10 entries with a constraint and a relevance inside. One answer set fills
about two thirds of the questions.

A save runs `clean_answers`: coercion of every answer, calculations in dependency
order, relevance of every field and group, and the constraints of relevant answers (and
of every repeat entry). The first save (expressions not yet parsed) is reported apart;
then `--repeat` saves are timed. `rules only` times calculations and relevance alone.
Target (issue 10): under 20 ms per save for 500 questions.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")

HEADER = ["type", "name", "label", "required", "relevant", "constraint", "calculation"]


def survey_rows(questions: int) -> tuple[list[list[str]], list[list[str]]]:
    rows: list[list[str]] = [["text", "record_id", "Record", "yes", "", "", ""]]
    per = questions // 10
    for i in range(per):
        rows += [
            ["integer", f"n{i}", f"N{i}", "", "", ". >= 0 and . <= 120", ""],
            ["select_one yn", f"s{i}", f"S{i}", "", "", "", ""],
            ["select_multiple abc", f"m{i}", f"M{i}", "", f"${{s{i}}} = 'yes'", "", ""],
            ["text", f"t{i}", f"T{i}", "", f"${{n{i}}} >= 18", "string-length(.) < 200", ""],
            ["text", f"u{i}", f"U{i}", "", f"selected(${{m{i}}}, 'b')", "", ""],
            ["date", f"d{i}", f"D{i}", "", "", ". <= today()", ""],
            ["decimal", f"x{i}", f"X{i}", "", f"${{s{i}}} != 'no'", ". > 0", ""],
            ["text", f"v{i}", f"V{i}", "", f"${{n{i}}} > 30 or ${{s{i}}} = 'yes'", "", ""],
            ["calculate", f"c{i}", "", "", "", "", _chain(i, per)],
            ["integer", f"k{i}", f"K{i}", "", f"${{c{i}}} > 10", "", ""],
        ]
    rows += [
        ["begin repeat", "people", "People", "", "", "", ""],
        ["text", "pname", "Name", "", "", "", ""],
        ["integer", "page", "Age", "", "", ". >= 0 and . <= 120", ""],
        ["text", "pguard", "Guardian", "", "${page} < 18", "", ""],
        ["end repeat", "", "", "", "", "", ""],
    ]
    choices = [
        ["yn", "yes", "Yes"],
        ["yn", "no", "No"],
        ["abc", "a", "A"],
        ["abc", "b", "B"],
        ["abc", "c", "C"],
    ]
    return rows, choices


def _chain(i: int, per: int) -> str:
    """Each calculation uses the next one (the last only its number)."""
    if i + 1 == per:
        return f"${{n{i}}} + 0"
    return f"coalesce(${{c{i + 1}}}, 0) + ${{n{i}}}"


def workbook(questions: int) -> bytes:
    import openpyxl

    rows, choices = survey_rows(questions)
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(HEADER)
    for row in rows:
        survey.append(row)
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label"])
    for row in choices:
        sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version"])
    settings.append(["bench", "Bench", "1"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def answers(questions: int) -> dict[str, Any]:
    raw: dict[str, Any] = {"record_id": "B-1"}
    for i in range(questions // 10):
        raw |= {
            f"n{i}": str(10 + i % 60),
            f"s{i}": "yes" if i % 3 else "no",
            f"m{i}": "a b" if i % 3 else "",
            f"t{i}": "some text" if i % 2 else "",
            f"u{i}": "more" if i % 3 else "",
            f"d{i}": "2022-01-05",
            f"x{i}": "1.5" if i % 3 else "",
            f"v{i}": "v",
            f"k{i}": str(i),
        }
    raw["people"] = [{"pname": f"P{j}", "page": str(5 + 7 * j)} for j in range(10)]
    return raw


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from aigak.questionnaires.validation import calculate, clean_answers, relevant_fields
    from aigak.questionnaires.xlsform import load_xlsform

    definition = load_xlsform(workbook(args.questions))
    raw = answers(args.questions)
    started = time.perf_counter()
    cleaned, problems = clean_answers(definition, raw)
    first = (time.perf_counter() - started) * 1000
    assert not problems, problems[:3]
    timings: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for what, run in (
            ("save (clean_answers)", lambda: clean_answers(definition, raw)),
            (
                "rules only",
                lambda: relevant_fields(definition, {**cleaned, **calculate(definition, cleaned)}),
            ),
        ):
            wall, cpu = time.perf_counter(), time.thread_time()
            run()
            timings.setdefault(what + ", wall", []).append((time.perf_counter() - wall) * 1000)
            timings.setdefault(what + ", CPU", []).append((time.thread_time() - cpu) * 1000)
    load = os.getloadavg()[0]
    print(f"form: {len(definition.fields)} fields, {len(raw)} answers given, load {load:.2f}")
    print(f"first save (expressions parsed): {first:.1f} ms")
    for what, values in timings.items():
        print(
            f"{what}: p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms,"
            f" max {max(values):.1f} ms over {len(values)}"
        )


if __name__ == "__main__":
    main()
