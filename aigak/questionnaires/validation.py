"""Turn raw answers (form posts, CSV cells, JSON) into typed answers and check the rules.

The same function checks the web form, the importer and the API, so a record that one
accepts the others accept too. Stored shapes: text/select_one/date/time/geopoint as
strings, integer as int, decimal as float, select_multiple as a list of choice names,
a repeat as a list of dicts. Empty answers are left out of the answer set.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aigak.questionnaires.expressions import ExpressionError, evaluate, holds, to_string
from aigak.questionnaires.xlsform import Field, FormDefinition, Section, pick

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


@dataclass
class Problem:
    field: str
    value: Any
    rule: str
    message: str

    def __str__(self) -> str:
        shown = to_string(self.value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"field {self.field!r}, value {shown!r}: {self.message} ({self.rule})"


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


def coerce(f: Field, value: Any) -> Any:
    """One answer in its stored shape; raises ValueError with a reason."""
    if _empty(value):
        return None
    t = f.type
    if t == "integer":
        if isinstance(value, bool):
            raise ValueError("expected a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("expected a whole number")
            return int(value)
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
            return int(float(text)) if "." in text else int(text)
        raise ValueError("expected a whole number")
    if t == "decimal":
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            raise ValueError("expected a number") from None
        if math.isnan(number) or math.isinf(number):
            raise ValueError("expected a number")
        return number
    if t == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()[:10] if "T" in str(value) else str(value).strip()
        if not DATE.match(text):
            raise ValueError("expected a date as YYYY-MM-DD")
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("not a real calendar date") from None
        return text
    if t == "datetime":
        text = value.isoformat() if isinstance(value, dt.datetime) else str(value).strip()
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("expected a date and time as YYYY-MM-DDTHH:MM") from None
        return text
    if t == "time":
        text = value.isoformat() if isinstance(value, dt.time) else str(value).strip()
        if not TIME.match(text):
            raise ValueError("expected a time as HH:MM")
        return text
    if t == "select_one":
        text = str(value).strip()
        if text not in f.choice_names():
            raise ValueError(f"{text!r} is not one of the choices of {f.list_name}")
        return text
    if t == "select_multiple":
        items = value if isinstance(value, list) else str(value).split()
        items = [str(i).strip() for i in items if str(i).strip()]
        allowed = f.choice_names()
        unknown = [i for i in items if i not in allowed]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} not among the choices of {f.list_name}")
        # Keep the questionnaire's order and drop repeats: one canonical form.
        return [c for c in allowed if c in items]
    if t == "geopoint":
        parts = str(value).split()
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise ValueError("expected 'latitude longitude [altitude accuracy]'") from None
        if len(numbers) < 2 or not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
            raise ValueError("expected 'latitude longitude [altitude accuracy]'")
        return " ".join(parts)
    return str(value) if not isinstance(value, str) else value


def _message(f: Field, texts: dict[str, str], lang: str, fallback: str) -> str:
    return pick(texts, lang, "en") or fallback


def relevant_fields(definition: FormDefinition, answers: dict[str, Any]) -> set[str]:
    """Names of the fields whose relevance (and their groups') holds for these answers."""
    return {
        name
        for name, ok in _relevance(definition, definition.root, answers, True)
        if ok and isinstance(name, str)
    }


def _relevance(
    definition: FormDefinition, section: Section, scope: dict[str, Any], visible: bool
) -> Iterator[tuple[str | Section, bool]]:
    """The section, then each field name and section inside it, with whether it is asked:
    its relevance and that of the groups around it hold for scope."""
    here = visible and (not section.relevant or _safe_holds(section.relevant, scope))
    yield section, here
    for child in section.children:
        if isinstance(child, Section):
            yield from _relevance(definition, child, scope, here)
        else:
            f = definition.fields[child]
            yield child, here and (not f.relevant or _safe_holds(f.relevant, scope))


def _safe_holds(expression: str, answers: dict[str, Any], current: Any = None) -> bool:
    try:
        return holds(expression, answers, current)
    except ExpressionError:
        return False


def calculate(definition: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Values of the calculate fields, in form order (later ones may use earlier ones)."""
    scope = dict(answers)
    out: dict[str, Any] = {}
    for f in definition.fields.values():
        if f.type == "calculate" and not f.repeat:
            try:
                value = evaluate(f.calculation, scope)
            except (ExpressionError, ValueError, TypeError):
                value = None
            if isinstance(value, float) and math.isnan(value):
                value = None
            if isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            scope[f.name] = value
            out[f.name] = value
    return out


def clean_answers(
    definition: FormDefinition,
    raw: dict[str, Any],
    *,
    lang: str = "en",
    keep_irrelevant: bool = False,
    unknown: str = "error",
    previous: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Coerce and validate one answer set. Returns (answers, problems).

    keep_irrelevant keeps answers of fields that are not relevant (an import from another
    tool may carry them); the web form drops them, as ODK does. previous, the stored
    answers of the record being saved, narrows the dropping to answers this save makes
    irrelevant: an answer already not asked under previous (an import kept it) is kept.
    See docs/reliability.md, "Relevance".
    """
    problems: list[Problem] = []
    answers: dict[str, Any] = {}
    fields = definition.fields
    repeats = set(definition.repeats())
    positions: dict[str, list[int]] = {}  # of the kept entries of each repeat, from 1
    for name, value in raw.items():
        f = fields.get(name)
        if name in repeats:
            continue
        if f is None:
            if unknown == "error" and not _empty(value):
                problems.append(
                    Problem(name, value, "unknown field", "not a field of this questionnaire")
                )
            continue
        if f.repeat:
            continue
        if f.type in ("note", "calculate"):
            continue
        if f.type == "repeat":
            continue
        try:
            typed = coerce(f, value)
        except ValueError as exc:
            problems.append(Problem(name, value, "type " + f.type, str(exc)))
            continue
        if typed is not None:
            answers[name] = typed
    for repeat in definition.repeats():
        items = raw.get(repeat)
        if _empty(items):
            continue
        if not isinstance(items, list):
            problems.append(Problem(repeat, items, "repeat", "expected a list of entries"))
            continue
        cleaned_items = []
        positions[repeat] = []
        for index, item in enumerate(items, start=1):
            cleaned_item: dict[str, Any] = {}
            for f in definition.repeat_fields(repeat):
                try:
                    typed = coerce(f, item.get(f.name) if isinstance(item, dict) else None)
                except ValueError as exc:
                    problems.append(
                        Problem(
                            f"{repeat}[{index}]/{f.name}",
                            item.get(f.name),
                            "type " + f.type,
                            str(exc),
                        )
                    )
                    continue
                if typed is not None:
                    cleaned_item[f.name] = typed
            if cleaned_item:
                cleaned_items.append(cleaned_item)
                positions[repeat].append(index)
        if cleaned_items:
            answers[repeat] = cleaned_items
    if problems:
        return answers, problems
    answers.update({k: v for k, v in calculate(definition, answers).items() if v not in (None, "")})
    relevance = list(_relevance(definition, definition.root, answers, True))
    relevant = {name for name, ok in relevance if ok and isinstance(name, str)}
    was_asked = _asked_before(definition, previous)
    for f in definition.fields.values():
        if f.repeat or f.type in ("note",):
            continue
        value = answers.get(f.name)
        if f.name not in relevant:
            if value is not None and not keep_irrelevant and f.type != "calculate":
                if was_asked is None or f.name in was_asked:
                    answers.pop(f.name, None)
            continue
        problem = _check_rules(f, f.name, value, answers, lang)
        if problem is not None:
            problems.append(problem)
    for section, asked in relevance:
        if not isinstance(section, Section) or section.kind != "repeat":
            continue
        if not asked:
            if not keep_irrelevant and (was_asked is None or section.name in was_asked):
                answers.pop(section.name, None)
            continue
        before = None if previous is None else (previous.get(section.name) or [])
        problems.extend(
            _check_repeat(
                definition,
                section,
                answers,
                positions.get(section.name, []),
                lang,
                keep_irrelevant,
                before=None if before is None else (previous or {}, before),
            )
        )
    return answers, problems


def _asked_before(definition: FormDefinition, previous: dict[str, Any] | None) -> set[str] | None:
    """Names of the fields and repeats asked under the stored answers (None: no record)."""
    if previous is None:
        return None
    return {
        (name if isinstance(name, str) else name.name)
        for name, ok in _relevance(definition, definition.root, previous, True)
        if ok
    }


def _check_rules(
    f: Field, where: str, value: Any, scope: dict[str, Any], lang: str
) -> Problem | None:
    """The required and constraint rules of one relevant field; where names it."""
    if value is None:
        needed = f.required == "yes" or (f.required and _safe_holds(f.required, scope))
        if needed:
            return Problem(
                where,
                value,
                "required",
                _message(f, f.required_message, lang, "an answer is required"),
            )
        return None
    if f.constraint:
        try:
            ok = holds(f.constraint, scope, value)
        except ExpressionError as exc:
            ok, why = False, str(exc)
        else:
            why = ""
        if not ok:
            text = _message(f, f.constraint_message, lang, why or "does not meet the rule")
            return Problem(where, value, f"constraint {f.constraint}", text)
    return None


def _check_repeat(
    definition: FormDefinition,
    section: Section,
    answers: dict[str, Any],
    positions: list[int],
    lang: str,
    keep_irrelevant: bool,
    before: tuple[dict[str, Any], list[Any]] | None = None,
) -> list[Problem]:
    """Required, constraint and relevance of the fields of each entry of an asked repeat.

    Inside an entry, references name the entry's own fields first, then the rest of the
    form (as in ODK for fields of the same repeat). Problems name the entry as
    ``repeat[index]/field``: the entry's place among those given, counting from 1.
    """
    problems: list[Problem] = []
    for index, item in zip(positions, answers.get(section.name) or [], strict=False):
        scope = {**answers, **item}
        asked_before: set[str] | None = None
        if before is not None:  # the stored entry at this place, if any, and what it asked
            stored, entries = before
            entry = entries[index - 1] if index <= len(entries) else None
            asked_before = (
                None
                if not isinstance(entry, dict)
                else {
                    n
                    for n, ok in _relevance(definition, section, {**stored, **entry}, True)
                    if ok and isinstance(n, str)
                }
            )
        for name, relevant in _relevance(definition, section, scope, True):
            if not isinstance(name, str):
                continue
            f = definition.fields[name]
            if not f.stores_answer or f.type == "calculate":
                continue
            value = item.get(name)
            if not relevant:
                if value is not None and not keep_irrelevant:
                    if asked_before is None or name in asked_before:
                        item.pop(name, None)
                continue
            problem = _check_rules(f, f"{section.name}[{index}]/{name}", value, scope, lang)
            if problem is not None:
                problems.append(problem)
    return problems
