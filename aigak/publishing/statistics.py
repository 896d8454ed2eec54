"""The public statistics: the Qantar report over every live record, made safe to publish.

What is taken out: every free-text comment and listed text (they name facilities and
carry record ids), the filters, and any table over a confidential field. What is hidden:
counts by `aigak.publishing.suppression`, with the percentages of hidden counts and every
percentage whose denominator is hidden; means and deviations of hidden groups. The safe
reports are made in the background after records change and kept
(`aigak.publishing.statistics_runs`): suppression takes seconds.
"""

from __future__ import annotations

import copy
from typing import Any

from aigak.publishing import linked
from aigak.publishing.suppression import Cell, Grid, suppress
from aigak.questionnaires.xlsform import FormDefinition
from aigak.reports.spec import ReportSpec, load_spec

REPORT = "qantar2022"
BREAKDOWN = ("deceased", "survivors")


def safe_report(
    data: dict[str, Any], definition: FormDefinition, spec: ReportSpec | None = None
) -> dict[str, Any]:
    """A copy of report JSON with comments gone and small counts hidden.

    The tables are suppressed together, as one grid: the same count published in two
    tables (a gender in T02 and T05's subtotal), or a cross table's groups adding up to
    another table's row, would otherwise give back a cell hidden in one of them."""
    return safe_reports({"": data}, definition, spec)[""]


class ReportsDiffer(ValueError):
    """The languages of one report do not count the same (the records changed between
    their readings): publishing both would let a reader subtract one from the other."""


def safe_reports(
    reports: dict[str, dict[str, Any]], definition: FormDefinition, spec: ReportSpec | None = None
) -> dict[str, dict[str, Any]]:
    """`safe_report` of one report in several languages (by language), suppressed once:
    their counts, sums and cells are the same (rows follow the spec, not the labels), so
    the same cells are hidden in each. Raises `ReportsDiffer` when they are not."""
    hidden_fields = {f.name for f in definition.fields.values() if f.confidential}
    first: Grid | None = None
    hidden: dict[Cell, str] = {}
    safe = {}
    for lang, data in reports.items():
        spec = spec or load_spec(data["report"])
        tables = [
            _stripped(copy.deepcopy(table))
            for table in data["tables"]
            if not set(table["field"].split(" x ")) & hidden_fields
        ]
        grid, _ = report_grid(tables, definition, spec)
        if first is None:
            first = copy.deepcopy(grid)
            hidden = suppress(grid)
        elif grid != first:
            raise ReportsDiffer(f"the report in {lang!r} does not count as the first one")
        marks: dict[str, dict[Cell, str]] = {t["id"]: {} for t in tables}
        for (table_id, *cell), mark in hidden.items():
            marks[table_id][tuple(cell)] = mark
        for table in tables:
            _apply(table, marks[table["id"]])
        n = data["n_records"]
        safe[lang] = {
            "report": data["report"],
            "n_records": "<5" if 1 <= n <= 4 else n,
            "tables": tables,
        }
    return safe


def report_grid(
    tables: list[dict[str, Any]], definition: FormDefinition, spec: ReportSpec
) -> tuple[Grid, int]:
    """One grid of every table's counts (cells `(table_id, *cell)`), each table's sums and
    the identities between tables; with the number of those identities."""
    grid = Grid()
    meaning: dict[Cell, linked.Label] = {}
    splits: list[tuple[linked.Label, list[Cell]]] = []
    wheres = {t.id: dict(t.where) for t in spec.tables}
    for table in tables:
        one = (
            mean_grid(table)
            if table["kind"] == "mean_sd"
            else table_grid(table, _multiple(table, definition))
        )
        tid = table["id"]
        grid.values.update({(tid, *c): v for c, v in one.values.items()})
        grid.sums += [((tid, *t), [(tid, *p) for p in parts]) for t, parts in one.sums]
        population = _population(wheres.get(tid, {}), spec)
        for cell in one.fixed:  # a table of the deceased alone: their number is not public
            if cell[0] == "n" and population.get(cell[1], cell[1]) != "total":
                one.unpublished.add(cell)
            else:
                grid.fixed.add((tid, *cell))
        grid.unpublished |= {(tid, *c) for c in one.unpublished}
        for cell, label in linked.labels(table, population).items():
            meaning[(tid, *cell)] = label
        splits += _splits(table, population)
    return grid, linked.link(grid, meaning, splits)


def _population(where: dict[str, str], spec: ReportSpec) -> dict[str, str]:
    """A table limited to one breakdown answer (T09 to the deceased) counts that
    column's records in its `total` column."""
    answer = where.get(spec.breakdown_field)
    for column, value in spec.breakdown.items():
        if answer == value:
            return {"total": column}
    return {}


def _splits(table: dict[str, Any], population: dict[str, str]) -> list[Any]:
    """A cross table's rows of one inner answer, over its groups: they add up to the
    count of that answer in any other table."""
    if table["kind"] != "cross":
        return []
    inner = table["field"].split(" x ")[-1]
    named = [g for g in table.get("subtotals", {}) if g != "total"]
    found = []
    for c in table["columns"]:
        by_choice: dict[str, list[Cell]] = {}
        for i, row in enumerate(table["rows"]):
            group, _, choice = row["key"].rpartition("/")
            if group in named:
                by_choice.setdefault(choice, []).append((table["id"], "row", i, c))
        for choice, cells in by_choice.items():
            label = (population.get(c, c), frozenset({(inner, choice)}))
            found.append((label, cells))
    return found


def _stripped(table: dict[str, Any]) -> dict[str, Any]:
    table["comments"] = []
    for row in table["rows"]:
        row.pop("texts", None)
    return table


