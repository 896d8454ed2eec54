"""Turn raw answers (form posts, CSV cells, JSON) into typed answers and check the rules.

The same function checks the web form, the importer and the API, so a record that one
accepts the others accept too. Stored shapes: text/select_one/date/time/geopoint as
strings, integer as int, decimal as float, select_multiple as a list of choice names,
a repeat as a list of dicts. Empty answers are left out of the answer set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.utils.translation import gettext_noop

from aigak.questionnaires.answer_types import (
    Problem,
    _empty,
    coerce,
)
from aigak.questionnaires.definition import PARENT, prune_entries
from aigak.questionnaires.entry_calculations import (
    calculate_entries,
    calculated_value,
    stored,
)
from aigak.questionnaires.expressions import (
    ExpressionError,
    holds,
)
from aigak.questionnaires.file_choices import choices_of
from aigak.questionnaires.media import with_form_media
from aigak.questionnaires.semantics import allowed_choices, calculation_order
from aigak.questionnaires.xlsform import Field, FormDefinition, Section, pick


@with_form_media
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
    fixed = _unconditional(definition, section)
    if fixed is not None:  # nothing inside depends on the answers
        yield from fixed if visible else [(item, False) for item, _ in fixed]
        return
    here = visible and (not section.relevant or _safe_holds(section.relevant, scope))
    yield section, here
    for child in section.children:
        if isinstance(child, Section):
            yield from _relevance(definition, child, scope, here)
        else:
            f = definition.fields[child]
            yield child, here and (not f.relevant or _safe_holds(f.relevant, scope))


# Per section: what `_relevance` gives for it when no condition inside it (its own
# included) depends on the answers, else None. An import walks the same sections for
# every row; the form used to check it leaves out the conditions it cannot be affected by.
_fixed_cache: dict[
    tuple[int, int], tuple[FormDefinition, Section, list[tuple[str | Section, bool]] | None]
] = {}


def _unconditional(
    definition: FormDefinition, section: Section
) -> list[tuple[str | Section, bool]] | None:
    key = (id(definition), id(section))
    known = _fixed_cache.get(key)
    if known is not None and known[0] is definition and known[1] is section:
        return known[2]
    out: list[tuple[str | Section, bool]] | None = [(section, True)]

    def walk(part: Section) -> bool:
        if part.relevant:
            return False
        for child in part.children:
            if isinstance(child, Section):
                assert out is not None
                out.append((child, True))
                if not walk(child):
                    return False
            elif definition.fields[child].relevant:
                return False
            else:
                assert out is not None
                out.append((child, True))
        return True

    if not walk(section):
        out = None
    if len(_fixed_cache) > 4096:
        _fixed_cache.clear()
    _fixed_cache[key] = (definition, section, out)  # the references keep the ids unique
    return out


_repeats_cache: dict[int, tuple[FormDefinition, dict[str, None]]] = {}


def _repeat_names(definition: FormDefinition) -> dict[str, None]:
    """The form's repeats in form order (a dict: ordered, and quick to ask), per form."""
    known = _repeats_cache.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_repeats_cache) > 256:
            _repeats_cache.clear()
        known = _repeats_cache[id(definition)] = (definition, dict.fromkeys(definition.repeats()))
    return known[1]


def _safe_holds(expression: str, answers: dict[str, Any], current: Any = None) -> bool:
    try:
        return holds(expression, answers, current)
    except ExpressionError:
        return False


