"""Text that a spreadsheet would run as a formula, made inert in downloads.

Excel, LibreOffice Calc and Google Sheets take a CSV cell that begins with `=`, `+`, `-`
or `@` (or with a tab or carriage return, which they skip before one of those) for a
formula, and a formula can fetch from the network or start programs
("=HYPERLINK(...)", "=cmd|..."). A victim list comes from outside and its cells end up
in the files the pages offer for download, so every CSV meant to be opened in a
spreadsheet goes through `inert_cell` (or `inert_frame`, `inert_row`): such a cell gets
a leading apostrophe, which spreadsheets read as "text follows" and which a person can
see. A plain number ("-3", "+7.5") is no formula and is left alone.

In XLSX the same test (`looks_like_formula`) marks a cell as text, which keeps it text
without changing it (`aigak.records.tabular.write_xlsx`, `keep_text` for the reports). The CSV of `aigak export` is
the exception: it is the file `aigak import` reads back unchanged (a lossless round
trip), not a download; to open records in a spreadsheet, export XLSX.

>>> inert_cell("=HYPERLINK(\\"http://x\\",\\"y\\")"), inert_cell("-3"), inert_cell("Ahmetov")
('\\'=HYPERLINK("http://x","y")', '-3', 'Ahmetov')
>>> inert_cell("@SUM(A1)"), inert_cell("\\t=1+1"), inert_cell("+7 701 555 0101")
("'@SUM(A1)", "'\\t=1+1", "'+7 701 555 0101")
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would read `value` as a formula."""
    return value.startswith(FORMULA_STARTS) and _NUMBER.fullmatch(value) is None


def inert_cell(value: Any) -> Any:
    """`value` with an apostrophe in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def keep_text(cells: Iterable[Any]) -> None:
    """In XLSX (openpyxl cells): text that looks like a formula is stored as text,
    unchanged, so it is shown and never run."""
    for cell in cells:
        if isinstance(cell.value, str) and looks_like_formula(cell.value):
            cell.data_type = "s"


def inert_row(values: Iterable[Any]) -> list[Any]:
    return [inert_cell(value) for value in values]


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with its text cells and its column names made inert."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.rename(columns=inert_cell)
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if is_object_dtype(column.dtype) or is_string_dtype(column.dtype):
            out.isetitem(position, column.map(inert_cell))
    return out
