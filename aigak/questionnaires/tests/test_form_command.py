"""`aigak form install|list|export`: output, exit codes and messages of the contract."""

from __future__ import annotations

import json

import openpyxl
import pytest

from aigak.accounts.models import AuditEvent
from aigak.cli import main
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.tests.xlsform_factory import xlsform
from aigak.records.actions import create_record

pytestmark = pytest.mark.django_db(transaction=False)

SURVEY = [
    ["text", "record_id", "Record id", "Номер"],
    ["select_one yn", "answer", "Answer", "Ответ"],
    ["integer", "age", "Age", "Возраст"],
]
CHOICES = [["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]]


def run(capsys, *args):
    code = main(["form", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, data: bytes, name="survey.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_it_installs_lists_and_exports_a_form(tmp_path, capsys):
    data = xlsform(SURVEY, CHOICES, settings={"form_id": "field_form", "version": "3"})
    code, out, err = run(capsys, "install", write(tmp_path, data))
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "field_form 3"
    code, out, _ = run(capsys, "list", "--format", "json")
    row = next(r for r in json.loads(out) if r["name"] == "field_form")
    assert row == {
        "name": "field_form", "title": "Mini", "version": "3", "fields": 3, "records": 0,
        "languages": ["en", "ru"],
    }  # fmt: skip
    out_file = tmp_path / "back.xlsx"
    assert run(capsys, "export", "field_form", "--out", out_file)[0] == 0
    assert out_file.read_bytes() == data
    xform = tmp_path / "form.xml"
    assert run(capsys, "export", "field_form", "--format", "xform", "--out", xform)[0] == 0
    assert "<h:html" in xform.read_text() and "field_form" in xform.read_text()
    assert AuditEvent.objects.filter(action="create", object_type="questionnaireversion").exists()


def test_it_names_the_form_after_the_file_without_a_form_id(tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label"])
    book.active.append(["text", "q", "Q"])
    path = tmp_path / "household-2024.xlsx"
    book.save(path)
    code, out, err = run(capsys, "install", path)
    assert code == 0, err
    assert out.split()[0] == "household-2024"


def test_it_refuses_a_bad_form_naming_sheet_row_and_column_and_changes_nothing(tmp_path, capsys):
    data = xlsform([["text", "q", "Q"], ["text", "q", "Q again"]], settings={"form_id": "bad"})
    code, _, err = run(capsys, "install", write(tmp_path, data))
    assert code == 1
    assert "survey sheet, row 3, column 'name'" in err
    assert not Questionnaire.objects.filter(name="bad").exists()


def test_it_shows_the_diff_and_refuses_orphaning_answers_unless_forced(
    tmp_path, capsys, admin_user
):
    first = xlsform(SURVEY, CHOICES, settings={"form_id": "field_form", "version": "1"})
    assert run(capsys, "install", write(tmp_path, first))[0] == 0
    questionnaire = Questionnaire.objects.get(name="field_form")
    record = create_record(admin_user, questionnaire, {"answer": "no", "age": "30"})
    first_version = record.form_version_id
    survey = [SURVEY[0], SURVEY[1], ["text", "place", "Place", "Место"]]
    second = xlsform(
        survey, CHOICES[:1] + [["yn", "maybe", "Maybe", "Может быть"]],
        settings={"form_id": "field_form", "version": "2"},
    )  # fmt: skip
    code, _, err = run(capsys, "install", write(tmp_path, second, "v2.xlsx"))
    assert code == 1
    assert "- field age" in err and "- choices of answer: no" in err
    assert "age (1 records)" in err
    assert Questionnaire.objects.get(name="field_form").current.version == "1"
    code, out, err = run(capsys, "install", write(tmp_path, second, "v2.xlsx"), "--force")
    assert code == 0, err
    assert "+ field place" in out and "+ choices of answer: maybe" in out
    assert out.strip().splitlines()[-1] == "field_form 2"
    record.refresh_from_db()
    assert record.form_version_id == first_version
    assert record.answers["age"] == 30


def test_it_allows_a_new_version_that_orphans_nothing(tmp_path, capsys):
    first = xlsform(SURVEY, CHOICES, settings={"form_id": "field_form", "version": "1"})
    assert run(capsys, "install", write(tmp_path, first))[0] == 0
    second = xlsform(SURVEY[:2], CHOICES, settings={"form_id": "field_form", "version": "2"})
    code, out, err = run(capsys, "install", write(tmp_path, second, "v2.xlsx"))
    assert code == 0, err
    assert "- field age" in out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["install"], 2),
        (["frobnicate"], 2),
        (["export", "no_such_form"], 1),
        (["install", "/nonexistent/form.xlsx"], 1),
    ],
)
def test_it_exits_with_the_contract_codes(capsys, args, code):
    assert run(capsys, *args)[0] == code
