"""A layout's coders (select_one codes looked up with no answer's, select_multiple
lists remembered with their codes) give what its general `_code` gives, the first time
and again."""

from __future__ import annotations

import functools

import pytest

from aigak.questionnaires.registry import FORMS_DIR
from aigak.questionnaires.xlsform import load_xlsform
from aigak.reports import coded


class Text(str):
    """A text that is not exactly a str (a choice all the same)."""


ANSWERS = [
    {"essence": ["gunshot", "beaten"]},
    {"essence": ["beaten", "gunshot"]},  # out of the form's order
    {"essence": ["beaten", "gunshot"], "essence_other": "by a crowd"},  # and printed
    {"essence": ["gunshot", "gunshot"]},  # repeated: not codable
    {"essence": ["gunshot", "flying"]},  # unknown
    {"essence": ["gunshot", 5]},
    {"essence": ["gunshot", {"a": 1}]},  # unhashable
    {"essence": []},
    {"essence": "gunshot"},  # not a list
    {"gender": "male"},
    {"gender": Text("male")},
    {"gender": ["male"]},
    {"gender": 1},
    {"gender": "martian"},
]


@pytest.fixture(scope="module")
def form():
    return load_xlsform(FORMS_DIR / "victim.xlsx"), coded._specs_by_questionnaire()["victim"]


def test_its_coders_give_what_its_general_code_gives(form):
    definition, specs = form
    rows = [({"vital_status": "alive", **a}, f"V-{n}") for n, a in enumerate(ANSWERS)]
    general = coded.Layout(definition, specs)
    general._coders = [(s.name, functools.partial(general._code, s)) for s in general.coded]
    fresh = [general.encode_all([row]) for row in rows]
    assert any(found == [None] for found in fresh) and any(found != [None] for found in fresh)
    layout = coded.Layout(definition, specs)
    for _ in range(3):  # then from what it remembered
        assert [layout.encode_all([row]) for row in rows] == fresh
        assert layout.encode_all(rows) == [found[0] for found in fresh]
