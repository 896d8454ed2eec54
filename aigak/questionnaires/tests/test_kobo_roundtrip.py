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
            {"kids/name": "Timur"},
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
    assert answers["kids"] == [{"kids/name": "Aru"}, {"kids/name": "Timur"}]
    assert answers["toys"] == [{"toy": "ball"}]
    assert answers["g2/name"] == "Dana" and answers["lp/kz/cnt"] == 3
    assert answers["start"] == "2024-01-01T10:00:00+06:00"
    first = tmp_path / "first.json"
    assert main(["export", "kobo_form", "--format", "json", "--out", str(first)]) == 0
    assert main(["form", "install", str(form), "--name", "kobo_copy"]) == 0
    assert main(["import", "kobo_copy", str(first)]) == 0
    again = tmp_path / "again.json"
    assert main(["export", "kobo_copy", "--format", "json", "--out", str(again)]) == 0
    assert json.loads(again.read_text()) == json.loads(first.read_text())