def safe_table(table: dict[str, Any], definition: FormDefinition) -> dict[str, Any]:
    """One table made safe on its own (the report goes through `safe_report`)."""
    _stripped(table)
    if table["kind"] == "mean_sd":
        _apply(table, suppress(mean_grid(table)))
        return table
    _apply(table, suppress(table_grid(table, _multiple(table, definition))))
    return table


def _apply(table: dict[str, Any], marks: dict[Cell, str]) -> None:
    if table["kind"] == "mean_sd":
        _hide_means(table, marks)
        return
    for cell, mark in marks.items():
        _put(table, cell, mark)
    _drop_percentages(table, marks)


def _multiple(table: dict[str, Any], definition: FormDefinition) -> bool:
    inner = table["field"].split(" x ")[-1]
    found = definition.fields.get(inner)
    return table["kind"] == "multiple" or (found is not None and found.type == "select_multiple")


def table_grid(table: dict[str, Any], multiple: bool) -> Grid:
    """The counts of a counting table and the sums between them."""
    grid = Grid()
    columns = table["columns"]
    rows = table["rows"]
    for c in columns:
        for i, row in enumerate(rows):
            grid.values[("row", i, c)] = row["counts"][c]
        grid.values[("den", c)] = table["denominator"][c]
        grid.values[("mis", c)] = table["missing"][c]
        grid.values[("n", c)] = table["denominator"][c] + table["missing"][c]
        for group, counts in table.get("subtotals", {}).items():
            grid.values[("sub", group, c)] = counts[c]
    # The column's number of records is not shown: the total one is public (the report's
    # n_records), the others are unknowns of the attack.
    grid.fixed.add(("n", "total"))
    grid.unpublished |= {("n", c) for c in columns if c != "total"}
    lines: list[tuple[Any, ...]] = [("row", i) for i in range(len(rows))]
    lines += [("den",), ("mis",), ("n",)]
    lines += [("sub", g) for g in table.get("subtotals", {})]
    if "total" in columns and len(columns) > 1:
        for line in lines:
            grid.add_sum((*line, "total"), [(*line, b) for b in BREAKDOWN])
    for c in columns:
        grid.add_sum(("n", c), [("den", c), ("mis", c)])
        _column_sums(grid, table, c, multiple)
    return grid


def _column_sums(grid: Grid, table: dict[str, Any], c: str, multiple: bool) -> None:
    rows = table["rows"]
    groups: dict[str, list[Cell]] = {}
    by_choice: dict[str, dict[str, Cell]] = {}
    for i, row in enumerate(rows):
        group, _, choice = row["key"].rpartition("/")
        groups.setdefault(group, []).append(("row", i, c))
        by_choice.setdefault(choice, {})[group] = ("row", i, c)
    subtotals = table.get("subtotals", {})
    if not multiple:
        if not subtotals:
            grid.add_sum(("den", c), [("row", i, c) for i in range(len(rows))])
        for group, cells in groups.items():
            grid.add_sum(("sub", group, c), cells)
    named = [g for g in subtotals if g != "total"]
    grid.add_sum(("den", c), [("sub", g, c) for g in named])
    if "total" in groups:  # T06: the total rows are the sum of the genders' rows
        for by_group in by_choice.values():
            if "total" in by_group:
                grid.add_sum(by_group["total"], [by_group[g] for g in named if g in by_group])


def _put(table: dict[str, Any], cell: Cell, mark: str) -> None:
    kind, *rest = cell
    if kind == "row":
        i, c = rest
        table["rows"][i]["counts"][c] = mark
        table["rows"][i]["percent"][c] = None
    elif kind == "sub":
        table["subtotals"][rest[0]][rest[1]] = mark
    elif kind in ("den", "mis"):
        table["denominator" if kind == "den" else "missing"][rest[0]] = mark


def _drop_percentages(table: dict[str, Any], marks: dict[Cell, str]) -> None:
    """A shown percentage of a shown count would give away a hidden denominator."""
    for (kind, *rest), _ in marks.items():
        if kind == "den":
            for row in table["rows"]:
                row["percent"][rest[0]] = None
        elif kind == "sub":
            group, c = rest
            for row in table["rows"]:
                if row["key"].rpartition("/")[0] == group:
                    row["percent"][c] = None


def mean_grid(table: dict[str, Any]) -> Grid:
    """T08/T09: the number of ages of each group, adding up to the total's."""
    grid = Grid()
    for i, row in enumerate(table["rows"]):
        grid.values[("row", i)] = row["n"]
    grid.values[("total",)] = table["total"]["n"]
    grid.add_sum(("total",), [("row", i) for i in range(len(table["rows"]))])
    # The records with the value, without it, and all of them (known, like every table's).
    for c in table["denominator"]:
        grid.values[("den", c)] = table["denominator"][c]
        grid.values[("mis", c)] = table["missing"][c]
        grid.values[("n", c)] = table["denominator"][c] + table["missing"][c]
        grid.fixed.add(("n", c))
        grid.add_sum(("n", c), [("den", c), ("mis", c)])
        grid.add_same(("total",), ("den", c))
    return grid


def _hide_means(table: dict[str, Any], marks: dict[Cell, str]) -> None:
    """A group of 1-4 hides its N, mean and deviation, and so do its complements."""
    for cell, mark in marks.items():
        if cell[0] in ("den", "mis"):
            table["denominator" if cell[0] == "den" else "missing"][cell[1]] = mark
            continue
        if cell[0] == "n":
            continue
        place = table["total"] if cell[0] == "total" else table["rows"][cell[1]]
        place.update({"n": mark, "mean": None, "sd": None})
    for key in ("denominator", "missing"):
        table[key] = {c: ("<5" if v in range(1, 5) else v) for c, v in table[key].items()}
    if table["total"]["n"] in ("<5", "x"):
        table["denominator"] = {c: "x" for c in table["denominator"]}
