"""Reading records from CSV and JSON files; `tabular.read_rows` chooses the reader.

Every reader yields (row number, raw answers keyed by field name) and raises
`TableError` (file, row, column and reason) for a file it cannot read faithfully, before
anything is written: a row cut short or longer than the header, an unterminated quote, a
last row without its line break, a NUL character, a cell longer than `MAX_CELL`, text in
an encoding that cannot be told for sure.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from aigak.questionnaires.answer_types import said
from aigak.questionnaires.definition import PARENT
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.tabular import TableError, column_field, form_names, library_reason

Notice = Callable[[str], None]
Rows = Iterator[tuple[int, dict[str, Any]]]

# The longest cell read, in characters. Aigak keeps nothing longer: the web form and the
# API take at most Django's 2.5 MB request, and import refuses more, so every cell that
# `aigak export` writes reads back in.
MAX_CELL = 16 * 1024 * 1024

# KoBo's "select_multiple as separate columns": one column per choice, 0/1 or True/False.
CHOICE_ON = {"1", "true", "yes", "1.0"}
CHOICE_OFF = {"0", "false", "no", "0.0", ""}

# The csv module's reason for a quoted cell that goes on after its closing quote.
AFTER_QUOTE = re.compile(r"""('.{1,2}') expected after '"'""")

ENCODING_NAMES = {"cp1251": "Windows Cyrillic (cp1251)", "koi8_r": "KOI8-R"}


@dataclass
class Layout:
    """Which cell of a row holds which field."""

    source: str
    columns: list[tuple[int, str, str]]  # position, column as written, field
    # select_multiple fields given only as one 0/1 column per choice (KoBo):
    # field -> [(position, column, choice)] in the form's order of choices
    choices: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    repeats: set[str] = field(default_factory=set)
    repeat_names: dict[str, set[str]] = field(default_factory=dict)
    # The column of the submission's instanceID (KoBo `_uuid`, ODK `meta/instanceID`,
    # Central's `KEY`): the record id of a row that names none.
    instance: int | None = None
    # No column holds a repeat: each cell is an answer as it is (`row_dict`).
    plain: bool = False


# Export columns holding the submission's instanceID, in order of preference.
INSTANCE_COLUMNS = ("meta/instanceID", "instanceID", "_uuid", "KEY")


def instance_record_id(value: Any) -> str | None:
    """The record id an ODK/KoBo submission's instanceID gives (`uuid:...`).

    >>> instance_record_id("5f0c-11"), instance_record_id("uuid:5f0c-11"), instance_record_id("")
    ('uuid:5f0c-11', 'uuid:5f0c-11', None)
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    return text if text.startswith("uuid:") else f"uuid:{text}"


