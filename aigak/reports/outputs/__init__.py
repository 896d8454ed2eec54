"""Outputs of a built report: JSON (the contract), HTML, XLSX and DOCX."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aigak.reports.build import BuiltReport

FORMATS = ("json", "html", "xlsx", "docx")
CONTENT_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def contract_json(built: BuiltReport) -> dict:
    """Only the contract's keys: the diagrams (extra tables) stay out of the JSON."""
    return {k: v for k, v in built.data.items() if k != "diagrams"}


def render(built: BuiltReport, fmt: str) -> bytes:
    if fmt == "json":
        try:  # a million records bring hundreds of thousands of comments: orjson is fast
            import orjson

            # the newline by orjson: adding it after would copy the whole text
            option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
            return orjson.dumps(contract_json(built), option=option)
        except ImportError:  # pragma: no cover - orjson is optional
            text = json.dumps(contract_json(built), ensure_ascii=False, indent=1)
            return (text + "\n").encode("utf-8")
    if fmt == "html":
        from aigak.reports.outputs.html import standalone_html

        return standalone_html(built).encode("utf-8")
    if fmt == "xlsx":
        from aigak.reports.outputs.xlsx import workbook_bytes

        return workbook_bytes(built)
    if fmt == "docx":
        from aigak.reports.outputs.docx import document_bytes

        return document_bytes(built)
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
