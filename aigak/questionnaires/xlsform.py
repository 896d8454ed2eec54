"""Read an XLSForm through pyxform and map it to Aigak's questionnaire definition.

pyxform reads the workbook (`.xlsx`, `.xls`), resolves its aliases (`list name`,
`select one`, `select all that apply`, `gps`, `photo`, `begin loop`...), the settings sheet
and smart quotes, and judges the form as ODK would. This module maps pyxform's JSON to
`FormDefinition`, keeps what Aigak adds (`confidential`, `legal_analysis`) and puts sheet,
row and column into every message.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigak.questionnaires.definition import (
    ANSWER_TYPES,
    MEDIA_TYPES,
    SUPPORTED_TYPES,
    Choice,
    Field,
    FormDefinition,
    Section,
    pick,
)
from aigak.questionnaires.expressions import ExpressionError, parse

__all__ = [
    "ANSWER_TYPES", "MEDIA_TYPES", "SUPPORTED_TYPES", "Choice", "Field", "FormDefinition",
    "Problem", "Section", "XLSFormError", "load_xlsform", "pick", "read_xlsform", "to_xform",
]  # fmt: skip

LANG_CODE = re.compile(r"\((?P<code>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
YES = {"yes", "true", "true()", "1", "y"}
NO = {"", "no", "false", "false()", "0", "n"}
# pyxform's bind types and control tags -> the type Aigak stores.
BIND_TYPES = {
    "int": "integer", "decimal": "decimal", "date": "date", "dateTime": "datetime",
    "time": "time", "geopoint": "geopoint", "string": "text", "barcode": "text",
    "geotrace": "text", "geoshape": "text",
}  # fmt: skip
BINARY_TYPES = {"photo": "image", "image": "image", "audio": "audio", "video": "video"}
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "username", "email", "phonenumber", "simserial",
    "subscriberid", "audit", "start-geopoint", "background-audio", "background-geopoint",
}  # fmt: skip
RELATIVE = re.compile(r"(?:\.\./)+([A-Za-z_][\w.-]*)")  # pyxform's own `or_other` relevant
WHERE_ROW = re.compile(r"\[row\s*:\s*(?P<row>\d+)\]")
WHERE_COLUMN = re.compile(r"the '(?P<column>[\w:]+)' (?:value|column)")
WHERE_SHEET = re.compile(r"'(?P<sheet>survey|choices|settings|external_choices|entities)' sheet")


@dataclass(frozen=True)
class Problem:
    """One reason a form cannot be installed, and where it is."""

    reason: str
    sheet: str = "survey"
    row: int = 0
    column: str = ""

    def __str__(self) -> str:
        where = "file" if self.sheet == "file" else f"{self.sheet} sheet"
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}"


class XLSFormError(ValueError):
    """Problems in an XLSForm, each with the sheet, row and column where it is."""

    def __init__(self, problems: list[Problem] | list[str]):
        self.details = [p if isinstance(p, Problem) else Problem(reason=p) for p in problems]
        self.problems = [str(p) for p in self.details]
        super().__init__("; ".join(self.problems))


def _lang_code(language: str) -> str:
    match = LANG_CODE.search(language)
    if match:
        return match.group("code").lower()
    return language.strip() or "default"


def _texts(value: Any, default: str) -> dict[str, str]:
    """pyxform gives a string (one language) or {language name: text}."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {_lang_code(k): str(v) for k, v in value.items() if v not in (None, "")}
    return {default: str(value)}


def _flag(value: Any) -> bool:
    return str(value or "").strip().lower() in YES


def _required(value: Any) -> str:
    text = str(value or "").strip()
    if text.lower() in YES:
        return "yes"
    return "" if text.lower() in NO else text


def _media_itemset(element: dict[str, Any]) -> str:
    """The media file a `select_one_from_file` question takes its choices from."""
    itemset = str(element.get("itemset") or "")
    return itemset if itemset.lower().endswith((".csv", ".xml")) else ""


