"""Load an XLSForm into a questionnaire definition, refusing what we cannot honour.

The definition is plain data (dataclasses, stored as JSON with each questionnaire
version) so the web form, validation, import, export and reports all read one thing.
pyxform checks that the file is a valid XLSForm (and gives the XForm for ODK Collect);
our own pass keeps sheet and row numbers for messages and checks our subset.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aigak.questionnaires.expressions import ExpressionError, parse, references

SUPPORTED_TYPES = {
    "text", "integer", "decimal", "date", "time", "datetime", "select_one",
    "select_multiple", "note", "calculate", "geopoint", "image", "audio", "video", "file",
    "begin group", "end group", "begin repeat", "end repeat",
}  # fmt: skip
ANSWER_TYPES = SUPPORTED_TYPES - {"note", "begin group", "end group", "begin repeat", "end repeat"}
MEDIA_TYPES = {"image", "audio", "video", "file"}
SURVEY_COLUMNS = {
    "type", "name", "label", "hint", "required", "required_message", "relevant",
    "constraint", "constraint_message", "calculation", "default", "appearance",
    "confidential", "legal_analysis", "read_only", "parameters", "media::image",
}  # fmt: skip
UNSUPPORTED_COLUMNS = {"choice_filter", "repeat_count", "trigger", "body::accept"}
LANGUAGE_COLUMN = re.compile(r"^(?P<base>[\w:]+?)::(?P<lang>.+)$")
LANG_CODE = re.compile(r"\((?P<code>[a-z]{2,3})\)\s*$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
YES = {"yes", "true", "true()", "1", "y"}


class XLSFormError(ValueError):
    """A problem in an XLSForm, with the sheet and row where it is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Choice:
    name: str
    label: dict[str, str]


@dataclass
class Field:
    name: str
    type: str
    label: dict[str, str] = field(default_factory=dict)
    hint: dict[str, str] = field(default_factory=dict)
    required: str = ""  # "" (no), "yes", or an expression
    required_message: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_message: dict[str, str] = field(default_factory=dict)
    calculation: str = ""
    default: str = ""
    appearance: str = ""
    list_name: str = ""
    choices: list[Choice] = field(default_factory=list)
    confidential: bool = False
    legal_analysis: bool = False
    read_only: bool = False
    group: str = ""  # name of the innermost enclosing group or repeat
    repeat: str = ""  # name of the enclosing repeat, if any
    row: int = 0

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")

    @property
    def stores_answer(self) -> bool:
        return self.type in ANSWER_TYPES

    def choice_names(self) -> list[str]:
        return [c.name for c in self.choices]


@dataclass
class Section:
    """A group or repeat as the form shows it; children are field names or sections."""

    name: str
    kind: str  # "group", "repeat" or "root"
    label: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    confidential: bool = False
    legal_analysis: bool = False
    appearance: str = ""
    children: list[Any] = field(default_factory=list)  # str (field name) or Section
    row: int = 0


@dataclass
class FormDefinition:
    form_id: str
    title: str
    version: str
    languages: list[str]
    default_language: str
    fields: dict[str, Field]
    root: Section

    def answer_fields(self) -> list[Field]:
        """Top-level fields that hold an answer, in form order (repeats are one field)."""
        return [f for f in self.fields.values() if f.stores_answer and not f.repeat]

    def repeat_fields(self, repeat: str) -> list[Field]:
        return [f for f in self.fields.values() if f.repeat == repeat and f.stores_answer]

    def repeats(self) -> list[str]:
        seen: list[str] = []
        for f in self.fields.values():
            if f.repeat and f.repeat not in seen:
                seen.append(f.repeat)
        return seen

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormDefinition:
        fields = {}
        for name, raw in data["fields"].items():
            raw = dict(raw)
            raw["choices"] = [Choice(**c) for c in raw.get("choices", [])]
            fields[name] = Field(**raw)
        root = _section_from_dict(data["root"])
        # PostgreSQL's jsonb does not keep the order of object keys; the sections' lists
        # of children do, so they give the fields back their form order.
        order = [name for name in _field_names(root) if name in fields]
        fields = {**{name: fields[name] for name in order}, **fields}
        return cls(
            form_id=data["form_id"],
            title=data["title"],
            version=data["version"],
            languages=data["languages"],
            default_language=data["default_language"],
            fields=fields,
            root=root,
        )

    def label(self, name: str, lang: str) -> str:
        return pick(self.fields[name].label, lang, self.default_language) or name


def _field_names(section: Section) -> list[str]:
    names: list[str] = []
    for child in section.children:
        names.extend(_field_names(child) if isinstance(child, Section) else [child])
    return names


def _section_from_dict(data: dict[str, Any]) -> Section:
    children = [c if isinstance(c, str) else _section_from_dict(c) for c in data["children"]]
    return Section(**{**data, "children": children})


