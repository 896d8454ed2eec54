"""Number, boolean and aggregate functions of the ODK XForms function library."""

from __future__ import annotations

import math
import random
from typing import Any

from aigak.questionnaires.xpath.library import Context, function
from aigak.questionnaires.xpath.values import (
    NEEDS_CURRENT,
    ExpressionError,
    NodeSet,
    from_answer,
    gettext_noop,
    items,
    to_bool,
    to_number,
    to_string,
)


def numbers(value: Any) -> list[float]:
    return [to_number(item) for item in items(value)]


@function("boolean", 1)
def _boolean(ctx: Context, value: Any) -> bool:
    return to_bool(value)


@function("not", 1)
def _not(ctx: Context, value: Any) -> bool:
    return not to_bool(value)


@function("true")
def _true(ctx: Context) -> bool:
    return True


@function("false")
def _false(ctx: Context) -> bool:
    return False


@function("boolean-from-string", 1)
def _boolean_from_string(ctx: Context, value: Any) -> bool:
    return to_string(value).strip() in ("true", "1")


@function("if", 3)
def _if(ctx: Context, condition: Any, yes: Any, no: Any) -> Any:
    return yes if to_bool(condition) else no


@function("coalesce", 2)
def _coalesce(ctx: Context, first: Any, second: Any) -> Any:
    return second if to_string(first) == "" else first


@function("once", 1)
def _once(ctx: Context, value: Any) -> Any:
    return value


@function("number", 0, 1)
def _number(ctx: Context, *args: Any) -> float:
    if not args:
        if ctx.current is None and not ctx.in_predicate:
            raise ExpressionError.said(NEEDS_CURRENT, function="number")
        return to_number(from_answer(ctx.current))
    return to_number(args[0])


@function("int", 1)
def _int(ctx: Context, value: Any) -> float:
    number = to_number(value)
    return number if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


@function("round", 1, 2)
def _round(ctx: Context, value: Any, places: Any = 0.0) -> float:
    number = to_number(value)
    if math.isnan(number) and isinstance(value, str):
        number = to_number(value.replace(",", "."))
    digits = to_number(places)
    if math.isnan(number) or math.isinf(number) or math.isnan(digits):
        return number if not math.isnan(digits) else math.nan
    factor = 10.0 ** int(digits)
    result = math.floor(number * factor + 0.5) / factor
    if result == 0:
        return math.copysign(0.0, number)
    return result


@function("floor", 1)
def _floor(ctx: Context, value: Any) -> float:
    number = to_number(value)
    return number if math.isnan(number) or math.isinf(number) else float(math.floor(number))


@function("ceiling", 1)
def _ceiling(ctx: Context, value: Any) -> float:
    number = to_number(value)
    return number if math.isnan(number) or math.isinf(number) else float(math.ceil(number))


@function("abs", 1)
def _abs(ctx: Context, value: Any) -> float:
    return abs(to_number(value))


@function("pow", 2)
def _pow(ctx: Context, base: Any, exponent: Any) -> float:
    try:
        return math.pow(to_number(base), to_number(exponent))
    except (ValueError, OverflowError):
        return math.nan


def _math(name: str, fn: Any) -> None:
    def call(ctx: Context, value: Any) -> float:
        try:
            return float(fn(to_number(value)))
        except (ValueError, OverflowError):
            return math.nan

    function(name, 1)(call)


for _name, _fn in {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "exp10": lambda x: 10.0**x,
    "log": math.log,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
}.items():
    _math(_name, _fn)


@function("atan2", 2)
def _atan2(ctx: Context, y: Any, x: Any) -> float:
    return math.atan2(to_number(y), to_number(x))


@function("pi")
def _pi(ctx: Context) -> float:
    return math.pi


@function("random")
def _random(ctx: Context) -> float:
    return random.random()


def _all_numbers(args: tuple[Any, ...]) -> list[float]:
    return [n for a in args for n in numbers(a)]


@function("sum", 1)
def _sum(ctx: Context, *args: Any) -> float:
    return float(sum(_all_numbers(args)))


@function("min", 1, None)
def _min(ctx: Context, *args: Any) -> float:
    values = _all_numbers(args)
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return min(values)


@function("max", 1, None)
def _max(ctx: Context, *args: Any) -> float:
    values = _all_numbers(args)
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return max(values)


@function("count", 1)
def _count(ctx: Context, value: Any) -> float:
    return float(len(value)) if isinstance(value, NodeSet) else 1.0


@function("count-non-empty", 1)
def _count_non_empty(ctx: Context, value: Any) -> float:
    return float(sum(1 for item in items(value) if to_string(item) != ""))


@function("position", 0, 1)
def _position(ctx: Context, *args: Any) -> float:
    return float(ctx.position)


@function("last")
def _last(ctx: Context) -> float:
    return float(ctx.size)


@function("current")
def _current(ctx: Context) -> Any:
    return from_answer(ctx.current)


def _truths(args: tuple[Any, ...]) -> list[bool]:
    return [to_bool(v) for a in args for v in (a if isinstance(a, NodeSet) else [a])]


def _within(count: float, least: Any, most: Any) -> bool:
    low, high = to_number(least), to_number(most)
    return (low < 0 or count >= low) and (high < 0 or count <= high)


@function("checklist", 2, None)
def _checklist(ctx: Context, least: Any, most: Any, *args: Any) -> bool:
    count = sum(1 for arg in args for item in items(arg) if to_bool(item))
    return _within(count, least, most)


@function("weighted-checklist", 2, None)
def _weighted_checklist(ctx: Context, least: Any, most: Any, *args: Any) -> bool:
    if len(args) % 2:
        raise ExpressionError.said(gettext_noop("expects values and weights in pairs"))
    total = 0.0
    for value, weight in zip(args[0::2], args[1::2], strict=True):
        weights = numbers(weight)
        for i, item in enumerate(items(value)):
            if to_bool(item):
                total += weights[i] if i < len(weights) else weights[-1]
    return _within(total, least, most)
