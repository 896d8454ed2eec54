"""XPath 1.0 values as ODK uses them, and the conversions between them.

Values are ``str``, ``float``, ``bool``, ``datetime.date`` (a date), ``datetime.datetime``
(a date-time, always with its offset) and :class:`NodeSet` (several answers: a field
inside a repeat read from outside it, or the entries of a repeat). Stored answers come in
as numbers, strings and lists and are read as XPath values by :func:`from_answer`; an
unanswered field is the empty string.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from contextvars import ContextVar
from functools import lru_cache
from typing import Any


def gettext_noop(template: str) -> str:
    """Marks an English message for translation (the engine itself speaks English)."""
    return template


def english(template: str, params: dict[str, Any]) -> str:
    """A message from its template and values; a value that is itself a message (a dict
    with its template) is said too."""
    if not params:
        return template
    return template % {
        name: english(value["template"], value.get("params", {}))
        if isinstance(value, dict) and "template" in value
        else value
        for name, value in params.items()
    }


class ExpressionError(ValueError):
    """An expression that cannot be read or evaluated; the message says why, in English.
    One made with `said` keeps its template and values, for a page to say it in its
    reader's language (`aigak.questionnaires.answer_types.words`)."""

    template = ""
    params: dict[str, Any] = {}  # noqa: RUF012 - replaced, never changed

    @classmethod
    def said(cls, template: str, **params: Any) -> ExpressionError:
        error = cls(english(template, params))
        error.template, error.params = template, params
        return error

    def as_value(self) -> str | dict[str, Any]:
        """Why, as a value of another message: its template and values, else its text."""
        if self.template:
            return {"template": self.template, "params": self.params}
        return str(self)


class NodeSet(tuple):  # type: ignore[type-arg]
    """Several answers in document order; each item is an answer or a repeat entry."""


