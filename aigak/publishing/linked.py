"""The sums that hold between the tables of a published report.

Each count of a table counts the records of one population (every record, the deceased
or the survivors) that have some answers: a row of T02 counts `gender = female`, a row
of T04 `gender = female and age_bracket = 16_25`, a column's denominator and its number
of records no answer at all beyond being answered. The same count published in two
tables, or a table's count that another table splits, lets someone who reads both
recompute a cell hidden in one of them. So, over the whole report:

- the same count: two counts of the same population, in different tables, where one's
  answers include the other's (T02's female row and T05's female subtotal, T07's region
  row and T08's number of ages in that region, every table's number of records), when
  they are equal on the data;
- a split: a cross table's rows of one inner answer over all groups (T04's `female/16_25`
  and `male/16_25`) against a count of that answer alone in another table (T03's
  `16_25`), when the sum holds.

Identities that would only hold by the questionnaire's logic (an appeal's details asked
only when it was appealed) and inequalities (a count of a subgroup is at most its
group's) are not followed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aigak.publishing.suppression import Cell, Grid

Label = tuple[str, frozenset[tuple[str, str]]]


def labels(table: dict[str, Any], population: dict[str, str]) -> dict[Cell, Label]:
    """What each count of `table` counts: its population and the answers it requires.

    `population` maps the table's columns to the population they count (a table limited
    to the deceased counts them in its `total` column). Cells are those of `table_grid`
    (or the `("row", i)`/`("total",)` of a mean table)."""
    fields = table["field"].split(" x ")
    found: dict[Cell, Label] = {}
    if table["kind"] == "mean_sd":
        pop = population.get("total", "total")
        for i, row in enumerate(table["rows"]):
            found[("row", i)] = (pop, frozenset({(fields[0], row["key"])}))
        found[("total",)] = (pop, frozenset())
        for c in table["denominator"]:
            found[("n", c)] = (pop, frozenset())
            found[("den", c)] = (pop, frozenset())
        return found
    for c in table["columns"]:
        pop = population.get(c, c)
        found[("n", c)] = (pop, frozenset())
        found[("den", c)] = (pop, frozenset())
        if len(fields) == 1:
            found[("mis", c)] = (pop, frozenset({(fields[0], "-")}))
        for i, row in enumerate(table["rows"]):
            found[("row", i, c)] = (pop, _answers(fields, row["key"]))
        for group in table.get("subtotals", {}):
            found[("sub", group, c)] = (pop, _answers(fields[:1], group))
    return found


def _answers(fields: list[str], key: str) -> frozenset[tuple[str, str]]:
    parts = key.split("/") if len(fields) > 1 else [key]
    # T06's `total` group counts every gender: no answer of the outer field.
    return frozenset((f, v) for f, v in zip(fields, parts, strict=False) if v != "total")


def link(grid: Grid, meaning: dict[Cell, Label], splits: list[tuple[Label, list[Cell]]]) -> int:
    """Add to `grid` the identities between cells of different tables (cells are
    `(table_id, *cell)`); `splits` are the cross tables' sums over their groups, each
    with the label of what the sum counts. Returns the number of identities added."""
    before = len(grid.sums)
    by_value: dict[tuple[str, int], list[Cell]] = defaultdict(list)
    for cell, (pop, _) in meaning.items():
        if cell in grid.values:
            by_value[(pop, grid.values[cell])].append(cell)
    for cells in by_value.values():
        _same_counts(grid, meaning, cells)
    by_label: dict[Label, list[Cell]] = defaultdict(list)
    for cell, label in meaning.items():
        if cell in grid.values:
            by_label[label].append(cell)
    for label, parts in splits:
        for total in by_label.get(label, []):
            if total[0] != parts[0][0]:
                grid.add_sum(total, parts)
    return len(grid.sums) - before


def _same_counts(grid: Grid, meaning: dict[Cell, Label], cells: list[Cell]) -> None:
    """Tie equal counts of nested answers across tables; one identity per cell joined
    (equal values: a chain says as much as every pair)."""
    if len(cells) < 2:
        return
    parent = {c: c for c in cells}

    def root(c: Cell) -> Cell:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    ordered = sorted(cells, key=lambda c: (len(meaning[c][1]), repr(c)))
    for i, a in enumerate(ordered):
        answers = meaning[a][1]
        for b in ordered[i + 1 :]:
            if a[0] == b[0] or not answers <= meaning[b][1]:
                continue
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[rb] = ra
                grid.add_same(a, b)
