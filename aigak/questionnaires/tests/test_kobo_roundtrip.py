"""A KoBoToolbox JSON export of an installed third-party-style form imports into it and
exports back unchanged: groups as paths, a name used in two groups, a repeat inside a
repeat (KoBo nests it), metadata questions, a loop."""

from __future__ import annotations

import json

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.cli import main
from aigak.records.models import Record

pytestmark = pytest.mark.django_db(transaction=False)

FORM = """
| survey |
| | type | name | label |
| | start | start | |
| | select_one country | country | Country |
| | begin repeat | kids | Kids |
| | text | name | Name |
| | begin repeat | toys | Toys |
| | text | toy | Toy |
| | end repeat | | |
| | end repeat | | |
| | begin group | g2 | G2 |
| | text | name | Name |
| | end group | | |
| | begin loop over country | lp | Loop |
| | integer | cnt | How many in %(label)s |
| | end loop | | |
| choices |
| | list name | name | label |
| | country | kz | Kazakhstan |
| | country | kg | Kyrgyzstan |
| settings |
| | form_id |
| | kobo_form |
"""
EXPORT = [
    {
        "_id": 7, "_uuid": "a1", "record_id": "K-1", "start": "2024-01-01T10:00:00+06:00",
        "country": "kz", "g2/name": "Dana", "lp/kz/cnt": 3, "meta/instanceID": "uuid:a1",
        "kids": [
            {"kids/name": "Aru", "kids/toys": [{"kids/toys/toy": "ball"}]},
            {"kids/name": "Timur", "kids/toys": [
                {"kids/toys/toy": "kite"}, {"kids/toys/toy": "drum"},
            ]},
            {"kids/name": "Dias"},
        ],
    }
]  # fmt: skip


def test_it_imports_a_kobo_export_and_exports_it_back(tmp_path, capsys):
    form = tmp_path / "kobo_form.xlsx"
    md_table_to_workbook(FORM).save(form)
    assert main(["form", "install", str(form)]) == 0
    export = tmp_path / "export.json"
    export.write_text(json.dumps(EXPORT), encoding="utf-8")
    assert main(["import", "kobo_form", str(export)]) == 0
    answers = Record.objects.get(record_id="K-1").answers
    assert answers["kids"] == [{"kids/name": "Aru"}, {"kids/name": "Timur"}, {"kids/name": "Dias"}]
    # Each toy names the kid it was listed under: its position among the kids.
    assert answers["toys"] == [
        {"toy": "ball", "_parent": 1}, {"toy": "kite", "_parent": 2}, {"toy": "drum", "_parent": 2}
    ]  # fmt: skip
    assert answers["g2/name"] == "Dana" and answers["lp/kz/cnt"] == 3
    assert answers["start"] == "2024-01-01T10:00:00+06:00"
    first = tmp_path / "first.json"
    assert main(["export", "kobo_form", "--format", "json", "--out", str(first)]) == 0
    assert main(["form", "install", str(form), "--name", "kobo_copy"]) == 0
    assert main(["import", "kobo_copy", str(first)]) == 0
    again = tmp_path / "again.json"
    assert main(["export", "kobo_copy", "--format", "json", "--out", str(again)]) == 0
    assert json.loads(again.read_text()) == json.loads(first.read_text())


# KoBo's exports name no record id: the submission's instanceID is the record's id, so
# importing the same export again updates those records instead of adding new ones.
KOBO_CSV = (
    "start,country,g2/name,meta/instanceID,_id,_uuid,_submission_time,_index\r\n"
    "2024-01-01T10:00:00+06:00,kz,Dana,uuid:5f0c-11,7,5f0c-11,2024-01-02T08:00:00,1\r\n"
    "2024-01-03T09:00:00+06:00,kg,Aibek,uuid:77ab-02,8,77ab-02,2024-01-04T08:00:00,2\r\n"
)
KOBO_JSON = [
    {"_id": 9, "_uuid": "c3d4", "country": "kz", "g2/name": "Sara",
     "_submission_time": "2024-01-05T08:00:00"},
]  # fmt: skip


def test_it_imports_kobo_exports_that_name_no_record_id_by_their_instance_id(tmp_path):
    form = tmp_path / "kobo_form.xlsx"
    md_table_to_workbook(FORM).save(form)
    assert main(["form", "install", str(form)]) == 0
    csv_export = tmp_path / "kobo.csv"
    csv_export.write_text(KOBO_CSV, encoding="utf-8")
    json_export = tmp_path / "kobo.json"
    json_export.write_text(json.dumps(KOBO_JSON), encoding="utf-8")

    assert main(["import", "kobo_form", str(csv_export)]) == 0
    assert main(["import", "kobo_form", str(json_export)]) == 0
    assert main(["import", "kobo_form", str(csv_export)]) == 0  # again: the same records

    records = {r.record_id: r for r in Record.objects.filter(questionnaire__name="kobo_form")}
    assert set(records) == {"uuid:5f0c-11", "uuid:77ab-02", "uuid:c3d4"}
    assert records["uuid:77ab-02"].answers["g2/name"] == "Aibek"
    assert records["uuid:c3d4"].answers["country"] == "kz"
    assert records["uuid:5f0c-11"].version == 1  # unchanged answers make no new version
