"""Diagrams of report tables as PNG (matplotlib, Agg): pies and bars as in the seed."""

from __future__ import annotations

import io
from typing import Any

from aigak.reports.outputs.numbers import number

PALETTE = ["#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f"]


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
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
    try:
        if chart["type"] == "pie":
            shown = sorted(zip(values, labels, strict=True), reverse=True)
            if len(shown) > 7:  # the rest as one slice, as the seed's diagrams do
                rest = sum(v for v, _ in shown[6:])
                shown = [*shown[:6], (rest, "…")]
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
            axes.set_yticks(list(positions), [lbl[:40] for lbl in labels], fontsize=7)
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
