"""Diagrams of report tables as PNG (matplotlib, Agg): pies and bars as in the seed."""

from __future__ import annotations

import io
from typing import Any

from aigak.reports.outputs.numbers import number

PALETTE = ["#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f"]
# A pie stays legible with a few slices none of them thin: past these, its labels overlap
# (D01 of qantar2022 had seven) and bars say the same thing readably.
PIE_MOST_SLICES = 4
PIE_THINNEST = 8.0  # percent
PIE_LONGEST_LABEL = 28  # characters


def chart_kind(table: dict[str, Any], chart: dict[str, str]) -> str:
    """ "pie" when the spec asks for one and it would be legible, else "bar"."""
    if chart.get("type") != "pie":
        return "bar"
    column = chart.get("column", "total")
    rows = [r for r in table.get("rows", []) if r.get("counts", {}).get(column)]
    values = [r["percent"][column] or 0.0 for r in rows]
    crowded = (
        not rows
        or len(rows) > PIE_MOST_SLICES
        or any(v < PIE_THINNEST for v in values)
        or any(len(str(r["label"])) > PIE_LONGEST_LABEL for r in rows)
    )
    return "bar" if crowded else "pie"


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, imported on the first chart (half a second
    that the server's start and the report command need not spend)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def chart_png(table: dict[str, Any], chart: dict[str, str], lang: str = "en") -> bytes | None:
    """A pie or bar chart of one column's percentages; None when there is nothing to draw."""
    column = chart.get("column", "total")
    rows = [r for r in table.get("rows", []) if r.get("counts", {}).get(column)]
    if not rows:
        return None
    labels = [r["label"] for r in rows]
    values = [r["percent"][column] or 0.0 for r in rows]
    plt = _pyplot()
    pie = chart_kind(table, chart) == "pie"
    height = 4.2 if pie else max(2.2, 0.8 + 0.32 * len(rows))
    figure, axes = plt.subplots(figsize=(7, height), dpi=110)
    try:
        if pie:
            shown = sorted(zip(values, labels, strict=True), reverse=True)
            axes.pie(
                [v for v, _ in shown],
                labels=[f"{lbl} ({number(round(v, 1), lang)}%)" for v, lbl in shown],
                colors=PALETTE,
                startangle=90,
                counterclock=False,
                textprops={"fontsize": 8},
            )
            axes.axis("equal")
        else:
            positions = range(len(values))
            axes.barh(list(positions), values, color=PALETTE[0])
            axes.set_yticks(list(positions), [_short(lbl) for lbl in labels], fontsize=8)
            axes.invert_yaxis()
            axes.set_xlabel("%")
            for y, v in zip(positions, values, strict=True):
                axes.text(v, y, " " + number(v, lang), va="center", fontsize=7)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _short(label: str, most: int = 45) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"