def layout(source: str, header: list[Any], definition: FormDefinition) -> Layout:
    """The fields of a header row; a column that is not a field fails (row 1)."""
    names, multiples = form_names(definition)
    out: list[tuple[int, str, str]] = []
    taken: dict[str, str] = {}
    split: dict[str, list[tuple[int, str, str]]] = {}
    for index, raw in enumerate(header):
        column = "" if raw is None else str(raw).strip()
        if not column:
            continue
        try:
            name = column_field(column, names, multiples)
        except KeyError:
            raise TableError(
                source,
                gettext_noop("not a field of this questionnaire (nothing was imported)"),
                row=1,
                column=column,
            ) from None
        if name is None:
            parts = column.split("/")
            if len(parts) > 1 and parts[-1] in multiples.get(parts[-2], set()):
                split.setdefault(parts[-2], []).append((index, column, parts[-1]))
            continue
        if name in taken:
            raise TableError(
                source,
                gettext_noop("holds %(field)s, as does column %(other)s"),
                row=1,
                column=column,
                field=repr(name),
                other=repr(taken[name]),
            )
        taken[name] = column
        out.append((index, column, name))
    choices = {}
    for name, cells in split.items():
        if name in taken or definition.fields[name].repeat:
            continue  # the field's own column holds every choice
        order = {choice: n for n, choice in enumerate(definition.fields[name].choice_names())}
        choices[name] = sorted(cells, key=lambda cell: order[cell[2]])
    if not out and not choices:
        raise TableError(
            source, gettext_noop("no column names a field of this questionnaire"), row=1
        )
    repeats = set(definition.repeats())
    repeat_names = {r: {f.name for f in definition.repeat_fields(r)} for r in repeats}
    given = [str(c).strip() if c is not None else "" for c in header]
    instance = next((given.index(c) for c in INSTANCE_COLUMNS if c in given), None)
    plain = not any(name in repeats for _, _, name in out)
    return Layout(source, out, choices, repeats, repeat_names, instance, plain)


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """ODK Central nests groups as objects; KoBo writes paths. Both become paths."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, path + "/"))
        else:
            out[path] = value
    return out


def repeat_items(value: Any, names: set[str]) -> Any:
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
            flat = flatten(item)
            item = {}
            for key, v in flat.items():
                if key == PARENT:
                    item[PARENT] = v  # validation checks it names an enclosing entry
                    continue
                try:
                    name = column_field(key, names)
                except KeyError:
                    name = key  # validation reports it with the row
                if name is not None:
                    item[name] = v
        items.append(item)
    return items


def row_dict(
    plan: Layout,
    number: int,
    values: tuple[Any, ...] | list[Any],
    cell: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """The answers of one row of cells, by the layout of its header."""
    width = len(values)
    if cell is None and plan.plain:  # most files: each cell as it is, or nothing
        row = {
            name: value
            for index, _, name in plan.columns
            if index < width and (value := values[index]) is not None and value != ""
        }
    else:
        row = _cells(plan, values, cell)
    for name, cells in plan.choices.items():
        chosen = [
            choice
            for index, column, choice in cells
            if index < width and _choice_on(plan.source, number, column, values[index], cell)
        ]
        if chosen:
            row[name] = chosen
    if "record_id" not in row and plan.instance is not None and plan.instance < width:
        value = values[plan.instance] if cell is None else cell(values[plan.instance])
        record_id = instance_record_id(value)
        if record_id:
            row["record_id"] = record_id
    return row


def _cells(
    plan: Layout, values: tuple[Any, ...] | list[Any], cell: Callable[[Any], Any] | None
) -> dict[str, Any]:
    """The answers of the columns of one field each (`row_dict`), a repeat's read."""
    row: dict[str, Any] = {}
    for index, _, name in plan.columns:
        if index >= len(values):
            continue
        value = values[index] if cell is None else cell(values[index])
        if value is None or value == "":
            continue
        if name in plan.repeats:
            value = repeat_items(value, plan.repeat_names[name])
        row[name] = value
    return row


def _choice_on(
    source: str, number: int, column: str, value: Any, cell: Callable[[Any], Any] | None
) -> bool:
    value = value if cell is None else cell(value)
    text = "" if value is None else str(value).strip().lower()
    if text in CHOICE_ON:
        return True
    if text in CHOICE_OFF:
        return False
    raise TableError(
        source,
        gettext_noop("%(value)s is not 0/1 or True/False (a choice's own column)"),
        row=number,
        column=column,
        value=repr(value),
    )


def check_cells(source: str, number: int, row: dict[str, Any], plan: Layout | None = None) -> None:
    """Refuse NUL characters and cells longer than MAX_CELL, naming row and field."""
    for name, value in row.items():
        for text in _texts(value):
            if "\x00" in text:
                raise TableError(
                    source,
                    gettext_noop("holds a NUL character (\\x00), which cannot be stored"),
                    row=number,
                    column=_column(plan, name),
                )
            if len(text) > MAX_CELL:
                raise TableError(
                    source,
                    gettext_noop("a cell of %(size)s characters; at most %(most)s are read"),
                    row=number,
                    column=_column(plan, name),
                    size=f"{len(text):,}",
                    most=f"{MAX_CELL:,}",
                )


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)


