"""`aigak export`: the shape import reads, only live records, and an audit row."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from aigak.accounts.models import AuditAction, AuditEvent
from aigak.records.actions import delete_record
from aigak.records.models import Record
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.victim_fixture import run_cli

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


ROWS = (
    "record_id,full_name,age_stated,vital_status,essence,violation_start,evidence_items\r\n"
    "V-2,Ахметова Айгуль,,alive,,2022-01-05,\r\n"
    'V-1,"Иванов, Сергей",34,deceased,died gunshot,,'
    '"[{""evidence_kind"": ""photo"", ""evidence_pages"": 2}]"\r\n'
)


@pytest.fixture
def victim(db, tmp_path, capsys):
    questionnaire = vf.install("victim")
    path = tmp_path / "seed.csv"
    path.write_text(ROWS, newline="")
    assert run_cli(capsys, "import", "victim", str(path))[0] == 0
    return questionnaire


def test_it_writes_csv_to_stdout_in_form_order_without_a_bom(victim, capsys):
    code, out, err = run_cli(capsys, "export", "victim")

    assert (code, err) == (0, "")
    assert not out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["record_id", "entry_date", "documenter"]
    assert rows[0][-1] == "evidence_items"
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == ["V-2", "V-1"]  # the order they were entered
    assert by_id["V-1"]["full_name"] == "Иванов, Сергей"
    assert by_id["V-1"]["age_stated"] == "34"
    assert by_id["V-1"]["essence"] == "died gunshot"
    assert json.loads(by_id["V-1"]["evidence_items"]) == [
        {"evidence_kind": "photo", "evidence_pages": 2}
    ]
    assert by_id["V-2"]["age_stated"] == ""
    assert by_id["V-2"]["violation_start"] == "2022-01-05"


def test_it_writes_json_with_lists_for_repeats_and_no_empty_answers(victim, capsys):
    code, out, _ = run_cli(capsys, "export", "victim", "--format", "json")

    assert code == 0
    records = json.loads(out)
    assert records[1] == {
        "record_id": "V-1",
        "full_name": "Иванов, Сергей",
        "age_stated": 34,
        "vital_status": "deceased",
        "essence": "died gunshot",
        "evidence_items": [{"evidence_kind": "photo", "evidence_pages": 2}],
    }
    assert list(records[0]) == ["record_id", "full_name", "vital_status", "violation_start"]


def test_it_writes_xlsx_with_numbers_as_numbers_and_dates_as_text(victim, tmp_path, capsys):
    path = tmp_path / "victims.xlsx"

    code, _, err = run_cli(capsys, "export", "victim", "--out", str(path))

    assert code == 0
    assert "exported 2 records" in err
    sheet = openpyxl.load_workbook(path)["victim"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    v2, v1 = (dict(zip(header, row, strict=True)) for row in rows[1:])
    assert v1["age_stated"] == 34
    assert v2["violation_start"] == "2022-01-05"
    assert v2["age_stated"] is None
    assert v1["essence"] == "died gunshot"


def test_it_leaves_out_deleted_records(victim, admin_user, capsys):
    delete_record(admin_user, Record.objects.get(record_id="V-2"), "duplicate of V-1")

    code, out, _ = run_cli(capsys, "export", "victim", "--format", "json")

    assert code == 0
    assert [r["record_id"] for r in json.loads(out)] == ["V-1"]


def test_it_writes_an_audit_row(victim, tmp_path, capsys):
    run_cli(capsys, "export", "victim", "--format", "json", "--out", str(tmp_path / "v.json"))

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.object_type, event.object_id) == ("questionnaire", "victim")
    assert event.metadata == {"format": "json", "records": 2, "destination": "v.json"}


def test_a_csv_file_starts_with_a_bom_for_excel_and_imports_back(victim, tmp_path, capsys):
    path = tmp_path / "victims.csv"

    assert run_cli(capsys, "export", "victim", "--out", str(path))[0] == 0

    assert path.read_bytes().startswith(b"\xef\xbb\xbfrecord_id,")
    assert not (tmp_path / "victims.csv.partial").exists()
    assert (
        run_cli(capsys, "import", "victim", str(path))[1] == "created 0, updated 0, unchanged 2\n"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["export", "victim", "--format", "xlsx"], "xlsx needs --out FILE"),
        (["export", "nonesuch"], "unknown questionnaire 'nonesuch'"),
        (["export", "victim", "--format", "pdf"], "invalid choice: 'pdf'"),
    ],
)
def test_usage_errors_exit_2(victim, capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)

    assert code == 2
    assert out == ""
    assert message in err
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_unwritable_destination_exits_1(victim, tmp_path, capsys):
    code, _, err = run_cli(capsys, "export", "victim", "--out", str(tmp_path / "no" / "x.csv"))

    assert code == 1
    assert "cannot write" in err
