"""Reading records from XLSX workbooks, as Excel, LibreOffice and KoBoToolbox write them.

Cells are read with openpyxl in read-only mode (values as saved). Two things a
workbook can hold would be read wrongly, so they are refused with the cell: merged
cells (only the first cell of a merged range keeps its value) and formulas with no
saved value (written by a program that does not calculate; they would read as empty).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from django.utils.translation import gettext_noop

from aigak.questionnaires.definition import PARENT
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.readers import Rows, check_cells, layout, row_dict
from aigak.records.tabular import TableError, column_field, library_reason

# A formula (`<f>`) or a merged range (`<mergeCell`) anywhere in a sheet's XML; text in
# cells cannot look like this (XML escapes its `<`).
_MARKS = re.compile(rb"<(?:\w+:)?(?:f[\s>/]|mergeCell[\s>/])")


def xlsx_cell(value: Any) -> Any:
    """A typed spreadsheet cell as import wants it: whole numbers as int, dates as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _pick_sheet(book: Any, definition: FormDefinition) -> Any:
    wanted = [definition.form_id, definition.title[:31], "data", "survey"]
    lower = {name.lower(): name for name in book.sheetnames}
    for name in wanted:
        if name and name.lower() in lower:
            return book[lower[name.lower()]]
    return book[book.sheetnames[0]]


def read_xlsx(path: Path, definition: FormDefinition) -> Rows:
    import zipfile

    import openpyxl

    source = str(path)
    # Opened here, not by name: openpyxl refuses a name that does not end in .xlsx, as an
    # upload's staged copy does not.
    with open(path, "rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            reason = library_reason(str(exc))
            raise TableError(
                source, gettext_noop("not a readable XLSX workbook (%(reason)s)"), reason=reason
            ) from None
        try:
            yield from _book_rows(source, book, definition)
        finally:
            book.close()


def _book_rows(source: str, book: Any, definition: FormDefinition) -> Rows:
    sheet = _pick_sheet(book, definition)
    with on_sheet(sheet.title):
        check_sheet(source, book, sheet)
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    if header is None:
        raise TableError(source, gettext_noop("sheet %(sheet)s is empty"), sheet=repr(sheet.title))
    with on_sheet(sheet.title):
        plan = layout(source, list(header), definition)
    sheets = _repeat_sheets(source, book, definition, sheet.title)
    index = _position(header, "_index") if sheets else None
    parents = definition.repeat_parents()
    with on_sheet(sheet.title):
        for number, values in enumerate(rows, start=2):
            row = row_dict(plan, number, values, xlsx_cell)
            if index is not None and index < len(values):
                _attach(row, sheets, parents, "", [xlsx_cell(values[index])])
            if row:
                check_cells(source, number, row, plan)
                yield number, row


@contextmanager
def on_sheet(title: str) -> Iterator[None]:
    """A `TableError` raised inside names the sheet it happened on."""
    try:
        yield
    except TableError as exc:
        exc.on_sheet(title)
        raise


def check_sheet(source: str, book: Any, sheet: Any) -> None:
    """Refuse merged cells and formulas without a saved value, naming the cells."""
    archive = getattr(book, "_archive", None)
    member = getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:
        return
    if not _has_marks(archive, member):
        return  # the usual case: one pass over the bytes, no XML parsing
    merged: list[str] = []
    unsaved: list[str] = []
    with archive.open(member) as handle:
        for _, element in iterparse(handle, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                merged.append(element.get("ref", "?"))
            elif tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "")):
                    unsaved.append(element.get("r", "?"))
                element.clear()
    if merged:
        raise TableError(
            source,
            gettext_noop(
                "merged cells %(cells)s: a merged range keeps its value in its first cell "
                "only; unmerge them and fill every cell"
            ),
            row=_row_of(merged[0]),
            cells=", ".join(merged[:10]),
        )
    if unsaved:
        raise TableError(
            source,
            gettext_noop(
                "cell %(cells)s holds a formula with no saved value (the program that wrote "
                "the file did not calculate it); open and save the file in a spreadsheet "
                "program, or paste the values"
            ),
            row=_row_of(unsaved[0]),
            cells=", ".join(unsaved[:10]),
        )


