"""String, choice and encoding functions of the ODK XForms function library."""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
import secrets
import string
import uuid
from typing import Any

from aigak.questionnaires.xpath.library import Context, function
from aigak.questionnaires.xpath.values import (
    NEEDS_CURRENT,
    ExpressionError,
    NodeSet,
    from_answer,
    gettext_noop,
    items,
    to_number,
    to_string,
)


def strings(value: Any) -> list[str]:
    """The string of each item of a node-set, or the value's string."""
    return [to_string(item) for item in items(value)]


def _context_string(ctx: Context, args: tuple[Any, ...], name: str) -> str:
    if args:
        return to_string(args[0])
    if ctx.current is None and not ctx.in_predicate:
        raise ExpressionError.said(NEEDS_CURRENT, function=name)
    return to_string(from_answer(ctx.current))


@function("string", 0, 1)
def _string(ctx: Context, *args: Any) -> str:
    return _context_string(ctx, args, "string")


@function("concat", 0, None)
def _concat(ctx: Context, *args: Any) -> str:
    return "".join("".join(strings(a)) for a in args)


@function("join", 1, None)
def _join(ctx: Context, separator: Any, *args: Any) -> str:
    return to_string(separator).join(s for a in args for s in strings(a))


@function("contains", 2)
def _contains(ctx: Context, a: Any, b: Any) -> bool:
    return to_string(b) in to_string(a)


@function("starts-with", 2)
def _starts_with(ctx: Context, a: Any, b: Any) -> bool:
    return to_string(a).startswith(to_string(b))


@function("ends-with", 2)
def _ends_with(ctx: Context, a: Any, b: Any) -> bool:
    return to_string(a).endswith(to_string(b))


@function("substring-before", 2)
def _before(ctx: Context, a: Any, b: Any) -> str:
    text, part = to_string(a), to_string(b)
    at = text.find(part)
    return "" if at < 0 or part == "" else text[:at]


@function("substring-after", 2)
def _after(ctx: Context, a: Any, b: Any) -> str:
    text, part = to_string(a), to_string(b)
    at = text.find(part)
    return "" if at < 0 else text[at + len(part) :]


@function("substr", 2, 3)
def _substr(ctx: Context, value: Any, start: Any, end: Any = None) -> str:
    """ODK's substr(): from start (from 0) to end, not included; negatives count back."""
    text = to_string(value)
    first = to_number(start)
    if math.isnan(first):
        return ""
    if end is None:
        return text[int(first) :]
    last = to_number(end)
    if math.isnan(last):
        return ""
    return text[int(first) : int(last)]


@function("substring", 2, 3)
def _substring(ctx: Context, value: Any, start: Any, length: Any = None) -> str:
    """XPath 1.0 substring(): characters from position start (from 1), rounded."""
    text = to_string(value)
    first = _xpath_round(to_number(start))
    last = math.inf if length is None else first + _xpath_round(to_number(length))
    if math.isnan(first) or math.isnan(last):
        return ""
    return "".join(c for i, c in enumerate(text, start=1) if first <= i < last)


def _xpath_round(number: float) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    return math.floor(number + 0.5)


@function("string-length", 0, 1)
def _string_length(ctx: Context, *args: Any) -> float:
    return float(len(_context_string(ctx, args, "string-length")))


@function("normalize-space", 0, 1)
def _normalize_space(ctx: Context, *args: Any) -> str:
    return " ".join(_context_string(ctx, args, "normalize-space").split())


@function("translate", 3)
def _translate(ctx: Context, value: Any, source: Any, target: Any) -> str:
    text, frm, to = to_string(value), to_string(source), to_string(target)
    table: dict[int, int | None] = {}
    for i, char in enumerate(frm):
        if ord(char) not in table:
            table[ord(char)] = ord(to[i]) if i < len(to) else None
    return text.translate(table)


@function("lower-case", 1)
def _lower(ctx: Context, value: Any) -> str:
    return to_string(value).lower()


@function("upper-case", 1)
def _upper(ctx: Context, value: Any) -> str:
    return to_string(value).upper()


@function("regex", 2)
def _regex(ctx: Context, value: Any, pattern: Any) -> bool:
    try:
        return re.search(to_string(pattern), to_string(value)) is not None
    except re.error as exc:
        raise ExpressionError.said(
            gettext_noop("bad regular expression %(pattern)s: %(reason)s"),
            pattern=repr(to_string(pattern)),
            reason=str(exc),
        ) from None


def choice_list(value: Any) -> list[str]:
    if isinstance(value, NodeSet) and len(value) != 1:
        return [s for text in strings(value) for s in text.split()]
    return to_string(value).split()


@function("selected", 2)
def _selected(ctx: Context, value: Any, choice: Any) -> bool:
    return to_string(choice).strip() in choice_list(value)


@function("count-selected", 1)
def _count_selected(ctx: Context, value: Any) -> float:
    return float(len(choice_list(value)))


@function("selected-at", 2)
def _selected_at(ctx: Context, value: Any, index: Any) -> str:
    items = choice_list(value)
    at = to_number(index)
    if math.isnan(at) or at < 0 or at >= len(items):
        return ""
    return items[int(at)]


@function("jr:choice-name", 2)
def _choice_name(ctx: Context, value: Any, reference: Any) -> str:
    choice = to_string(value)
    field_name = re.sub(r"^\$\{|\}$", "", to_string(reference).strip()).rsplit("/", 1)[-1]
    if ctx.choice_label is None or choice == "":
        return choice
    return ctx.choice_label(field_name, choice)


@function("uuid", 0, 1)
def _uuid(ctx: Context, *args: Any) -> str:
    if not args:
        return str(uuid.uuid4())
    length = to_number(args[0])
    if math.isnan(length) or not 0 <= length <= 1000:
        raise ExpressionError.said(gettext_noop("the length must be a number from 0 to 1000"))
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(int(length)))


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384"}
_DIGESTS["SHA-512"] = "sha512"


@function("digest", 2, 3)
def _digest(ctx: Context, value: Any, algorithm: Any, encoding: Any = "base64") -> str:
    name = _DIGESTS.get(to_string(algorithm))
    if name is None:
        raise ExpressionError.said(
            gettext_noop("unknown digest algorithm %(name)s"), name=repr(to_string(algorithm))
        )
    raw = hashlib.new(name, to_string(value).encode("utf-8")).digest()
    how = to_string(encoding)
    if how == "hex":
        return raw.hex()
    if how == "base64":
        return base64.b64encode(raw).decode("ascii")
    raise ExpressionError.said(
        gettext_noop("unknown encoding %(name)s (base64 or hex)"), name=repr(how)
    )


@function("base64-decode", 1)
def _base64_decode(ctx: Context, value: Any) -> str:
    try:
        raw = base64.b64decode(to_string(value), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-8", errors="replace")


def _unserved(name: str, least: int, most: int | None, why: str) -> None:
    """An ODK function Aigak knows but cannot serve: a form using it installs, and the
    expression fails with the reason when evaluated (a calculation stays empty)."""

    def call(ctx: Context, *args: Any) -> Any:
        raise ExpressionError(why)

    function(name, least, most)(call)


_unserved("property", 1, 1, "device properties exist only on a phone")
_unserved("version", 0, 0, "the form version is not an expression value here")
