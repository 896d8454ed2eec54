"""What changes between two versions of a questionnaire, and which stored answers it orphans."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from aigak.questionnaires.definition import Field, FormDefinition, Section

RULES = (
    "relevant",
    "constraint",
    "calculation",
    "required",
    "default",
    "choice_filter",
    "read_only",
)


@dataclass
class FormDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    retyped: list[tuple[str, str, str]] = field(default_factory=list)  # name, old, new
    choices_added: dict[str, list[str]] = field(default_factory=dict)
    choices_removed: dict[str, list[str]] = field(default_factory=dict)
    rules_changed: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # name, rule, old, new
    orphaned: dict[str, int] = field(default_factory=dict)  # field -> records whose answer it drops

    @property
    def empty(self) -> bool:
        return (
            not any(
                (self.added, self.removed, self.retyped, self.choices_added, self.choices_removed)
            )
            and not self.rules_changed
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The change, one line each, for the terminal and the forms page."""
        out = [f"+ field {name}" for name in self.added]
        out += [f"- field {name}" for name in self.removed]
        out += [f"~ field {name}: {old} -> {new}" for name, old, new in self.retyped]
        for name, names in self.choices_added.items():
            out.append(f"+ choices of {name}: {', '.join(names)}")
        for name, names in self.choices_removed.items():
            out.append(f"- choices of {name}: {', '.join(names)}")
        for name, rule, old, new in self.rules_changed:
            out.append(f"~ {rule} of {name}: {old or '(none)'} -> {new or '(none)'}")
        return out


def _sections(section: Section) -> Iterable[Section]:
    for child in section.children:
        if isinstance(child, Section):
            yield child
            yield from _sections(child)


def diff_forms(old: FormDefinition, new: FormDefinition) -> FormDiff:
    out = FormDiff()
    out.added = [n for n in new.fields if n not in old.fields]
    out.removed = [n for n in old.fields if n not in new.fields]
    for name, before in old.fields.items():
        after = new.fields.get(name)
        if after is None:
            continue
        if before.type != after.type:
            out.retyped.append((name, before.type, after.type))
        if before.is_select and after.is_select:
            gone = [c for c in before.choice_names() if c not in after.choice_names()]
            came = [c for c in after.choice_names() if c not in before.choice_names()]
            if gone:
                out.choices_removed[name] = gone
            if came:
                out.choices_added[name] = came
        for rule in RULES:
            a, b = str(getattr(before, rule)), str(getattr(after, rule))
            if a != b:
                out.rules_changed.append((name, rule, a, b))
    old_sections = {s.name: s for s in _sections(old.root)}
    for section in _sections(new.root):
        before_section = old_sections.get(section.name)
        if before_section is None:
            continue
        for rule in ("relevant", "repeat_count"):
            a, b = getattr(before_section, rule), getattr(section, rule)
            if a != b:
                out.rules_changed.append((section.name, rule, a, b))
    return out


def _values(answers: dict[str, Any], f: Field) -> list[Any]:
    """Every stored answer of a field in one record (one per entry inside a repeat; a
    repeat inside a repeat keeps its entries as a list of its own)."""
    if not f.repeat:
        return [answers.get(f.name)]
    items = answers.get(f.repeat) or []
    return [item.get(f.name) for item in items if isinstance(item, dict)]


def _holds(value: Any, dropped_choices: set[str] | None) -> bool:
    if value in (None, "", []):
        return False
    if dropped_choices is None:
        return True
    chosen = value if isinstance(value, list) else str(value).split()
    return any(str(c) in dropped_choices for c in chosen)


def find_orphans(
    change: FormDiff, old: FormDefinition, records: Iterable[dict[str, Any]]
) -> dict[str, int]:
    """How many records hold answers the new version would drop, per field."""
    watched: dict[str, set[str] | None] = {n: None for n in change.removed}
    watched.update({n: None for n, _, _ in change.retyped})
    for name, choices in change.choices_removed.items():
        watched.setdefault(name, set(choices))
    counts: dict[str, int] = {}
    fields = {n: old.fields[n] for n in watched if n in old.fields and old.fields[n].stores_answer}
    for answers in records:
        for name, f in fields.items():
            if any(_holds(v, watched[name]) for v in _values(answers, f)):
                counts[name] = counts.get(name, 0) + 1
    return counts
