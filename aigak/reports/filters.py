"""`--where FIELD=VALUE` filters: parsed, checked against the questionnaire, as SQL.

Forms accepted: ``FIELD=VALUE`` for any select field (a select_multiple matches records
that ticked VALUE), the record ``status`` (draft, submitted, verified), and dates or
numbers with ``=``, ``>=`` or ``<=`` (``entry_date>=2022-04-01``). Several ``=`` on one
field mean "any of these"; different fields must all hold. A spec may name aliases
(``region`` for ``region_residence`` in qantar2022).

>>> [str(c) for c in parse_where(["entry_date>=2022-04-01"])]
['entry_date>=2022-04-01']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from aigak.questionnaires.xlsform import FormDefinition, pick
from aigak.records.models import Status

STATUS = "status"
OPERATORS = (">=", "<=", "=")
WHERE = re.compile(r"^\s*(?P<field>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|=)\s*(?P<value>.*?)\s*$")
SYMBOLS = {"=": "=", ">=": "≥", "<=": "≤"}


class FilterError(ValueError):
    """A filter that names an unknown field or value, or is not FIELD=VALUE."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str

    def __str__(self) -> str:
        return f"{self.field}{self.op}{self.value}"


def parse_where(items: Iterable[str]) -> list[Condition]:
    out = []
    for item in items:
        match = WHERE.match(item or "")
        if not match or not match.group("value"):
            raise FilterError(f"filter {item!r} is not FIELD=VALUE, FIELD>=VALUE or FIELD<=VALUE")
        out.append(Condition(match.group("field"), match.group("op"), match.group("value")))
    return out


def named_fields(conditions: list[Condition], aliases: dict[str, str] | None = None) -> list[str]:
    """The fields the conditions name, aliases replaced (for the field rule)."""
    aliases = aliases or {}
    return list(dict.fromkeys(aliases.get(c.field, c.field) for c in conditions))


def resolve(
    conditions: list[Condition], definition: FormDefinition, aliases: dict[str, str] | None = None
) -> list[Condition]:
    """Conditions with aliases replaced and every field and value checked."""
    aliases = aliases or {}
    out = []
    for c in conditions:
        name = aliases.get(c.field, c.field)
        if name == STATUS:
            if c.op != "=" or c.value not in Status.values:
                raise FilterError(
                    f"filter {c}: status is one of {', '.join(Status.values)} (with '=')"
                )
            out.append(Condition(name, c.op, c.value))
            continue
        f = definition.fields.get(name)
        if f is None or not f.stores_answer or f.repeat:
            raise FilterError(f"filter {c}: unknown field {c.field!r}")
        if f.is_select:
            if c.op != "=":
                raise FilterError(f"filter {c}: a choice field takes '=' only")
            if c.value not in f.choice_names():
                raise FilterError(
                    f"filter {c}: {c.value!r} is not a choice of field {name!r} "
                    f"({', '.join(f.choice_names())})"
                )
        elif f.type == "date":
            try:
                dt.date.fromisoformat(c.value)
            except ValueError:
                raise FilterError(f"filter {c}: a date is written YYYY-MM-DD") from None
        elif f.type in ("integer", "decimal"):
            try:
                float(c.value)
            except ValueError:
                raise FilterError(f"filter {c}: {name} takes a number") from None
        elif c.op != "=":
            raise FilterError(f"filter {c}: {name} is {f.type}; only '=' applies")
        out.append(Condition(name, c.op, c.value))
    return out


def as_json(conditions: list[Condition]) -> dict[str, Any]:
    """The scope printed with the report: {"region_residence": "almaty", "entry_date>=": ...}."""
    out: dict[str, Any] = {}
    for c in conditions:
        key = c.field if c.op == "=" else f"{c.field}{c.op}"
        if key in out:
            previous = out[key] if isinstance(out[key], list) else [out[key]]
            out[key] = [*previous, c.value]
        else:
            out[key] = c.value
    return out


def describe(conditions: list[Condition], definition: FormDefinition, lang: str = "en") -> str:
    """The scope in words, for pages and documents: 'Gender = Male; Entry date ≥ 2022-04-01'."""
    parts = []
    for c in conditions:
        f = definition.fields.get(c.field)
        label = definition.label(c.field, lang) if f else c.field
        value = c.value
        if f is not None and f.is_select:
            choice = next((ch for ch in f.choices if ch.name == c.value), None)
            if choice is not None:
                value = pick(choice.label, lang, definition.default_language) or c.value
        parts.append(f"{label} {SYMBOLS[c.op]} {value}")
    return "; ".join(parts)


def _groups(conditions: list[Condition]) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for c in conditions:
        groups.setdefault((c.field, c.op), []).append(c.value)
    return groups


def apply_sql(
    records: QuerySet, conditions: list[Condition], definition: FormDefinition
) -> tuple[QuerySet, list[Condition]]:
    """Narrow a Record queryset in SQL; return it and the conditions left for Python."""
    left: list[Condition] = []
    for n, ((name, op), values) in enumerate(_groups(conditions).items()):
        if name == STATUS:
            records = records.filter(status__in=values)
            continue
        f = definition.fields[name]
        if f.type == "select_multiple":
            left.extend(Condition(name, op, v) for v in values)
            continue
        if f.type in ("integer", "decimal"):
            lookup = {"=": "exact", ">=": "gte", "<=": "lte"}[op]
            q = Q()
            for v in values:
                q |= Q(**{f"answers__{name}__{lookup}": float(v) if "." in v else int(v)})
            records = records.filter(q)
            continue
        alias = f"_where_{n}"
        # Cast: plain text comparison (KT alone keeps the JSON lookups, which re-parse).
        records = records.alias(**{alias: Cast(KT(f"answers__{name}"), TextField())})
        if op == "=":
            records = records.filter(**{f"{alias}__in": values})
        else:
            for v in values:
                records = records.filter(**{f"{alias}__{'gte' if op == '>=' else 'lte'}": v})
    return records, left


def matches(answers: dict[str, Any], conditions: list[Condition]) -> bool:
    """Whether answers satisfy conditions on answer fields (not status), in Python."""
    for (name, op), values in _groups(conditions).items():
        answer = answers.get(name)
        if op == "=":
            if isinstance(answer, list):
                if not any(v in answer for v in values):
                    return False
            elif str(answer) not in values if answer is not None else True:
                return False
            continue
        if answer is None:
            return False
        for v in values:
            a, b = _comparable(answer, v)
            if (op == ">=" and a < b) or (op == "<=" and a > b):
                return False
    return True


def _comparable(answer: Any, value: str) -> tuple[Any, Any]:
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return answer, float(value)
    return str(answer), value
