"""Whether a result of `aigak form eval --cases` meets what the public test expected."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_SPECIAL = {"NaN", "Infinity", "-Infinity"}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if value in _SPECIAL:
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[value]
    return None


def _same_number(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def _truthy(value: Any) -> bool:
    number = _number(value)
    if number is not None:
        return number != 0 and not math.isnan(number)
    return bool(value)


def _equal(result: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(result, bool):
        return result is expected
    want, got = _number(expected), _number(result)
    if isinstance(expected, (int, float)) and isinstance(result, str) and got is None:
        return result == _js_string(float(expected))
    if isinstance(expected, (int, float)) or (want is not None and got is not None):
        return want is not None and got is not None and _same_number(got, want)
    if isinstance(result, (int, float)):
        return str(expected) == _js_string(float(result))
    if isinstance(expected, (int, float)) and isinstance(result, str):
        return result == _js_string(float(expected))
    return result == expected


def _js_string(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _match(result: Any, pattern: str) -> bool:
    found = re.fullmatch(r"/(.*)/([a-z]*)", pattern, re.S)
    flags = re.I if found and "i" in found.group(2) else 0
    body = found.group(1) if found else pattern
    return re.search(body, str(result), flags) is not None


def _instant(result: Any, expected: str) -> bool:
    try:
        got = dt.datetime.fromisoformat(str(result))
    except ValueError:
        return False
    want = dt.datetime.fromisoformat(expected).replace(tzinfo=dt.UTC)
    return got == want


def passes(case: dict[str, Any], output: dict[str, Any]) -> bool:
    check, expected = case["check"], case.get("expected")
    if check == "error":
        return "error" in output
    if "error" in output:
        return False
    result = output["result"]
    if check == "equal":
        return _equal(result, expected)
    if check == "ok":
        return _truthy(result) is bool(expected)
    if check == "match":
        return _match(result, expected)
    if check == "length":
        return len(str(result)) == expected
    if check == "rounded":
        want, factor = expected
        got = _number(result)
        return got is not None and math.floor(got * factor + 0.5) / factor == float(want)
    if check == "instant":
        return _instant(result, expected)
    raise AssertionError(f"unknown check {check!r}")