def _has_marks(archive: Any, member: str) -> bool:
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            if _MARKS.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _row_of(ref: str) -> int | None:
    digits = re.search(r"\d+", ref)
    return int(digits.group()) if digits else None


def _position(header: tuple[Any, ...], name: str) -> int | None:
    cells = [str(h).strip() if h is not None else "" for h in header]
    return cells.index(name) if name in cells else None


def _repeat_sheets(
    source: str, book: Any, definition: FormDefinition, main: str
) -> dict[str, dict[Any, list[tuple[Any, dict[str, Any]]]]]:
    """Repeats on sheets of their own, as KoBoToolbox exports them to XLSX.

    Each such sheet is named after the repeat and ties its rows to the main sheet's
    `_index` column through `_parent_index` (a repeat inside a repeat: to the outer
    repeat's sheet). Returns repeat -> parent index -> (own `_index`, entry).
    """
    found: dict[str, dict[Any, list[tuple[Any, dict[str, Any]]]]] = {}
    titles = {name.lower(): name for name in book.sheetnames}
    for repeat in definition.repeats():
        title = titles.get(repeat.lower()[:31])
        if title is None or title == main:
            continue
        with on_sheet(title):
            entries = _repeat_entries(source, book, book[title], definition, repeat)
        if entries is not None:
            found[repeat] = entries
    return found


def _repeat_entries(
    source: str, book: Any, sheet: Any, definition: FormDefinition, repeat: str
) -> dict[Any, list[tuple[Any, dict[str, Any]]]] | None:
    """The entries of a repeat's sheet by the `_index` of the row they belong to; None
    when the sheet has no `_parent_index` column."""
    check_sheet(source, book, sheet)
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    parent = _position(header, "_parent_index")
    if parent is None:
        return None
    own = _position(header, "_index")
    keep = _repeat_columns(source, header, {f.name for f in definition.repeat_fields(repeat)}, repeat)  # fmt: skip
    entries: dict[Any, list[tuple[Any, dict[str, Any]]]] = {}
    for number, values in enumerate(rows, start=2):
        item = {
            name: xlsx_cell(values[i])
            for i, name in keep
            if i < len(values) and values[i] not in (None, "")
        }
        check_cells(source, number, item)
        key = xlsx_cell(values[own]) if own is not None and own < len(values) else None
        if parent < len(values):
            entries.setdefault(xlsx_cell(values[parent]), []).append((key, item))
    return entries


def _attach(
    row: dict[str, Any],
    sheets: dict[str, dict[Any, list[tuple[Any, dict[str, Any]]]]],
    parents: dict[str, str],
    outer: str,
    keys: list[Any],
) -> None:
    """The entries of the repeats directly inside `outer` ("" for the main sheet), whose
    rows have the `_index` values `keys`, into the row; an inner repeat's sheet points to
    the outer repeat's sheet, and its entries name their outer entry's place (`PARENT`)."""
    for repeat, by_parent in sheets.items():
        if parents.get(repeat, "") != outer or repeat in row:
            continue
        items: list[dict[str, Any]] = []
        own: list[Any] = []
        for position, key in enumerate(keys, start=1):
            for index, item in by_parent.get(key, []) if key is not None else []:
                items.append({PARENT: position, **item} if outer else dict(item))
                own.append(index)
        if items:
            row[repeat] = items
            _attach(row, sheets, parents, repeat, own)


def _repeat_columns(
    source: str, header: tuple[Any, ...], names: set[str], repeat: str
) -> list[tuple[int, str]]:
    keep: list[tuple[int, str]] = []
    for position, raw in enumerate(header):
        column = "" if raw is None else str(raw).strip()
        if not column:
            continue
        try:
            name = column_field(column, names)
        except KeyError:
            raise TableError(
                source,
                gettext_noop("not a field of the repeat %(repeat)s"),
                row=1,
                column=column,
                repeat=repr(repeat),
            ) from None
        if name is not None:
            keep.append((position, name))
    return keep
