"""DOCX of a report: titled tables and charts as images, ready to paste into a report."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from docx import Document
from docx.shared import Cm, Pt

from aigak.reports.outputs.html import all_tables, heading

if TYPE_CHECKING:
    from aigak.reports.build import BuiltReport

MAX_COMMENTS = 200


def document_bytes(built: BuiltReport) -> bytes:
    document = Document()
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(built.spec.title_in(built.lang), level=0)
    document.add_paragraph(
        f"{built.data['n_records']} records. Scope: {built.scope or 'all records'}."
    )
    for view in all_tables(built):
        document.add_heading(heading(view), level=2)
        if view.get("png"):
            document.add_picture(io.BytesIO(view["png"]), width=Cm(14))
        table = document.add_table(rows=1, cols=len(view["header"]) + 1)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["", *view["header"]], strict=True):
            cell.text = text
        for row in [*view["body"], *view["foot"]]:
            cells = table.add_row().cells
            cells[0].text = str(row["label"])
            for cell, text in zip(cells[1:], row["cells"], strict=True):
                cell.text = text
        if view["comments"]:
            document.add_paragraph("Comments:")
            for c in view["comments"][:MAX_COMMENTS]:
                document.add_paragraph(f"{c['text']} ({c['column']})", style="List Bullet")
            if len(view["comments"]) > MAX_COMMENTS:
                document.add_paragraph(f"... and {len(view['comments']) - MAX_COMMENTS} more")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
