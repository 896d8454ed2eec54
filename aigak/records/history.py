"""Differences between consecutive versions of a record, as the history page shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aigak.questionnaires.definition import PARENT
from aigak.questionnaires.expressions import to_string
from aigak.questionnaires.webform import display_value
from aigak.questionnaires.xlsform import FormDefinition, pick
from aigak.records.models import RecordVersion

MASK = "•••"


@dataclass
class Difference:
    name: str
    label: str
    before: str
    after: str
    masked: bool = False


@dataclass
class VersionChange:
    version: RecordVersion
    differences: list[Difference]


def _text(definition: FormDefinition, name: str, value: Any, lang: str) -> str:
    f = definition.fields.get(name)
    if f is None:
        if isinstance(value, list):  # a repeat: one line per entry
            return "\n".join(
                "; ".join(
                    f"{_label(definition, k, lang)}: {_text(definition, k, v, lang)}"
                    for k, v in item.items()
                )
                if isinstance(item, dict)
                else to_string(item)
                for item in value
            )
        return to_string(value)
    return display_value(f, value, lang, definition.default_language)


def _label(definition: FormDefinition, name: str, lang: str) -> str:
    if name in definition.fields:
        return definition.label(name, lang)
    for section in _sections(definition):
        if section.name == name:
            return pick(section.label, lang, definition.default_language) or name
    return name


def _sections(definition: FormDefinition) -> list[Any]:
    found, stack = [], [definition.root]
    while stack:
        section = stack.pop()
        for child in section.children:
            if not isinstance(child, str):
                found.append(child)
                stack.append(child)
    return found


def differences(
    definition: FormDefinition,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    lang: str,
    visible: set[str],
) -> list[Difference]:
    """Changed answers in form order; answers the reader may not see are masked."""
    order = {name: i for i, name in enumerate(definition.fields)}
    for section in _sections(definition):
        order.setdefault(section.name, len(order))
    changed = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    changed.sort(key=lambda k: (order.get(k, len(order)), k))
    out = []
    for name in changed:
        label = _label(definition, name, lang)
        old, new = _shown(before.get(name), visible), _shown(after.get(name), visible)
        if name not in visible or old == new:
            # Either the answer is confidential, or only confidential parts of it changed.
            out.append(Difference(name, label, MASK, MASK, masked=True))
            continue
        out.append(
            Difference(
                name, label, _text(definition, name, old, lang), _text(definition, name, new, lang)
            )
        )
    return out


def _shown(value: Any, visible: set[str]) -> Any:
    """A value without the parts a reader may not see (the hidden fields of repeat entries)."""
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return [
            {k: v for k, v in item.items() if k in visible or k == PARENT}
            if isinstance(item, dict)
            else item
            for item in value
        ]
    return value


def version_changes(
    definition: FormDefinition,
    versions: list[RecordVersion],
    *,
    lang: str,
    visible: set[str],
) -> list[VersionChange]:
    """Each version (newest first) with what changed since the one before it."""
    ordered = sorted(versions, key=lambda v: v.number)
    changes = []
    previous: dict[str, Any] = {}
    for version in ordered:
        changes.append(
            VersionChange(
                version,
                differences(definition, previous, version.answers, lang=lang, visible=visible),
            )
        )
        previous = version.answers
    return list(reversed(changes))