def _storage_type(odk_type: str, element: dict[str, Any]) -> str | None:
    """The type Aigak stores for a pyxform question type (None: it holds no answer)."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    if odk_type in ("note", "calculate", "hidden"):
        return "calculate" if odk_type == "hidden" else odk_type
    spec = QUESTION_TYPE_DICT.get(odk_type, {})
    tag = spec.get("control", {}).get("tag")
    bind = spec.get("bind", {}).get("type")
    if element.get("itemset") and not element.get("choices"):
        if _media_itemset(element):  # select_one_from_file: the choices are in the file
            return "select_one" if tag == "select1" else "select_multiple"
        if not element.get("_listed"):
            return "text"  # choices from earlier answers or an external list: as text
    if tag == "select1":
        return "select_one"
    if tag in ("select", "odk:rank"):
        return "select_multiple"
    if odk_type in ("acknowledge", "trigger"):
        return "text"
    if bind == "binary":
        return BINARY_TYPES.get(odk_type.replace("background-", ""), "file")
    if tag == "range":
        step = _parameters(element.get("parameters")).get("step", "1")
        return "decimal" if "." in step else "integer"
    if bind is None and tag is None:
        return None if odk_type.endswith("-external") else "text"
    return BIND_TYPES.get(bind or "string", "text")


class _Mapper:
    """Walks pyxform's JSON tree and builds the fields and sections."""

    def __init__(self, rows: dict[tuple[str, ...], int], default_lang: str):
        self.rows = rows
        self.lang = default_lang
        self.fields: dict[str, Field] = {}
        self.problems: list[Problem] = []
        self.duplicates: set[str] = set()
        self.lists: dict[str, list[dict[str, Any]]] = {}  # the choices sheet, by list name

    def texts(self, element: dict[str, Any], key: str) -> dict[str, str]:
        return _texts(element.get(key), self.lang)

    def section(self, element: dict[str, Any], kind: str, path: tuple[str, ...], parent: Section):
        bind = element.get("bind", {}) or {}
        control = element.get("control", {}) or {}
        return Section(
            name=self.key(path),
            kind=kind,
            label=self.texts(element, "label"),
            relevant=str(bind.get("relevant", "")),
            appearance=str(control.get("appearance", "")),
            confidential=_flag(element.get("confidential")) or parent.confidential,
            legal_analysis=_flag(element.get("legal_analysis")) or parent.legal_analysis,
            row=self.rows.get(path, 0),
            repeat_count=str(control.get("jr:count", "")),
        )

    def key(self, path: tuple[str, ...]) -> str:
        """A field's name, or its group path when the name is used twice in the form."""
        return "/".join(path) if path[-1] in self.duplicates else path[-1]

    def walk(self, element: dict, section: Section, path: tuple, repeat: str) -> None:
        for child in element.get("children", []):
            self.child(child, section, path, repeat)

    def child(self, child: dict, section: Section, path: tuple, repeat: str) -> None:
        kind, name = child.get("type", ""), child.get("name", "")
        here = (*path, name)
        if kind == "group" and (child.get("control") or {}).get("bodyless"):
            return  # pyxform's own meta group (instanceID)
        if kind in ("group", "repeat"):
            sub = self.section(child, kind, here, section)
            section.children.append(sub)
            self.walk(child, sub, here, sub.name if kind == "repeat" else repeat)
            return
        if kind == "loop":
            self.loop(child, section, here, repeat)
            return
        self.question(child, section, here, repeat)

    def loop(self, child: dict, section: Section, here: tuple, repeat: str) -> None:
        """`begin loop over LIST`: one group per choice, the questions inside each."""
        sub = self.section(child, "group", here, section)
        section.children.append(sub)
        for column in child.get("columns", []):
            inner_path = (*here, column["name"])
            self.duplicates.update(c.get("name", "") for c in child.get("children", []))
            inner = Section(
                name="/".join(inner_path),
                kind="group",
                label=_texts(column.get("label"), self.lang),
                confidential=sub.confidential,
                legal_analysis=sub.legal_analysis,
                row=sub.row,
            )
            sub.children.append(inner)
            labels = {k: v for k, v in inner.label.items()}
            for question in child.get("children", []):
                copy = dict(question)
                copy["label"] = _loop_label(question.get("label"), labels, self.lang)
                self.rows.setdefault((*inner_path, question.get("name", "")), sub.row)
                self.child(copy, inner, inner_path, repeat)

    def question(self, child: dict, section: Section, here: tuple, repeat: str) -> None:
        odk_type = child.get("type", "")
        listed = self.lists.get(str(child.get("itemset") or ""))
        if listed and not child.get("choices"):  # randomize=true: pyxform names the list
            child = {**child, "choices": listed, "list_name": child["itemset"], "_listed": True}
        stored = _storage_type(odk_type, child)
        if stored is None:
            return
        bind = child.get("bind", {}) or {}
        control = child.get("control", {}) or {}
        key = self.key(here)
        default = child.get("default", "")
        f = Field(
            name=key,
            type=stored,
            label=self.texts(child, "label"),
            hint=self.texts(child, "hint"),
            required=_required(bind.get("required")),
            required_message=_texts(bind.get("jr:requiredMsg"), self.lang),
            relevant=RELATIVE.sub(r"${\1}", str(bind.get("relevant", ""))),
            constraint=str(bind.get("constraint", "")),
            constraint_message=_texts(bind.get("jr:constraintMsg"), self.lang),
            calculation=str(bind.get("calculate", "")),
            default=str(default) if not isinstance(default, dict) else "",
            appearance=str(control.get("appearance", "")),
            list_name=str(child.get("list_name", "") or _media_itemset(child))
            if stored.startswith("select")
            else "",
            choices=[_choice(c, self.lang) for c in child.get("choices", [])]
            if stored.startswith("select")
            else [],
            confidential=_flag(child.get("confidential")) or section.confidential,
            legal_analysis=_flag(child.get("legal_analysis")) or section.legal_analysis,
            read_only=_flag(bind.get("readonly")),
            group=section.name,
            repeat=repeat,
            row=self.rows.get(here, 0),
            odk_type=odk_type,
            metadata=odk_type if odk_type in METADATA_TYPES else "",
            choice_filter=str(child.get("choice_filter", "")),
            trigger=[str(t) for t in child.get("trigger", []) or []],
            parameters=_parameters(child.get("parameters")),
            path="/".join(here),
            itemset=_media_itemset(child) if stored.startswith("select") else "",
        )
        self.fields[key] = f
        section.children.append(key)


