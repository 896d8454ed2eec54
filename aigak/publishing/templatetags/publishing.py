"""Cells and bar charts of the public statistics (SVG drawn here: no inline style, no
script, so the page keeps the strict Content-Security-Policy)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

BAR_WIDTH = 300
BAR_HEIGHT = 18


@register.simple_tag
def cell(values: dict[str, Any], column: str) -> str:
    value = values.get(column)
    return "" if value is None else str(value)


@register.simple_tag
def column_label(column: str) -> str:
    return {"deceased": _("Deceased"), "survivors": _("Survivors"), "total": _("Total")}.get(
        column, column
    )


@register.simple_tag
def bar_chart(table: dict[str, Any]) -> str:
    """Horizontal bars of the total column; a hidden count draws no bar."""
    shown = [
        (r["label"], r["counts"]["total"])
        for r in table["rows"]
        if isinstance(r["counts"].get("total"), int) and r["counts"]["total"] > 0
    ]
    if not shown:
        return ""
    top = max(count for _, count in shown)
    rows = format_html_join(
        "",
        '<g transform="translate(0,{})"><rect width="{}" height="{}" class="bar"></rect>'
        '<text x="{}" y="13">{}: {}</text></g>',
        (
            (i * (BAR_HEIGHT + 4), round(BAR_WIDTH * count / top), BAR_HEIGHT, 4, label, count)
            for i, (label, count) in enumerate(shown)
        ),
    )
    height = len(shown) * (BAR_HEIGHT + 4)
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet">{}</svg>',
        _("Chart of the total column"),
        BAR_WIDTH + 300,
        height,
        rows,
    )
