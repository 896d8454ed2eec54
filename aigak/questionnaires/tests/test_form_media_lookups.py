"""pulldata() and instance('name') read the form's media files (those the collection app
serves to phones): a save computes calculations from them, a new upload is read at once,
and a form without the file leaves the calculation empty."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.collection.actions import add_media
from aigak.questionnaires.registry import install_form
from aigak.questionnaires.xpath import evaluate
from aigak.questionnaires.xpath.functions_media import form_media, read_items
from aigak.records.actions import create_record

pytestmark = pytest.mark.django_db

FORM = """
| survey |
| | type | name | label | calculation | relevant |
| | csv-external | districts | | | |
| | text | code | District code | | |
| | calculate | region | | pulldata('districts', 'region', 'code', ${code}) | |
| | calculate | people | | instance('districts')/root/item[code = ${code}]/people | |
| | calculate | big | | count(instance('districts')/root/item[people > 1000]) | |
| | calculate | angle | | round(atan2(1, 1) * 4, 4) | |
| | text | why | Why so many? | | ${people} > 1000 |
| settings |
| | form_id |
| | district_form |
"""
CSV = "code,region,people\nA1,North,1200\nB2,South,300\nC3,South,5000\n"


@pytest.fixture
def district_form(admin_user):
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    return install_form(admin_user, out.getvalue()).version.questionnaire


def test_a_save_computes_lookups_in_the_forms_csv(district_form, admin_user):
    add_media(admin_user, district_form, "districts.csv", CSV.encode())
    record = create_record(admin_user, district_form, {"code": "B2", "why": "asked"})
    answers = record.answers
    assert answers["region"] == "South" and answers["people"] == "300"
    assert answers["big"] == 2 and answers["angle"] == 3.1416
    assert "why" not in answers  # 300 people: the question was not asked
    add_media(admin_user, district_form, "districts.csv", CSV.replace("300", "3000").encode())
    again = create_record(admin_user, district_form, {"code": "B2", "why": "asked"})
    assert again.answers["people"] == "3000" and again.answers["why"] == "asked"


def test_without_the_file_the_lookups_stay_empty(district_form, admin_user):
    record = create_record(admin_user, district_form, {"code": "A1"})
    assert "region" not in record.answers and "people" not in record.answers


def test_pulldata_and_instance_over_items_given_directly():
    items = read_items("d.csv", "code;name\n1;Одна\n2;Two\n".encode("utf-8-sig"))
    assert items == [{"code": "1", "name": "Одна"}, {"code": "2", "name": "Two"}]
    with form_media(lambda name: items if name == "d" else None):
        assert evaluate("pulldata('d', 'name', 'code', 2)", {}) == "Two"
        assert evaluate("pulldata('d', 'name', 'code', 9)", {}) == ""
        found = evaluate("instance('d')/root/item[code = current()/../c]/name", {"c": "1"})
        assert list(found) == ["Одна"]
    xml = b"<root><item><name>a</name><label>A</label></item><item><name>b</name></item></root>"
    assert read_items("list.xml", xml) == [{"name": "a", "label": "A"}, {"name": "b"}]
