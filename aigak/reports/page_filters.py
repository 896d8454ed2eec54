"""The report page's filter form: a field, then its value, then a date range.

The form sends what the address always took (`?where=FIELD=VALUE`, repeatable, with `from`
and `to` for the entry date), so a link to a filtered report keeps working; the filters in
force are listed, each with a link that removes it. Only fields the reader may see are
offered (a hidden field named in the address is still refused with 400 by the report)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.questionnaires.xlsform import FormDefinition, pick
from aigak.records.models import Status
from aigak.reports.filters import STATUS, WHERE

CHOICE_TYPES = ("select_one", "select_multiple")


def filter_fields(user: Any, definition: FormDefinition, lang: str) -> list[dict[str, Any]]:
    """Every field the reader may filter by, with its values: the record's status first."""
    fields = [
        {"name": STATUS, "label": _("Status"),
         "options": [(f"{STATUS}={value}", str(label)) for value, label in Status.choices]}
    ]  # fmt: skip
    for f in definition.answer_fields():
        if f.type not in CHOICE_TYPES or f.metadata or not f.choices:
            continue
        if not perms.may_name_field(user, definition, f.name):
            continue
        options = [
            (f"{f.name}={c.name}", pick(c.label, lang, definition.default_language) or c.name)
            for c in f.choices
        ]
        fields.append({"name": f.name, "label": definition.label(f.name, lang), "options": options})
    return fields


def active_filters(
    request: HttpRequest, fields: list[dict[str, Any]], form_fields: tuple[str, ...]
) -> list[dict[str, str]]:
    """The filters in force, in words, each with the address of the page without it."""
    labels = {f["name"]: f["label"] for f in fields}
    values = {value: text for f in fields for value, text in f["options"]}
    pairs = [
        (key, line.strip())
        for key, given in request.GET.lists()
        for value in given
        for line in (value.splitlines() if key == "where" else [value])
        if line.strip() and key != "page"
    ]
    out = []
    for key, value in pairs:
        if key == "where":
            item = value.strip()
            found = WHERE.match(item)
            name = found.group("field") if found else item
            shown = f"{labels.get(name, name)}: {values.get(item, found.group('value') if found else '')}"
        elif key in form_fields:
            item = f"{key}={value}"
            shown = f"{labels.get(key, key)}: {values.get(item, value)}"
        elif key in ("from", "to"):
            shown = (
                _("Entered from %(date)s") if key == "from" else _("Entered up to %(date)s")
            ) % {"date": value}
        else:
            continue
        rest = [(k, v) for k, v in pairs if (k, v) != (key, value)]
        out.append({"text": shown, "without": "?" + urlencode(rest) if rest else "?"})
    return out


def kept_where(request: HttpRequest, form_fields: tuple[str, ...]) -> list[str]:
    """The FIELD=VALUE filters already in force, kept when the form adds one more."""
    kept = [
        line.strip()
        for v in request.GET.getlist("where")
        for line in v.splitlines()
        if line.strip()
    ]
    kept += [f"{name}={request.GET[name]}" for name in form_fields if request.GET.get(name)]
    return kept
