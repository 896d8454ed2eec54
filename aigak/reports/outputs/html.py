"""HTML of a report: every table, the Centre's diagrams, numbers in the reader's language."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from aigak.reports.outputs.charts import chart_png
from aigak.reports.outputs.numbers import number

if TYPE_CHECKING:
    from aigak.reports.build import BuiltReport

HEADINGS = {
    "en": {"total": "Total", "missing": "Not indicated", "mean": "Average age", "n": "N",
           "sd": "Standard deviation", "count": "Number", "percent": "%"},
    "ru": {"total": "Всего", "missing": "Не указано", "mean": "Средний возраст", "n": "N",
           "sd": "Стандартное отклонение", "count": "Кол-во", "percent": "%"},
    "kk": {"total": "Барлығы", "missing": "Көрсетілмеген", "mean": "Орташа жас", "n": "N",
           "sd": "Стандартты ауытқу", "count": "Саны", "percent": "%"},
}  # fmt: skip


def words(lang: str) -> dict[str, str]:
    return HEADINGS.get(lang, HEADINGS["en"])


def table_view(built: BuiltReport, t: dict[str, Any], charts: bool = True) -> dict[str, Any]:
    """Header, formatted rows and totals of one table, the same for HTML, XLSX and DOCX."""
    lang, w = built.lang, words(built.lang)
    spec = built.spec.table(t["id"])
    view: dict[str, Any] = {"id": t["id"], "title": t["title"], "chart": None, "foot": []}
    if t["kind"] == "mean_sd":
        view["header"] = [w["mean"], w["n"], w["sd"]]
        view["raw"] = [[r["label"], r["mean"], r["n"], r["sd"]] for r in t["rows"]]
        total = t["total"]
        view["raw_foot"] = [[w["total"], total["mean"], total["n"], total["sd"]]]
    else:
        labels = [
            w["total"] if c == "total" and c not in built.spec.column_labels
            else built.spec.column_label(c, lang)
            for c in t["columns"]
        ]  # fmt: skip
        view["header"] = [*labels, *(f"{label}, %" for label in labels)]
        view["raw"] = [
            [r["label"], *(r["counts"][c] for c in t["columns"]),
             *(r["percent"][c] for c in t["columns"])]
            for r in t["rows"]
        ]  # fmt: skip
        denominator = t["denominator"]
        view["raw_foot"] = [
            [w["total"], *(denominator[c] for c in t["columns"]),
             *(100.0 if denominator[c] else None for c in t["columns"])],
            [w["missing"], *(t["missing"][c] for c in t["columns"]), *([None] * len(labels))],
        ]  # fmt: skip
    view["body"] = [
        {"label": row[0], "cells": [number(v, lang) for v in row[1:]], "texts": texts}
        for row, texts in zip(view["raw"], _texts(t), strict=True)
    ]
    view["foot"] = [
        {"label": row[0], "cells": [number(v, lang) for v in row[1:]]} for row in view["raw_foot"]
    ]
    view["comments"] = t.get("comments", [])
    if charts and spec.chart:
        png = chart_png(t, spec.chart, lang)
        view["png"] = png
        view["chart"] = base64.b64encode(png).decode("ascii") if png else None
    return view


def _texts(t: dict[str, Any]) -> list[list[str]]:
    return [r.get("texts", []) for r in t["rows"]]


NUMBERS_ID = "numbers"


def all_tables(
    built: BuiltReport, charts: bool = True, numbers: bool = True
) -> list[dict[str, Any]]:
    """The views of the diagrams and tables, then (numbers=True) that of the report's
    summarised number questions when it has them (a summary report's `numbers`)."""
    tables = [*built.data.get("diagrams", []), *built.data["tables"]]
    views = [table_view(built, t, charts) for t in tables]
    if numbers and built.data.get("numbers"):
        views.append(numbers_view(built))
    return views


def numbers_view(built: BuiltReport) -> dict[str, Any]:
    """n, mean, median, minimum and maximum of each number question, as a table view."""
    lang = built.lang
    with translation.override(lang):
        title = gettext("Numbers")
        header = ["n", gettext("mean"), gettext("median"), gettext("minimum"), gettext("maximum")]
    raw = [
        [r["label"], r["n"], r.get("mean"), _whole(r.get("median")), _whole(r.get("min")),
         _whole(r.get("max"))]
        for r in built.data["numbers"]
    ]  # fmt: skip
    return {
        "id": NUMBERS_ID,
        "title": title,
        "chart": None,
        "header": header,
        "raw": raw,
        "raw_foot": [],
        "body": [
            {"label": row[0], "cells": [number(v, lang) for v in row[1:]], "texts": []}
            for row in raw
        ],
        "foot": [],
        "comments": [],
    }


def heading(view: dict[str, Any]) -> str:
    """A table's heading in the files: its id and title (the numbers: the title alone)."""
    return view["title"] if view["id"] == NUMBERS_ID else f"{view['id']}. {view['title']}"


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def context(built: BuiltReport) -> dict[str, Any]:
    return {
        "title": built.spec.title_in(built.lang),
        "lang": built.lang,
        "report": built.data,
        "scope": built.scope,
        "tables": all_tables(built),
    }


def standalone_html(built: BuiltReport) -> str:
    with translation.override(built.lang):
        return render_to_string("reports/standalone.html", context(built))
