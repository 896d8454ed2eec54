"""Build small XLSForms in tests, one row a list, so rules are easy to read."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

SURVEY_HEADER = [
    "type", "name", "label::English (en)", "label::Russian (ru)", "required", "relevant",
    "constraint", "constraint_message::English (en)", "calculation", "confidential",
    "legal_analysis", "hint::English (en)",
]  # fmt: skip


def xlsform(
    survey: list[list[Any]],
    choices: list[list[Any]] | None = None,
    settings: dict[str, str] | None = None,
    header: list[str] | None = None,
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(header or SURVEY_HEADER)
    for row in survey:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    choice_sheet.append(["list_name", "name", "label::English (en)", "label::Russian (ru)"])
    for row in choices or []:
        choice_sheet.append(row)
    settings_sheet = book.create_sheet("settings")
    values = {"form_id": "mini", "form_title": "Mini", "version": "1", **(settings or {})}
    settings_sheet.append(list(values))
    settings_sheet.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mini_form() -> bytes:
    """A small Victims-like form touching every supported feature."""
    return xlsform(
        [
            ["text", "record_id", "Record id", "Номер", "yes"],
            ["date", "entry_date", "Entry date", "Дата"],
            ["begin group", "victim", "Victim", "Жертва"],
            ["text", "full_name", "Full name", "ФИО"],
            ["integer", "age_stated", "Age", "Возраст", "", "", ". >= 0 and . <= 120", "Age 0-120"],
            ["select_one vital", "vital_status", "Vital status", "Статус", "yes"],
            [
                "select_one place",
                "location_at_interview",
                "Location",
                "Где",
                "",
                "${vital_status} = 'alive'",
            ],
            ["select_multiple essence", "essence", "Essence", "Суть"],
            [
                "text",
                "essence_other",
                "Other essence",
                "Другое",
                "",
                "selected(${essence}, 'other')",
            ],
            ["decimal", "height", "Height", "Рост"],
            ["end group"],
            ["text", "witness_phone", "Witness phone", "Телефон", "", "", "", "", "", "yes"],
            ["calculate", "age_next_year", "", "", "", "", "", "", "${age_stated} + 1"],
            ["begin group", "legal", "Legal", "Право", "", "", "", "", "", "", "yes"],
            ["select_multiple rights", "rights_violated", "Rights", "Права"],
            ["end group"],
            ["begin repeat", "sources", "Sources", "Источники"],
            ["text", "source_url", "URL", "Ссылка"],
            ["end repeat"],
        ],
        [
            ["vital", "deceased", "Deceased", "Погиб"],
            ["vital", "alive", "Alive", "Жив"],
            ["place", "prison", "Prison", "Тюрьма"],
            ["place", "at_liberty", "At liberty", "На свободе"],
            ["essence", "gunshot", "Gunshot", "Огнестрел"],
            ["essence", "detained", "Detained", "Задержан"],
            ["essence", "other", "Other", "Другое"],
            ["rights", "life", "Life", "Жизнь"],
            ["rights", "assembly", "Assembly", "Собрания"],
        ],
    )
