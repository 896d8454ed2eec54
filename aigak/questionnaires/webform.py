"""The web form as data: what to render for a form definition, and how to read it back.

Nothing here knows about HTTP or users: callers say which fields are visible and which
editable (see aigak.accounts.permissions), and templates render the blocks. Relevance,
calculations and checks come from aigak.questionnaires.validation, the same code that
validates a save and an import, so the browser never carries a second evaluator.

Inputs of a repeat are named ``<repeat>:<index>:<field>``, with a marker input named
``<repeat>:<index>`` for each entry so an entry whose boxes are all empty still counts:

>>> from aigak.questionnaires.xlsform import Field
>>> input_name("sources", 2, "kind")
'sources:2:kind'
>>> display_value(Field("n", "select_multiple"), ["a", "b"], "en")
'a, b'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aigak.questionnaires import semantics
from aigak.questionnaires.definition import PARENT
from aigak.questionnaires.expressions import to_string
from aigak.questionnaires.file_choices import choices_of
from aigak.questionnaires.form_blocks import (
    TEMPLATE_INDEX,
    Block,
    ChoiceOption,
    Entry,
    Widget,
    input_name,
)
from aigak.questionnaires.media import with_form_media
from aigak.questionnaires.validation import (
    Problem,
    calculate,
    clean_answers,
    relevant_fields,
)
from aigak.questionnaires.xlsform import Field, FormDefinition, Section, pick

RADIO_LIMIT = 7  # more choices than this show as a drop-down list
PROBLEM_IN_REPEAT = re.compile(r"^(?P<repeat>[^\[]+)\[(?P<index>\d+)\]/(?P<field>.+)$")


class PostedData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def keys(self) -> Any: ...


_NO_FIELD = Field(name="", type="text")


def label_of(texts: dict[str, str], lang: str, definition: FormDefinition, fallback: str) -> str:
    return pick(texts, lang, definition.default_language) or fallback


def widget_kind(f: Field) -> str:
    appearance = f.appearance.lower()
    if f.type == "text":
        return "textarea" if "multiline" in appearance else "text"
    if f.type == "select_one":
        minimal = "minimal" in appearance or len(choices_of(f)) > RADIO_LIMIT
        return "select" if minimal else "radio"
    if f.type == "select_multiple":
        return "checkboxes"
    if f.type in ("image", "audio", "video", "file"):
        return "media"
    return {
        "integer": "integer",
        "decimal": "decimal",
        "date": "date",
        "time": "time",
        "datetime": "datetime",
        "geopoint": "geopoint",
        "note": "note",
        "calculate": "calculate",
    }.get(f.type, "text")


def display_value(f: Field, value: Any, lang: str, default_language: str = "en") -> str:
    """An answer as a person reads it: choice labels rather than names."""
    if value is None or value == "" or value == []:
        return ""
    return displayer(f, lang, default_language)(value)


def displayer(f: Field, lang: str, default_language: str = "en") -> Callable[[Any], str]:
    """`display_value` of this field for many answers: a select's labels looked up once
    (a list page shows fifty answers of each column)."""
    if not f.is_select:
        return lambda value: "" if value is None or value == "" or value == [] else to_string(value)
    labels = {c.name: pick(c.label, lang, default_language) or c.name for c in choices_of(f)}
    one = f.type == "select_one"

    def shown(value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        items = [str(value)] if one else value if isinstance(value, list) else str(value).split()
        return ", ".join(labels.get(str(i), str(i)) for i in items)

    return shown


def _widget(
    definition: FormDefinition,
    f: Field,
    name: str,
    value: Any,
    *,
    lang: str,
    editable: bool,
    relevant: bool,
    errors: list[str],
    write_only: bool = False,
    stored: bool = False,
) -> Widget:
    kind = widget_kind(f)
    if f.read_only or kind in ("note", "calculate", "media"):
        editable = False
    chosen = value if isinstance(value, list) else to_string(value).split()
    if f.type == "select_one":
        chosen = [to_string(value)]
    choices = [
        ChoiceOption(c.name, label_of(c.label, lang, definition, c.name), c.name in chosen)
        for c in choices_of(f)
    ]
    return Widget(
        name=f.name,
        input_name=name,
        type=f.type,
        widget=kind,
        label=label_of(f.label, lang, definition, "" if kind == "calculate" else f.name),
        hint=label_of(f.hint, lang, definition, ""),
        required=f.required == "yes",
        value=value if isinstance(value, list) else to_string(value),
        choices=choices,
        errors=errors,
        editable=editable,
        relevant=relevant,
        display="" if write_only else display_value(f, value, lang, definition.default_language),
        write_only=write_only,
        stored=stored,
    )


@with_form_media
def build_form(
    definition: FormDefinition,
    values: dict[str, Any],
    *,
    lang: str,
    visible: set[str],
    editable: set[str],
    relevant: set[str] | None = None,
    errors: dict[str, list[str]] | None = None,
    write_only: set[str] | None = None,
    stored: set[str] | None = None,
    assigned: set[str] | None = None,
) -> Block:
    """The form to render: blocks of widgets for the visible fields, in form order.

    write_only names confidential fields the user may fill in but not read: they are
    rendered empty (values holds only what the user typed); stored says which of them
    already hold an answer; assigned names fields the server fills in when they are left
    empty. relevant defaults to the relevance of values.
    """
    errors = errors or {}
    assigned = assigned or set()
    write_only = write_only or set()
    stored = stored or set()
    scope = {**values, **calculate(definition, values)}
    if relevant is None:
        relevant = relevant_fields(definition, scope)
    shown = {n for n in visible | write_only if not definition.fields.get(n, _NO_FIELD).metadata}
    builder = _FormBuilder(
        definition=definition,
        values=values,
        lang=lang,
        editable=editable,
        relevant=relevant,
        errors=errors,
        write_only=write_only,
        stored=stored,
        assigned=assigned,
        shown=shown,
        allowed=semantics.filtered_choices(definition, scope),
        labels=semantics.dynamic_labels(definition, scope, lang, shown),
        parents=definition.repeat_parents(),
        orders=semantics.choice_orders(definition, scope),
    )
    return builder.walk(definition.root)


def _fields_in(section: Section, nested: bool = True) -> list[str]:
    """The field names inside section in form order; nested=False leaves out repeats."""
    names: list[str] = []
    for child in section.children:
        if not isinstance(child, Section):
            names.append(child)
        elif nested or child.kind != "repeat":
            names.extend(_fields_in(child, nested))
    return names


def _inner_repeats(section: Section) -> list[Section]:
    """The repeats directly inside a repeat (through groups): the answers keep them as
    lists of their own, each entry naming its enclosing entry, and the form shows them
    inside each entry of the repeat that holds them."""
    found: list[Section] = []
    for child in section.children:
        if isinstance(child, Section):
            found.extend([child] if child.kind == "repeat" else _inner_repeats(child))
    return found


def _every_inner(section: Section) -> list[Section]:
    return [r for inner in _inner_repeats(section) for r in (inner, *_every_inner(inner))]


@dataclass
class _FormBuilder:
    """What build_form settled (who sees and edits what, values, choices, labels), and
    the walk over the sections that turns it into blocks."""

    definition: FormDefinition
    values: dict[str, Any]
    lang: str
    editable: set[str]
    relevant: set[str]
    errors: dict[str, list[str]]
    write_only: set[str]
    stored: set[str]
    assigned: set[str]
    shown: set[str]
    allowed: dict[str, list[str]]
    labels: dict[str, str]
    parents: dict[str, str] = field(default_factory=dict)  # inner repeat -> outer repeat
    orders: dict[str, list[str]] = field(default_factory=dict)  # randomize=true: the order

    def ordered(self, widget: Widget) -> Widget:
        """The widget with its choices in the shuffled order of a `randomize=true` select."""
        order = self.orders.get(widget.name)
        if order is not None:
            place = {name: n for n, name in enumerate(order)}
            widget.choices.sort(key=lambda option: place.get(option.name, len(place)))
        return widget

    def entry(
        self,
        section: Section,
        index: str,
        item: dict[str, Any],
        may_edit: bool,
        position: int | None = None,
    ) -> Entry:
        """One entry of a repeat, with the repeats inside it holding the inner entries
        that name it (position: its place in its list, from 1; None for the blank)."""
        widgets = []
        for name in _fields_in(section, nested=False):
            if name not in self.shown:
                continue
            f = self.definition.fields[name]
            full = input_name(section.name, index, name)
            widget = _widget(
                self.definition,
                f,
                full,
                item.get(name),
                lang=self.lang,
                editable=may_edit and name in self.editable,
                relevant=name in self.relevant,
                errors=self.errors.get(full, []),
                write_only=name in self.write_only,
            )
            widgets.append(self.ordered(widget))
        blocks = []
        for inner in _inner_repeats(section):
            block = self.walk(inner, within=(position, index))
            if block.entries or (block.blank and (block.blank.widgets or block.blank.blocks)):
                blocks.append(block)
        return Entry(repeat=section.name, index=index, widgets=widgets, blocks=blocks)

    def walk(
        self,
        section: Section,
        within: tuple[int | None, str] | None = None,
        orphans: bool = False,
    ) -> Block:
        """The block of a section. A repeat inside a repeat is walked within one entry of
        the outer repeat (its position and input index) and holds the entries naming it;
        orphans=True walks it for the entries saved before that was kept."""
        block = Block(
            name=section.name,
            kind=section.kind,
            label=label_of(section.label, self.lang, self.definition, ""),
            field_names=[
                n for n in _fields_in(section, section.kind != "repeat") if n in self.shown
            ],
        )
        if section.kind == "repeat":
            return self.repeat_block(section, block, within, orphans)
        for child in section.children:
            if isinstance(child, Section):
                inner = self.walk(child)
                if inner.items or (inner.blank and (inner.blank.widgets or inner.blank.blocks)):
                    block.items.append(inner)
                for part in _every_inner(child) if child.kind == "repeat" else []:
                    lost = self.walk(part, orphans=True)
                    if lost.entries:
                        block.items.append(lost)
                continue
            widget = self.field_widget(child)
            if widget is not None:
                block.items.append(widget)
        block.relevant = any(item.relevant for item in block.items)
        return block

    def repeat_block(
        self,
        section: Section,
        block: Block,
        within: tuple[int | None, str] | None,
        orphans: bool,
    ) -> Block:
        """Fill in a repeat's block: an entry per stored item and a blank one to copy."""
        block.editable = section.name in self.editable
        inner = section.name in self.parents
        block.placeholder = f"__index_{section.name}__" if inner else TEMPLATE_INDEX
        parent = within[1] if within else ""
        items = self.values.get(section.name) or []
        items = items if isinstance(items, list) else []
        for i, item in enumerate(items):
            item = item if isinstance(item, dict) else {}
            number = item.get(PARENT)
            if inner and orphans and isinstance(number, int):
                continue
            if inner and not orphans and (within is None or within[0] != number):
                continue
            entry = self.entry(section, str(i), item, block.editable, i + 1)
            entry.parent = parent
            block.entries.append(entry)
        block.blank = self.entry(section, block.placeholder, {}, block.editable)
        block.blank.parent = parent
        block.relevant = any(n in self.relevant for n in block.field_names)
        block.errors = self.errors.get(section.name, [])
        return block

    def field_widget(self, child: str) -> Widget | None:
        """The widget of one field outside repeats; None when it is not shown."""
        if child not in self.shown:
            return None
        f = self.definition.fields[child]
        if f.type == "calculate" and (not f.label or child in self.write_only):
            return None
        widget = _widget(
            self.definition,
            f,
            child,
            self.values.get(child),
            lang=self.lang,
            editable=child in self.editable,
            relevant=child in self.relevant,
            errors=self.errors.get(child, []),
            write_only=child in self.write_only,
            stored=child in self.stored,
        )
        if child in self.assigned:
            widget.assigned, widget.required = True, False
        if child in self.allowed:
            for option in widget.choices:
                option.hidden = option.name not in self.allowed[child]
        widget.label = self.labels.get(child, widget.label)
        return self.ordered(widget)


