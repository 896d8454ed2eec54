"""randomize() and `randomize=true` selects: the order of the ODK XForms specification
(inside-out Fisher-Yates over a seeded Park-Miller generator), the same for a seed as in
JavaRosa and Enketo, whose shared expected orders these are."""

from __future__ import annotations

import io
import re

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.questionnaires.registry import install_form
from aigak.questionnaires.xpath import ExpressionError, evaluate
from aigak.records.actions import create_record

LETTERS = {"kids": [{"kid": letter} for letter in "ABCDEF"]}


@pytest.mark.parametrize(
    ("seed", "order"),
    [("42", "AFCBDE"), ("'42'", "AFCBDE"), ("-42", "EDAFBC"), ("1", "BFEACD"),
     ("11111111", "ACDBFE"), ("int(1)", "BFEACD"), ("floor(1.1)", "BFEACD"),
     ("${one}", "BFEACD")],
)  # fmt: skip
def test_a_seeded_shuffle_gives_the_specifications_order(seed, order):
    shuffled = evaluate(f"randomize(${{kids}}, {seed})", {**LETTERS, "one": 1})
    assert "".join(entry["kid"] for entry in shuffled) == order


def test_an_unseeded_shuffle_keeps_every_item_and_a_bad_seed_is_an_error():
    assert evaluate("count(randomize(${kids}))", LETTERS) == 6
    assert evaluate("max(randomize(${kids})/kid) = ''", LETTERS) is False
    for bad in ("randomize(${kids}, 'a')", "randomize(1)"):
        with pytest.raises(ExpressionError):
            evaluate(bad, LETTERS)


FORM = """
| survey |
| | type | name | label | parameters |
| | integer | seed | Seed | |
| | select_one letters | fixed | Fixed | randomize=true, seed=42 |
| | select_multiple letters | answered | Answered | randomize=true, seed=${seed} |
| | select_one letters | plain | Plain | |
| choices |
| | list_name | name | label |
| | letters | A | Letter A |
| | letters | B | Letter B |
| | letters | C | Letter C |
| | letters | D | Letter D |
| | letters | E | Letter E |
| | letters | F | Letter F |
| settings |
| | form_id |
| | shuffled |
"""


def _order(page: str, field: str) -> str:
    """The letters of a select's inputs in the order the page shows them."""
    return "".join(re.findall(rf'name="{field}" value="([A-F])"', page))


@pytest.mark.django_db
def test_the_web_form_offers_randomized_choices_in_the_seeds_order(client, coordinator):
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    questionnaire = install_form(coordinator, out.getvalue()).version.questionnaire
    assert questionnaire.definition.fields["fixed"].type == "select_one"  # was text
    client.force_login(coordinator)
    page = client.get("/records/shuffled/new/").content.decode()
    assert _order(page, "fixed") == "AFCBDE" and _order(page, "plain") == "ABCDEF"
    assert sorted(_order(page, "answered")) == list("ABCDEF")
    record = create_record(coordinator, questionnaire, {"seed": "1", "fixed": "F"})
    page = client.get(f"/records/shuffled/{record.record_id}/edit/").content.decode()
    assert _order(page, "answered") == "BFEACD"
