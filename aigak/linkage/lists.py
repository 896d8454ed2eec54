"""Uploading a victim list: read a CSV or XLSX file, map its columns, store it whole.

Three steps, each usable without the web pages:

1. `read_table(data, file_name)`: the header and the rows, each row with its number as a
   spreadsheet shows it (the header is row 1 when it is the first line). CSV files are
   decoded by `aigak.linkage.people.decode_text`, which reads UTF-8 and detects cp1251,
   kz1048, KOI8-R and cp866, and says so in a warning.
2. `guess_mapping(headers)`: which column gives which field, from header names in
   Russian, Kazakh or English (ФИО, Дата рождения, Возраст, Город, Область, Пол, ...);
   a full name may come from separate surname, given name and patronymic columns.
3. `parse_rows(table, mapping)` checks every row and `import_list(...)` stores the list
   and its entries in one transaction.

Anything that makes a list unusable raises `ListFileError` naming the row (and column),
and nothing is stored. Rows that are usable but cannot be matched (no name the model can
read) are kept and named in a warning, never dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from aigak.accounts.models import AuditAction, audit
from aigak.lib.names import name_keys
from aigak.linkage.access import require_manage
from aigak.linkage.list_warnings import (
    BLANK,
    EMPTY_NAME,
    NO_ID,
    NO_NAME,
    SHEETS,
    UNREADABLE,
    row_numbers,
)
from aigak.linkage.models import (
    FIELD_LABELS,
    PEOPLE_FIELDS,
    RESERVED_LIST_NAMES,
    ListEntry,
    VictimList,
)
from aigak.linkage.people import PeopleListError, decode_text, unreadable_values
from aigak.questionnaires.answer_types import said, words
from aigak.records.tabular import library_reason

FIELDS = ("id", *PEOPLE_FIELDS)
NAME_COLUMNS = 3  # a full name may be put together from up to three columns
MAX_ROWS = 1_000_000


# Header names, folded by `_fold_header`: a header equal to one of these gives the field.
_EXACT = {
    "id": [
        "id", "no", "n", "nr", "num", "number", "номер", "п п", "n п п", "код", "code",
        "entry id", "record id", "реттік нөмір", "нөмір",
    ],
    "full_name": [
        "фио", "ф и о", "фамилия имя отчество", "фамилия имя", "full name", "full_name",
        "name", "names", "person", "аты жөні", "толық аты жөні", "тегі аты әкесінің аты",
        "полное имя", "имя фамилия",
    ],
    "birth_date": [
        "дата рождения", "birth date", "date of birth", "birth_date", "dob", "born",
        "туған күні", "туған жылы", "год рождения", "д р", "г р", "year of birth",
        "дата и год рождения",
    ],
    "age": ["возраст", "age", "жасы", "жас", "полных лет", "лет"],
    "gender": ["пол", "gender", "sex", "жынысы", "жыныс"],
    "region": [
        "регион", "область", "region", "oblast", "oblys", "облыс", "облысы", "өңір",
        "регион проживания", "область проживания", "region of residence",
    ],
    "locality": [
        "город", "населенный пункт", "нас пункт", "н п", "locality", "city", "town",
        "place", "settlement", "village", "елді мекен", "қала", "место", "место гибели",
        "место смерти", "место события", "place of death", "город район",
    ],
    "event_date": [
        "дата гибели", "дата смерти", "дата события", "дата", "date", "event date",
        "event_date", "date of death", "date of event", "қайтыс болған күні",
        "қаза тапқан күні", "оқиға күні", "дата задержания", "date of detention",
    ],
}  # fmt: skip
# Words that give the field when a longer header contains them ("ФИО погибшего").
_CONTAINS = {
    "full_name": ["фио", "full name", "аты жөні"],
    "birth_date": ["рождения", "birth", "туған"],
    "age": ["возраст", "age", "жасы"],
    "gender": ["пол", "gender", "sex", "жынысы"],
    "region": ["регион", "область", "region", "oblast", "облыс", "өңір"],
    "locality": ["город", "населенный пункт", "locality", "city", "town", "елді мекен"],
    "event_date": ["гибели", "смерти", "death", "қаза", "қайтыс"],
    "id": ["номер", "number"],
}
_NAME_PARTS = {
    "surname": ["фамилия", "surname", "last name", "family name", "тегі", "тег"],
    "given": ["имя", "first name", "given name", "forename", "аты", "есімі"],
    "patronymic": ["отчество", "patronymic", "middle name", "әкесінің аты"],
}


class ListFileError(ValueError):
    """The file cannot be taken as a list: file, row (and column) and why, in English; the
    template and values are kept for a page to say it in its reader's language."""

    def __init__(
        self,
        template: str,
        *,
        source: str = "",
        row: int | None = None,
        column: str = "",
        **params: Any,
    ) -> None:
        self.source, self.row, self.column = source, row, column
        self.template, self.params = template, params
        super().__init__(self.in_words(english=True))

    def in_words(self, *, english: bool = False) -> str:
        """The message in the active language (or English): file: row, column: why."""
        place = []
        if self.row is not None:
            place.append(words(gettext_noop("row %(row)s"), {"row": self.row}, english=english))
        if self.column:
            column = {"column": repr(self.column)}
            place.append(words(gettext_noop("column %(column)s"), column, english=english))
        parts = [part for part in (self.source, ", ".join(place)) if part]
        return ": ".join([*parts, words(self.template, self.params, english=english)])