def _column(plan: Layout | None, name: str) -> str:
    for _, column, field_name in plan.columns if plan else ():
        if field_name == name:
            return column
    return name


# --- CSV ------------------------------------------------------------------------------


def sniff_encoding(path: Path, notice: Notice | None = None) -> str:
    """utf-8-sig for UTF-8 (with or without BOM); else what charset-normalizer is sure of.

    A legacy 8-bit file (Windows Cyrillic, KOI8-R, ...) is read when charset-normalizer
    finds one encoding that reads it as coherent text and no other that reads it as
    different, equally good text; the notice says which. Otherwise it is refused with
    the likely candidates, never read as garbled names.
    """
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
    from charset_normalizer import from_path

    matches = [m for m in from_path(path) if m.encoding != "utf_8"]
    best = matches[0] if matches else None
    if best is not None and best.chaos <= 0.1 and best.coherence >= 0.3:
        text = head.decode(best.encoding, errors="replace")
        rivals = [
            m.encoding
            for m in matches[1:]
            if m.chaos <= best.chaos + 0.1
            and m.coherence >= best.coherence - 0.15
            and head.decode(m.encoding, errors="replace") != text
        ]
        if not rivals:
            if notice:
                label = ENCODING_NAMES.get(best.encoding, best.encoding)
                notice(f"{path}: not UTF-8; reading it as {label}")
            return best.encoding
    guesses = ", ".join(m.encoding for m in matches[:3])
    raise TableError(
        str(path),
        gettext_noop(
            "not UTF-8 text (%(reason)s) and its encoding cannot be told for sure "
            "(candidates: %(candidates)s); save it as CSV UTF-8"
        ),
        reason=library_reason(failed_at.reason),
        candidates=guesses or said(gettext_noop("none")),
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


def _ends_with_line_break(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4))
        tail = handle.read().rstrip(b"\x00")  # UTF-16 writes "\n\x00"
    return not tail or tail.endswith((b"\n", b"\r"))


def read_csv(path: Path, definition: FormDefinition, notice: Notice | None) -> Rows:
    source = str(path)
    encoding = sniff_encoding(path, notice)
    if csv.field_size_limit() < MAX_CELL + 1:
        csv.field_size_limit(MAX_CELL + 1)
    with open(path, newline="", encoding=encoding) as handle:
        first = handle.readline()
        names, multiples = form_names(definition)
        delimiter = _delimiter(first, names, multiples)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        header = next(reader, None)
        if header is None:
            raise TableError(source, gettext_noop("the file is empty"))
        plan = layout(source, header, definition)
        width = len(header)
        number = 1
        values: list[str] = []
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                template, params = _csv_problem(exc, reader.line_num)
                raise TableError(source, template, row=number + 1, **params) from None
            number += 1
            if not values:
                continue  # a blank line
            _check_width(plan, number, values, width)
            if "\x00" in "".join(values):
                check_cells(source, number, dict(zip(header, values, strict=False)))
            row = row_dict(plan, number, values)
            if row:
                yield number, row
        if values and any(v.strip() for v in values) and not _ends_with_line_break(path):
            raise TableError(
                source,
                gettext_noop(
                    "the last row does not end with a line break: the file may be cut short "
                    "(if it is complete, end it with a line break)"
                ),
                row=number,
            )


def _csv_problem(exc: csv.Error, line: int) -> tuple[str, dict[str, Any]]:
    text = str(exc)
    if "field larger than field limit" in text:
        most = f"{MAX_CELL:,}"
        return gettext_noop("a cell longer than %(most)s characters (the longest Aigak keeps)"), {"most": most}  # fmt: skip
    if "unexpected end of data" in text:
        return gettext_noop(
            "a quote opened and never closed (up to line %(line)s): the file may be cut short"
        ), {"line": line}
    after = AFTER_QUOTE.fullmatch(text)
    reason: str | dict[str, Any] = text
    if after:
        reason = said(gettext_noop("%(delimiter)s expected after '\"'"), delimiter=after[1])
    return gettext_noop("not readable as CSV at line %(line)s (%(reason)s)"), {"line": line, "reason": reason}  # fmt: skip


