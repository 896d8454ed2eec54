"""Records as tables: CSV, XLSX and JSON (with KoBoToolbox and ODK exports) in and out.

Pure functions over files and a form definition; `aigak import` and `aigak export` call
them. Export writes exactly the shape import reads, so a round trip loses nothing:

- One row per record. Columns: `record_id`, then the form's answer fields in form order.
- `select_multiple`: choice names separated by single spaces (the XLSForm/ODK habit).
- `integer`: digits; `decimal`: the shortest text that reads back as the same number.
- Dates: `YYYY-MM-DD` text, in XLSX too (a text cell cannot be shifted by a time zone or
  the 1900/1904 date system; import accepts real date cells as well).
- A repeat is one column holding a JSON list of objects in CSV and XLSX, and a list of
  objects in JSON.
- Empty answers are empty cells (left out in JSON).

Import also accepts what KoBoToolbox and ODK write: group paths (`victim/gender`, or
`victim-gender` from ODK Central), their metadata columns (`_id`, `_uuid`,
`_submission_time`, `meta/instanceID`, `formhub/uuid`, `__version__`, ...), KoBo's
one-column-per-choice expansion of select_multiple (`essence/beaten`), KoBo's XLSX
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

import codecs
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from aigak.lib.spreadsheet import looks_like_formula
from aigak.questionnaires.xlsform import FormDefinition, Section

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
    """A file that cannot be read as records; says where (file, row, column) and why."""

    def __init__(self, source: str, message: str, *, row: int | None = None, column: str = ""):
        where = ", ".join(
            part
            for part in (
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        self.source, self.row, self.column = source, row, column
        super().__init__(f"{source}: {where}: {message}" if where else f"{source}: {message}")


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


def _form_names(definition: FormDefinition) -> tuple[set[str], dict[str, set[str]]]:
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
    is not a table of this form (unknown column, bad encoding, broken JSON).
    """
    path = Path(path)
    kind = file_format(path, fmt)
    if kind == "csv":
        return _read_csv(path, definition, notice)
    if kind == "xlsx":
        return _read_xlsx(path, definition)
    return _read_json(path, definition)


def _header_map(
    source: str, header: list[Any], definition: FormDefinition
) -> list[tuple[int, str, str]]:
    """(position, column, field) for every column that holds a field; unknown ones fail."""
    names, multiples = _form_names(definition)
    out: list[tuple[int, str, str]] = []
    taken: dict[str, str] = {}
    for index, raw in enumerate(header):
        column = "" if raw is None else str(raw).strip()
        if not column:
            continue
        try:
            name = column_field(column, names, multiples)
        except KeyError:
            raise TableError(
                source,
                "not a field of this questionnaire (nothing was imported)",
                row=1,
                column=column,
            ) from None
        if name is None:
            continue
        if name in taken:
            raise TableError(
                source, f"holds {name!r}, as does column {taken[name]!r}", row=1, column=column
            )
        taken[name] = column
        out.append((index, column, name))
    if not out:
        raise TableError(source, "no column names a field of this questionnaire", row=1)
    return out


def _repeat_items(value: Any, names: set[str]) -> Any:
    """A repeat cell (JSON text or a list) with its keys reduced to field names."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError:
            return value  # validation says it is not a list of entries
    if not isinstance(value, list):
        return value
    items = []
    for item in value:
        if isinstance(item, dict):
            flat = _flatten(item)
            item = {}
            for key, v in flat.items():
                try:
                    name = column_field(key, names)
                except KeyError:
                    name = key  # validation reports it with the row
                if name is not None:
                    item[name] = v
        items.append(item)
    return items


def _row_dict(
    columns: list[tuple[int, str, str]],
    values: tuple[Any, ...] | list[Any],
    repeats: set[str],
    repeat_names: dict[str, set[str]],
    cell: Callable[[Any], Any] | None,
) -> dict[str, Any]:
    width = len(values)
    row: dict[str, Any] = {}
    for index, _, name in columns:
        if index >= width:
            continue
        value = values[index] if cell is None else cell(values[index])
        if value is None or value == "":
            continue
        if name in repeats:
            value = _repeat_items(value, repeat_names[name])
        row[name] = value
    return row


def _add_repeat(
    row: dict[str, Any], repeat: str, value: Any, repeat_names: dict[str, set[str]]
) -> None:
    """A repeat's entries into the row; a repeat inside an entry (KoBo nests them) goes to
    a list of its own, as the answers keep it (docs/forms.md)."""
    items = _repeat_items(value, repeat_names[repeat] | set(repeat_names))
    if items in (None, []):
        return
    if isinstance(items, list):
        for item in items:
            for inner in [k for k in item if k in repeat_names] if isinstance(item, dict) else []:
                _add_repeat(row, inner, item.pop(inner), repeat_names)
        if isinstance(row.get(repeat), list):
            row[repeat].extend(items)
            return
    row[repeat] = items


def _repeat_names(definition: FormDefinition) -> dict[str, set[str]]:
    return {r: {f.name for f in definition.repeat_fields(r)} for r in definition.repeats()}


def _check_row_width(source: str, number: int, values: list[str], width: int) -> None:
    extra = [v for v in values[width:] if v.strip()]
    if extra:
        raise TableError(source, f"has {len(values)} cells but the header only {width}", row=number)


def sniff_encoding(path: Path, notice: Notice | None = None) -> str:
    """utf-8-sig for UTF-8 (with or without BOM); cp1251 for Windows Cyrillic, said aloud."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
        chunk = head
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(1 << 20)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError as exc:
            failed_at = exc
    text = head.decode("cp1251", errors="replace")
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if letters and cyrillic / len(letters) > 0.3:
        if notice:
            notice(f"{path}: not UTF-8; reading it as Windows Cyrillic (cp1251)")
        return "cp1251"
    raise TableError(
        str(path),
        f"not UTF-8 text ({failed_at.reason}); save it as CSV UTF-8",
    )


