"""`aigak import` of CSV files: all rows or none, and errors that say where."""

from __future__ import annotations

import csv
import random
import sys

import pytest

from aigak.accounts.models import AuditAction, AuditEvent
from aigak.records.models import Person, Record, RecordVersion
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.victim_fixture import run_cli

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def victim(db):
    return vf.install("victim")


def _rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [vf.random_row(rng, number) for number in range(1, count + 1)]


def _counts() -> tuple[int, int, int]:
    return Record.objects.count(), RecordVersion.objects.count(), Person.objects.count()


def test_it_imports_3000_rows_made_by_another_program_and_exports_every_cell(
    victim, tmp_path, capsys
):
    rows = _rows(3000)
    source = tmp_path / "victims.csv"
    vf.write_csv(source, rows)

    code, out, err = run_cli(capsys, "import", "victim", str(source))
    assert (code, out.strip(), err) == (0, "created 3000, updated 0", "")

    target = tmp_path / "export.csv"
    code, _, _ = run_cli(capsys, "export", "victim", "--out", str(target))
    assert code == 0
    exported = {row["record_id"]: row for row in vf.read_csv(target)}
    assert len(exported) == 3000
    for row in rows:
        got = exported[row["record_id"]]
        for column, value in row.items():
            assert got[column] == value, (row["record_id"], column)
    # The tricky texts really went through: quotes, commas, newlines, Cyrillic, '='.
    texts = {cell for row in exported.values() for cell in row.values()}
    assert set(vf.TRICKY) <= texts


def test_it_imports_nothing_when_one_row_is_bad_and_names_row_field_value_rule(
    victim, tmp_path, capsys
):
    good = tmp_path / "first.csv"
    vf.write_csv(good, _rows(5))
    assert run_cli(capsys, "import", "victim", str(good))[0] == 0
    before = _counts()

    rows = _rows(3000, seed=8)
    rows[1499]["gender"] = "woman"  # the 1,500th data row: spreadsheet row 1,501
    bad = tmp_path / "bad.csv"
    vf.write_csv(bad, rows)
    code, out, err = run_cli(capsys, "import", "victim", str(bad))

    assert code == 1
    assert out == ""
    assert "bad.csv: row 1501: field 'gender', value 'woman'" in err
    assert "type select_one" in err
    assert "nothing was imported" in err
    assert _counts() == before


def test_it_names_every_bad_row_with_its_rule(victim, tmp_path, capsys):
    rows = _rows(4)
    rows[0]["age_stated"] = "150"
    rows[2]["birth_date"] = "05.01.1990"
    rows[3]["essence"] = "gunshot flying"
    rows[1]["vital_status"] = ""
    path = tmp_path / "bad.csv"
    vf.write_csv(path, rows)

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "row 2: field 'age_stated', value '150': An age from 0 to 120" in err
    assert "row 4: field 'birth_date', value '05.01.1990': expected a date as YYYY-MM-DD" in err
    assert "row 5: field 'essence', value 'gunshot flying': flying not among the choices" in err
    assert "row 3: field 'vital_status', value '': an answer is required (required)" in err
    assert Record.objects.count() == 0


def test_it_refuses_a_column_that_is_not_in_the_form(victim, tmp_path, capsys):
    path = tmp_path / "extra.csv"
    path.write_text("record_id,gender,vital_status,favourite_colour\nV-1,male,alive,blue\n")

    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "extra.csv: row 1, column 'favourite_colour': not a field of this questionnaire" in err
    assert Record.objects.count() == 0


def test_it_refuses_two_columns_for_one_field(victim, tmp_path, capsys):
    path = tmp_path / "twice.csv"
    path.write_text("record_id,gender,victim/gender,vital_status\nV-1,male,male,alive\n")

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "column 'victim/gender'" in err


def test_it_refuses_the_same_record_id_twice_in_one_file(victim, tmp_path, capsys):
    path = tmp_path / "dup.csv"
    path.write_text("record_id,vital_status\nV-1,alive\nV-1,deceased\n")

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "row 3: field 'record_id', value 'V-1': also on row 2 (unique)" in err


