"""The choices of `select_one_from_file` and `select_multiple_from_file` questions.

Their choices are the items of a media file of the form (`places.csv`, `people.xml`),
read as `pulldata()` and `instance()` read them (`aigak.questionnaires.media`): each row
of a CSV or item of an XML file is a choice, its value in the `name` column and its label
in the `label` column, or in the columns the question's parameters name (`value=code`,
`label=title`). A `label::English (en)` column gives the label in that language. The
other columns are the choice's own columns, which a `choice_filter` reads by bare name
(`region = ${region}`), as the columns of the choices sheet.

Everything that reads a question's choices asks `choices_of(f)`: for a question with
choices on the choices sheet they are `f.choices`; for one from a file they are read from
the media files of the form being evaluated (`form_media`), so a new upload is offered
at once. Without the file (or outside a form's evaluation) such a question has no choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aigak.questionnaires.definition import Choice, Field

if TYPE_CHECKING:
    from aigak.questionnaires.xpath.functions_media import Items

LABEL_PREFIX = "label::"
_parsed: dict[tuple[int, str, str], tuple[Items, list[Choice]]] = {}


def choices_of(f: Field) -> list[Choice]:
    """The choices a select offers: its own, or those of its media file."""
    if not f.itemset:
        return f.choices
    # The expression language (where the media files are set) loads with the first
    # question from a file, not for every export and report.
    from aigak.questionnaires.xpath.functions_media import MEDIA

    media = MEDIA.get()
    items = media(f.itemset) if media is not None else None
    if not items:
        return []
    value = f.parameters.get("value") or "name"
    label = f.parameters.get("label") or "label"
    key = (id(items), value, label)
    known = _parsed.get(key)
    if known is None or known[0] is not items:  # items are parsed once per file content
        if len(_parsed) > 64:
            _parsed.clear()
        known = _parsed[key] = (items, _choices(items, value, label))
    return known[1]


def _choices(items: Items, value: str, label: str) -> list[Choice]:
    from aigak.questionnaires.xlsform import _lang_code

    out = []
    seen: set[str] = set()
    for item in items:
        name = item.get(value, "")
        if not name or name in seen:
            continue  # a choice without a value cannot be chosen; a repeated one once
        seen.add(name)
        texts = {"default": item[label]} if item.get(label) else {}
        for column, text in item.items():
            if column.startswith(LABEL_PREFIX) and text:
                texts[_lang_code(column[len(LABEL_PREFIX) :])] = text
        extra = {k: v for k, v in item.items() if not (k == "name" == value)}
        out.append(Choice(name=name, label=texts or {"default": name}, extra=extra))
    return out
