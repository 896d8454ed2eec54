"""Records as tables: CSV, XLSX and JSON (with KoBoToolbox and ODK exports) in and out.

Pure functions over files and a form definition; `aigak import` and `aigak export` call
them. Export writes exactly the shape import reads, so a round trip loses nothing:

- One row per record. Columns: `record_id`, then the form's answer fields in form order.
- `select_multiple`: choice names separated by single spaces (the XLSForm/ODK habit).
- `integer`: digits; `decimal`: the shortest text that reads back as the same number.
- Dates: `YYYY-MM-DD` text, in XLSX too (a text cell cannot be shifted by a time zone or
  the 1900/1904 date system; import accepts real date cells as well).
- A repeat is one column holding a JSON list of objects in CSV and XLSX, and a list of
  objects in JSON. A repeat inside a repeat has a column of its own; each of its
  entries names the entry of the enclosing repeat it belongs to as `"_parent"`, that
  entry's position in its list (from 1).
- Empty answers are empty cells (left out in JSON).

Import also accepts what KoBoToolbox and ODK write: group paths (`victim/gender`, or
`victim-gender` from ODK Central), their metadata columns (`_id`, `_uuid`,
`_submission_time`, `meta/instanceID`, `formhub/uuid`, `__version__`, ...), KoBo's
JSON with the entries of an inner repeat nested in those of the outer one, KoBo's
one-column-per-choice expansion of select_multiple (`essence/beaten`, read when
`essence` itself is absent), KoBo's XLSX
export with each repeat on a sheet of its own (`_index` / `_parent_index`), the API's
`{"count": ..., "results": [...]}` envelope and ODK Central's nested groups.

>>> column_field("victim/gender", {"gender"})
'gender'
>>> column_field("_submission_time", {"gender"}) is None
True
>>> text_cell("select_multiple", ["gunshot", "beaten"])
'gunshot beaten'
>>> text_cell("integer", 34), text_cell("decimal", 0.1), text_cell("date", "2022-01-05")
('34', '0.1', '2022-01-05')
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext_noop

from aigak.lib.spreadsheet import looks_like_formula
from aigak.questionnaires.answer_types import said, words
from aigak.questionnaires.definition import PARENT, FormDefinition, Section

FORMATS = ("csv", "xlsx", "json")
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json"}
ID_COLUMN = "record_id"

# Columns KoBoToolbox and ODK add to their exports; ignored unless the form has the field.
METADATA_NAMES = {
    "__version__", "instanceID", "instanceName", "deprecatedID", "start", "end", "today",
    "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit",
    "SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
    "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
}  # fmt: skip
METADATA_GROUPS = {"meta", "formhub"}


class TableError(ValueError):
    """A file that cannot be read as records; says where (file, sheet, row, column) and
    why, in the active language. Its English template and values are kept (`stored`), so
    a page says it again in its reader's language (`table_error_in_words`)."""

    def __init__(
        self, source: str, template: str, *, row: int | None = None, column: str = "", **params: Any
    ):
        self.source, self.row, self.column, self.sheet = source, row, column, ""
        self.template, self.params = template, params
        super().__init__(self.in_words())

    def stored(self) -> dict[str, Any]:
        """What a run keeps of it: plain data, for `table_error_in_words`."""
        where = {"source": self.source, "sheet": self.sheet, "row": self.row}
        return {**where, "column": self.column, "template": self.template, "params": self.params}

    def in_words(self, *, english: bool = False) -> str:
        return table_error_in_words(self.stored(), english=english)

    def on_sheet(self, sheet: str) -> None:
        """It happened on this sheet of a workbook (unless it names one already)."""
        if not self.sheet:
            self.sheet = sheet
            self.args = (self.in_words(),)


def table_error_in_words(
    stored: dict[str, Any], *, source: str | None = None, english: bool = False
) -> str:
    """A stored `TableError` in the active language (or English), naming the file
    `source` if given (a page names the uploaded file, not where it was kept).

    >>> table_error_in_words({"source": "a.csv", "row": 3, "column": "age",
    ...     "template": "has %(cells)s cells", "params": {"cells": 2}})
    "a.csv: row 3, column 'age': has 2 cells"
    """
    name = stored["source"] if source is None else source
    if stored.get("sheet"):
        sheet = {"file": name, "sheet": repr(stored["sheet"])}
        name = words(gettext_noop("%(file)s (sheet %(sheet)s)"), sheet, english=english)
    place = []
    if stored.get("row") is not None:
        place.append(words(gettext_noop("row %(row)s"), {"row": stored["row"]}, english=english))
    if stored.get("column"):
        column = {"column": repr(stored["column"])}
        place.append(words(gettext_noop("column %(column)s"), column, english=english))
    reason = words(stored["template"], stored.get("params"), english=english)
    return f"{name}: {', '.join(place)}: {reason}" if place else f"{name}: {reason}"


