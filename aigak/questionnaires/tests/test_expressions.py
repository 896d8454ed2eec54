import datetime as dt

import pytest

from aigak.questionnaires.expressions import ExpressionError, evaluate, holds, parse, references

ANSWERS = {
    "age": 34,
    "gender": "female",
    "essence": ["gunshot", "detained"],
    "start": "2022-01-05",
    "end": "2022-01-07",
    "name": "Айгүл",
    "empty": None,
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${age} >= 18", True),
        ("${age} > 40 or ${gender} = 'female'", True),
        ("${age} > 40 and ${gender} = 'female'", False),
        ("selected(${essence}, 'gunshot')", True),
        ("selected(${essence}, 'died')", False),
        ("not(selected(${essence}, 'died'))", True),
        ("count-selected(${essence}) = 2", True),
        ("${end} >= ${start}", True),
        ("${start} > ${end}", False),
        ("string-length(${name}) = 5", True),
        ("regex(${name}, '^Ай')", True),
        ("${empty} = ''", True),
        ("${empty} != ''", False),
        ("${empty} > 3", False),  # unanswered is '', whose number is NaN (ODK)
        ("${empty} <= 3", False),
        ("${empty} >= 18", False),
        ("(1 + 2) * 3 = 9", True),
        ("7 mod 4 = 3", True),
        ("10 div 4 = 2.5", True),
        ("-${age} < 0", True),
        ("if(${age} > 30, 'old', 'young') = 'old'", True),
        ("coalesce(${empty}, 'x') = 'x'", True),
        ("contains(concat(${gender}, '-', ${age}), 'female-34')", True),
        ("true() and not(false())", True),
    ],
)
def test_it_evaluates_conditions(expression, expected):
    assert holds(expression, ANSWERS) is expected


@pytest.mark.parametrize(
    ("expression", "current", "expected"),
    [
        (". >= 0 and . <= 120", 130, False),
        (". >= 0 and . <= 120", 45, True),
        (". = 'x'", "x", True),
    ],
)
def test_it_uses_the_current_value_in_constraints(expression, current, expected):
    assert holds(expression, {}, current) is expected


def test_it_computes_values():
    assert evaluate("${age} + 1", ANSWERS) == 35.0
    assert evaluate("round(10 div 3, 2)", {}) == 3.33
    assert evaluate("date('2022-01-05')", {}) == dt.date(2022, 1, 5)


def test_it_lists_references():
    assert references("${a} = 1 and selected(${b}, 'x')") == {"a", "b"}


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("${a} >", "unexpected end"),
        ("frobnicate(${a})", "unsupported function frobnicate()"),
        ("${a} = = 1", "unexpected '='"),
        ("(${a} = 1", "unexpected end"),
        ("${a} # 1", "cannot read"),
    ],
)
def test_it_refuses_bad_expressions_with_a_reason(expression, reason):
    with pytest.raises(ExpressionError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(expression)
