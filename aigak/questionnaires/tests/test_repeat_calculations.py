"""Calculations inside repeats are computed for each entry on the server (saves and
imports), in dependency order, with the entry's own answers, its outer entry's, and
`position(..)`; a calculation outside reads them (`sum(${cost})`)."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.questionnaires.registry import install_form
from aigak.records.actions import create_record, import_rows
from aigak.records.models import Record

pytestmark = pytest.mark.django_db

FORM = """
| survey |
| | type | name | label | calculation | constraint |
| | calculate | rate | | 10 | |
| | begin repeat | items | Items | | |
| | text | name | Name | | |
| | integer | qty | Quantity | | |
| | calculate | line | | concat(position(..), ':', ${shout}) | |
| | calculate | shout | | upper-case(current()/../name) | |
| | calculate | cost | | ${qty} * ${rate} | |
| | integer | half | Half | ../cost div 2 | . < 100 |
| | begin repeat | parts | Parts | | |
| | integer | weight | Weight | | |
| | calculate | load | | ${weight} * ${qty} | |
| | calculate | nth | | position(..) | |
| | end repeat | | | | |
| | calculate | parts_load | | sum(${load}) | |
| | end repeat | | | | |
| | calculate | total | | sum(${cost}) | |
| settings |
| | form_id |
| | shop |
"""


@pytest.fixture
def shop(coordinator):
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    return install_form(coordinator, out.getvalue()).version.questionnaire


ANSWERS = {
    "items": [{"name": "salt", "qty": "2"}, {"name": "tea", "qty": 3}],
    "parts": [
        {"weight": 5, "_parent": 2},
        {"weight": 1, "_parent": 1},
        {"weight": 7, "_parent": 2},
    ],
}


def _check(answers):
    assert answers["items"] == [
        {"name": "salt", "qty": 2, "line": "1:SALT", "shout": "SALT", "cost": 20, "half": 10,
         "parts_load": 2},
        {"name": "tea", "qty": 3, "line": "2:TEA", "shout": "TEA", "cost": 30, "half": 15,
         "parts_load": 36},
    ]  # fmt: skip
    assert answers["parts"] == [
        {"weight": 5, "_parent": 2, "load": 15, "nth": 1},
        {"weight": 1, "_parent": 1, "load": 2, "nth": 1},
        {"weight": 7, "_parent": 2, "load": 21, "nth": 2},
    ]
    assert answers["total"] == 50 and answers["rate"] == 10


def test_a_save_computes_each_entrys_calculations(coordinator, shop):
    _check(create_record(coordinator, shop, ANSWERS).answers)


def test_an_import_computes_them_too_and_replaces_stale_values(coordinator, shop):
    stale = {**ANSWERS, "items": [{**ANSWERS["items"][0], "cost": 999}, ANSWERS["items"][1]]}
    result = import_rows(coordinator, shop, [(2, {**stale, "record_id": "S-1"})], source="test")
    assert result.created == 1, result
    _check(Record.objects.get(questionnaire=shop).answers)


def test_an_entrys_rule_reads_its_computed_value(coordinator, shop):
    from aigak.records.actions import RecordInvalid

    with pytest.raises(RecordInvalid) as refused:
        create_record(coordinator, shop, {"items": [{"name": "gold", "qty": 40}]})
    assert "items[1]/half" in str(refused.value)
