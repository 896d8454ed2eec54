"""Results as JSON (the command-line contract) and as the type a caller asks for.

``true``/``false``, a number, or a string; NaN and the infinities as the strings
``"NaN"``, ``"Infinity"``, ``"-Infinity"``; a date as ``YYYY-MM-DD``, a date-time as ISO
8601 with its offset; several answers (a node-set) as the string of the first, as XPath.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from aigak.questionnaires.xpath.values import (
    ExpressionError,
    NodeSet,
    format_datetime,
    format_number,
    to_bool,
    to_number,
    to_string,
)

TYPES = ("boolean", "number", "string")


def as_type(value: Any, wanted: str | None) -> Any:
    """The value converted as XPath's boolean(), number() or string() would."""
    if wanted is None:
        return value
    if wanted == "boolean":
        return to_bool(value)
    if wanted == "number":
        return to_number(value)
    if wanted == "string":
        return to_string(value)
    raise ExpressionError(f"unknown result type {wanted!r} (one of {', '.join(TYPES)})")


def to_json(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return format_number(number)
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, NodeSet):
        return to_string(value)
    return to_string(value)
