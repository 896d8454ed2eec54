"""Build the shipped XLSForms from their Python sources.

    python -m aigak.questionnaires.forms.source.build_forms [--out DIR]

writes ``victim.xlsx``, ``torture.xlsx``, ``event.xlsx`` and ``tell_us.xlsx`` (by default next to this
folder, where they are committed). The output is byte-for-byte reproducible: the same
sources give the same files, so a changed .xlsx in a diff always means a changed form.
"""

import argparse
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType

from openpyxl import Workbook
from openpyxl.styles import Font

from . import event_form, tell_us_form, torture_form, victim_form

FORMS: tuple[ModuleType, ...] = (victim_form, torture_form, event_form, tell_us_form)
FORMS_DIR = Path(__file__).resolve().parent.parent

LANGUAGES = ("English (en)", "Russian (ru)", "Kazakh (kk)")
DEFAULT_LANGUAGE = LANGUAGES[0]
TRANSLATED = ("label", "hint", "constraint_message")


def _translated(column: str) -> list[str]:
    return [f"{column}::{language}" for language in LANGUAGES]


SURVEY_COLUMNS = [
    "type",
    "name",
    *_translated("label"),
    *_translated("hint"),
    "required",
    "relevant",
    "constraint",
    *_translated("constraint_message"),
    "calculation",
    "default",
    "appearance",
    "confidential",
    "legal_analysis",
]
CHOICES_COLUMNS = ["list_name", "name", *_translated("label")]
SETTINGS_COLUMNS = ["form_id", "form_title", "version", "default_language"]
PLAIN_KEYS = {column for column in SURVEY_COLUMNS if "::" not in column}
ROW_KEYS = PLAIN_KEYS | set(TRANSLATED)
SELECT_TYPES = ("select_one", "select_multiple")

# Fixed timestamps keep the files reproducible (openpyxl and zipfile stamp "now").
FIXED_TIME = datetime(2026, 1, 1)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


class FormSourceError(ValueError):
    """A form source breaks the conventions the loader relies on."""


def _list_name(row_type: str) -> str | None:
    words = row_type.split()
    if words and words[0] in SELECT_TYPES:
        if len(words) != 2:
            raise FormSourceError(f"select type without a single list name: {row_type!r}")
        return words[1]
    return None


def survey_rows(form: ModuleType) -> list[list[object]]:
    """The survey sheet of ``form``, header first; checks each row on the way."""
    rows: list[list[object]] = [list(SURVEY_COLUMNS)]
    names: set[str] = set()
    for row in form.SURVEY:
        unknown = set(row) - ROW_KEYS
        if unknown:
            raise FormSourceError(f"{form.FORM_ID}: unknown columns {sorted(unknown)} in {row}")
        name = row.get("name")
        if not row["type"].startswith("end ") and name in names:
            raise FormSourceError(f"{form.FORM_ID}: duplicate name {name!r}")
        names.add(name)
        list_name = _list_name(row["type"])
        if list_name is not None and list_name not in form.CHOICES:
            raise FormSourceError(f"{form.FORM_ID}: {name!r} uses undefined list {list_name!r}")
        cells: dict[str, object] = {}
        for key, value in row.items():
            if key in TRANSLATED:
                if len(value) != len(LANGUAGES) or not all(value):
                    raise FormSourceError(f"{form.FORM_ID}: {name}.{key} needs {LANGUAGES}")
                cells.update(zip(_translated(key), value, strict=True))
            else:
                cells[key] = value
        rows.append([cells.get(column) for column in SURVEY_COLUMNS])
    return rows


def _lists_in_use(form: ModuleType) -> list[str]:
    used: list[str] = []
    for row in form.SURVEY:
        list_name = _list_name(row["type"])
        if list_name is not None and list_name not in used:
            used.append(list_name)
    return used


def choice_rows(form: ModuleType) -> list[list[object]]:
    """The choices sheet, lists in the order the survey first uses them."""
    used = _lists_in_use(form)
    unused = set(form.CHOICES) - set(used)
    if unused:
        raise FormSourceError(f"{form.FORM_ID}: unused choice lists {sorted(unused)}")
    rows: list[list[object]] = [list(CHOICES_COLUMNS)]
    for list_name in used:
        seen: set[str] = set()
        for name, *labels in form.CHOICES[list_name]:
            if name in seen or len(labels) != len(LANGUAGES) or not all(labels):
                raise FormSourceError(f"{form.FORM_ID}: bad choice {list_name}/{name}")
            seen.add(name)
            rows.append([list_name, name, *labels])
    return rows


def settings_rows(form: ModuleType) -> list[list[object]]:
    return [
        list(SETTINGS_COLUMNS),
        [form.FORM_ID, form.FORM_TITLE, form.VERSION, DEFAULT_LANGUAGE],
    ]


def build_workbook(form: ModuleType) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = (
        ("survey", survey_rows(form)),
        ("choices", choice_rows(form)),
        ("settings", settings_rows(form)),
    )
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "Aigak"
    workbook.properties.created = FIXED_TIME
    return workbook


def _reproducible(xlsx: bytes) -> bytes:
    """Rewrite the zip with fixed member timestamps and a fixed modification date."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = MODIFIED.sub(
                    rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", data
                )
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, data)
    return out.getvalue()


def xlsx_bytes(form: ModuleType) -> bytes:
    buffer = io.BytesIO()
    build_workbook(form).save(buffer)
    return _reproducible(buffer.getvalue())


def build(out_dir: Path, forms: Iterable[ModuleType] = FORMS) -> list[Path]:
    """Write ``<form_id>.xlsx`` for each form into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for form in forms:
        path = out_dir / f"{form.FORM_ID}.xlsx"
        path.write_bytes(xlsx_bytes(form))
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FORMS_DIR, help="output folder")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