def _parameters(value: Any) -> dict[str, str]:
    """pyxform gives parsed parameters as a dict, and the raw text for some types."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    pairs = (part.split("=", 1) for part in str(value or "").replace(";", " ").split())
    return {k.strip(): v.strip() for k, v in (p for p in pairs if len(p) == 2)}


def _loop_label(label: Any, column: dict[str, str], lang: str) -> Any:
    texts = _texts(label, lang)
    out = {}
    for code, text in texts.items():
        out[code] = text.replace("%(label)s", pick(column, code, lang))
    return out


def _choice(raw: dict[str, Any], lang: str) -> Choice:
    extra = {k: str(v) for k, v in raw.items() if k not in ("name", "label", "media")}
    return Choice(name=str(raw.get("name", "")), label=_texts(raw.get("label"), lang), extra=extra)


def _survey_rows(survey: list[dict[str, Any]]) -> dict[tuple[str, ...], int]:
    """Where each element is on the survey sheet, by its group path (row 1 is the header)."""
    rows: dict[tuple[str, ...], int] = {}
    stack: list[str] = []
    for index, row in enumerate(survey):
        kind = re.sub(r"[\s_]+", " ", str(row.get("type", ""))).strip().lower()
        name = str(row.get("name", "")).strip()
        if kind.startswith("end "):
            if stack:
                stack.pop()
            continue
        if name:
            rows.setdefault((*stack, name), index + 2)
        if kind.startswith("begin "):
            stack.append(name)
    return rows


def _names(element: dict[str, Any]) -> list[str]:
    out = []
    for child in element.get("children", []):
        if child.get("type") == "group" and (child.get("control") or {}).get("bodyless"):
            continue
        out.append(child.get("name", ""))
        out.extend(_names(child))
    return out


def _pyxform_problem(exc: Exception, rows: dict[tuple[str, ...], int]) -> Problem:
    text = str(exc).strip()
    row_match = WHERE_ROW.search(text)
    sheet_match = WHERE_SHEET.search(text)
    reason = WHERE_ROW.sub("", text).strip()
    row = int(row_match.group("row")) if row_match else 0
    if not row:
        # pyxform names the element ("... named 'x'") without its row for some problems.
        named = re.search(r"(?:named|name) '([^']+)'|\$\{([^}]+)\}", text)
        wanted = next((g for g in named.groups() if g), "") if named else ""
        row = next((r for path, r in rows.items() if path[-1] == wanted), 0)
    column = WHERE_COLUMN.search(text)
    return Problem(
        reason=reason,
        sheet=sheet_match.group("sheet") if sheet_match else "survey",
        row=row,
        column=column.group("column") if column else "",
    )


def _convert(data: bytes, problems: list[Problem]) -> tuple[dict[str, Any], Any, str]:
    """pyxform's JSON of the form, its rows and its XForm; problems if it refuses."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    try:
        book = get_xlsform(xlsform=data)
    except Exception as exc:  # pyxform raises several types for a non-workbook
        problem = Problem(reason=f"not a readable XLSForm workbook: {exc}", sheet="file")
        raise XLSFormError([problem]) from None
    rows = _survey_rows(book.survey or [])
    warnings: list[str] = []
    try:
        json_form = workbook_to_json(workbook_dict=book, warnings=warnings)
        survey = create_survey_element_from_dict(json_form)
        xform = survey.to_xml(validate=False, warnings=warnings)
    except (PyXFormError, ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.append(_pyxform_problem(exc, rows))
        return {}, rows, ""
    return json_form, rows, xform


# pyxform's reading of the last few workbooks read, by their bytes' SHA-256: a form is
# read for its preview and again when installed, and the shipped forms for every test
# database; pyxform takes a quarter of a second or more each time.
_READ: dict[str, tuple[dict[str, Any], Any, str]] = {}
_READ_KEPT = 16


def _convert_once(data: bytes, problems: list[Problem]) -> tuple[dict[str, Any], Any, str]:
    """`_convert`, or a copy of what it gave for the same bytes before (a form it
    refused is read again, so that its problems are said again)."""
    key = hashlib.sha256(data).hexdigest()
    kept = _READ.get(key)
    if kept is None:
        kept = _convert(data, problems)
        if problems:
            return kept
        if len(_READ) >= _READ_KEPT:
            del _READ[next(iter(_READ))]
        _READ[key] = kept
    json_form, rows, xform = kept
    return copy.deepcopy(json_form), copy.deepcopy(rows), xform


def read_xlsform(source: str | Path | bytes) -> tuple[FormDefinition, str]:
    """The definition and XForm XML of an XLSForm; XLSFormError lists every problem."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    problems: list[Problem] = []
    json_form, rows, xform = _convert_once(data, problems)
    if problems:
        raise XLSFormError(problems)
    default_language = _lang_code(str(json_form.get("default_language") or "English (en)"))
    if default_language == "default":
        default_language = "en"
    _check_public_key(json_form, problems)
    if problems:
        raise XLSFormError(problems)
    mapper = _Mapper(rows, "default")
    names = _names(json_form)
    mapper.duplicates = {n for n in names if names.count(n) > 1}
    mapper.lists = dict(json_form.get("choices") or {})
    root = Section(name="", kind="root")
    mapper.walk(json_form, root, (), "")
    _check_expressions(mapper, root)
    if mapper.problems:
        raise XLSFormError(mapper.problems)
    languages: set[str] = set()
    for f in mapper.fields.values():
        languages.update(f.label)
        for choice in f.choices:
            languages.update(choice.label)
    languages.discard("default")
    definition = FormDefinition(
        form_id=str(json_form.get("id_string") or "form"),
        title=str(json_form.get("title") or json_form.get("id_string") or "form"),
        version=str(json_form.get("version") or "1"),
        languages=sorted(languages) or ["en"],
        default_language=default_language,
        fields=mapper.fields,
        root=root,
        public_key=str(json_form.get("public_key") or ""),
    )
    return definition, xform


def _check_public_key(json_form: dict[str, Any], problems: list[Problem]) -> None:
    """An encrypted form's `public_key` must be one ODK Collect can encrypt with."""
    from aigak.lib.odk_crypto import OdkCryptoError, load_public_key

    key = str(json_form.get("public_key") or "")
    if not key:
        return
    try:
        if "-----" in key:
            raise OdkCryptoError("write the key's base64 alone, without the -----BEGIN lines")
        load_public_key(key)
    except OdkCryptoError as exc:
        reason = f"public_key is not a base64 RSA public key: {exc}"
        problems.append(Problem(reason=reason, sheet="settings", column="public_key"))


def load_xlsform(source: str | Path | bytes) -> FormDefinition:
    """Read and check an XLSForm; raise XLSFormError naming sheet, row, column and reason."""
    return read_xlsform(source)[0]


def _check_expressions(mapper: _Mapper, root: Section) -> None:
    """Expressions the evaluator cannot read are refused here, not when a form is filled."""

    def check(text: str, row: int, column: str) -> None:
        if not text:
            return
        try:
            parse(text)
        except ExpressionError as exc:
            mapper.problems.append(Problem(reason=str(exc), row=row, column=column))

    for f in mapper.fields.values():
        for column in ("relevant", "constraint", "calculation"):
            check(getattr(f, column), f.row, column)
        if f.required and f.required != "yes":
            check(f.required, f.row, "required")

    def walk(section: Section) -> None:
        for child in section.children:
            if isinstance(child, Section):
                check(child.relevant, child.row, "relevant")
                check(child.repeat_count, child.row, "repeat_count")
                walk(child)

    walk(root)


def to_xform(data: bytes) -> str:
    """The XForm XML of an XLSForm, for ODK Collect and KoBoToolbox."""
    return read_xlsform(data)[1]
