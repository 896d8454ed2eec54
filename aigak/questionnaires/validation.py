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
    NOT_SEEN,
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
from aigak.questionnaires.plan import Chain, form_plan
from aigak.questionnaires.semantics import allowed_choices
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


def _safe_holds(expression: str, answers: dict[str, Any], current: Any = None) -> bool:
    try:
        return holds(expression, answers, current)
    except ExpressionError:
        return False


@with_form_media
def calculate(definition: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Values of the fields with a calculation, each after the calculations it uses (so
    one may refer to a later one, as in ODK); returned in form order."""
    order = form_plan(definition).calculations
    if not order:
        return {}
    scope = dict(answers)
    out: dict[str, Any] = {}
    labels = choice_labels(definition)
    for f in order:
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
    _coerce_plain(definition, raw, unknown, answers, problems)
    positions = _coerce_repeats(definition, raw, answers, problems)
    if problems:
        return answers, problems
    plan = form_plan(definition)
    if plan.calculations:
        answers.update(
            {k: v for k, v in calculate(definition, answers).items() if v not in (None, "")}
        )
    if plan.entry_calculations and calculate_entries(
        definition, answers, choice_labels(definition)
    ):
        if plan.calculations:  # then again: a calculation may read theirs (`sum(${amount})`)
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
    unknown: str,
    answers: dict[str, Any],
    problems: list[Problem],
) -> None:
    """Coerce the answers outside repeats into answers; unknown names and bad values
    into problems (unknown="error" reports a non-empty answer to no field)."""
    plan = form_plan(definition)
    coercers, passed, texts, seen = plan.coercers, plan.passed, plan.texts, plan.seen
    for name, value in raw.items():
        if type(value) is str:  # most cells: what the field's coercer gives, without it
            if name in texts:
                if value and not value.isspace():  # as .strip()
                    answers[name] = value
                continue
            known = seen[name].get(value, NOT_SEEN) if name in seen else NOT_SEEN
            if known is not NOT_SEEN:
                if known is not None:  # each answer its own list
                    answers[name] = list(known) if type(known) is list else known
                continue
        coerced = coercers.get(name)
        if coerced is None:
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
            typed = coerced(value)
        except ValueError as exc:
            kind = "type " + plan.coerced[name].type
            problems.append(Problem.unfit(name, value, kind, exc))
            continue
        if typed is not None:
            answers[name] = typed


def _coerce_repeats(
    definition: FormDefinition,
    raw: dict[str, Any],
    answers: dict[str, Any],
    problems: list[Problem],
) -> dict[str, list[int]]:
    """Coerce each repeat's entries into answers, dropping empty entries; bad values into
    problems. Returns the positions (from 1) of the kept entries of each repeat.

    An entry of a repeat inside a repeat names the entry it belongs to (`PARENT`, its
    position in the enclosing repeat's list). An enclosing entry that holds nothing but
    kept inner entries is kept, and the positions are renumbered after the dropping."""
    plan = form_plan(definition)
    if not plan.repeats:
        return {}
    coerced: dict[str, list[dict[str, Any]]] = {}
    parents = plan.parents
    for repeat in plan.repeats:
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
    positions = prune_entries(coerced, parents, plan.outer_first)
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
    plan = form_plan(definition)
    asked = _Asked(answers, plan.chains)
    if keep_irrelevant:  # nothing is dropped: a relevance is worked out when it matters
        relevant: Callable[[str], bool] = asked.field
        repeats: list[tuple[Section, Chain, bool | None]] = [
            (s, chain, None) for s, chain in plan.repeat_chains
        ]
    else:  # before any answer is dropped, as the later rules see the answers kept
        relevant = {name for name, chain in plan.chains.items() if asked(chain)}.__contains__
        repeats = [(s, chain, asked(chain)) for s, chain in plan.repeat_chains]
    was_asked = _asked_before(definition, previous)
    # Answers of fields not asked are kept or dropped, and the rules of asked ones
    # checked: keeping them all, only the fields with a rule have anything to check.
    for f in plan.ruled if keep_irrelevant else plan.stored:
        value = answers.get(f.name)
        if value is None and not f.required:
            continue  # nothing to drop, no rule to break
        if keep_irrelevant and value is not None and not f.constraint:
            continue
        if not relevant(f.name):
            if value is not None and not keep_irrelevant and f.type != "calculate":
                if was_asked is None or f.name in was_asked:
                    answers.pop(f.name, None)
            continue
        problem = _check_rules(f, f.name, value, answers, lang)
        if problem is not None:
            problems.append(problem)
    for section, chain, known in repeats:
        if keep_irrelevant and not answers.get(section.name):
            continue  # no entry to check
        if not (asked(chain) if known is None else known):
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


class _Asked:
    """Whether a field or repeat is asked under one answer set: the conditions of its
    relevance (`plan.Chain`), outer group first, each evaluated at most once, and an
    inner one only when the outer ones hold (as `_relevance` walks them)."""

    def __init__(self, answers: dict[str, Any], chains: dict[str, Chain]):
        self.answers = answers
        self.chains = chains
        self.known: dict[Any, bool] = {}

    def field(self, name: str) -> bool:
        chain = self.chains.get(name)
        return chain is not None and self(chain)

    def __call__(self, chain: Chain) -> bool:
        for key, condition in chain:
            ok = self.known.get(key)
            if ok is None:
                ok = self.known[key] = _safe_holds(condition, self.answers)
            if not ok:
                return False
        return True


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
        why: str | dict[str, Any] = ""
        try:
            ok = holds(f.constraint, scope, value)
        except ExpressionError as exc:
            ok, why = False, exc.as_value()
        if not ok:
            rule = f"constraint {f.constraint}"
            own = pick(f.constraint_message, lang, "en")
            if own:
                return Problem(where, value, rule, own, texts=dict(f.constraint_message))
            if why:
                cannot = gettext_noop("the rule cannot be checked: %(reason)s")
                return Problem.said(where, value, rule, cannot, reason=why)
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
    parent = form_plan(definition).parents.get(section.name, "")
    outer_own = dict.fromkeys(f.name for f in definition.repeat_fields(parent)) if parent else {}
    outer_items = answers.get(parent) or [] if parent else []
    inner = [r for r, p in form_plan(definition).parents.items() if p == section.name]
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
