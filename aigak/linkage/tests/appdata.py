"""Data for the tests of the linkage pages: the shipped Victims form, victims, list files.

Records are written straight to the database (no validation, no versions): the linkage
app reads only their answers and persons, and a test of the matching needs dozens.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import openpyxl

VICTIM_FORM = Path(__file__).resolve().parents[2] / "questionnaires" / "forms" / "victim.xlsx"

# People of the database: (full name, birth date, age, gender, region, locality, start).
VICTIMS = [
    ("Кудайбергенов Казыбек Ерланович", "1987-03-01", None, "male", "almaty", "almaty", "2022-01-05"),
    ("Оспанов Ерлан Маратович", "1990-02-03", None, "male", "almaty_oblast", "taldykorgan", "2022-01-06"),
    ("Жумабаева Айгерим Серикқызы", "1995-07-21", None, "female", "east_kazakhstan", "ust_kamenogorsk", "2022-01-07"),
    ("Сапаров Нурлан", "", 45, "male", "zhambyl", "taraz", "2022-01-05"),
    ("Ахметов Бауыржан Кайратович", "1979-11-30", None, "male", "almaty", "almaty", "2022-01-05"),
    ("Иванов Сергей Петрович", "1984-05-12", None, "male", "almaty", "almaty", "2022-01-06"),
    ("Тулегенова Динара", "", 29, "female", "kyzylorda", "kyzylorda", "2022-01-05"),
    ("Смагулов Арман Болатович", "2001-01-15", None, "male", "shymkent", "shymkent", "2022-01-05"),
]  # fmt: skip

# The same people as an activists' list writes them, plus two the database lacks.
LIST_HEADER = ["№", "ФИО", "Дата рождения", "Возраст", "Пол", "Область", "Город", "Дата гибели"]
LIST_ROWS = [
    ["1", "Kudaibergenov Kazybek", "01.03.1987", "34", "м", "", "Алматы", "05.01.2022"],
    ["2", "Оспанов Ерлан", "03.02.1990", "", "м", "Алматинская область", "Талдыкорган", ""],
    ["3", "Жумабаева Айгерим", "", "26", "ж", "ВКО", "Өскемен", "07.01.2022"],
    ["4", "Сапаров Н.", "", "45", "м", "Жамбылская область", "Тараз", ""],
    ["5", "Мухамедиев Талгат Ержанович", "12.12.1970", "", "м", "", "Актобе", ""],
    ["6", "Beisenova Aliya", "", "33", "ж", "", "Атырау", ""],
]


@lru_cache(maxsize=1)
def _victim_definition() -> dict[str, Any]:
    from aigak.questionnaires.xlsform import load_xlsform

    return load_xlsform(VICTIM_FORM.read_bytes()).to_dict()


def install_victim_form():
    """The shipped Victims questionnaire, installed without checking the XLSForm again."""
    from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion

    data = VICTIM_FORM.read_bytes()
    questionnaire = Questionnaire.objects.create(name="victim", title="Victims")
    questionnaire.current = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        version="test",
        xlsform=b"",
        sha256=QuestionnaireVersion.digest(data),
        definition_json=_victim_definition(),
    )
    questionnaire.save(update_fields=["current"])
    return questionnaire


def add_victim(questionnaire, number: int, full_name: str, **answers: Any):
    """A live record with its own person."""
    from aigak.records.models import Person, Record

    person = Person.objects.create(display_name=full_name)
    record_id = f"V-{number:06d}"
    answers = {"record_id": record_id, "full_name": full_name, **answers}
    return Record.objects.create(
        questionnaire=questionnaire,
        form_version=questionnaire.current,
        record_id=record_id,
        person=person,
        answers={k: v for k, v in answers.items() if v not in (None, "")},
    )


def add_victims(questionnaire, rows=VICTIMS, start: int = 1) -> list:
    records = []
    for number, (name, birth, age, gender, region, locality, began) in enumerate(rows, start):
        records.append(
            add_victim(
                questionnaire,
                number,
                name,
                birth_date=birth,
                age_stated=age,
                gender=gender,
                region_residence=region,
                event_locality=locality,
                violation_start=began,
                vital_status="deceased",
            )
        )
    return records


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], extra_sheet: bool = False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Погибшие"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("Notes").append(["source: press release"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_rows() -> list[list[str]]:
    return [LIST_HEADER, *LIST_ROWS]
