"""What checking an answer set needs of a form, worked out once per form.

`clean_answers` runs for every row of an import with the same form. The walks of the
form it would otherwise repeat per row (its repeats, the fields it coerces, those with
a rule, the calculations in their order, the conditions each field's relevance depends
on) are done once here and kept with the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aigak.questionnaires.answer_types import CHECKED_TYPES, coercer
from aigak.questionnaires.entry_calculations import repeat_calculations
from aigak.questionnaires.semantics import calculation_order
from aigak.questionnaires.xlsform import Field, FormDefinition, Section

# The conditions that decide whether a field (or repeat) is asked, outer group first,
# each with the key it is remembered by within one answer set (its section's id, or the
# field's name).
Chain = tuple[tuple[Any, str], ...]


@dataclass(frozen=True)
class FormPlan:
    repeats: dict[str, None]  # the form's repeats in form order
    parents: dict[str, str]  # each repeat inside a repeat -> the repeat around it
    outer_first: list[str]  # the repeats, each after the one around it
    coerced: dict[str, Field]  # the fields outside repeats whose answers are coerced
    coercers: dict[str, Callable[[Any], Any]]  # their `answer_types.coercer`s
    texts: frozenset[str]  # those whose text answers are kept as given (types not checked)
    seen: dict[str, dict[str, Any]]  # the others: texts coerced so far -> their answers
    passed: frozenset[str]  # names passed over: repeats, their fields, notes, calculations
    ruled: list[Field]  # fields outside repeats with a rule (required, constraint)
    stored: list[Field]  # fields outside repeats that store an answer (not notes)
    calculations: list[Field]  # top-level calculations in dependency order
    entry_calculations: bool  # a repeat has calculations (computed per entry)
    chains: dict[str, Chain]  # field outside repeats -> the conditions of its relevance
    repeat_chains: list[tuple[Section, Chain]]  # every repeat section, in form order


def form_plan(definition: FormDefinition) -> FormPlan:
    known = _plans.get(id(definition))
    if known is None or known[0] is not definition:
        if len(_plans) > 256:
            _plans.clear()
        known = _plans[id(definition)] = (definition, _make_plan(definition))
    return known[1]


_plans: dict[int, tuple[FormDefinition, FormPlan]] = {}


def _make_plan(definition: FormDefinition) -> FormPlan:
    repeats = dict.fromkeys(definition.repeats())
    coerced, passed = {}, set(repeats)
    for name, f in definition.fields.items():
        if name in repeats or f.repeat or f.type in ("note", "calculate", "repeat"):
            passed.add(name)
        else:
            coerced[name] = f
    stored = [f for f in definition.fields.values() if not f.repeat and f.type != "note"]
    chains: dict[str, Chain] = {}
    repeat_chains: list[tuple[Section, Chain]] = []

    def walk(section: Section, chain: Chain) -> None:
        if section.relevant:
            chain = (*chain, (id(section), section.relevant))
        if section.kind == "repeat":
            repeat_chains.append((section, chain))
        for child in section.children:
            if isinstance(child, Section):
                walk(child, chain)
            else:
                f = definition.fields[child]
                chains[child] = (*chain, (child, f.relevant)) if f.relevant else chain

    walk(definition.root, ())
    checked = {name for name, f in coerced.items() if f.type in CHECKED_TYPES}
    seen: dict[str, dict[str, Any]] = {name: {} for name in checked}
    return FormPlan(
        repeats=repeats,
        parents=definition.repeat_parents(),
        outer_first=definition.repeats_outer_first(),
        coerced=coerced,
        coercers={name: coercer(f, seen.get(name)) for name, f in coerced.items()},
        texts=frozenset(coerced) - checked,
        seen=seen,
        passed=frozenset(passed),
        ruled=[f for f in stored if f.required or f.constraint],
        stored=stored,
        calculations=calculation_order(definition),
        entry_calculations=any(repeat_calculations(definition, r) for r in repeats),
        chains=chains,
        repeat_chains=repeat_chains,
    )