def _label(name: str) -> dict[str, Any]:
    """A field's label as a value of a message (`said`): English, or the reader's."""
    with translation.override(None):
        return said(str(FIELD_LABELS[name]))


@dataclass
class Table:
    """A file read as text cells: `rows` are (row number, cells), blank rows left out
    (and counted in `blank_rows`)."""

    file_name: str
    file_format: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    header_row: int = 1

    def sample(self, count: int = 5) -> list[list[str]]:
        return [cells for _, cells in self.rows[:count]]


@dataclass
class ParsedEntry:
    row_number: int
    entry_id: str
    values: dict[str, str]
    raw: dict[str, str]
    matchable: bool


@dataclass
class ParsedList:
    entries: list[ParsedEntry]
    warnings: list[str]
    mapping: dict[str, list[str]]


# --- reading ------------------------------------------------------------------------


def read_table(data: bytes, file_name: str) -> Table:
    """Read an uploaded CSV or XLSX file into a header and rows of text cells."""
    if not data:
        raise ListFileError(gettext_noop("the file is empty"), source=file_name, row=1)
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data, file_name)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ListFileError(
            gettext_noop("an old Excel (.xls) workbook; save it as .xlsx or CSV UTF-8"),
            source=file_name,
        )
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise ListFileError(gettext_noop("not a readable .xlsx workbook"), source=file_name)
    else:
        table = _read_csv(data, file_name)
    if not table.rows:
        raise ListFileError(
            gettext_noop("no rows under the header; the list is empty"),
            source=file_name,
            row=table.header_row + 1,
        )
    if len(table.rows) > MAX_ROWS:
        raise ListFileError(
            gettext_noop("more than %(rows)s rows; split the list"),
            source=file_name,
            rows=f"{MAX_ROWS:,}",
        )
    return table


