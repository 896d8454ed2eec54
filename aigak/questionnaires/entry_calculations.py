"""Calculations inside repeats, computed for each entry, as ODK computes them.

A `calculate` (or any field with a `calculation`) inside a repeat has a value in every
entry. In an entry, a field of the same repeat (`${amount}`, `../amount`,
`current()/../amount`) is that entry's answer, a field of the enclosing entry (for a
repeat inside a repeat) that entry's answer, any other field the form's; `position(..)`
is the entry's place among its siblings (the entries of the same outer entry), from 1.
The calculations of one repeat run in dependency order; the repeats outer first, then
again for an outer repeat whose calculations read those of a repeat inside it
(`sum(${inner_total})`). Validation computes them on every save and import
(`calculate_entries`); the web form computes an outer entry's own calculations to know how
many entries a repeat inside it gets (`entry_values`, for `repeat_count`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from aigak.questionnaires.answer_types import coerce
from aigak.questionnaires.definition import PARENT, Field, FormDefinition
from aigak.questionnaires.expressions import ExpressionError, NodeSet, evaluate, to_string
from aigak.questionnaires.xpath.order import dependency_order
from aigak.questionnaires.xpath.parser import references

Labels = Callable[[str, str], str]


def calculated_value(
    expression: str, scope: dict[str, Any], labels: Labels | None, position: int = 0
) -> Any:
    """One calculation's value in its stored shape; None when empty or failing."""
    try:
        value = evaluate(expression, scope, position=position, choice_label=labels)
    except (ExpressionError, ValueError, TypeError):
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, NodeSet):
        return to_string(value)
    return value


def stored(f: Field, value: Any) -> Any:
    """A calculated value as the field stores it (a number for an integer question)."""
    if f.type != "calculate" and value not in (None, ""):
        try:
            return coerce(f, value)
        except ValueError:
            return None
    return value


# Per form: each repeat's calculations in order, and the repeats inside repeats.
_cache: dict[int, tuple[FormDefinition, dict[str, list[Field]], dict[str, str]]] = {}


def _known(definition: FormDefinition) -> tuple[dict[str, list[Field]], dict[str, str]]:
    known = _cache.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_cache) > 256:
            _cache.clear()
        ordered = {}
        for repeat in definition.repeats_outer_first():
            pending = {f.name: f for f in definition.repeat_fields(repeat) if f.calculation}
            pairs = tuple((name, f.calculation) for name, f in pending.items())
            ordered[repeat] = [pending[name] for name in dependency_order(pairs)]
        known = _cache[id(definition)] = (definition, ordered, definition.repeat_parents())
    return known[1], known[2]


def repeat_calculations(definition: FormDefinition, repeat: str) -> list[Field]:
    """The fields of a repeat with a calculation, each after those it refers to."""
    return _known(definition)[0].get(repeat, [])


def entry_scope(
    definition: FormDefinition,
    answers: dict[str, Any],
    repeat: str,
    position: int,
    item: dict[str, Any],
) -> dict[str, Any]:
    """What an expression of one entry (at `position` in its repeat's list, from 1)
    reads: the entry's own fields first (unanswered ones too), then those of the outer
    entry it belongs to, then the form's; a repeat inside it is its own entries of it."""
    parents = _known(definition)[1]
    scope = dict(answers)
    outer = parents.get(repeat, "")
    if outer:
        entries = answers.get(outer) or []
        number = item.get(PARENT)
        if isinstance(number, int) and 1 <= number <= len(entries):
            scope.update(dict.fromkeys(f.name for f in definition.repeat_fields(outer)))
            scope.update(entries[number - 1])
    scope.update(dict.fromkeys(f.name for f in definition.repeat_fields(repeat)))
    scope.update(item)
    for inner, around in parents.items():
        if around == repeat:
            scope[inner] = [
                e
                for e in answers.get(inner) or []
                if isinstance(e, dict) and e.get(PARENT) == position
            ]
    return scope


def entry_values(
    definition: FormDefinition,
    answers: dict[str, Any],
    repeat: str,
    position: int,
    item: dict[str, Any],
    labels: Labels | None = None,
    sibling: int = 0,
) -> dict[str, Any]:
    """The scope of one entry with its calculations computed (`sibling`: its place among
    the entries of its outer entry, for `position(..)`; by default its list position)."""
    scope = entry_scope(definition, answers, repeat, position, item)
    for f in repeat_calculations(definition, repeat):
        scope[f.name] = stored(
            f, calculated_value(f.calculation, scope, labels, sibling or position)
        )
    return scope


def calculate_entries(
    definition: FormDefinition, answers: dict[str, Any], labels: Labels | None = None
) -> bool:
    """Compute the calculations of every entry of every repeat into the entries, in
    place (an empty result leaves the field out). True if the form has any."""
    order = [r for r in definition.repeats_outer_first() if repeat_calculations(definition, r)]
    if not order:
        return False
    for repeat in order + _reading_inner(definition, order):
        names = [f.name for f in repeat_calculations(definition, repeat)]
        siblings: dict[Any, int] = {}
        for position, item in enumerate(answers.get(repeat) or [], start=1):
            if not isinstance(item, dict):
                continue
            key = item.get(PARENT)
            siblings[key] = siblings.get(key, 0) + 1
            scope = entry_values(definition, answers, repeat, position, item, labels, siblings[key])
            for name in names:
                if scope[name] in (None, ""):
                    item.pop(name, None)
                else:
                    item[name] = scope[name]
    return True


def _reading_inner(definition: FormDefinition, order: list[str]) -> list[str]:
    """The repeats whose calculations read a field of a repeat inside them: computed
    again once the inner entries have their values."""
    parents = _known(definition)[1]

    def inside(repeat: str, outer: str) -> bool:
        while repeat in parents:
            repeat = parents[repeat]
            if repeat == outer:
                return True
        return False

    again = []
    for repeat in order:
        inner = {
            f.name for r in definition.repeats() if inside(r, repeat)
            for f in definition.repeat_fields(r)
        }  # fmt: skip
        read: set[str] = set()
        for f in repeat_calculations(definition, repeat):
            try:
                read |= references(f.calculation)
            except ExpressionError:
                continue
        if read & (inner | {r for r in definition.repeats() if inside(r, repeat)}):
            again.append(repeat)
    return again
