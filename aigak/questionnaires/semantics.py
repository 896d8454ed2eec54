"""ODK behaviour that depends on the form definition, for the web form and the server.

Cascading selects (`choice_filter`), repeat counts, calculations in dependency order,
defaults that are expressions, `${field}` inside labels, `trigger`, and the metadata
questions the server fills in. Expressions are evaluated by
`aigak.questionnaires.expressions`; this module only decides what to evaluate, when and
with which answers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any

from django.utils import timezone

from aigak.questionnaires.definition import Choice, Field, FormDefinition, Section, pick
from aigak.questionnaires.entry_calculations import entry_values
from aigak.questionnaires.expressions import ExpressionError, evaluate, to_string
from aigak.questionnaires.file_choices import choices_of
from aigak.questionnaires.media import with_form_media
from aigak.questionnaires.xpath.functions_random import seed_of, shuffle
from aigak.questionnaires.xpath.order import dependency_order

# A quoted string or ${name}, left alone; or a bare name (not a function, path or axis).
_TOKEN = re.compile(
    r"""('[^']*'|"[^"]*"|\$\{[^}]*\})|(?<![\w.$/@:-])([A-Za-z_][\w.-]*)(?![\w.-]*\s*\()"""
)
_KEYWORDS = {"and", "or", "div", "mod"}
CHOICE_PREFIX = "__choice__"
REFERENCE = re.compile(r"\$\{([^}]+)\}")


@lru_cache(maxsize=512)
def _choice_filter(expression: str, columns: frozenset[str]) -> str:
    """The filter with a choice's columns as ${__choice__column} (ODK reads them bare)."""

    def swap(match: re.Match[str]) -> str:
        kept, bare = match.group(1), match.group(2)
        if kept or bare in _KEYWORDS or bare not in columns:
            return match.group(0)
        return "${" + CHOICE_PREFIX + bare + "}"

    return _TOKEN.sub(swap, expression)


def _choice_scope(choice: Choice) -> dict[str, Any]:
    columns = {"name": choice.name, **choice.extra}
    return {CHOICE_PREFIX + k: v for k, v in columns.items()}


def allowed_choices(f: Field, scope: dict[str, Any]) -> list[str] | None:
    """The choices a cascading select offers for these answers (None: no filter)."""
    if not f.choice_filter or not f.is_select:
        return None
    choices = choices_of(f)
    columns = frozenset({"name", *(k for c in choices for k in c.extra)})
    expression = _choice_filter(f.choice_filter, columns)
    allowed = []
    for choice in choices:
        try:
            ok = bool(evaluate(f"boolean({expression})", {**scope, **_choice_scope(choice)}))
        except (ExpressionError, ValueError, TypeError):
            ok = False
        if ok:
            allowed.append(choice.name)
    return allowed


def choice_order(f: Field, scope: dict[str, Any]) -> list[str] | None:
    """The order a select with `randomize=true` offers its choices in (None: the form's
    order): shuffled as `randomize()` shuffles, by the `seed` parameter's value if it
    has one that is a number (the same seed, the same order), else anew each time."""
    if not f.is_select or f.parameters.get("randomize", "").lower() != "true":
        return None
    seed = None
    if f.parameters.get("seed"):
        try:
            seed = seed_of(evaluate(f.parameters["seed"], scope))
        except (ExpressionError, ValueError, TypeError):
            seed = None
    return shuffle([c.name for c in choices_of(f)], seed)


@with_form_media
def choice_orders(definition: FormDefinition, scope: dict[str, Any]) -> dict[str, list[str]]:
    """The shuffled order of every select with `randomize=true`, by field name."""
    orders = {name: choice_order(f, scope) for name, f in definition.fields.items()}
    return {name: order for name, order in orders.items() if order is not None}


@with_form_media
def filtered_choices(definition: FormDefinition, scope: dict[str, Any]) -> dict[str, list[str]]:
    """Allowed choices of every top-level cascading select."""
    out = {}
    for f in definition.fields.values():
        if f.choice_filter and not f.repeat:
            allowed = allowed_choices(f, scope)
            if allowed is not None:
                out[f.name] = allowed
    return out


@with_form_media
def repeat_counts(definition: FormDefinition, scope: dict[str, Any]) -> dict[str, Any]:
    """Entries of each repeat whose number the form fixes (`repeat_count`): a number for
    a repeat at the top level; for a repeat inside one, a number per entry of the outer
    repeat, in order, its count read in that entry (`${n}` is the entry's own answer, and
    the entry's calculations are computed first: pyxform makes `<repeat>_count` one)."""
    out: dict[str, Any] = {}
    parents = definition.repeat_parents()

    def walk(section: Section) -> None:
        for child in section.children:
            if not isinstance(child, Section):
                continue
            outer = parents.get(child.name, "") if child.kind == "repeat" else ""
            if child.kind == "repeat" and child.repeat_count and not outer:
                out[child.name] = _count(child.repeat_count, scope)
            elif child.kind == "repeat" and child.repeat_count and outer not in parents:
                entries = scope.get(outer) if isinstance(scope.get(outer), list) else []
                out[child.name] = [
                    _count(child.repeat_count, entry_values(definition, scope, outer, n, item))
                    if isinstance(item, dict)
                    else 0
                    for n, item in enumerate(entries or [], start=1)
                ]
            walk(child)

    walk(definition.root)
    return out


