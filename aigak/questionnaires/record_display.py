"""A record's answers as the record page shows them: sections, rows and repeats with
their labels and values in the reader's language (inner repeats' entries with the outer
entry they belong to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aigak.questionnaires.definition import PARENT
from aigak.questionnaires.media import with_form_media
from aigak.questionnaires.webform import _every_inner, display_value, label_of
from aigak.questionnaires.xlsform import FormDefinition, Section


@dataclass
class DisplayRow:
    name: str
    label: str
    value: str


@dataclass
class DisplayRepeat:
    name: str
    label: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class DisplaySection:
    name: str
    label: str
    rows: list[DisplayRow] = field(default_factory=list)
    repeats: list[DisplayRepeat] = field(default_factory=list)


@with_form_media
def display_sections(
    definition: FormDefinition, answers: dict[str, Any], *, lang: str, visible: set[str]
) -> list[DisplaySection]:
    """Answers grouped by the form's top-level sections, labelled in the user's language.

    Fields outside any group gather in untitled sections; empty answers are left out.
    """
    sections: list[DisplaySection] = []

    def rows_of(section: Section, into: DisplaySection) -> None:
        for child in section.children:
            if isinstance(child, Section):
                if child.kind == "repeat":
                    for part in [child, *_every_inner(child)]:
                        repeat = _display_repeat(definition, part, answers, lang, visible)
                        if repeat is not None:
                            into.repeats.append(repeat)
                else:
                    rows_of(child, into)
                continue
            f = definition.fields[child]
            if child not in visible or f.type == "note":
                continue
            text = display_value(f, answers.get(child), lang, definition.default_language)
            if text:
                into.rows.append(DisplayRow(child, definition.label(child, lang), text))

    loose: DisplaySection | None = None
    for child in definition.root.children:
        if isinstance(child, Section):
            loose = None
            section = DisplaySection(
                name=child.name, label=label_of(child.label, lang, definition, child.name)
            )
            rows_of(
                Section(name="", kind="root", children=[child])
                if child.kind == "repeat"
                else child,
                section,
            )
            sections.append(section)
            continue
        if loose is None:  # consecutive fields outside any group share an untitled section
            loose = DisplaySection(name="", label="")
            sections.append(loose)
        rows_of(Section(name="", kind="root", children=[child]), loose)
    return [s for s in sections if s.rows or s.repeats]


def _display_repeat(
    definition: FormDefinition,
    section: Section,
    answers: dict[str, Any],
    lang: str,
    visible: set[str],
) -> DisplayRepeat | None:
    items = answers.get(section.name)
    fields = [f for f in definition.repeat_fields(section.name) if f.name in visible]
    if not isinstance(items, list) or not items or not fields:
        return None
    rows = [
        [display_value(f, item.get(f.name), lang, definition.default_language) for f in fields]
        for item in items
        if isinstance(item, dict)
    ]
    columns = [definition.label(f.name, lang) for f in fields]
    outer = definition.repeat_parent(section.name)
    if outer:  # a repeat inside a repeat: first, the outer entry each entry belongs to
        outer_label = label_of(_section(definition.root, outer).label, lang, definition, outer)
        columns.insert(0, f"{outer_label} #")
        parents = [item.get(PARENT) for item in items if isinstance(item, dict)]
        rows = [
            [str(number) if isinstance(number, int) else "", *row]
            for number, row in zip(parents, rows, strict=True)
        ]
    return DisplayRepeat(
        name=section.name,
        label=label_of(section.label, lang, definition, section.name),
        columns=columns,
        rows=rows,
    )


def _section(section: Section, name: str) -> Section:
    """The section of that name (the root when there is none)."""
    for child in section.children:
        if isinstance(child, Section):
            if child.name == name:
                return child
            found = _section(child, name)
            if found is not section and found.name == name:
                return found
    return section
