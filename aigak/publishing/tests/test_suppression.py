"""Small-cell suppression: counts 1-4 become `<5`, and complementary cells are hidden so
that no small count can be worked out from the totals."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aigak.publishing.statistics import safe_table, table_grid
from aigak.publishing.suppression import Grid, disclosed, suppress
from aigak.questionnaires.registry import get_questionnaire


def _single(rows: dict[str, tuple[int, int]], missing: tuple[int, int] = (0, 0)) -> dict:
    """A single-choice table in the report's JSON shape."""
    dec = sum(d for d, _ in rows.values())
    sur = sum(s for _, s in rows.values())
    return {
        "id": "T99", "title": "t", "field": "gender", "kind": "single",
        "columns": ["deceased", "survivors", "total"],
        "denominator": {"deceased": dec, "survivors": sur, "total": dec + sur},
        "missing": {"deceased": missing[0], "survivors": missing[1],
                    "total": missing[0] + missing[1]},
        "rows": [
            {"key": k, "label": k, "counts": {"deceased": d, "survivors": s, "total": d + s},
             "percent": {"deceased": 1.0, "survivors": 1.0, "total": 1.0}}
            for k, (d, s) in rows.items()
        ],
        "comments": [{"record_id": "V-000001", "text": "a facility", "column": "total",
                      "field": "facility_name", "key": "a"}],
    }  # fmt: skip


def test_one_small_count_alone_would_be_recomputed_from_the_row_total():
    """The complementary case: hiding the 3 alone leaves 3 = total - survivors."""
    table = _single({"female": (3, 40), "male": (60, 200)})
    grid = table_grid(table, multiple=False)
    primary_only = {c: "<5" for c, v in grid.values.items() if v in range(1, 5)}
    assert disclosed(grid, primary_only) == {("row", 0, "deceased"): 3}
    hidden = suppress(grid)
    assert disclosed(grid, hidden) == {}
    assert sum(mark == "x" for mark in hidden.values()) >= 2  # row and column both


def test_the_page_values_show_small_counts_as_below_five_and_complements_as_x(questionnaires):
    definition = get_questionnaire("victim").definition
    table = safe_table(_single({"female": (3, 40), "male": (60, 200)}), definition)
    female = table["rows"][0]
    assert female["counts"]["deceased"] == "<5"
    assert female["percent"]["deceased"] is None
    shown = [v for r in table["rows"] for v in r["counts"].values()]
    shown += [*table["denominator"].values(), *table["missing"].values()]
    assert "x" in shown
    assert not [v for v in shown if isinstance(v, int) and 1 <= v <= 4]
    assert table["comments"] == []


def test_percentages_go_with_a_hidden_denominator(questionnaires):
    definition = get_questionnaire("victim").definition
    table = safe_table(_single({"a": (2, 30), "b": (0, 40)}, missing=(10, 0)), definition)
    assert table["denominator"]["deceased"] in ("<5", "x")
    assert all(r["percent"]["deceased"] is None for r in table["rows"])


def test_zero_is_shown_and_never_hidden_as_small():
    grid = Grid({("a",): 0, ("b",): 12, ("t",): 12})
    grid.add_sum(("t",), [("a",), ("b",)])
    assert suppress(grid) == {}


def test_a_sum_that_does_not_hold_is_not_used():
    grid = Grid({("a",): 2, ("b",): 12, ("t",): 99})
    grid.add_sum(("t",), [("a",), ("b",)])
    assert grid.sums == []


@pytest.mark.parametrize("seed", range(60))
def test_no_small_count_can_be_worked_out_of_random_tables(seed):
    import random

    rng = random.Random(seed)
    rows = {f"r{i}": (rng.choice([0, 1, 2, 3, 5, 8, 13, 40]), rng.choice([0, 2, 4, 6, 30]))
            for i in range(rng.randint(2, 7))}  # fmt: skip
    table = _single(rows, missing=(rng.choice([0, 3, 20]), rng.choice([0, 1, 50])))
    grid = table_grid(table, multiple=False)
    assert disclosed(grid, suppress(grid)) == {}


def _pinned_by_linprog(grid: Grid, hidden: dict) -> dict:
    """The counts `disclosed` should find, worked out apart: each small count's smallest
    and largest value by SciPy's `linprog`, a programme made anew for every bound."""
    import numpy
    from scipy.optimize import linprog

    hidden = {**{c: "x" for c in grid.unpublished if c in grid.values}, **hidden}  # unknown
    unknown = sorted(hidden, key=repr)
    column = {c: j for j, c in enumerate(unknown)}
    rows, right = [], []
    for total, parts in grid.sums:
        row = numpy.zeros(len(unknown))
        known = 0.0
        for cell, sign in [(total, 1), *((p, -1) for p in parts)]:
            if cell in column:
                row[column[cell]] += sign
            else:
                known -= sign * grid.values[cell]
        if row.any():
            rows.append(row)
            right.append(known)
    if not rows:
        return {}
    bounds = [(1, 4) if hidden[c] == "<5" else (0, None) for c in unknown]
    pinned = {}
    for j, cell in enumerate(unknown):
        if hidden[cell] != "<5":
            continue
        goal = numpy.zeros(len(unknown))
        goal[j] = 1
        low = linprog(goal, A_eq=rows, b_eq=right, bounds=bounds).fun
        high = -linprog(-goal, A_eq=rows, b_eq=right, bounds=bounds).fun
        if high - low < 0.5:
            pinned[cell] = round(low)
    return pinned


@pytest.mark.parametrize("seed", range(30))
def test_the_attack_finds_exactly_the_counts_each_bound_apart_pins(seed):
    """`disclosed` solves one programme kept warm between goals, several counts at a time;
    the counts it finds pinned are those whose bounds, each solved alone, meet."""
    import random

    rng = random.Random(1000 + seed)
    rows = {f"r{i}": (rng.choice([0, 1, 2, 3, 4, 9, 13]), rng.choice([0, 1, 2, 4, 6, 30]))
            for i in range(rng.randint(2, 8))}  # fmt: skip
    grid = table_grid(_single(rows, missing=(rng.choice([0, 3, 20]), rng.choice([0, 1]))), False)
    hidden = {c: "<5" for c, v in grid.values.items() if 1 <= v <= 4}
    for cell in rng.sample(sorted(grid.values, key=repr), 3):  # a few complements, by chance
        hidden.setdefault(cell, "x")
    assert disclosed(grid, hidden) == _pinned_by_linprog(grid, hidden)


def test_the_solver_prints_nothing():
    """HiGHS writes its banner past Python's `sys.stdout`, on the process's own output,
    once a process: a command's output (`aigak statistics`, a report to stdout) must stay
    clean. In a process of its own, so that no earlier test has had the banner printed."""
    code = (
        "from aigak.publishing.suppression import Grid, suppress\n"
        "grid = Grid({('a',): 3, ('b',): 20, ('c',): 12, ('t',): 35})\n"
        "grid.add_sum(('t',), [('a',), ('b',), ('c',)])\n"
        "assert suppress(grid) == {('a',): '<5', ('c',): 'x'}\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
