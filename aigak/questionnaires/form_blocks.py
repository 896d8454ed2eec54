"""The web form's parts as the templates render them: blocks (the form, its groups and
repeats), a repeat's entries and the widgets of its fields (`webform.build_form` makes
them)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aigak.questionnaires.definition import PARENT

TEMPLATE_INDEX = "__index__"
INPUT_TYPES = {
    "integer": "number",
    "date": "date",
    "time": "time",
    "datetime": "datetime-local",
}


def input_name(repeat: str, index: int | str, name: str) -> str:
    return f"{repeat}:{index}:{name}"


def _escaped(value: Any) -> str:
    """`value` for HTML as the template would put it: escaped unless already HTML."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


@dataclass
class ChoiceOption:
    name: str
    label: str
    checked: bool = False
    hidden: bool = False  # not offered: a cascading select's filter leaves it out


@dataclass
class Widget:
    """One field as the form shows it."""

    name: str
    input_name: str
    type: str
    widget: str
    label: str
    hint: str = ""
    required: bool = False
    value: Any = ""
    choices: list[ChoiceOption] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    editable: bool = True
    relevant: bool = True
    display: str = ""
    write_only: bool = False  # confidential: this user may enter it but not read it back
    stored: bool = False  # write-only with an answer already stored
    assigned: bool = False  # left empty, the server fills it in (a new record's id)

    @property
    def input_id(self) -> str:
        return "f-" + self.input_name.replace(":", "-")

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.widget, "text")

    @property
    def inputmode(self) -> str:
        return {"integer": "numeric", "decimal": "decimal"}.get(self.widget, "")

    @property
    def html(self) -> str:
        """The widget as the record form shows it (`widget_html`)."""
        return widget_html(self)

    @property
    def is_block(self) -> bool:
        return False


@dataclass
class Entry:
    """One entry of a repeat."""

    repeat: str
    index: str
    widgets: list[Widget]
    blocks: list[Block] = field(default_factory=list)  # the repeats inside this entry
    parent: str = ""  # an inner repeat's entry: the input index of its enclosing entry

    @property
    def marker(self) -> str:
        return f"{self.repeat}:{self.index}"

    @property
    def parent_name(self) -> str:
        return input_name(self.repeat, self.index, PARENT)


@dataclass
class Block:
    """A group, a repeat or the whole form."""

    name: str
    kind: str
    label: str
    items: list[Any] = field(default_factory=list)  # Widget or Block
    entries: list[Entry] = field(default_factory=list)  # repeats only
    blank: Entry | None = None  # repeats only: the entry the "add" button copies
    relevant: bool = True
    editable: bool = True
    errors: list[str] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)  # visible fields inside, any depth
    placeholder: str = TEMPLATE_INDEX  # repeats only: the index of the entry to copy

    @property
    def is_block(self) -> bool:
        return True


# --- the widget's HTML ----------------------------------------------------------------
#
# Made here rather than by a template: a form has dozens of fields, and selects hundreds
# of choices, and the template language took most of a form page's CPU time with them
# (under many writers what keeps others waiting). What the template did, this does: every
# value escaped (`_escaped`), the same elements, attributes and texts.


def widget_html(w: Widget) -> str:
    name, label = _escaped(w.name), _escaped(w.label)
    hint_id = _escaped(w.input_id) + "-hint"
    described = f' aria-describedby="{hint_id}"' if w.hint else ""
    hint = f'<p class="hint" id="{hint_id}">{_escaped(w.hint)}</p>' if w.hint else ""
    required = (
        f' <abbr class="req" title="{_escaped(_("required"))}">*</abbr>' if w.required else ""
    )
    out = [
        f'<div class="field field-{_escaped(w.widget)}{" has-error" if w.errors else ""}" '
        f'data-field="{name}"{"" if w.relevant else " hidden"}>\n'
    ]
    if w.widget == "note":
        out.append(f'<p class="note" data-label-for="{name}">{label}</p>\n')
    elif not w.editable:
        calculated = f' data-calculated="{name}"' if w.widget == "calculate" else ""
        out.append(
            f'<div class="label" data-label-for="{name}">{label}</div>\n'
            f'<div class="readonly"{calculated}>{_escaped(w.display or "—")}</div>\n'
        )
    elif w.widget in ("radio", "checkboxes"):
        out.append(
            f'<fieldset class="choices" {described.strip()}>\n'
            f'<legend><span data-label-for="{name}">{label}</span>{required}</legend>\n'
            f'{hint}\n<div class="options">\n{_choices_html(w)}\n'
        )
        if w.widget == "radio" and not w.required:
            out.append(
                f'<label class="choice unset"><input type="radio" name="{_escaped(w.input_name)}"'
                f' value=""{"" if w.value else " checked"}> '
                f"<span>{_escaped(_('not indicated'))}</span></label>"
            )
        out.append("\n</div>\n</fieldset>\n")
    else:
        out.append(
            f'<label for="{_escaped(w.input_id)}"><span data-label-for="{name}">{label}</span>'
            f"{required}</label>\n{hint}\n{_input_html(w, described)}\n"
        )
    if w.assigned:
        text = _("Left empty, the next free number is assigned when saving.")
        out.append(f'<p class="hint">{_escaped(text)}</p>\n')
    if w.write_only:
        text = _("Confidential: you may enter this answer but not read it back.")
        kept = " " + _escaped(_("An answer is stored; leave this empty to keep it."))
        out.append(f'<p class="hint confidential">{_escaped(text)}{kept if w.stored else ""}</p>\n')
    errors = "".join(f"<li>{_escaped(error)}</li>" for error in w.errors)
    out.append(
        f'<ul class="errorlist" data-errors-for="{_escaped(w.input_name)}">{errors}</ul>\n</div>\n'
    )
    return mark_safe("".join(out))  # noqa: S308 - every value went through _escaped


def _input_html(w: Widget, described: str) -> str:
    """The text box, drop-down list or input of an editable widget with no choices shown
    as buttons."""
    at = f'id="{_escaped(w.input_id)}" name="{_escaped(w.input_name)}"'
    if w.widget == "textarea":
        return f'<textarea {at} rows="5"{described}>{_escaped(w.value)}</textarea>'
    if w.widget == "select":
        return (
            f"<select {at}{described}>\n"
            f'<option value="">{_escaped(_("— not indicated —"))}</option>\n'
            f"{_choices_html(w)}\n</select>"
        )
    mode = f' inputmode="{_escaped(w.inputmode)}"' if w.inputmode else ""
    step = ' step="1"' if w.widget == "integer" else ""
    example = ' placeholder="43.2380 76.9450"' if w.widget == "geopoint" else ""
    return (
        f'<input {at} type="{_escaped(w.input_type)}" value="{_escaped(w.value)}"'
        f"{mode}{step}{example}{described}>"
    )


def _choices_html(w: Widget) -> str:
    """The choices as <option>s (a drop-down list) or as labelled radio buttons or check
    boxes."""
    if w.widget == "select":
        return "".join(
            f'<option value="{_escaped(c.name)}"{" selected" if c.checked else ""}'
            f"{' hidden disabled' if c.hidden else ''}>{_escaped(c.label)}</option>"
            for c in w.choices
        )
    kind = "radio" if w.widget == "radio" else "checkbox"
    name = _escaped(w.input_name)
    return "".join(
        f'<label class="choice"{" hidden" if c.hidden else ""}><input type="{kind}" '
        f'name="{name}" value="{_escaped(c.name)}"{" checked" if c.checked else ""}'
        f"{' disabled' if c.hidden else ''}> <span>{_escaped(c.label)}</span></label>"
        for c in w.choices
    )