def read_post(definition: FormDefinition, data: PostedData, names: set[str]) -> dict[str, Any]:
    """Raw answers for the given field and repeat names from a form post.

    Every named field gets a value (empty when absent) so clearing a field, or unticking
    every box, is a change the save sees.
    """
    raw: dict[str, Any] = {}
    repeats = set(definition.repeats())
    for name in names:
        if name in repeats:
            raw[name] = _read_repeat(definition, data, name)
            continue
        f = definition.fields.get(name)
        if f is None or f.repeat or f.type in ("note", "calculate"):
            continue
        raw[name] = _read_one(f, data, name)
    return raw


def _read_one(f: Field, data: PostedData, key: str) -> Any:
    if f.type == "select_multiple":
        return [str(v) for v in data.getlist(key) if str(v).strip()]
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else value


def _entry_indexes(data: PostedData, repeat: str) -> list[int]:
    """The input indexes of a repeat's posted entries, in order."""
    marker = re.compile(rf"^{re.escape(repeat)}:(\d+)$")
    return sorted({int(m.group(1)) for key in data.keys() if (m := marker.match(key))})


def _read_repeat(definition: FormDefinition, data: PostedData, repeat: str) -> list[dict]:
    """The posted entries of a repeat. An entry of a repeat inside a repeat carries the
    input index of the entry it was shown in; it becomes that entry's position (`PARENT`)."""
    outer = definition.repeat_parent(repeat)
    places = {str(index): n for n, index in enumerate(_entry_indexes(data, outer), 1)}
    entries = []
    for index in _entry_indexes(data, repeat):
        entry = {
            f.name: _read_one(f, data, input_name(repeat, index, f.name))
            for f in definition.repeat_fields(repeat)
        }
        parent = str(data.get(input_name(repeat, index, PARENT), "") or "")
        if outer and parent in places:
            entry[PARENT] = places[parent]
        entries.append(entry)
    return entries