def test_reimport_of_a_record_id_makes_a_new_version(victim, tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("record_id,full_name,vital_status\nV-1,Ахметова Айгуль,alive\n")
    assert run_cli(capsys, "import", "victim", str(path))[:2] == (0, "created 1, updated 0\n")

    path.write_text("record_id,full_name,vital_status\nV-1,Ахметова Айгуль,deceased\n")
    code, out, _ = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 0, updated 1\n")
    record = Record.objects.get(record_id="V-1")
    assert record.version == 2
    assert record.answers["vital_status"] == "deceased"
    assert list(record.versions.values_list("number", flat=True)) == [2, 1]
    assert record.versions.get(number=1).answers["vital_status"] == "alive"

    code, out, _ = run_cli(capsys, "import", "victim", str(path))
    assert (code, out) == (0, "created 0, updated 0, unchanged 1\n")


def test_it_reads_a_windows_cyrillic_file_and_says_so(victim, tmp_path, capsys):
    path = tmp_path / "excel.csv"
    text = (
        "record_id;full_name;vital_status;narrative\r\n"
        "V-1;Кудайбергенов Ерлан;deceased;Погиб 6 января, Алматы\r\n"
        'V-2;Ахметова Әлия;alive;"Задержана; избита"\r\n'
    )
    path.write_bytes(text.replace("Ә", "А").encode("cp1251"))

    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 2, updated 0\n")
    assert "not UTF-8; reading it as Windows Cyrillic (cp1251)" in err
    assert Record.objects.get(record_id="V-1").answers["full_name"] == "Кудайбергенов Ерлан"
    assert Record.objects.get(record_id="V-2").answers["narrative"] == "Задержана; избита"


def test_it_refuses_text_that_is_neither_utf8_nor_cyrillic(victim, tmp_path, capsys):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "record_id,full_name,vital_status\nV-1,Jos\xe9 M\xfcller,alive\n".encode("latin-1")
    )

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "latin1.csv: not UTF-8 text" in err


def test_it_tolerates_a_byte_order_mark_group_paths_and_blank_lines(victim, tmp_path, capsys):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "\ufeffdocumentation/record_id,victim/full_name,victim/vital_status,_uuid\r\n"
        "V-7,Ким Сергей,alive,abc\r\n"
        ",,,\r\n".encode()
    )

    code, out, _ = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 1, updated 0\n")
    assert Record.objects.get(record_id="V-7").answers == {
        "record_id": "V-7",
        "full_name": "Ким Сергей",
        "vital_status": "alive",
    }


def test_it_reads_select_multiple_in_any_order_and_stores_the_forms_order(victim, tmp_path, capsys):
    path = tmp_path / "order.csv"
    path.write_text("record_id,vital_status,essence\nV-1,deceased,died  gunshot beaten\n")

    assert run_cli(capsys, "import", "victim", str(path))[0] == 0

    assert Record.objects.get().answers["essence"] == ["died", "gunshot", "beaten"]


def test_it_reads_a_repeat_as_json_text_in_one_column(victim, tmp_path, capsys):
    path = tmp_path / "repeat.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "vital_status", "evidence_items"])
        writer.writerow(["V-1", "alive", '[{"evidence_kind": "photo", "evidence_pages": "3"}, {}]'])
        writer.writerow(["V-2", "alive", "not json"])

    code, _, err = run_cli(capsys, "import", "victim", str(path))
    assert code == 1
    assert "row 3: field 'evidence_items', value 'not json': expected a list" in err

    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "vital_status", "evidence_items"])
        writer.writerow(["V-1", "alive", '[{"evidence_kind": "photo", "evidence_pages": "3"}]'])
    assert run_cli(capsys, "import", "victim", str(path))[0] == 0
    assert Record.objects.get().answers["evidence_items"] == [
        {"evidence_kind": "photo", "evidence_pages": 3}
    ]


def test_it_writes_one_audit_row_for_the_import(victim, tmp_path, capsys):
    path = tmp_path / "audit.csv"
    vf.write_csv(path, _rows(3))

    run_cli(capsys, "import", "victim", str(path))

    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor is None
    assert (event.object_id, event.metadata["created"]) == ("victim", 3)
    assert event.metadata["source"] == "audit.csv"


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["import", "nonesuch", "{file}"], 2, "unknown questionnaire 'nonesuch'"),
        (["import", "victim", "{missing}"], 1, "missing.csv: no such file"),
        (["import", "victim", "{odd}"], 2, "cannot tell the format from the name"),
        (["import", "victim"], 2, "the following arguments are required: file"),
    ],
)
def test_usage_and_input_errors_have_their_exit_codes(
    victim, tmp_path, capsys, argv, code, message
):
    (tmp_path / "ok.csv").write_text("record_id,vital_status\nV-1,alive\n")
    (tmp_path / "data.ods").write_text("")
    names = {
        "file": tmp_path / "ok.csv",
        "missing": tmp_path / "missing.csv",
        "odd": tmp_path / "data.ods",
    }
    argv = [a.format(**names) for a in argv]

    got, _, err = run_cli(capsys, *argv)

    assert got == code
    assert message in err
    assert Record.objects.count() == 0


def test_a_progress_bar_shows_on_a_terminal_only(victim, tmp_path, capsys, monkeypatch):
    path = tmp_path / "bar.csv"
    vf.write_csv(path, _rows(30))
    assert run_cli(capsys, "import", "victim", str(path))[2] == ""  # not a terminal: quiet

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 0, updated 0, unchanged 30\n")
    assert "checking bar.csv" in err and "rows" in err