@with_form_media
def calculate(definition: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Values of the fields with a calculation, each after the calculations it uses (so
    one may refer to a later one, as in ODK); returned in form order."""
    scope = dict(answers)
    out: dict[str, Any] = {}
    labels = choice_labels(definition)
    for f in calculation_order(definition):
        value = stored(f, calculated_value(f.calculation, scope, labels))
        scope[f.name] = value
        out[f.name] = value
    return {name: out[name] for name in definition.fields if name in out}


def choice_labels(definition: FormDefinition) -> Callable[[str, str], str]:
    """jr:choice-name(choice, '${field}'): the choice's label in the form's language."""

    def label(field_name: str, choice: str) -> str:
        f = definition.fields.get(field_name)
        found = next((c for c in choices_of(f) if c.name == choice), None) if f else None
        if found is None:
            return choice
        return pick(found.label, definition.default_language) or choice

    return label


@with_form_media
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
    repeats = _repeat_names(definition)
    _coerce_plain(definition, raw, repeats, unknown, answers, problems)
    positions = _coerce_repeats(definition, raw, repeats, answers, problems)
    if problems:
        return answers, problems
    answers.update({k: v for k, v in calculate(definition, answers).items() if v not in (None, "")})
    if calculate_entries(definition, answers, choice_labels(definition)):  # then again: a
        # calculation may read theirs (`sum(${amount})`)
        answers.update(
            {k: v for k, v in calculate(definition, answers).items() if v not in (None, "")}
        )
    problems.extend(
        _check_relevant(definition, answers, positions, lang, keep_irrelevant, previous)
    )
    return answers, problems


def _coerce_plain(
    definition: FormDefinition,
    raw: dict[str, Any],
    repeats: dict[str, None],
    unknown: str,
    answers: dict[str, Any],
    problems: list[Problem],
) -> None:
    """Coerce the answers outside repeats into answers; unknown names and bad values
    into problems (unknown="error" reports a non-empty answer to no field)."""
    coerced, passed = _plain_fields(definition, repeats)
    for name, value in raw.items():
        f = coerced.get(name)
        if f is None:
            if name in passed:  # a repeat, a field inside one, a note or a calculation
                continue
            if unknown == "error" and not _empty(value):
                problems.append(
                    Problem.said(
                        name,
                        value,
                        "unknown field",
                        gettext_noop("not a field of this questionnaire"),
                    )
                )
            continue
        try:
            typed = coerce(f, value)
        except ValueError as exc:
            problems.append(Problem.unfit(name, value, "type " + f.type, exc))
            continue
        if typed is not None:
            answers[name] = typed


# Per form: the fields whose answers `_coerce_plain` coerces, by name, and the names it
# passes over (repeats, fields inside them, notes, calculations). Asked for every row of
# an import.
_plain_cache: dict[int, tuple[FormDefinition, dict[str, Field], frozenset[str]]] = {}


def _plain_fields(
    definition: FormDefinition, repeats: dict[str, None]
) -> tuple[dict[str, Field], frozenset[str]]:
    known = _plain_cache.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_plain_cache) > 256:
            _plain_cache.clear()
        coerced, passed = {}, set(repeats)
        for name, f in definition.fields.items():
            if name in repeats or f.repeat or f.type in ("note", "calculate", "repeat"):
                passed.add(name)
            else:
                coerced[name] = f
        known = _plain_cache[id(definition)] = (definition, coerced, frozenset(passed))
    return known[1], known[2]


def _coerce_repeats(
    definition: FormDefinition,
    raw: dict[str, Any],
    repeats: dict[str, None],
    answers: dict[str, Any],
    problems: list[Problem],
) -> dict[str, list[int]]:
    """Coerce each repeat's entries into answers, dropping empty entries; bad values into
    problems. Returns the positions (from 1) of the kept entries of each repeat.

    An entry of a repeat inside a repeat names the entry it belongs to (`PARENT`, its
    position in the enclosing repeat's list). An enclosing entry that holds nothing but
    kept inner entries is kept, and the positions are renumbered after the dropping."""
    coerced: dict[str, list[dict[str, Any]]] = {}
    parents = _repeat_parents(definition)
    for repeat in repeats:
        items = raw.get(repeat)
        if _empty(items):
            continue
        if not isinstance(items, list):
            problems.append(
                Problem.said(repeat, items, "repeat", gettext_noop("expected a list of entries"))
            )
            continue
        parent = parents.get(repeat, "")
        outer = raw.get(parent) if parent else None
        outer_count = len(outer) if isinstance(outer, list) else 0
        entries = coerced[repeat] = []
        for index, item in enumerate(items, start=1):
            cleaned_item: dict[str, Any] = {}
            for f in definition.repeat_fields(repeat):
                try:
                    typed = coerce(f, item.get(f.name) if isinstance(item, dict) else None)
                except ValueError as exc:
                    problems.append(
                        Problem.unfit(
                            f"{repeat}[{index}]/{f.name}", item.get(f.name), "type " + f.type, exc
                        )
                    )
                    continue
                if typed is not None:
                    cleaned_item[f.name] = typed
            given = item.get(PARENT) if isinstance(item, dict) and parent else None
            if given not in (None, ""):
                number = _position(given)
                if number is None or not 1 <= number <= outer_count:
                    problems.append(
                        Problem.said(
                            f"{repeat}[{index}]/{PARENT}",
                            given,
                            "parent entry",
                            gettext_noop(
                                "not the position of an entry of %(parent)s (1 to %(count)s)"
                            ),
                            parent=repr(parent),
                            count=outer_count,
                        )
                    )
                elif cleaned_item:
                    cleaned_item[PARENT] = number
            entries.append(cleaned_item)
    positions = prune_entries(coerced, parents, definition.repeats_outer_first())
    answers.update(coerced)
    return positions


def _position(value: Any) -> int | None:
    """A parent position as given: a whole number, or its text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


_parents_cache: dict[int, tuple[FormDefinition, dict[str, str]]] = {}


def _repeat_parents(definition: FormDefinition) -> dict[str, str]:
    """Each repeat inside a repeat -> the repeat that encloses it, per form."""
    known = _parents_cache.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_parents_cache) > 256:
            _parents_cache.clear()
        known = _parents_cache[id(definition)] = (definition, definition.repeat_parents())
    return known[1]


def _check_relevant(
    definition: FormDefinition,
    answers: dict[str, Any],
    positions: dict[str, list[int]],
    lang: str,
    keep_irrelevant: bool,
    previous: dict[str, Any] | None,
) -> list[Problem]:
    """Drop the answers this save makes irrelevant (unless kept) and check the rules of
    the relevant fields and of the entries of each asked repeat."""
    problems: list[Problem] = []
    fixed = _unconditional(definition, definition.root)
    if fixed is not None:  # no condition in the form depends on the answers
        relevance, relevant = fixed, _fixed_names(fixed)
    else:
        relevance = list(_relevance(definition, definition.root, answers, True))
        relevant = frozenset(name for name, ok in relevance if ok and isinstance(name, str))
    was_asked = _asked_before(definition, previous)
    # Answers of fields not asked are kept or dropped, and the rules of asked ones
    # checked: keeping them all, only the fields with a rule have anything to check.
    ruled, stored = _top_fields(definition)
    for f in ruled if keep_irrelevant else stored:
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
    return problems


_top_cache: dict[int, tuple[FormDefinition, list[Field], list[Field]]] = {}
_names_cache: dict[int, tuple[list[tuple[str | Section, bool]], frozenset[str]]] = {}


def _top_fields(definition: FormDefinition) -> tuple[list[Field], list[Field]]:
    """The fields outside repeats with a rule (required, constraint), and all those that
    store an answer (not notes), in form order; per form."""
    known = _top_cache.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_top_cache) > 256:
            _top_cache.clear()
        stored = [f for f in definition.fields.values() if not f.repeat and f.type != "note"]
        ruled = [f for f in stored if f.required or f.constraint]
        known = _top_cache[id(definition)] = (definition, ruled, stored)
    return known[1], known[2]


