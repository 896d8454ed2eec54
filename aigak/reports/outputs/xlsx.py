"""XLSX of a report: a summary sheet, then one sheet per table, numbers as numbers.

No cell is a formula: text that looks like one (a comment '=HYPERLINK(...)') is kept as text.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from aigak.lib.spreadsheet import keep_text
from aigak.reports.outputs.html import all_tables

if TYPE_CHECKING:
    from aigak.reports.build import BuiltReport

BOLD = Font(bold=True)


def workbook_bytes(built: BuiltReport) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "Report"
    summary.append([built.spec.title_in(built.lang)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["Records", built.data["n_records"]])
    summary.append(["Scope", built.scope or "all records"])
    for key, value in built.data["filters"].items():
        summary.append(["Filter", key, value if isinstance(value, str) else ", ".join(value)])
    summary.column_dimensions["A"].width = 14
    for view in all_tables(built, charts=False):
        sheet = book.create_sheet(view["id"])
        sheet.append([f"{view['id']}. {view['title']}"])
        sheet["A1"].font = BOLD
        sheet.append([built.scope or "all records"])
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
        if view["comments"]:
            sheet.append([])
            sheet.append(["Comments", "column", "record"])
            for c in view["comments"]:
                sheet.append([c["text"], c["column"], c.get("record_id")])
        sheet.column_dimensions["A"].width = 48
    for sheet in book.worksheets:  # free text (labels, comments, filters) never runs
        for row in sheet.iter_rows():
            keep_text(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
