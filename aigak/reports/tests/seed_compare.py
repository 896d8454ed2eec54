"""Compare a qantar2022 report with the published tables, cell by cell.

``differences(report, seed)`` lists every published cell (count, percent, total,
subtotal, mean/N/sd, facility names, appeal results) whose value the report does not
have, as ``(table, row, part, column, published, ours)``. Cells printed empty (null)
are not compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aigak.records.demo_ages import HERE as RECORDS_DIR

Cell = tuple[str, Any, str, str]  # table, row key (None for totals), part, column


def load_deviations() -> dict[Cell, dict[str, Any]]:
    raw = json.loads((RECORDS_DIR / "demo_deviations.json").read_text(encoding="utf-8"))
    return {(d["table"], d["row"], d["part"], d["column"]): d for d in raw["deviations"]}


def seed_path() -> Path:
    """The published tables (seed-tables.json), kept in the repository beside the tests."""
    return Path(__file__).resolve().parent / "data" / "seed-tables.json"


def _cells(table: dict[str, Any], ours: dict[str, Any]) -> list[tuple[Cell, Any, Any]]:
    tid = table["id"]
    out: list[tuple[Cell, Any, Any]] = []
    rows = {r["key"]: r for r in ours["rows"]}
    for row in table["rows"]:
        mine = rows.get(row["key"], {})
        if "mean" in row:
            for part in ("mean", "n", "sd"):
                out.append(((tid, row["key"], part, part), row[part], mine.get(part)))
            continue
        for part in ("counts", "percent"):
            for column, value in (row.get(part) or {}).items():
                out.append(((tid, row["key"], part, column), value, mine.get(part, {}).get(column)))
        if "facility_names" in row:
            out.append(
                (
                    (tid, row["key"], "facility_names", "total"),
                    sorted(row["facility_names"]),
                    sorted(mine.get("texts", [])),
                )
            )
    total = table.get("printed_total")
    if total and "mean" in total:
        for part in ("mean", "n", "sd"):
            out.append(
                ((tid, None, f"printed_total.{part}", part), total[part], ours["total"][part])
            )
    elif total:
        for column, value in total["counts"].items():
            out.append(
                ((tid, None, "printed_total.counts", column), value, ours["denominator"][column])
            )
        for column, value in (total.get("percent") or {}).items():
            denominator = ours["denominator"][column]
            out.append(
                (
                    (tid, None, "printed_total.percent", column),
                    value,
                    100.0 if denominator else None,
                )
            )
    for group, block in (table.get("printed_subtotals") or {}).items():
        for column, value in block["counts"].items():
            out.append(
                (
                    (tid, group, "printed_subtotals.counts", column),
                    value,
                    ours["subtotals"][group][column],
                )
            )
    for outcome in ("successful", "unsuccessful"):
        if outcome in table:
            texts = sorted(c["text"] for c in ours["comments"] if c.get("key") == outcome)
            out.append(((tid, None, outcome, "texts"), sorted(table[outcome]), texts))
    return out


def differences(report: dict[str, Any], seed: dict[str, Any]) -> list[tuple[Cell, Any, Any]]:
    """Every published, non-empty cell the report does not reproduce: (cell, published, ours)."""
    ours = {t["id"]: t for t in report["tables"]}
    found = []
    for table in seed["tables"]:
        for cell, published, value in _cells(table, ours[table["id"]]):
            if published is not None and published != value:
                found.append((cell, published, value))
    return found


def unexplained(report: dict[str, Any], seed: dict[str, Any]) -> list[str]:
    """Differences not listed as deviations, and listed deviations the report does not show."""
    deviations = load_deviations()
    problems = []
    for cell, published, value in differences(report, seed):
        listed = deviations.get(cell)
        if listed is None:
            problems.append(f"{cell}: published {published!r}, report {value!r} (not listed)")
        elif listed["demo"] != value:
            problems.append(f"{cell}: listed demo value {listed['demo']!r}, report {value!r}")
    ours = {t["id"]: t for t in report["tables"]}
    all_cells = {
        cell: value
        for table in seed["tables"]
        for cell, _, value in _cells(table, ours[table["id"]])
    }
    for cell, listed in deviations.items():
        if listed["published"] is not None and cell not in all_cells:
            problems.append(f"{cell}: listed as a deviation but not a published cell")
        elif cell in all_cells and all_cells[cell] != listed["demo"]:
            problems.append(
                f"{cell}: listed demo value {listed['demo']!r}, report {all_cells[cell]!r}"
            )
    return problems