def pick(texts: dict[str, str], lang: str, default: str = "en") -> str:
    """The text in a language, falling back to the default language, then any."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get(default) or texts.get("en") or next(iter(texts.values()))


def _lang_code(column_language: str) -> str:
    match = LANG_CODE.search(column_language)
    if match:
        return match.group("code")
    return column_language.strip().lower()[:2] if column_language.strip() else "default"


def _read_sheet(book: Any, name: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    sheet = book[name]
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in header_row]
    out = []
    for number, values in enumerate(rows, start=2):
        row = {
            header[i]: (str(v).strip() if not isinstance(v, str) else v.strip())
            for i, v in enumerate(values)
            if i < len(header) and header[i] and v is not None and str(v).strip() != ""
        }
        if row:
            out.append((number, row))
    return header, out


def _localised(row: dict[str, Any], base: str, languages: set[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for column, value in row.items():
        if column == base:
            texts["default"] = value
            continue
        match = LANGUAGE_COLUMN.match(column)
        if match and match.group("base") == base:
            code = _lang_code(match.group("lang"))
            languages.add(code)
            texts[code] = value
    return texts


def load_xlsform(source: str | Path | bytes) -> FormDefinition:
    """Read and check an XLSForm; raise XLSFormError naming sheet, row and reason."""
    import openpyxl  # here, not at start-up: most commands never read a workbook

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-workbook
        raise XLSFormError([f"not a readable XLSX workbook: {exc}"]) from None
    problems: list[str] = []
    if "survey" not in book.sheetnames:
        raise XLSFormError(["the workbook has no 'survey' sheet"])
    languages: set[str] = set()
    settings: dict[str, str] = {}
    if "settings" in book.sheetnames:
        _, settings_rows = _read_sheet(book, "settings")
        if settings_rows:
            settings = settings_rows[0][1]
    choice_lists = _read_choices(book, languages, problems) if "choices" in book.sheetnames else {}
    header, survey_rows = _read_sheet(book, "survey")
    for column in header:
        base = LANGUAGE_COLUMN.match(column)
        base_name = base.group("base") if base else column
        if base_name in UNSUPPORTED_COLUMNS:
            problems.append(f"survey sheet, column {column!r}: not supported by Aigak")
    fields, root = _read_survey(survey_rows, choice_lists, languages, problems)
    _check_expressions(fields, root, problems)
    if not problems:
        problems.extend(_pyxform_problems(data))
    if problems:
        raise XLSFormError(problems)
    default_language = _lang_code(settings.get("default_language", "English (en)"))
    langs = sorted(languages - {"default"}) or ["en"]
    return FormDefinition(
        form_id=settings.get("form_id", "form"),
        title=settings.get("form_title", settings.get("form_id", "form")),
        version=str(settings.get("version", "1")),
        languages=langs,
        default_language=default_language,
        fields=fields,
        root=root,
    )


def _read_choices(book: Any, languages: set[str], problems: list[str]) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    _, rows = _read_sheet(book, "choices")
    for number, row in rows:
        list_name, name = row.get("list_name", ""), row.get("name", "")
        if not list_name or not name:
            problems.append(f"choices sheet, row {number}: list_name and name are required")
            continue
        if name in {c.name for c in lists.get(list_name, [])}:
            problems.append(
                f"choices sheet, row {number}: duplicate choice {name!r} in {list_name}"
            )
        if " " in name:
            problems.append(f"choices sheet, row {number}: choice name {name!r} has a space")
        lists.setdefault(list_name, []).append(
            Choice(name=name, label=_localised(row, "label", languages))
        )
    return lists


def _read_survey(
    rows: list[tuple[int, dict[str, Any]]],
    choice_lists: dict[str, list[Choice]],
    languages: set[str],
    problems: list[str],
) -> tuple[dict[str, Field], Section]:
    fields: dict[str, Field] = {}
    root = Section(name="", kind="root")
    stack: list[Section] = [root]
    names_seen: dict[str, int] = {}
    for number, row in rows:
        raw_type = re.sub(r"\s+", " ", row.get("type", "")).strip()
        if not raw_type:
            continue
        where = f"survey sheet, row {number}"
        words = raw_type.split(" ")
        kind = raw_type.lower()
        list_name = ""
        or_other = False
        if words[0] in ("select_one", "select_multiple", "select_one_or_other"):
            if len(words) < 2:
                problems.append(f"{where}: {words[0]} needs a choice list name")
                continue
            or_other = len(words) > 2 and words[2] == "or_other"
            if len(words) > 2 and not or_other:
                problems.append(f"{where}: {raw_type!r} is not a select type Aigak knows")
                continue
            kind, list_name = words[0].replace("_or_other", ""), words[1]
        elif kind in ("begin_group", "end_group", "begin_repeat", "end_repeat"):
            kind = kind.replace("_", " ")
        if kind not in SUPPORTED_TYPES:
            problems.append(f"{where}: type {raw_type!r} is not supported")
            continue
        name = row.get("name", "")
        if kind in ("end group", "end repeat"):
            if len(stack) == 1 or stack[-1].kind != kind.split(" ")[1]:
                problems.append(f"{where}: {kind} without a matching begin")
            else:
                stack.pop()
            continue
        if not name:
            problems.append(f"{where}: the {kind} has no name")
            continue
        if not NAME.match(name):
            problems.append(f"{where}: {name!r} is not a valid name")
            continue
        if name in names_seen:
            problems.append(f"{where}: name {name!r} is already used on row {names_seen[name]}")
            continue
        names_seen[name] = number
        flags = {
            "confidential": row.get("confidential", "").lower() in YES,
            "legal_analysis": row.get("legal_analysis", "").lower() in YES,
        }
        if kind in ("begin group", "begin repeat"):
            parent = stack[-1]
            section = Section(
                name=name,
                kind=kind.split(" ")[1],
                label=_localised(row, "label", languages),
                relevant=row.get("relevant", ""),
                appearance=row.get("appearance", ""),
                row=number,
                confidential=flags["confidential"] or parent.confidential,
                legal_analysis=flags["legal_analysis"] or parent.legal_analysis,
            )
            if section.kind == "repeat" and any(s.kind == "repeat" for s in stack):
                problems.append(f"{where}: repeats inside repeats are not supported")
            parent.children.append(section)
            stack.append(section)
            continue
        if list_name and list_name not in choice_lists:
            problems.append(f"{where}: choice list {list_name!r} is not on the choices sheet")
            continue
        parent = stack[-1]
        repeat = next((s.name for s in reversed(stack) if s.kind == "repeat"), "")
        required = row.get("required", "")
        f = Field(
            name=name,
            type=kind,
            label=_localised(row, "label", languages),
            hint=_localised(row, "hint", languages),
            required="yes"
            if required.lower() in YES
            else ("" if required.lower() in ("", "no", "false", "false()") else required),
            required_message=_localised(row, "required_message", languages),
            relevant=row.get("relevant", ""),
            constraint=row.get("constraint", ""),
            constraint_message=_localised(row, "constraint_message", languages),
            calculation=row.get("calculation", ""),
            default=row.get("default", ""),
            appearance=row.get("appearance", ""),
            list_name=list_name,
            choices=list(choice_lists.get(list_name, [])),
            confidential=flags["confidential"] or parent.confidential,
            legal_analysis=flags["legal_analysis"] or parent.legal_analysis,
            read_only=row.get("read_only", "").lower() in YES,
            group=parent.name,
            repeat=repeat,
            row=number,
        )
        if kind == "calculate" and not f.calculation:
            problems.append(f"{where}: calculate field {name!r} has no calculation")
        fields[name] = f
        parent.children.append(name)
        if list_name and (or_other or words[0] == "select_one_or_other"):
            _add_other(f, fields, parent, names_seen, number)
    for open_section in stack[1:]:
        problems.append(
            f"survey sheet, row {open_section.row}: begin {open_section.kind} {open_section.name!r} is never closed"
        )
    return fields, root


def _add_other(
    f: Field, fields: dict[str, Field], parent: Section, names_seen: dict[str, int], row: int
) -> None:
    """`or_other`: an 'other' choice and a '<field>_other' text shown when it is ticked."""
    if "other" not in f.choice_names():
        f.choices.append(Choice(name="other", label={"en": "Other", "ru": "Другое", "kk": "Басқа"}))
    other_name = f"{f.name}_other"
    if other_name in names_seen:
        return
    names_seen[other_name] = row
    fields[other_name] = Field(
        name=other_name,
        type="text",
        label={"en": "Specify other", "ru": "Укажите другое", "kk": "Басқасын көрсетіңіз"},
        relevant=f"selected(${{{f.name}}}, 'other')",
        confidential=f.confidential,
        legal_analysis=f.legal_analysis,
        group=f.group,
        repeat=f.repeat,
        row=row,
    )
    parent.children.append(other_name)


def _check_expressions(fields: dict[str, Field], root: Section, problems: list[str]) -> None:
    def check(text: str, where: str, column: str) -> None:
        if not text:
            return
        try:
            parse(text)
            unknown = references(text) - set(fields)
        except ExpressionError as exc:
            problems.append(f"{where}, {column}: {exc}")
            return
        for name in sorted(unknown):
            problems.append(f"{where}, {column}: refers to ${{{name}}}, which is not in the form")

    for f in fields.values():
        where = f"survey sheet, row {f.row} ({f.name})"
        check(f.relevant, where, "relevant")
        check(f.constraint, where, "constraint")
        check(f.calculation, where, "calculation")
        if f.required and f.required != "yes":
            check(f.required, where, "required")

    def walk(section: Section) -> None:
        for child in section.children:
            if isinstance(child, Section):
                check(child.relevant, f"survey sheet, row {child.row} ({child.name})", "relevant")
                walk(child)

    walk(root)


def _pyxform_problems(data: bytes) -> list[str]:
    """Let pyxform judge the file as ODK would; its messages carry row numbers."""
    import tempfile

    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(data)
        handle.flush()
        try:
            convert(xlsform=handle.name, validate=False)
        except PyXFormError as exc:
            return [f"XLSForm check: {exc}"]
    return []


def to_xform(data: bytes) -> str:
    """The XForm XML of an XLSForm, for ODK Collect and KoBoToolbox."""
    import tempfile

    from pyxform.xls2xform import convert

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(data)
        handle.flush()
        return convert(xlsform=handle.name, validate=False).xform
