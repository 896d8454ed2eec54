"""Date and time functions of the ODK XForms function library.

Dates are ``datetime.date``; date-times carry their offset. A date-time without an
offset is read in the server's time zone, as ODK reads it in the device's.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from aigak.questionnaires.xpath.library import Context, function
from aigak.questionnaires.xpath.values import (
    DAY_SECONDS,
    ExpressionError,
    days,
    local_zone,
    parse_date,
    parse_datetime,
    to_date,
    to_datetime,
    to_string,
)

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def moment(ctx: Context) -> dt.datetime:
    return ctx.now or dt.datetime.now(local_zone())


@function("today")
def _today(ctx: Context) -> dt.date:
    return moment(ctx).date()


@function("now")
def _now(ctx: Context) -> dt.datetime:
    return moment(ctx)


@function("date", 1)
def _date(ctx: Context, value: Any) -> dt.date | str:
    """A date (or, given a moment that is not a midnight, a date-time); an unanswered
    field stays unanswered."""
    if to_string(value) == "":
        return ""
    return to_date(value)


@function("date-time", 1)
def _date_time(ctx: Context, value: Any) -> dt.date | str:
    if isinstance(value, str) and value and not _date_like(value):
        return to_datetime(value)  # a time of day: today at that time
    return _date(ctx, value)


def _date_like(text: str) -> bool:
    return parse_date(text) is not None or parse_datetime(text) is not None


@function("decimal-date-time", 1)
def _decimal_date_time(ctx: Context, value: Any) -> float:
    return days(to_datetime(value))


@function("decimal-time", 1)
def _decimal_time(ctx: Context, value: Any) -> float:
    text = to_string(value)
    if not text:
        return math.nan
    try:
        local = to_datetime(value).astimezone(local_zone())
    except ExpressionError:
        return math.nan
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (local - midnight).total_seconds() / DAY_SECONDS


def _format(value: dt.date, pattern: str) -> str:
    moment = value if isinstance(value, dt.datetime) else None
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char != "%" or i + 1 >= len(pattern):
            out.append(char)
            i += 1
            continue
        out.append(_part(value, moment, pattern[i + 1]))
        i += 2
    return "".join(out)


def _part(value: dt.date, moment: dt.datetime | None, code: str) -> str:
    time = moment or dt.datetime.combine(value, dt.time())
    parts = {
        "Y": f"{value.year:04d}",
        "y": f"{value.year % 100:02d}",
        "m": f"{value.month:02d}",
        "n": str(value.month),
        "b": _MONTHS[value.month - 1],
        "d": f"{value.day:02d}",
        "e": str(value.day),
        "a": _DAYS[value.weekday()],
        "H": f"{time.hour:02d}",
        "h": str(time.hour),
        "M": f"{time.minute:02d}",
        "S": f"{time.second:02d}",
        "3": f"{time.microsecond // 1000:03d}",
    }
    return parts.get(code, "%" + code)


def _formattable(value: Any) -> dt.date | None:
    if isinstance(value, float) and math.isnan(value):
        return None
    if to_string(value) == "":
        return None
    try:
        date = to_date(value)
    except ExpressionError:
        return None
    if isinstance(date, dt.datetime) and date.tzinfo:
        return date.astimezone(local_zone())
    return date


@function("format-date", 2)
def _format_date(ctx: Context, value: Any, pattern: Any) -> str:
    date = _formattable(value)
    return "" if date is None else _format(date, to_string(pattern))


@function("format-date-time", 2)
def _format_date_time(ctx: Context, value: Any, pattern: Any) -> str:
    date = _formattable(value)
    return "" if date is None else _format(date, to_string(pattern))