def errors_by_input(problems: list[Problem]) -> dict[str, list[str]]:
    """Problems keyed by the input they belong to (repeat problems name their entry)."""
    out: dict[str, list[str]] = {}
    for problem in problems:
        match = PROBLEM_IN_REPEAT.match(problem.field)
        key = problem.field
        if match:
            index = int(match.group("index")) - 1
            key = input_name(match.group("repeat"), index, match.group("field"))
        out.setdefault(key, []).append(problem.message)
    return out


def judge(
    definition: FormDefinition, raw: dict[str, Any], *, lang: str
) -> tuple[dict[str, Any], list[Problem], set[str]]:
    """(calculated values, problems, relevant field names) of raw answers.

    Answers are read exactly as a save reads them; relevance is judged on all answers
    before irrelevant ones are dropped, as clean_answers does.
    """
    answers, problems = clean_answers(definition, raw, lang=lang, keep_irrelevant=True)
    calculated = calculate(definition, answers)
    return calculated, problems, relevant_fields(definition, {**answers, **calculated})


@with_form_media
def form_state(
    definition: FormDefinition,
    raw: dict[str, Any],
    *,
    lang: str,
    visible: set[str],
    write_only: set[str] | None = None,
    changed: str = "",
) -> dict[str, Any]:
    """What the browser needs after a change: relevant fields, calculations, problems,
    the choices of cascading selects, repeat counts, labels that refer to answers and
    the values a `trigger` on the changed field sets.

    Calculated values are given only for visible fields; relevance and problems also
    for the write-only fields the form shows.
    """
    shown = visible | (write_only or set())
    calculated, problems, relevant = judge(definition, raw, lang=lang)
    scope = {**raw, **calculated}
    return {
        **semantics.odk_state(definition, scope, lang=lang, visible=visible, changed=changed),
        "relevant": sorted(n for n in shown if n in relevant),
        "calculated": {
            name: display_value(definition.fields[name], value, lang)
            for name, value in calculated.items()
            if name in visible
        },
        "problems": {
            key: messages
            for key, messages in errors_by_input(problems).items()
            if key.split(":")[-1] in shown or key in shown
        },
    }
