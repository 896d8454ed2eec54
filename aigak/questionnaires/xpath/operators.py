"""XPath 1.0 comparisons and arithmetic (section 3.4 and 3.5 of the XPath 1.0 spec).

A comparison with a node-set holds if it holds for some item of it. Between plain values,
``=`` and ``!=`` compare as booleans if either side is one, else as numbers if either
side is a number (or a date), else as strings; ``<``, ``<=``, ``>``, ``>=`` compare
numbers, and dates count as days since 1970. An unanswered field is the empty string,
whose number is NaN, so ``${age} >= 18`` is false while age is unanswered.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from aigak.questionnaires.xpath.values import (
    NodeSet,
    items,
    parse_date,
    parse_datetime,
    to_bool,
    to_number,
    to_string,
)

EQUALITY = ("=", "!=")
ORDER = ("<", "<=", ">", ">=")
TOLERANCE = 1e-12


def compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, NodeSet) or isinstance(right, NodeSet):
        return _compare_sets(op, left, right)
    if op in EQUALITY:
        equal = _equal(left, right)
        return equal if op == "=" else not equal
    return _order(op, to_number(left), to_number(right))


def _compare_sets(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, NodeSet) and isinstance(right, NodeSet):
        lefts, rights = items(left), items(right)
        return any(compare(op, to_string(a), to_string(b)) for a in lefts for b in rights)
    if isinstance(left, NodeSet):
        if isinstance(right, bool):
            return compare(op, to_bool(left), right)
        return any(compare(op, item, right) for item in items(left))
    if isinstance(left, bool):
        return compare(op, left, to_bool(right))
    return any(compare(op, left, item) for item in items(right))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_bool(left) == to_bool(right)
    if _is_number(left) or _is_number(right):
        a, b = to_number(left), to_number(right)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return a == b or abs(a - b) < TOLERANCE * max(1.0, abs(a), abs(b))
    left_text, right_text = to_string(left), to_string(right)
    if left_text == right_text:
        return True
    if _looks_like_date(left_text) and _looks_like_date(right_text):
        return to_number(left_text) == to_number(right_text)  # one moment written two ways
    return False


def _looks_like_date(text: str) -> bool:
    return parse_date(text) is not None or parse_datetime(text) is not None


def _order(op: str, a: float, b: float) -> bool:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def arithmetic(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)