def _read_csv(data: bytes, file_name: str) -> Table:
    try:
        text, encoding, warnings = decode_text(data, file_name)
    except PeopleListError as exc:
        raise ListFileError(
            gettext_noop(
                "the file is not UTF-8 and does not look like cp1251, kz1048, KOI8-R or "
                "cp866 either; save it as CSV UTF-8"
            ),
            source=file_name,
            row=getattr(exc, "row", None),
        ) from None
    if "\x00" in text:
        raise ListFileError(
            gettext_noop("binary data, not a CSV or XLSX file"), source=file_name, row=1
        )
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for cells in reader:
            start = line + 1
            line = reader.line_num
            rows.append((start, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise ListFileError(
            gettext_noop("cannot read the CSV (%(reason)s)"),
            source=file_name,
            row=line + 1,
            reason=library_reason(str(exc)),
        ) from None
    table = _table(file_name, "csv", rows)
    table.encoding = encoding
    table.warnings = warnings + table.warnings
    return table


def _read_xlsx(data: bytes, file_name: str) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ListFileError(
            gettext_noop("not a readable .xlsx workbook (%(reason)s)"),
            source=file_name,
            reason=library_reason(str(exc)),
        ) from None
    sheet = book.worksheets[0]
    rows = [
        (number, [_cell_text(value) for value in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]
    table = _table(file_name, "xlsx", rows)
    if len(book.worksheets) > 1:
        others = ", ".join(s.title for s in book.worksheets[1:])
        named = {"file": file_name, "sheet": repr(sheet.title), "others": others}
        table.warnings.append(SHEETS % named)
    return table


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(file_name: str, file_format: str, rows: list[tuple[int, list[str]]]) -> Table:
    """Take the first non-blank row as the header; name unnamed and repeated headers."""
    blank = [number for number, cells in rows if not any(cells)]
    filled = [(number, cells) for number, cells in rows if any(cells)]
    if not filled:
        raise ListFileError(
            gettext_noop("the file is empty; expected a header row"), source=file_name, row=1
        )
    header_row, header = filled[0]
    body = filled[1:]
    # Spreadsheets pad rows with empty cells: drop unnamed columns nobody filled in.
    while header and not header[-1] and not any(_cell(c, len(header) - 1) for _, c in body):
        header = header[:-1]
    headers: list[str] = []
    for position, name in enumerate(header, start=1):
        name = name or f"column {_column_letter(position)}"
        base, count = name, 2
        while name in headers:
            name, count = f"{base} ({count})", count + 1
        headers.append(name)
    table = Table(file_name, file_format, headers, [], header_row=header_row)
    table.blank_rows = [n for n in blank if n > header_row]
    for number, cells in body:
        filled_to = max((i + 1 for i, c in enumerate(cells) if c), default=0)
        if filled_to > len(headers):
            raise ListFileError(
                gettext_noop(
                    "%(cells)s cells but the header has %(columns)s columns "
                    "(a separator inside a value without quotes?)"
                ),
                source=file_name,
                row=number,
                cells=filled_to,
                columns=len(headers),
            )
        cells = cells[: len(headers)] + [""] * (len(headers) - len(cells))
        table.rows.append((number, cells))
    return table


def _cell(cells: list[str], position: int) -> str:
    return cells[position] if position < len(cells) else ""


def _column_letter(position: int) -> str:
    letters = ""
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- mapping ------------------------------------------------------------------------


def _fold_header(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("№", " no ")
    return " ".join(re.findall(r"[^\W_]+", text))


def guess_mapping(headers: list[str]) -> dict[str, list[str]]:
    """{field: [header, ...]} guessed from the header names; fields not found are absent.

    >>> guess_mapping(["№", "ФИО погибшего", "Возраст", "Населённый пункт", "Область"])
    {'id': ['№'], 'full_name': ['ФИО погибшего'], 'age': ['Возраст'], 'region': ['Область'], 'locality': ['Населённый пункт']}
    >>> guess_mapping(["Фамилия", "Имя", "Отчество", "Дата рождения"])["full_name"]
    ['Фамилия', 'Имя', 'Отчество']
    """
    folded = [_fold_header(h) for h in headers]
    taken: set[int] = set()
    found: dict[str, int] = {}
    for phrases, whole in ((_EXACT, True), (_CONTAINS, False)):
        for name in FIELDS:
            if name in found:
                continue
            for position, header in enumerate(folded):
                if position in taken:
                    continue
                if _fits(header, phrases.get(name, []), whole):
                    found[name] = position
                    taken.add(position)
                    break
    mapping = {name: [headers[found[name]]] for name in FIELDS if name in found}
    if "full_name" not in mapping:
        parts = []
        for part in _NAME_PARTS.values():
            for position, header in enumerate(folded):
                if position not in taken and _fits(header, part, True):
                    parts.append(headers[position])
                    taken.add(position)
                    break
        if parts:
            mapping = {"full_name": parts, **mapping}
            mapping = {name: mapping[name] for name in FIELDS if name in mapping}
    return mapping


def _fits(header: str, phrases: list[str], whole: bool) -> bool:
    if whole:
        return header in phrases
    padded = f" {header} "
    return any(f" {phrase} " in padded for phrase in phrases)


def check_mapping(headers: list[str], mapping: dict[str, list[str]]) -> dict[str, list[str]]:
    """The mapping with empty choices left out, checked: known fields and headers, a full
    name, and no column used for two fields."""
    clean: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    for name, columns in mapping.items():
        if name not in FIELDS:
            raise ListFileError(gettext_noop("unknown field %(field)s"), field=repr(name))
        columns = [c for c in columns if c]
        if not columns:
            continue
        if name != "full_name" and len(columns) > 1:
            raise ListFileError(gettext_noop("%(field)s: choose one column"), field=_label(name))
        for column in columns:
            if column not in headers:
                raise ListFileError(
                    gettext_noop("%(field)s: the file has no column %(header)s"),
                    field=_label(name),
                    header=repr(column),
                )
            if column in used:
                raise ListFileError(
                    gettext_noop("column %(header)s is chosen for both %(first)s and %(second)s"),
                    header=repr(column),
                    first=_label(used[column]),
                    second=_label(name),
                )
            used[column] = name
        clean[name] = columns
    if "full_name" not in clean:
        raise ListFileError(
            gettext_noop(
                "choose the column (or columns) with the names; a list without names "
                "cannot be cross-referenced"
            ),
            row=1,
        )
    return clean


# --- checking the rows --------------------------------------------------------------


def parse_rows(table: Table, mapping: dict[str, list[str]]) -> ParsedList:
    """Every row as an entry under `mapping`, checked; raises `ListFileError` for an
    empty or repeated id, and warns about rows it keeps but cannot fully use."""
    mapping = check_mapping(table.headers, mapping)
    label = table.file_name
    index = {header: position for position, header in enumerate(table.headers)}
    warnings = list(table.warnings)
    if table.blank_rows:
        warnings.append(BLANK % {"file": label, "rows": row_numbers(table.blank_rows)})
    id_column = mapping.get("id", [None])[0]
    if id_column is None:
        warnings.append(NO_ID % {"file": label})
    entries: list[ParsedEntry] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        values = {
            name: " ".join(cells[index[c]] for c in columns if cells[index[c]]).strip()
            for name, columns in mapping.items()
            if name != "id"
        }
        for name in PEOPLE_FIELDS:
            values.setdefault(name, "")
        if id_column is None:
            entry_id = str(number)
        else:
            entry_id = cells[index[id_column]]
            if not entry_id:
                raise ListFileError(
                    gettext_noop("the id is empty"), source=label, row=number, column=id_column
                )
            if entry_id in first_row:
                raise ListFileError(
                    gettext_noop("duplicate id %(id)s (first in row %(first)s)"),
                    source=label,
                    row=number,
                    column=id_column,
                    id=repr(entry_id),
                    first=first_row[entry_id],
                )
        first_row[entry_id] = number
        keys = name_keys(values["full_name"]) if values["full_name"] else ("",) * 9
        entries.append(
            ParsedEntry(
                row_number=number,
                entry_id=entry_id[:200],
                values=values,
                raw=dict(zip(table.headers, cells, strict=True)),
                matchable=bool(keys[0] or keys[2]),
            )
        )
    warnings.extend(_value_warnings(label, entries, mapping))
    return ParsedList(entries, warnings, mapping)


def _value_warnings(
    label: str, entries: list[ParsedEntry], mapping: dict[str, list[str]]
) -> list[str]:
    out = []
    names = ", ".join(repr(c) for c in mapping["full_name"])
    empty = [e.row_number for e in entries if not e.values["full_name"]]
    if empty:
        out.append(EMPTY_NAME % {"file": label, "rows": row_numbers(empty), "columns": names})
    unreadable = [e.row_number for e in entries if e.values["full_name"] and not e.matchable]
    if unreadable:
        out.append(NO_NAME % {"file": label, "rows": row_numbers(unreadable), "columns": names})
    if not entries:
        return out
    frame = pd.DataFrame([e.values for e in entries], dtype=str)
    numbers = pd.Series([e.row_number for e in entries])
    for column, bad, why in unreadable_values(frame):
        where = {"file": label, "rows": row_numbers(list(numbers[bad]))}
        out.append(UNREADABLE % {**where, "column": repr(mapping[column][0]), "why": why})
    return out


# --- storing ------------------------------------------------------------------------


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_list(
    actor: Any,
    *,
    name: str,
    data: bytes,
    file_name: str,
    mapping: dict[str, list[str]],
    source: str = "",
    published_on: dt.date | None = None,
) -> VictimList:
    """Read, check and store a list with all its entries, or raise `ListFileError`
    and store nothing."""
    require_manage(actor)
    name = name.strip()
    if not name:
        raise ListFileError(gettext_noop("give the list a name"))
    if name.casefold() in RESERVED_LIST_NAMES:
        raise ListFileError(
            gettext_noop("%(name)s is a column of the capture histories; choose another name"),
            name=repr(name),
        )
    table = read_table(data, file_name)
    parsed = parse_rows(table, mapping)
    digest = file_digest(data)
    with transaction.atomic():
        if VictimList.objects.filter(name=name).exists():
            raise ListFileError(
                gettext_noop("a list named %(name)s exists; choose another name"), name=repr(name)
            )
        same = VictimList.objects.filter(file_sha256=digest).first()
        if same is not None:
            raise ListFileError(
                gettext_noop("this file was uploaded already as %(name)s"),
                source=file_name,
                name=repr(same.name),
            )
        victim_list = VictimList.objects.create(
            name=name[:200],
            source=source.strip()[:500],
            published_on=published_on,
            uploaded_by=actor,
            file_name=file_name[:255],
            file_sha256=digest,
            file_format=table.file_format,
            encoding=table.encoding,
            column_mapping=parsed.mapping,
            row_count=len(parsed.entries),
            warnings=parsed.warnings,
        )
        ListEntry.objects.bulk_create(
            (
                ListEntry(
                    victim_list=victim_list,
                    row_number=e.row_number,
                    entry_id=e.entry_id,
                    raw=e.raw,
                    matchable=e.matchable,
                    **e.values,
                )
                for e in parsed.entries
            ),
            batch_size=2000,
        )
        audit(
            actor,
            AuditAction.IMPORT,
            victim_list,
            rows=len(parsed.entries),
            sha256=digest,
            file_format=table.file_format,
            warnings=len(parsed.warnings),
        )
    return victim_list
