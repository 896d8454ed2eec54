"""A submission with a repeat inside a repeat, written as ODK Collect writes it (each
inner entry inside the element of its outer entry), becomes a record whose inner entries
name their outer entry, and that survives an export and an import."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.cli import main
from aigak.records.models import Record
from aigak.records.xml_instance import read_instance

FORM = """
| survey |
| | type | name | label |
| | text | place | Place |
| | begin repeat | visits | Visits |
| | date | day | Day |
| | begin repeat | seen | People seen |
| | text | who | Who |
| | integer | age | Age |
| | end repeat | | |
| | end repeat | | |
| settings |
| | form_id | version |
| | camp_visits | 2024050101 |
"""

INSTANCE = b"""<?xml version='1.0'?>
<camp_visits id="camp_visits" version="2024050101">
  <place>North camp</place>
  <visits><day>2024-05-01</day>
    <seen><who>Aru</who><age>30</age></seen>
    <seen><who>Timur</who></seen>
  </visits>
  <visits><day>2024-05-03</day></visits>
  <visits><day>2024-05-07</day>
    <seen><who>Dana</who><age>41</age></seen>
  </visits>
  <meta><instanceID>uuid:nested-1</instanceID></meta>
</camp_visits>"""

SEEN = [
    {"_parent": 1, "who": "Aru", "age": 30},
    {"_parent": 1, "who": "Timur"},
    {"_parent": 3, "who": "Dana", "age": 41},
]


@pytest.fixture
def camp_form(questionnaires):
    from aigak.questionnaires.registry import install_questionnaire

    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    install_questionnaire("camp_visits", out.getvalue())
    return out.getvalue()


def test_the_instance_reader_keeps_which_visit_each_person_was_seen_on(camp_form):
    from aigak.questionnaires.models import Questionnaire

    definition = Questionnaire.objects.get(name="camp_visits").current.definition
    answers = read_instance(INSTANCE, definition).answers
    assert [v["day"] for v in answers["visits"]] == ["2024-05-01", "2024-05-03", "2024-05-07"]
    assert answers["seen"] == SEEN


@pytest.mark.django_db
def test_a_nested_submission_round_trips_through_export_and_import(
    client, documenter, token_of, camp_form, tmp_path
):
    url = f"/openrosa/key/{token_of(documenter)}/submission"
    xml = SimpleUploadedFile("s.xml", INSTANCE, "text/xml")
    response = client.post(url, {"xml_submission_file": xml}, HTTP_X_OPENROSA_VERSION="1.0")
    assert response.status_code == 201
    record = Record.objects.get(questionnaire__name="camp_visits")
    assert record.answers["seen"] == SEEN
    for fmt in ("json", "csv", "xlsx"):
        out = tmp_path / f"visits.{fmt}"
        assert main(["export", "camp_visits", "--format", fmt, "--out", str(out)]) == 0
        copy = f"camp_copy_{fmt}"
        (tmp_path / "form.xlsx").write_bytes(camp_form)
        assert main(["form", "install", str(tmp_path / "form.xlsx"), "--name", copy]) == 0
        assert main(["import", copy, str(out)]) == 0
        again = Record.objects.get(questionnaire__name=copy)
        assert again.answers["seen"] == SEEN, fmt
        assert again.answers["visits"] == record.answers["visits"], fmt
    client.force_login(documenter)
    page = client.get(f"/records/camp_visits/{record.record_id}/").content.decode()
    assert "Visits #" in page  # the record's page lists the people seen with their visit
    seen = page[page.index("Visits #") :]
    assert seen.index("Aru") < seen.index("Timur") < seen.index("Dana")
    exported = json.loads((tmp_path / "visits.json").read_text())
    assert exported[0]["seen"][2] == {"_parent": 3, "who": "Dana", "age": 41}


@pytest.mark.django_db
def test_an_inner_entry_naming_no_outer_entry_is_refused(camp_form, tmp_path, capsys):
    rows = [{"place": "x", "visits": [{"day": "2024-05-01"}], "seen": [{"_parent": 2, "who": "A"}]}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    assert main(["import", "camp_visits", str(path)]) == 1
    assert "seen[1]/_parent" in capsys.readouterr().err
    assert not Record.objects.filter(questionnaire__name="camp_visits").exists()


@pytest.mark.django_db
def test_a_kobo_xlsx_export_with_a_sheet_per_repeat_keeps_membership(camp_form, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    main_sheet = book.active
    main_sheet.title = "camp_visits"
    main_sheet.append(["place", "meta/instanceID", "_id", "_index"])
    main_sheet.append(["North camp", "uuid:k-1", 11, 1])
    main_sheet.append(["South camp", "uuid:k-2", 12, 2])
    visits = book.create_sheet("visits")
    visits.append(["visits/day", "_index", "_parent_table_name", "_parent_index"])
    for row in (["2024-05-01", 1, "camp_visits", 1], ["2024-05-02", 2, "camp_visits", 2],
                ["2024-05-03", 3, "camp_visits", 2]):  # fmt: skip
        visits.append(row)
    seen = book.create_sheet("seen")
    seen.append(["visits/seen/who", "_index", "_parent_table_name", "_parent_index"])
    for row in (["Aru", 1, "visits", 3], ["Dana", 2, "visits", 1], ["Timur", 3, "visits", 3]):
        seen.append(row)
    path = tmp_path / "kobo.xlsx"
    book.save(path)
    assert main(["import", "camp_visits", str(path)]) == 0
    north = Record.objects.get(answers__place="North camp").answers
    south = Record.objects.get(answers__place="South camp").answers
    assert north["visits"] == [{"day": "2024-05-01"}]
    assert north["seen"] == [{"_parent": 1, "who": "Dana"}]
    assert south["visits"] == [{"day": "2024-05-02"}, {"day": "2024-05-03"}]
    assert south["seen"] == [{"_parent": 2, "who": "Aru"}, {"_parent": 2, "who": "Timur"}]


RULED = (
    FORM.replace(
        "| | date | day | Day |",
        "| | date | day | Day |\n| | integer | how_many | How many seen |",
    )
    .replace("| | type | name | label |", "| | type | name | label | constraint |")
    .replace(
        "| | integer | how_many | How many seen |",
        "| | integer | how_many | How many seen | . = count(${seen}) |",
    )
)


@pytest.mark.django_db
def test_a_rule_of_an_outer_entry_counts_its_own_inner_entries(admin_user):
    from aigak.questionnaires.registry import install_form
    from aigak.questionnaires.validation import clean_answers

    out = io.BytesIO()
    md_table_to_workbook(RULED).save(out)
    definition = install_form(admin_user, out.getvalue(), "ruled").version.definition
    raw = {
        "visits": [{"day": "2024-05-01", "how_many": 2}, {"day": "2024-05-02", "how_many": 1}],
        "seen": [
            {"_parent": 1, "who": "A"},
            {"_parent": 1, "who": "B"},
            {"_parent": 2, "who": "C"},
        ],
    }
    assert clean_answers(definition, raw)[1] == []
    raw["visits"][1]["how_many"] = 3
    problems = clean_answers(definition, raw)[1]
    assert [p.field for p in problems] == ["visits[2]/how_many"]
