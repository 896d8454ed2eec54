"""XLSX of a report: a summary sheet, then one sheet per table, numbers as numbers.

No cell is a formula: text that looks like one (a comment '=HYPERLINK(...)') is kept as text.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from aigak.lib.spreadsheet import keep_text
from aigak.reports.outputs.charts import chart_kind
from aigak.reports.outputs.html import all_tables, heading

if TYPE_CHECKING:
    from aigak.reports.build import BuiltReport

BOLD = Font(bold=True)


def workbook_bytes(built: BuiltReport) -> bytes:
    with translation.override(built.lang):
        return _workbook_bytes(built)


def _workbook_bytes(built: BuiltReport) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _("Report")
    summary.append([built.spec.title_in(built.lang)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Records"), built.data["n_records"]])
    summary.append([_("Scope"), built.scope or _("all records")])
    for key, value in built.data["filters"].items():
        summary.append([_("Filter"), key, value if isinstance(value, str) else ", ".join(value)])
    tables = {t["id"]: t for t in [*built.data["tables"], *built.data.get("diagrams", [])]}
    summary.column_dimensions["A"].width = 14
    for view in all_tables(built, charts=False):
        sheet = book.create_sheet(view["id"])
        sheet.append([heading(view)])
        sheet["A1"].font = BOLD
        sheet.append([built.scope or _("all records")])
        sheet.append(["", *view["header"]])
        for cell in sheet[3]:
            cell.font = BOLD
        for row in view["raw"]:
            sheet.append([row[0], *row[1:]])
        for row in view["raw_foot"]:
            sheet.append([row[0], *row[1:]])
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
        for row in sheet.iter_rows(min_row=4, min_col=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
        spec = built.spec.table(view["id"]) if view["id"] in tables else None
        if spec is not None and spec.chart and len(view["raw"]):
            _add_chart(sheet, view, tables[view["id"]], spec.chart)
        if view["comments"]:
            sheet.append([])
            sheet.append([_("Comments"), _("column"), _("record")])
            for c in view["comments"]:
                sheet.append([c["text"], c["column"], c.get("record_id")])
        sheet.column_dimensions["A"].width = 48
    for sheet in book.worksheets:  # free text (labels, comments, filters) never runs
        for row in sheet.iter_rows():
            keep_text(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _add_chart(sheet: Worksheet, view: dict, table: dict, chart: dict[str, str]) -> None:
    """A native chart (Excel, LibreOffice draw it) of the percentages of the chart's column,
    to the right of the table: a pie only where it stays legible, else bars."""
    column = chart.get("column", "total")
    columns = table.get("columns", [])
    if column not in columns:
        return
    first, last = 4, 3 + len(view["raw"])
    percent_col = 2 + len(columns) + columns.index(column)  # label, counts, then percents
    data = Reference(sheet, min_col=percent_col, min_row=3, max_row=last)
    labels = Reference(sheet, min_col=1, min_row=first, max_row=last)
    drawn: BarChart | PieChart
    if chart_kind(table, chart) == "pie":
        drawn = PieChart()
    else:
        drawn = BarChart()
        drawn.type = "bar"  # horizontal: long labels stay readable
        drawn.y_axis.title = "%"
        drawn.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
        drawn.legend = None
        drawn.x_axis.delete = False  # shown: openpyxl hides axes unless told
        drawn.y_axis.delete = False
        drawn.height = max(7.5, 0.6 * len(view["raw"]) + 2)
    drawn.add_data(data, titles_from_data=True)
    drawn.set_categories(labels)
    drawn.title = f"{view['id']}. {view['title']}"[:250]
    drawn.dataLabels = DataLabelList()
    drawn.dataLabels.showVal = True
    drawn.width = 18
    sheet.add_chart(drawn, f"{get_column_letter(percent_col + 2)}3")