def _delimiter(header_line: str, names: set[str], multiples: dict[str, set[str]]) -> str:
    """The separator that makes the most header cells field names (KoBo's CSV uses ';')."""

    def known(delimiter: str) -> int:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        count = 0
        for cell in cells:
            try:
                count += column_field(cell, names, multiples) is not None
            except KeyError:
                pass
        return count

    return max([",", ";", "\t"], key=known)


def _read_csv(
    path: Path, definition: FormDefinition, notice: Notice | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    source = str(path)
    encoding = sniff_encoding(path, notice)
    with open(path, newline="", encoding=encoding) as handle:
        first = handle.readline()
        names, multiples = _form_names(definition)
        delimiter = _delimiter(first, names, multiples)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise TableError(source, "the file is empty")
        columns = _header_map(source, header, definition)
        repeats = set(definition.repeats())
        repeat_names = _repeat_names(definition)
        width = len(header)
        number = 1
        for values in reader:
            number += 1
            _check_row_width(source, number, values, width)
            row = _row_dict(columns, values, repeats, repeat_names, None)
            if row:
                yield number, row


def _xlsx_cell(value: Any) -> Any:
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


def _read_xlsx(path: Path, definition: FormDefinition) -> Iterator[tuple[int, dict[str, Any]]]:
    import zipfile

    import openpyxl

    source = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(source, f"not a readable XLSX workbook ({exc})") from None
    try:
        sheet = _pick_sheet(book, definition)
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise TableError(source, f"sheet {sheet.title!r} is empty")
        columns = _header_map(f"{source} (sheet {sheet.title!r})", list(header), definition)
        repeats = set(definition.repeats())
        repeat_names = _repeat_names(definition)
        sheets = _repeat_sheets(source, book, definition, sheet.title)
        index = _position(header, "_index") if sheets else None
        for number, values in enumerate(rows, start=2):
            row = _row_dict(columns, values, repeats, repeat_names, _xlsx_cell)
            if index is not None and index < len(values):
                key = _xlsx_cell(values[index])
                for repeat, items in sheets.items():
                    if repeat not in row and key in items:
                        row[repeat] = items[key]
            if row:
                yield number, row
    finally:
        book.close()


def _position(header: tuple[Any, ...], name: str) -> int | None:
    cells = [str(h).strip() if h is not None else "" for h in header]
    return cells.index(name) if name in cells else None


def _repeat_sheets(
    source: str, book: Any, definition: FormDefinition, main: str
) -> dict[str, dict[Any, list[dict[str, Any]]]]:
    """Repeats on sheets of their own, as KoBoToolbox exports them to XLSX.

    Each such sheet is named after the repeat and ties its rows to the main sheet's
    `_index` column through `_parent_index`. Returns repeat -> parent index -> entries.
    """
    found: dict[str, dict[Any, list[dict[str, Any]]]] = {}
    titles = {name.lower(): name for name in book.sheetnames}
    for repeat in definition.repeats():
        title = titles.get(repeat.lower()[:31])
        if title is None or title == main:
            continue
        rows = book[title].iter_rows(values_only=True)
        header = next(rows, None) or ()
        parent = _position(header, "_parent_index")
        if parent is None:
            continue
        names = {f.name for f in definition.repeat_fields(repeat)}
        keep: list[tuple[int, str]] = []
        for position, raw in enumerate(header):
            column = "" if raw is None else str(raw).strip()
            if not column:
                continue
            try:
                name = column_field(column, names)
            except KeyError:
                raise TableError(
                    f"{source} (sheet {title!r})",
                    f"not a field of the repeat {repeat!r}",
                    row=1,
                    column=column,
                ) from None
            if name is not None:
                keep.append((position, name))
        entries: dict[Any, list[dict[str, Any]]] = {}
        for values in rows:
            item = {
                name: _xlsx_cell(values[i])
                for i, name in keep
                if i < len(values) and values[i] not in (None, "")
            }
            if item and parent < len(values):
                entries.setdefault(_xlsx_cell(values[parent]), []).append(item)
        found[repeat] = entries
    return found


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """ODK Central nests groups as objects; KoBo writes paths. Both become paths."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path + "/"))
        else:
            out[path] = value
    return out


def _read_json(path: Path, definition: FormDefinition) -> Iterator[tuple[int, dict[str, Any]]]:
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except UnicodeDecodeError as exc:
        raise TableError(source, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise TableError(source, f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, dict):
        for key in ("results", "value", "data"):  # KoBo API, ODK Central OData, others
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise TableError(source, "expected a list of objects or {'results': [...]}")
    if not isinstance(data, list):
        raise TableError(source, "expected a list of objects")
    names, multiples = _form_names(definition)
    repeats = set(definition.repeats())
    repeat_names = _repeat_names(definition)
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise TableError(source, "expected an object", row=number)
        row: dict[str, Any] = {}
        plain = {k: v for k, v in item.items() if k.split("/")[-1] not in repeats}
        for key, value in _flatten(plain).items():
            try:
                name = column_field(key, names, multiples)
            except KeyError:
                raise TableError(
                    source, "not a field of this questionnaire", row=number, column=key
                ) from None
            if name is not None and value not in (None, ""):
                row[name] = value
        for key, value in item.items():
            if key in repeats or key.split("/")[-1] in repeats:
                _add_repeat(row, key.split("/")[-1], value, repeat_names)
        if row:
            yield number, row


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
        out.append({f.name: _json_value(f.type, item[f.name]) for f in fields if f.name in item})
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
