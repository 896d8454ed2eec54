"""The record list page's rows and headings, made in Python rather than in the template.

A page of 50 rows through the template language cost most of the list's CPU time, which
under many writers is what keeps a reader waiting; so the rows are one string of HTML,
every value escaped (`html_text`), and what is the same for every row (a column's choice
labels, the statuses' names, the start of a record's address) is worked out once a page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from aigak.questionnaires.webform import displayer
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.listing import html_text as _h
from aigak.records.models import Record
from aigak.records.templatetags.records import STATUS_LABELS

# Any record id the address pattern takes: the record's address is made once with it and
# then for each row with the row's id in its place (ids are letters, digits and _.:-,
# which an address carries as they are: `records.ids`).
_ANY_ID = "0"


@dataclass
class ListRow:
    record: Record
    cells: list[tuple[str, str]] = field(default_factory=list)  # (column label, value)


def list_rows(
    records: Iterable[Record],
    definition: FormDefinition,
    columns: list[str],
    labels: list[str],
    lang: str,
) -> list[ListRow]:
    """Each record with its columns' answers as a person reads them."""
    shown = [
        (name, label, displayer(definition.fields[name], lang, definition.default_language))
        for name, label in zip(columns, labels, strict=True)
    ]
    return [
        ListRow(record, [(label, show(record.answers.get(name))) for name, label, show in shown])
        for record in records
    ]


def _detail_address(questionnaire: str) -> tuple[str, str]:
    """The address of a record's page, before and after its id."""
    address = reverse("records:detail", args=[questionnaire, _ANY_ID])
    head, _, tail = address.rpartition(f"/{_ANY_ID}/")
    return head + "/", "/" + tail


def rows_html(rows: list[ListRow], questionnaire: str, ticks: bool) -> SafeString:
    """The list's table rows (`ticks`: with a box to tick each for the bulk actions)."""
    record_label, status_heading, updated_label = _h(_("Record")), _h(_("Status")), _h(_("Updated"))
    statuses = {name: _h(str(label)) for name, label in STATUS_LABELS.items()}
    head, tail = _detail_address(questionnaire)
    out = []
    for row in rows:
        record = row.record
        rid = _h(record.record_id)
        href = _h(head + record.record_id + tail)
        updated = timezone.localtime(record.updated_at)
        status = _h(record.status)
        out.append(
            "<tr>"
            + (
                f'<td><input type="checkbox" name="ids" value="{rid}" form="bulk" '
                f'aria-label="{rid}"></td>'
                if ticks
                else ""
            )
            + f'<td data-label="{record_label}"><a href="{href}">{rid}</a></td>'
            + "".join(
                f'<td data-label="{_h(label)}">{_h(value or "—")}</td>'
                for label, value in row.cells
            )
            + f'<td data-label="{status_heading}"><span class="status status-{status}">'
            f"{statuses.get(record.status) or status}</span></td>"
            f'<td data-label="{updated_label}"><time datetime="{updated.isoformat()}">'
            f"{updated.strftime('%Y-%m-%d %H:%M')}</time></td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value went through _h


def sort_columns(
    columns: list[str], labels: list[str], sort: str, params: Any
) -> list[dict[str, str]]:
    """Headings of the list: each with the address of its sort and the order it shows."""
    base = clean_params(params, drop=("page", "sort"))
    heads = [("record", _("Record")), *zip(columns, labels, strict=True)]
    heads += [("status", _("Status")), ("updated", _("Updated"))]
    out = []
    for name, label in heads:
        current = sort.removeprefix("-") == name
        descending = sort.startswith("-")
        link = f"-{name}" if current and not descending else name
        shown = ("descending" if descending else "ascending") if current else "none"
        href = "?" + (base + "&" if base else "") + urlencode({"sort": link})
        out.append({"name": name, "label": label, "href": href, "aria": shown})
    return out


def clean_params(params: Any, drop: tuple[str, ...] = ("page",)) -> str:
    """The list's parameters without empty ones and those dropped (for links)."""
    kept = [(k, v) for k, values in params.lists() for v in values if v and k not in drop]
    return urlencode(kept)
