"""Remembered verdicts (`xpath.remembered`): a condition asked again gives what it
would give worked out afresh, whatever was asked before it."""

import datetime as dt

import pytest

from aigak.questionnaires.expressions import ExpressionError, evaluate, holds, to_bool
from aigak.questionnaires.xpath.remembered import remembered
from aigak.questionnaires.xpath.values import ZONE


def fresh(text, answers, current=None):
    return to_bool(evaluate(text, answers, current))


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # 1 and True are equal keys of a dict, but not the same XPath value
        ("string(.) = 'true'", [({}, True), ({}, 1), ({}, 1.0), ({}, "1")]),
        # 0.0 and -0.0 are equal, but divide into different infinities
        ("1 div . > 0", [({}, 0.0), ({}, -0.0), ({}, 0.0)]),
        ("count-selected(.) = 2", [({}, ["a", "b"]), ({}, ["a"]), ({}, "a b"), ({}, [])]),
        ("${a} = 'x'", [({"a": "x"}, None), ({"a": "y"}, None), ({"a": None}, None)]),
        # an answer not given is looked for in the entries of a repeat
        ("${a} = 'x'", [({"r": [{"a": "x"}]}, None), ({}, None), ({"r": [{"a": "y"}]}, None)]),
        ("${a} = 'x'", [({"a": ["x"]}, None), ({"a": [{"b": "x"}]}, None)]),
        (". >= 0 and . <= 120", [({}, 33), ({}, -1), ({}, "33"), ({}, 130), ({}, 33)]),
        (". <= today()", [({}, "2022-01-05"), ({}, "2999-01-01"), ({}, "bad")]),
    ],
)
def test_it_gives_what_evaluating_gives(text, asked):
    assert remembered(text) is not None
    for _ in range(2):  # the second time from what was remembered
        for answers, current in asked:
            assert holds(text, answers, current) is fresh(text, answers, current)


def test_it_reads_today_in_the_zone():
    # 26 hours apart: the two zones are never on the same day
    east, west = dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12))
    today_east = dt.datetime.now(east).date().isoformat()
    for zone, expected in [(east, True), (west, False), (east, True)]:
        token = ZONE.set(zone)
        try:
            assert holds(". <= today()", {}, today_east) is expected
        finally:
            ZONE.reset(token)


def test_a_moment_given_is_not_remembered_over():
    assert holds(". <= today()", {}, "2022-01-05") is True
    then = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert holds(". <= today()", {}, "2022-01-05", now=then) is False


def test_an_error_is_raised_each_time():
    for _ in range(2):
        with pytest.raises(ExpressionError):
            holds("substr(., 'a', 'b', 'c', 'd') = 'x'", {}, "text")


@pytest.mark.parametrize(
    "text",
    ["now() > 0", "random() < 2", "position(..) = 1", "${r}[1] = 'x'", "count(${r}) > 0",
     "pulldata('f', 'c', 'k', .) = 1", "jr:choice-name(., '${a}') = 'x'", "uuid() != ''"],
)  # fmt: skip
def test_it_leaves_out_what_reads_more_than_answers_and_the_day(text):
    assert remembered(text) is None