def _count(expression: str, scope: dict[str, Any]) -> int:
    """A repeat_count's number of entries (0 to 500; 0 when it is not a number)."""
    try:
        number = float(evaluate(f"number({expression})", scope))
    except (ExpressionError, ValueError, TypeError):
        number = math.nan
    return 0 if math.isnan(number) else max(0, min(int(number), 500))


def calculation_order(definition: FormDefinition) -> list[Field]:
    """Top-level fields with a calculation, each after the calculations it refers to.

    Form order where it does not matter; a cycle is broken in form order.
    """
    pending = {f.name: f for f in definition.fields.values() if f.calculation and not f.repeat}
    pairs = tuple((name, f.calculation) for name, f in pending.items())
    return [pending[name] for name in dependency_order(pairs)]


def is_dynamic_default(f: Field) -> bool:
    """pyxform's rule: a default that is an expression (`today()`, `${x} + 1`)."""
    from pyxform.utils import default_is_dynamic

    return bool(f.default) and bool(default_is_dynamic(f.default, f.odk_type or f.type))


@with_form_media
def initial_answers(definition: FormDefinition, names: set[str]) -> dict[str, Any]:
    """Defaults of a new record's fields, expressions evaluated as when a form opens."""
    out: dict[str, Any] = {}
    for f in definition.answer_fields():
        if not f.default or f.name not in names:
            continue
        if not is_dynamic_default(f):
            out[f.name] = f.default
            continue
        try:
            value = evaluate(f.default, out)
        except (ExpressionError, ValueError, TypeError):
            continue
        out[f.name] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return out


def fill_label(text: str, definition: FormDefinition, scope: dict[str, Any], lang: str) -> str:
    """`${field}` inside a label replaced by the answer as a person reads it."""
    if "${" not in text:
        return text

    def swap(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        f = definition.fields.get(name)
        value = scope.get(name)
        if f is not None and f.is_select and value not in (None, "", []):
            labels = {
                c.name: pick(c.label, lang, definition.default_language) for c in choices_of(f)
            }
            items = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(str(i)) or str(i) for i in items)
        return to_string(value) if value is not None else ""

    return REFERENCE.sub(swap, text)


@with_form_media
def dynamic_labels(
    definition: FormDefinition, scope: dict[str, Any], lang: str, names: set[str]
) -> dict[str, str]:
    """Labels that refer to answers, filled in, for the named top-level fields."""
    out = {}
    for name in names:
        f = definition.fields.get(name)
        if f is None or f.repeat:
            continue
        text = pick(f.label, lang, definition.default_language)
        if "${" in text:
            out[name] = fill_label(text, definition, scope, lang)
    return out


@with_form_media
def triggered(definition: FormDefinition, changed: str, scope: dict[str, Any]) -> dict[str, Any]:
    """Values set because `changed` changed: fields whose `trigger` names it."""
    out: dict[str, Any] = {}
    for f in definition.fields.values():
        if changed not in f.trigger or f.repeat:
            continue
        try:
            value = evaluate(f.calculation, scope) if f.calculation else ""
        except (ExpressionError, ValueError, TypeError):
            value = ""
        out[f.name] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return out


def form_language(definition: FormDefinition, wanted: str, interface: str) -> str:
    """The language a form is shown in: the one asked for if the form has it, else the
    interface's, else the form's default_language."""
    for lang in (wanted, interface):
        if lang and lang in definition.languages:
            return lang
    return definition.default_language or interface


def server_answers(
    definition: FormDefinition,
    user: Any,
    current: dict[str, Any],
    editable: set[str],
    *,
    started: dt.datetime | None = None,
    new: bool = False,
) -> dict[str, Any]:
    """Answers a web save gets from the server rather than from the post: the metadata
    questions, and on a new record the defaults of the fields nobody may edit."""
    out = {}
    if new:
        fixed = {f.name for f in definition.answer_fields() if f.name not in editable}
        out.update(initial_answers(definition, fixed))
    out.update(metadata_answers(definition, user, current, started=started))
    return out


def metadata_answers(
    definition: FormDefinition,
    user: Any,
    current: dict[str, Any],
    *,
    started: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the server fills in for the metadata questions (`start`, `end`, `today`,
    `username`, `email`, `deviceid`); `start` and `today` keep a stored value."""
    now = timezone.now()
    values = {
        "start": (started or now).isoformat(timespec="seconds"),
        "end": now.isoformat(timespec="seconds"),
        "today": timezone.localdate(now).isoformat(),
        "username": getattr(user, "username", "") or "",
        "email": getattr(user, "email", "") or "",
        "deviceid": "aigak",
    }
    out = {}
    for f in definition.fields.values():
        if not f.metadata or f.repeat or f.metadata not in values:
            continue
        if f.metadata in ("start", "today") and current.get(f.name) not in (None, ""):
            continue
        out[f.name] = values[f.metadata]
    return out


@with_form_media
def odk_state(
    definition: FormDefinition, scope: dict[str, Any], *, lang: str, visible: set[str], changed: str
) -> dict[str, Any]:
    """The ODK part of what the browser gets after a change (see webform.form_state)."""
    return {
        "choices": {k: v for k, v in filtered_choices(definition, scope).items() if k in visible},
        "repeat_counts": repeat_counts(definition, scope),
        "labels": dynamic_labels(definition, scope, lang, visible),
        "set": {
            k: to_string(v)
            for k, v in triggered(definition, changed, scope).items()
            if k in visible
        },
    }
