"""Suppression over the whole published report: a count hidden in one table must not come
back from another table that publishes the same count (T02's genders and T04's gender
subtotals, T03's age brackets and T04's rows of each bracket)."""

from __future__ import annotations

import copy
import random

import pytest

from aigak.publishing.statistics import report_grid, safe_report, safe_table
from aigak.publishing.suppression import Cell, disclosed
from aigak.questionnaires.registry import get_questionnaire
from aigak.reports.spec import load_spec

COLUMNS = ("deceased", "survivors", "total")


def _column(counts: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    dec = {k: d for k, (d, _) in counts.items()}
    sur = {k: s for k, (_, s) in counts.items()}
    return {"deceased": dec, "survivors": sur, "total": {k: dec[k] + sur[k] for k in counts}}


def _rows(counts: dict[str, tuple[int, int]]) -> list[dict]:
    by = _column(counts)
    return [
        {"key": k, "label": k, "counts": {c: by[c][k] for c in COLUMNS},
         "percent": dict.fromkeys(COLUMNS, 1.0)}
        for k in counts
    ]  # fmt: skip


def _sums(counts: dict[str, tuple[int, int]]) -> dict[str, int]:
    by = _column(counts)
    return {c: sum(by[c].values()) for c in COLUMNS}


def report(people: dict[tuple[str, str], tuple[int, int]]) -> dict:
    """T02 (gender), T03 (age bracket) and T04 (gender x age bracket) of the same records:
    `people` gives (deceased, survivors) of each (gender, bracket)."""
    genders = sorted({g for g, _ in people})
    brackets = sorted({a for _, a in people})

    def total(keys: list[tuple[str, str]]) -> tuple[int, int]:
        return (sum(people[k][0] for k in keys), sum(people[k][1] for k in keys))

    by_gender = {g: total([(g, a) for a in brackets]) for g in genders}
    by_bracket = {a: total([(g, a) for g in genders]) for a in brackets}
    cross = {f"{g}/{a}": people[(g, a)] for g in genders for a in brackets}
    den = _sums(by_gender)
    none = dict.fromkeys(COLUMNS, 0)

    def table(tid: str, field: str, kind: str, counts: dict) -> dict:
        return {"id": tid, "title": tid, "field": field, "kind": kind,
                "columns": list(COLUMNS), "denominator": dict(den), "missing": dict(none),
                "rows": _rows(counts), "comments": []}  # fmt: skip

    t04 = table("T04", "gender x age_bracket", "cross", cross)
    t04["subtotals"] = {g: {c: _column(by_gender)[c][g] for c in COLUMNS} for g in genders}
    tables = [
        table("T02", "gender", "single", by_gender),
        table("T03", "age_bracket", "age_bracket", by_bracket),
        t04,
    ]
    return {"report": "qantar2022", "n_records": den["total"], "tables": tables}


def _published(table: dict, cell: Cell) -> object:
    kind, *rest = cell
    if table["kind"] == "mean_sd" and kind in ("row", "total"):
        return (table["rows"][rest[0]] if rest else table["total"])["n"]
    if kind == "row":
        return table["rows"][rest[0]]["counts"][rest[1]]
    if kind == "sub":
        return table["subtotals"][rest[0]][rest[1]]
    if kind == "den":
        return table["denominator"][rest[0]]
    if kind == "mis":
        return table["missing"][rest[0]]
    return None


def attack(data: dict, published: dict) -> dict[Cell, int]:
    """The small counts someone who reads every published table (and knows every sum
    between them) works out exactly."""
    spec = load_spec("qantar2022")
    definition = get_questionnaire("victim").definition
    grid, _ = report_grid(data["tables"], definition, spec)
    shown = {t["id"]: t for t in published["tables"]}
    marks = {}
    for cell in grid.values:
        value = _published(shown[cell[0]], cell[1:])
        if value in ("<5", "x"):
            marks[cell] = value
    return disclosed(grid, marks)


# Seen on a report suppressed table by table: T02 hides female deceased (3) with male
# deceased beside it, T04 hides the same 3 with its survivors beside it; T04 shows male
# deceased and T02 female survivors, so 3 = the column's deceased - male deceased.
PEOPLE = {
    ("female", "a"): (1, 20), ("female", "b"): (2, 20),
    ("male", "a"): (30, 25), ("male", "b"): (40, 60),
}  # fmt: skip


def test_tables_suppressed_one_by_one_give_a_small_count_back(questionnaires):
    """How the report was made safe before: each table on its own."""
    data = report(PEOPLE)
    definition = get_questionnaire("victim").definition
    published = {
        **data,
        "tables": [safe_table(copy.deepcopy(t), definition) for t in data["tables"]],
    }
    assert attack(data, published)


def test_a_count_hidden_in_one_table_is_not_given_back_by_another(questionnaires):
    data = report(PEOPLE)
    published = safe_report(data, get_questionnaire("victim").definition)
    assert attack(data, published) == {}


def test_the_sums_between_tables_are_found(questionnaires):
    data = report(PEOPLE)
    spec = load_spec("qantar2022")
    grid, between = report_grid(data["tables"], get_questionnaire("victim").definition, spec)
    ties = [(t, p) for t, p in grid.sums if {t[0], *(c[0] for c in p)} != {t[0]}]
    assert between == len(ties) > 0
    # T02's female deceased is T04's female subtotal; T03's `a` is T04's two `a` rows.
    assert ((("T02", "row", 0, "deceased")), [("T04", "sub", "female", "deceased")]) in ties
    assert (("T03", "row", 0, "deceased"), [("T04", "row", 0, "deceased"),
                                            ("T04", "row", 2, "deceased")]) in ties  # fmt: skip


@pytest.mark.parametrize("seed", range(25))
def test_no_small_count_comes_back_from_random_linked_tables(questionnaires, seed):
    rng = random.Random(seed)
    brackets = ("a", "b", "c", "d")[: rng.randint(2, 4)]
    people = {
        (g, a): (rng.choice([0, 1, 2, 3, 4, 6, 12, 30]), rng.choice([0, 1, 3, 5, 9, 40]))
        for g in ("female", "male")
        for a in brackets
    }
    data = report(people)
    published = safe_report(data, get_questionnaire("victim").definition)
    assert attack(data, published) == {}


@pytest.mark.django_db
def test_no_small_count_comes_back_from_the_whole_demo_report(settings, tmp_path):
    """The published demo report, attacked with every table's sums and every identity
    between tables at once: no count 1-4 is pinned."""
    from aigak.records.demo import load_demo
    from aigak.reports.build import build_report

    settings.DATA_DIR = tmp_path
    load_demo()
    built = build_report("qantar2022")
    published = safe_report(built.data, built.definition, built.spec)
    kept = {t["id"] for t in published["tables"]}
    data = {**built.data, "tables": [t for t in built.data["tables"] if t["id"] in kept]}
    grid, between = report_grid(data["tables"], built.definition, built.spec)
    assert between > 100
    assert attack(data, published) == {}