# The reasons the libraries that read files give most often (UTF-8 and JSON decoding, ZIP
# archives), said again in the reader's language; any other stays as the library said it.
LIBRARY_REASONS = frozenset((
    gettext_noop("invalid start byte"),
    gettext_noop("invalid continuation byte"),
    gettext_noop("unexpected end of data"),
    gettext_noop("Expecting value"),
    gettext_noop("Extra data"),
    gettext_noop("Unterminated string starting at"),
    gettext_noop("Expecting ',' delimiter"),
    gettext_noop("Expecting ':' delimiter"),
    gettext_noop("Expecting property name enclosed in double quotes"),
    gettext_noop("Invalid control character at"),
    gettext_noop("File is not a zip file"),
))  # fmt: skip


def library_reason(text: str) -> str | dict[str, Any]:
    """A library's reason as a value of a `TableError`: one of ours if we know it."""
    return said(text) if text in LIBRARY_REASONS else text


def file_format(path: str | Path, given: str | None = None) -> str:
    """csv, xlsx or json: as given, or from the file name."""
    if given:
        if given not in FORMATS:
            raise ValueError(f"unknown format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise ValueError(f"{path}: old .xls workbooks are not read; save it as .xlsx")
    if suffix not in EXTENSIONS:
        raise ValueError(f"{path}: cannot tell the format from the name; use .csv, .xlsx or .json")
    return EXTENSIONS[suffix]


# --- columns ----------------------------------------------------------------------


def _is_metadata(column: str) -> bool:
    parts = column.split("/")
    return (
        column.startswith("_")
        or parts[-1].startswith("_")
        or parts[0] in METADATA_GROUPS
        or parts[-1] in METADATA_NAMES
    )


def column_field(
    column: str, names: set[str], multiples: dict[str, set[str]] | None = None
) -> str | None:
    """The field a column holds; None for export metadata; raises KeyError if unknown.

    `names` are the form's field and repeat names; `multiples` maps select_multiple fields
    to their choices, to recognise KoBo's one-column-per-choice expansion.
    """
    column = column.strip()
    if column in names:
        return column
    parts = column.split("/")
    if parts[-1] in names:
        return parts[-1]
    if len(parts) > 1 and multiples and parts[-1] in multiples.get(parts[-2], set()):
        return None  # `essence/beaten`: KoBo repeats the choice as 0/1; `essence` has it all
    dashed = column.split("-")
    if len(dashed) > 1 and dashed[-1] in names:
        return dashed[-1]  # ODK Central CSV writes group paths with dashes
    if _is_metadata(column):
        return None
    raise KeyError(column)


def form_names(definition: FormDefinition) -> tuple[set[str], dict[str, set[str]]]:
    names = {f.name for f in definition.fields.values() if not f.repeat}
    names |= set(definition.repeats()) | {ID_COLUMN}
    multiples = {
        f.name: set(f.choice_names())
        for f in definition.fields.values()
        if f.type == "select_multiple"
    }
    return names, multiples


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # a field type, or "repeat"


def export_columns(definition: FormDefinition) -> list[Column]:
    """record_id, then every answer field and repeat in the order the form shows them."""
    columns = [Column(ID_COLUMN, "text")]

    def walk(section: Section) -> None:
        for child in section.children:
            if isinstance(child, Section):
                if child.kind == "repeat":
                    columns.append(Column(child.name, "repeat"))
                    inner = Section(name=child.name, kind="group", children=[
                        c for c in child.children if isinstance(c, Section)
                    ])  # fmt: skip
                    walk(inner)  # a repeat inside it has a column of its own
                else:
                    walk(child)
                continue
            f = definition.fields[child]
            if f.stores_answer and not f.repeat and f.name != ID_COLUMN:
                columns.append(Column(f.name, f.type))

    walk(definition.root)
    return columns


# --- reading ------------------------------------------------------------------------

Notice = Callable[[str], None]


def read_rows(
    path: str | Path,
    definition: FormDefinition,
    *,
    fmt: str | None = None,
    notice: Notice | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, raw answers keyed by field name) for every non-empty row of a file.

    Row numbers are those a person sees: the spreadsheet row (the header is row 1), or
    the position of the object in a JSON list (from 1). Raises TableError for a file that
    is not a table of this form (unknown column, bad encoding, broken JSON), or that
    cannot be read faithfully (see `aigak.records.readers` and `xlsx_reader`).
    """
    from aigak.records import readers

    path = Path(path)
    kind = file_format(path, fmt)
    if kind == "csv":
        return readers.read_csv(path, definition, notice)
    if kind == "xlsx":
        from aigak.records.xlsx_reader import read_xlsx

        return read_xlsx(path, definition)
    return readers.read_json(path, definition)


# --- writing ------------------------------------------------------------------------


def text_cell(kind: str, value: Any) -> str:
    """One answer as CSV text; '' for no answer."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        if kind == "repeat":
            return json.dumps(value, ensure_ascii=False)
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if kind == "integer" and value.is_integer() else repr(value)
    return str(value)


def _json_value(kind: str, value: Any) -> Any:
    if isinstance(value, list) and kind != "repeat":
        return " ".join(str(v) for v in value)
    return value


def _repeat_value(definition: FormDefinition, repeat: str, items: Any) -> Any:
    """Repeat entries with keys in form order and values in export shape."""
    if not isinstance(items, list):
        return items
    fields = definition.repeat_fields(repeat)
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        entry = {PARENT: item[PARENT]} if PARENT in item else {}
        entry.update({f.name: _json_value(f.type, item[f.name]) for f in fields if f.name in item})
        out.append(entry)
    return out


def _values(
    definition: FormDefinition, columns: list[Column], record_id: str, answers: dict[str, Any]
) -> list[Any]:
    values: list[Any] = []
    for column in columns:
        value = record_id if column.name == ID_COLUMN else answers.get(column.name)
        if column.kind == "repeat":
            value = _repeat_value(definition, column.name, value)
        values.append(value)
    return values


Records = Iterable[tuple[str, dict[str, Any]]]


def write_csv(handle: IO[str], definition: FormDefinition, records: Records) -> int:
    """Write records as CSV (comma, double quotes where needed, CRLF); returns the count.

    Cells are written as they are, also those a spreadsheet would take for formulas: this
    file is what `aigak import` reads back (a lossless round trip), and an apostrophe
    added for spreadsheets would come back as part of the answer. XLSX is the export for
    spreadsheets (`aigak.lib.spreadsheet`)."""
    columns = export_columns(definition)
    writer = csv.writer(handle)
    writer.writerow([c.name for c in columns])
    count = 0
    for record_id, answers in records:
        values = _values(definition, columns, record_id, answers)
        writer.writerow([text_cell(c.kind, v) for c, v in zip(columns, values, strict=True)])
        count += 1
    return count


def write_json(handle: IO[str], definition: FormDefinition, records: Records) -> int:
    """Write records as a JSON list of objects, one object per line; returns the count."""
    columns = export_columns(definition)
    handle.write("[")
    count = 0
    for record_id, answers in records:
        values = _values(definition, columns, record_id, answers)
        obj = {
            c.name: _json_value(c.kind, v)
            for c, v in zip(columns, values, strict=True)
            if v not in (None, "", [])
        }
        handle.write(("\n" if count == 0 else ",\n") + json.dumps(obj, ensure_ascii=False))
        count += 1
    handle.write("\n]\n")
    return count


def _xlsx_value(kind: str, value: Any) -> Any:
    """Numbers stay numbers; everything else (dates included) is text."""
    if value is None or value == "" or value == []:
        return None
    if kind in ("integer", "decimal") and isinstance(value, (int, float)):
        return value
    return text_cell(kind, value)


def write_xlsx(
    path: str | Path, definition: FormDefinition, records: Records, *, sheet: str
) -> int:
    """Write records to one sheet of a new workbook; returns the count."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    columns = export_columns(definition)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append([c.name for c in columns])
    count = 0
    for record_id, answers in records:
        row = []
        for column, value in zip(
            columns, _values(definition, columns, record_id, answers), strict=True
        ):
            value = _xlsx_value(column.kind, value)
            if isinstance(value, str) and looks_like_formula(value):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # text that looks like a formula stays text, unchanged
                row.append(cell)
            else:
                row.append(value)
        try:
            ws.append(row)
        except ValueError as exc:
            raise ValueError(f"record {record_id}: cannot be written to XLSX ({exc})") from None
        count += 1
    book.save(path)
    return count
