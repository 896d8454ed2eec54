"""Conditions remembered by what they read, for `holds`.

An import checks the same few conditions on every row (`. <= today()`,
`. >= 0 and . <= 120`, `${vital_status} = 'deceased'`), and the answers they read come
back row after row: the same dates, ages and choices. A condition that reads nothing
but the current answer, the answers it names with `${...}`, the time zone and today's
date gives the same verdict whenever those are the same, so its verdicts are kept by
them (`Remembered.key`) and evaluated once.

A condition is remembered only when every part of it is one of `KINDS` and every
function one of `PURE`: no path, repeat, position, media file, random number, clock
reading other than today's date, or choice label. An answer is part of a key only in
a shape whose equality means the same XPath value (a text, a whole number, a
true/false, a non-zero number, a list of choice names); any other leaves the verdict
to be worked out, as do errors (never remembered).

>>> remembered(". <= today()").today, remembered("${a} = 'x'").refs
(True, ('a',))
>>> remembered("position(..) > 1") is None, remembered("pulldata('f', 'c', 'k', .)") is None
(True, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aigak.questionnaires.xpath.parser import Node
from aigak.questionnaires.xpath.parser import parse as parse_tree
from aigak.questionnaires.xpath.values import ExpressionError, local_zone

# The parts of an expression a remembered condition may hold.
KINDS = frozenset(("num", "str", "dot", "ref", "binop", "neg", "call"))
# Functions whose value depends on their arguments alone (and on the current answer for
# those that may take none); `today` also on the day, which is part of the key.
PURE = frozenset(
    (
        "today", "date", "boolean", "not", "true", "false", "boolean-from-string", "if",
        "coalesce", "number", "int", "round", "floor", "ceiling", "abs", "pow", "string",
        "concat", "contains", "starts-with", "ends-with", "substring-before",
        "substring-after", "substr", "substring", "string-length", "normalize-space",
        "translate", "lower-case", "upper-case", "regex", "selected", "count-selected",
        "current",
    )
)  # fmt: skip
LIMIT = 65_536  # verdicts kept per condition; then they are forgotten and begun again
_UNKNOWN = object()  # an answer in a shape that is not part of a key


@dataclass
class Remembered:
    """One condition's verdicts, by the key of what it read."""

    refs: tuple[str, ...]  # the answers it names with ${...}
    today: bool  # whether it reads today's date
    verdicts: dict[tuple[Any, ...], bool] = field(default_factory=dict)

    def key(
        self, answers: Mapping[str, Any], current: Any
    ) -> tuple[tuple[Any, ...] | None, dt.datetime | None]:
        """The key of what the condition reads under these answers (None when an answer
        is in a shape that cannot be one), and the moment the day was read at: the
        condition is then evaluated at that moment, so its verdict is the key's."""
        zone = local_zone()
        moment = dt.datetime.now(zone) if self.today else None
        parts = [zone, moment.date() if moment else None, _key(current)]
        for name in self.refs:
            # An answer not given is looked for in the entries of repeats: not a key.
            parts.append(_key(answers[name]) if name in answers else _UNKNOWN)
        for part in parts:
            if part is _UNKNOWN:
                return None, moment
        return tuple(parts), moment

    def keep(self, key: tuple[Any, ...], verdict: bool) -> None:
        if len(self.verdicts) >= LIMIT:
            self.verdicts.clear()
        self.verdicts[key] = verdict


def _key(value: Any) -> Any:
    """An answer as part of a key: equal keys, the same XPath value."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return kind, value
    if kind is float:  # 0.0 and -0.0 are equal but divide differently; NaN equals nothing
        return (kind, value) if value == value and value != 0.0 else _UNKNOWN
    if kind is list and all(type(item) is str for item in value):
        return kind, tuple(value)
    return _UNKNOWN


@lru_cache(maxsize=4096)
def remembered(text: str) -> Remembered | None:
    """The verdicts of a condition that can be remembered; None for any other."""
    try:
        tree = parse_tree(text)
    except (ExpressionError, RecursionError):
        return None
    refs: set[str] = set()
    today = False
    waiting: list[Node] = [tree]
    while waiting:
        node = waiting.pop()
        if node.kind not in KINDS or (node.kind == "call" and node.value not in PURE):
            return None
        if node.kind == "ref":
            refs.add(node.value)
        today = today or (node.kind == "call" and node.value == "today")
        waiting.extend(node.args)
    return Remembered(tuple(sorted(refs)), today)