def _fixed_names(fixed: list[tuple[str | Section, bool]]) -> frozenset[str]:
    """The field names of an unconditional relevance list (all asked), per list."""
    known = _names_cache.get(id(fixed))
    if known is None or known[0] is not fixed:
        if len(_names_cache) > 4096:
            _names_cache.clear()
        names = frozenset(name for name, ok in fixed if ok and isinstance(name, str))
        known = _names_cache[id(fixed)] = (fixed, names)
    return known[1]


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
            own = pick(f.required_message, lang, "en")
            if own:
                return Problem(where, value, "required", own, texts=dict(f.required_message))
            return Problem.said(where, value, "required", gettext_noop("an answer is required"))
        return None
    if f.itemset and f.choice_filter:  # a file's choices, as the filter offers them
        allowed = allowed_choices(f, scope) or []
        left_out = [str(c) for c in (value if isinstance(value, list) else [value])]
        left_out = [c for c in left_out if c not in allowed]
        if left_out:
            return Problem.said(
                where,
                value,
                f"choice_filter {f.choice_filter}",
                gettext_noop("%(values)s not offered for these answers"),
                values=", ".join(left_out),
            )
    if f.constraint:
        try:
            ok = holds(f.constraint, scope, value)
        except ExpressionError as exc:
            ok, why = False, str(exc)
        else:
            why = ""
        if not ok:
            rule = f"constraint {f.constraint}"
            own = pick(f.constraint_message, lang, "en")
            if own:
                return Problem(where, value, rule, own, texts=dict(f.constraint_message))
            if why:
                return Problem(where, value, rule, why)
            return Problem.said(where, value, rule, gettext_noop("does not meet the rule"))
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
    own = [f.name for f in definition.repeat_fields(section.name)]
    parent = _repeat_parents(definition).get(section.name, "")
    outer_own = dict.fromkeys(f.name for f in definition.repeat_fields(parent)) if parent else {}
    outer_items = answers.get(parent) or [] if parent else []
    inner = [r for r, p in _repeat_parents(definition).items() if p == section.name]
    for place, (index, item) in enumerate(
        zip(positions, answers.get(section.name) or [], strict=False), start=1
    ):
        # The entry's own fields first, unanswered ones too: a reference to a field of
        # the same repeat means this entry's answer (as in ODK), never another entry's;
        # then those of the enclosing entry it belongs to. A repeat inside this one is
        # this entry's own entries of it (`count(${inner})`).
        number = item.get(PARENT)
        outer = outer_items[number - 1] if number and number <= len(outer_items) else {}
        scope = {**answers, **outer_own, **outer, **dict.fromkeys(own), **item}
        for repeat in inner:
            scope[repeat] = [
                e
                for e in answers.get(repeat) or []
                if isinstance(e, dict) and e.get(PARENT) == place
            ]
        asked_before: set[str] | None = None
        if before is not None:  # the stored entry at this place, if any, and what it asked
            stored, entries = before
            entry = entries[index - 1] if index <= len(entries) else None
            asked_before = (
                None
                if not isinstance(entry, dict)
                else {
                    n
                    for n, ok in _relevance(
                        definition, section, {**stored, **dict.fromkeys(own), **entry}, True
                    )
                    if ok and isinstance(n, str)
                }
            )
        for name, relevant in _relevance(definition, section, scope, True):
            if not isinstance(name, str):
                continue
            f = definition.fields[name]
            if not f.stores_answer or f.type == "calculate" or f.repeat != section.name:
                continue  # a repeat inside this one is checked entry by entry of its own
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