NOT_A_DATE = gettext_noop("%(value)s is not a date")
NEEDS_CURRENT = gettext_noop("%(function)s() without an argument needs a current value")
IN_FUNCTION = "%(function)s(): %(reason)s"  # a function's failure (no words to translate)
EPOCH = dt.date(1970, 1, 1)
EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DAY_SECONDS = 86400.0
_NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
_DATE = re.compile(r"^\s*(-?\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_TIME = re.compile(r"^\s*(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


# A caller may name the zone (aigak form eval --tz); otherwise the server's TIME_ZONE.
ZONE: ContextVar[dt.tzinfo | None] = ContextVar("xpath_zone", default=None)


def local_zone() -> dt.tzinfo:
    """The time zone dates without an offset are read in (the server's, as ODK's device)."""
    # time.tzname and time.timezone change with TZ (Django sets it from TIME_ZONE and
    # calls time.tzset()); reading them is cheaper than os.environ, asked several times
    # per date compared.
    return ZONE.get() or _system_zone(time.tzname, time.timezone)


@lru_cache(maxsize=8)
def _system_zone(names: tuple[str, str], offset: int) -> dt.tzinfo:
    """The process's zone (Django sets TZ from TIME_ZONE), looked up once per zone."""
    return dt.datetime.now().astimezone().tzinfo or dt.UTC


def from_answer(value: Any) -> Any:
    """A stored answer as an XPath value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return NodeSet(value)
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return NodeSet([value])
    return value


def item_string(item: Any) -> str:
    """The string value of one node-set item (an entry: its answers joined, as XML text)."""
    if isinstance(item, dict):
        return "".join(item_string(from_answer(v)) for v in item.values())
    if isinstance(item, NodeSet):
        return "".join(item_string(i) for i in item)
    return to_string(from_answer(item))


def items(value: Any) -> list[Any]:
    """The XPath value of each item of a node-set (an entry: its text), or [value]."""
    if isinstance(value, NodeSet):
        return [item_string(i) if isinstance(i, dict) else from_answer(i) for i in value]
    return [value]


def single(value: Any) -> Any:
    """A node-set as the value of its first item (XPath); other values unchanged."""
    if isinstance(value, NodeSet):
        if not value:
            return ""
        first = value[0]
        return item_string(first) if isinstance(first, dict) else from_answer(first)
    return value


def format_number(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        text = format(number, "f").rstrip("0").rstrip(".")
    return text


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 in the local zone, with milliseconds and the offset (as ODK writes it)."""
    return value.astimezone(local_zone()).isoformat(timespec="milliseconds")


def to_string(value: Any) -> str:
    value = single(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(float(value))
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _offset(text: str | None) -> dt.tzinfo:
    if not text:
        return local_zone()
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"no such time zone offset {text}")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str) -> dt.datetime | None:
    match = _DATETIME.match(text)
    if not match:
        return None
    fraction = match[7] or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        naive = dt.datetime(
            int(match[1]),
            int(match[2]),
            int(match[3]),
            int(match[4]),
            int(match[5]),
            int(match[6] or 0),
            micro,
        )
    except ValueError:
        return None
    try:
        return naive.replace(tzinfo=_offset(match[8]))
    except ValueError:
        return None


def parse_time(text: str) -> dt.datetime | None:
    """A time of day (``HH:MM[:SS][offset]``) as a date-time on today's date."""
    match = _TIME.match(text)
    if not match:
        return None
    fraction = match[4] or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        return dt.datetime.combine(
            dt.date.today(),
            dt.time(int(match[1]), int(match[2]), int(match[3] or 0), micro),
            tzinfo=_offset(match[5]),
        )
    except ValueError:  # hour 25, offset -07:60
        return None


def days(value: dt.date) -> float:
    """Days since 1970-01-01T00:00Z; a date is its local midnight, as in ODK."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=local_zone())
        return (moment - EPOCH_UTC).total_seconds() / DAY_SECONDS
    return _midnight_days(value, local_zone())


@lru_cache(maxsize=4096)
def _midnight_days(value: dt.date, zone: dt.tzinfo) -> float:
    """A date's local midnight in days (the same few dates come back row after row)."""
    moment = dt.datetime.combine(value, dt.time(), tzinfo=zone)
    return (moment - EPOCH_UTC).total_seconds() / DAY_SECONDS


def from_days(number: float) -> dt.date:
    """The moment a number of days after the epoch: a date if it is a local midnight."""
    moment = (EPOCH_UTC + dt.timedelta(days=number)).astimezone(local_zone())
    if moment.time() == dt.time():
        return moment.date()
    return moment


def string_to_number(text: str) -> float:
    if len(text) > 40:  # worked out each time: only short texts are remembered
        return _text_number.__wrapped__(text, None)
    return _text_number(text, local_zone())


# The common texts: a larger cache grew each checking process of an import (every
# distinct date of a file) for no time saved (docs/performance.md, issue 18 session 10).
@lru_cache(maxsize=4096)
def _text_number(text: str, zone: dt.tzinfo | None) -> float:
    """A text's number; a date's or date-time's depends on the zone, part of the key
    (an import compares the same answers' dates row after row)."""
    if _NUMBER.match(text):
        return float(text)
    date = parse_date(text)
    if date is not None:
        return days(date)
    moment = parse_datetime(text)
    if moment is not None:
        return days(moment)
    return math.nan


def to_number(value: Any) -> float:
    value = single(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.date):
        return days(value)
    if isinstance(value, str):
        return string_to_number(value)
    return string_to_number(to_string(value))


def to_bool(value: Any) -> bool:
    if isinstance(value, NodeSet):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    if isinstance(value, dt.date):
        return True
    return to_string(value) != ""


def to_date(value: Any) -> dt.date:
    """A value as a date or date-time (``date()``); raises ExpressionError if it is none."""
    value = single(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ExpressionError.said(gettext_noop("a true/false value is not a date"))
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value):
            raise ExpressionError.said(NOT_A_DATE, value=format_number(value))
        return from_days(value)
    text = to_string(value)
    date = parse_date(text)
    if date is not None:
        return date
    moment = parse_datetime(text)
    if moment is not None:
        return moment
    raise ExpressionError.said(NOT_A_DATE, value=repr(text))


def to_datetime(value: Any) -> dt.datetime:
    value = single(value)
    if isinstance(value, str):
        moment = parse_time(value)
        if moment is not None:
            return moment
    date = to_date(value)
    if isinstance(date, dt.datetime):
        return date if date.tzinfo else date.replace(tzinfo=local_zone())
    return dt.datetime.combine(date, dt.time(), tzinfo=local_zone())


class InstanceItem(dict):  # type: ignore[type-arg]
    """An item of a secondary instance (a row of a form's CSV). In a predicate its
    columns are read by bare name (`item[code = ${code}]`), while `${field}` still names
    the form's field, as in ODK."""