def _check_width(plan: Layout, number: int, values: list[str], width: int) -> None:
    if len(values) < width:
        raise TableError(
            plan.source,
            gettext_noop(
                "has %(cells)s cells but the header has %(width)s: the row is cut short "
                "or a separator is missing"
            ),
            row=number,
            cells=len(values),
            width=width,
        )
    if len(values) > width and any(v.strip() for v in values[width:]):
        raise TableError(
            plan.source,
            gettext_noop("has %(cells)s cells but the header only %(width)s"),
            row=number,
            cells=len(values),
            width=width,
        )


# --- JSON -----------------------------------------------------------------------------


def read_json(path: Path, definition: FormDefinition) -> Rows:
    source = str(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except UnicodeDecodeError as exc:
        reason = library_reason(exc.reason)
        raise TableError(
            source, gettext_noop("not UTF-8 text (%(reason)s)"), reason=reason
        ) from None
    except json.JSONDecodeError as exc:
        raise TableError(
            source,
            gettext_noop("not valid JSON: %(reason)s at line %(line)s"),
            reason=library_reason(exc.msg),
            line=exc.lineno,
        ) from None
    if isinstance(data, dict):
        for key in ("results", "value", "data"):  # KoBo API, ODK Central OData, others
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise TableError(
                source, gettext_noop("expected a list of objects or {'results': [...]}")
            )
    if not isinstance(data, list):
        raise TableError(source, gettext_noop("expected a list of objects"))
    names, multiples = form_names(definition)
    # A repeat's field names, once for the file (the keys are the repeats).
    repeat_names = {r: {f.name for f in definition.repeat_fields(r)} for r in definition.repeats()}
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise TableError(source, gettext_noop("expected an object"), row=number)
        row = _json_row(source, number, item, names, multiples, repeat_names)
        check_cells(source, number, row)
        if row:
            yield number, row


def _json_row(
    source: str,
    number: int,
    item: dict[str, Any],
    names: set[str],
    multiples: dict[str, set[str]],
    repeat_names: dict[str, set[str]],
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    flat = flatten({k: v for k, v in item.items() if k.split("/")[-1] not in repeat_names})
    for key, value in flat.items():
        try:
            name = column_field(key, names, multiples)
        except KeyError:
            raise TableError(
                source, gettext_noop("not a field of this questionnaire"), row=number, column=key
            ) from None
        if name is not None and value not in (None, ""):
            row[name] = value
    for key, value in item.items():
        repeat = key.split("/")[-1]
        if repeat in repeat_names:
            _add_repeat(row, repeat, value, repeat_names)
    if "record_id" not in row:
        found = next((flat[c] for c in INSTANCE_COLUMNS if flat.get(c)), None)
        record_id = instance_record_id(found)
        if record_id:
            row["record_id"] = record_id
    return row


def _add_repeat(
    row: dict[str, Any],
    repeat: str,
    value: Any,
    repeat_names: dict[str, set[str]],
    parent: int | None = None,
) -> None:
    """A repeat's entries into the row; a repeat inside an entry (KoBo nests them) goes to
    a list of its own, as the answers keep it (docs/forms.md), each of its entries naming
    the position of the entry it was in (`PARENT`)."""
    items = repeat_items(value, repeat_names[repeat] | set(repeat_names))
    if items in (None, []):
        return
    if isinstance(items, list):
        if parent is not None:
            items = [{PARENT: parent, **item} if isinstance(item, dict) else item for item in items]
        before = len(row[repeat]) if isinstance(row.get(repeat), list) else 0
        for position, item in enumerate(items, start=before + 1):
            for inner in [k for k in item if k in repeat_names] if isinstance(item, dict) else []:
                _add_repeat(row, inner, item.pop(inner), repeat_names, position)
        if isinstance(row.get(repeat), list):
            row[repeat].extend(items)
            return
    row[repeat] = items
