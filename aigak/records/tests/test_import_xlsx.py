"""`aigak import` of XLSX workbooks as Excel and KoBoToolbox write them."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from aigak.records.models import Record
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.victim_fixture import run_cli

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def victim(db):
    return vf.install("victim")


def _workbook(path, sheets: dict[str, list[list[object]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_it_reads_typed_cells_dates_and_group_paths(victim, tmp_path, capsys):
    path = tmp_path / "excel.xlsx"
    _workbook(
        path,
        {
            "victim": [
                ["record_id", "victim/full_name", "birth_date", "age_stated", "vital_status"]
                + ["death_date", "essence", "narrative", "_index"],
                ["V-1", "Сейткали Әлия", dt.datetime(1990, 5, 17), 31.0, "deceased"]
                + ["2022-01-07", "died gunshot", "Текст, с запятой\nи строкой", 1],
                [None] * 9,
                ["V-2", "Ким Сергей", dt.date(1961, 1, 2), 61, "alive", None, None, "0012", 2],
            ]
        },
    )

    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert (code, out, err) == (0, "created 2, updated 0\n", "")
    first = Record.objects.get(record_id="V-1").answers
    assert first["birth_date"] == "1990-05-17"
    assert first["age_stated"] == 31
    assert first["death_date"] == "2022-01-07"
    assert first["essence"] == ["died", "gunshot"]
    assert first["narrative"] == "Текст, с запятой\nи строкой"
    second = Record.objects.get(record_id="V-2").answers
    assert (second["birth_date"], second["narrative"]) == ("1961-01-02", "0012")


def test_it_picks_the_sheet_named_like_the_form(victim, tmp_path, capsys):
    path = tmp_path / "two_sheets.xlsx"
    _workbook(
        path,
        {
            "README": [["This workbook holds victims"]],
            "victim": [["record_id", "vital_status"], ["V-1", "alive"]],
        },
    )

    assert run_cli(capsys, "import", "victim", str(path))[:2] == (0, "created 1, updated 0\n")


def test_it_names_sheet_row_and_column_of_problems(victim, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    _workbook(
        path,
        {"data": [["record_id", "vital_status", "age_stated"], ["V-1", "alive", 12.5]]},
    )

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "bad.xlsx: row 2: field 'age_stated', value '12.5': expected a whole number" in err

    _workbook(path, {"data": [["record_id", "vital_status", "height"], ["V-1", "alive", 180]]})
    code, _, err = run_cli(capsys, "import", "victim", str(path))
    assert code == 1
    assert "bad.xlsx (sheet 'data'): row 1, column 'height': not a field" in err
    assert Record.objects.count() == 0


def test_it_refuses_a_file_that_is_not_a_workbook(victim, tmp_path, capsys):
    path = tmp_path / "fake.xlsx"
    path.write_text("record_id,vital_status\n")

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "fake.xlsx: not a readable XLSX workbook" in err


def test_it_reads_kobo_repeats_from_sheets_of_their_own(victim, tmp_path, capsys):
    path = tmp_path / "kobo.xlsx"
    _workbook(
        path,
        {
            "Victims (test)": [
                ["victim/record_id", "victim/vital_status", "_id", "_uuid", "_index"],
                ["V-1", "alive", 101, "u-1", 1],
                ["V-2", "deceased", 102, "u-2", 2],
            ],
            "evidence_items": [
                ["evidence_items/evidence_kind", "evidence_items/evidence_pages"]
                + ["_index", "_parent_table_name", "_parent_index", "_submission__id"],
                ["photo", 2, 1, "Victims (test)", 2, 102],
                ["document", None, 2, "Victims (test)", 2, 102],
                ["audio", 1, 3, "Victims (test)", 1, 101],
            ],
        },
    )

    assert run_cli(capsys, "import", "victim", str(path))[:2] == (0, "created 2, updated 0\n")

    assert Record.objects.get(record_id="V-1").answers["evidence_items"] == [
        {"evidence_kind": "audio", "evidence_pages": 1}
    ]
    assert Record.objects.get(record_id="V-2").answers["evidence_items"] == [
        {"evidence_kind": "photo", "evidence_pages": 2},
        {"evidence_kind": "document"},
    ]
