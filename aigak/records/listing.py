"""What a record list shows: the records a user may see, searched, filtered, sorted.

The list page, its export and its bulk actions read the same parameters through
`list_query`, so an export holds exactly the records the list showed. Every field named
in a parameter (a filter, the sort, the date range) passes the field rule first
(`permissions.require_field`): a hidden field is refused like an unknown one.

Parameters: q (search), status, mine=1 (the user's own), f_FIELD (a select's choice),
sort (a column, "-" before it for descending), date (a date field, or "updated"), from
and to (YYYY-MM-DD, both ends included).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.webform import label_of
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.access import visible_field_names
from aigak.records.models import Record, Status
from aigak.records.search import filter_select, find

FILTER_PREFIX = "f_"
# Columns of the record list, when the questionnaire has them (the victim's name and
# status, an event's date, place and type), after the record id.
LIST_FIELDS = ("full_name", "vital_status", "event_date", "event_locality", "event_type")
# The list's order (-updated_at, -id) in terms the list's index does not serve (updated_at
# is never empty): for few matches, found by search or filters, then sorted.
FEW_MATCHES_ORDER = [Coalesce("updated_at", "created_at").desc(), F("id").desc()]
DEFAULT_SORT = "-updated"
RECORD_SORTS = {"record": "record_id", "status": "status", "updated": "updated_at"}
UPDATED = "updated"  # the date range on the record's last change rather than an answer


class ListRefused(ValueError):
    """A parameter the list cannot take: a hidden or unknown field, a bad date."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


@dataclass
class SelectFilter:
    name: str
    label: str
    options: list[tuple[str, str]]
    multiple: bool
    chosen: str = ""

    @property
    def param(self) -> str:
        return FILTER_PREFIX + self.name

    def options_html(self) -> str:
        """The <option>s, made here: the template engine took most of a list page's time
        rendering the few hundred options of a questionnaire's select fields."""
        return mark_safe(  # noqa: S308 - every value went through html_text
            "".join(
                f'<option value="{html_text(value)}"'
                f"{' selected' if value == self.chosen else ''}>{html_text(label)}</option>"
                for value, label in self.options
            )
        )


def filters_html(filters: list[SelectFilter]) -> str:
    """A <label> with its <select> for each filter, made here for the same reason as
    their options: a questionnaire has a few dozen select questions."""
    any_choice = f'<option value="">{html_text(_("any"))}</option>'
    return mark_safe(  # noqa: S308 - every value went through html_text
        "".join(
            f'<label>{html_text(f.label)}\n<select name="{html_text(f.param)}">{any_choice}'
            f"{f.options_html()}</select></label>\n"
            for f in filters
        )
    )


def html_text(value: Any) -> str:
    """`value` for HTML: as it is if it is already HTML (a safe string), else escaped.
    Django's `conditional_escape` without its lazy-string wrapper, which cost a list page
    a good part of its time."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


@dataclass
class ListQuery:
    records: QuerySet[Record]
    query: str = ""
    status: str = ""
    mine: bool = False
    filters: list[SelectFilter] = field(default_factory=list)
    sort: str = DEFAULT_SORT
    date_field: str = ""
    date_from: str = ""
    date_to: str = ""
    date_fields: list[tuple[str, str]] = field(default_factory=list)  # (name, label)
    similar: bool = False  # no name matched as written: these are names spelled alike

    @property
    def filtering(self) -> bool:
        chosen = any(f.chosen for f in self.filters)
        return chosen or bool(self.status or self.mine or self.date_from or self.date_to)

    @property
    def narrowed(self) -> bool:
        return bool(self.query) or self.filtering

    @property
    def default_order(self) -> bool:
        return self.sort == DEFAULT_SORT


def select_filters(
    definition: FormDefinition, visible: set[str], lang: str, params: Any
) -> list[SelectFilter]:
    filters = []
    for f in definition.answer_fields():
        if not f.is_select or f.name not in visible:
            continue
        options = [(c.name, label_of(c.label, lang, definition, c.name)) for c in f.choices]
        chosen = params.get(FILTER_PREFIX + f.name, "")
        filters.append(
            SelectFilter(
                name=f.name,
                label=definition.label(f.name, lang),
                options=options,
                multiple=f.type == "select_multiple",
                chosen=chosen if chosen in f.choice_names() else "",
            )
        )
    return filters


def list_columns(user: User, definition: FormDefinition) -> list[str]:
    visible = visible_field_names(user, definition)
    return [name for name in LIST_FIELDS if name in definition.fields and name in visible]


def date_fields(user: User, definition: FormDefinition, lang: str) -> list[tuple[str, str]]:
    """The dates a range may apply to: the form's date answers the user sees, then the
    record's last change."""
    visible = visible_field_names(user, definition)
    dates = [
        (f.name, definition.label(f.name, lang))
        for f in definition.answer_fields()
        if f.type == "date" and f.name in visible
    ]
    return [*dates, (UPDATED, _("Last changed"))]


def _day(value: str, name: str) -> str:
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ListRefused(_("%(name)s: %(value)s is not a date (YYYY-MM-DD).")
                          % {"name": name, "value": value[:20]}) from None  # fmt: skip


def _sorted(records: QuerySet[Record], sort: str, user: User, definition: FormDefinition) -> Any:
    name = sort.removeprefix("-")
    key: Any = RECORD_SORTS.get(name)
    if key is None:
        perms.require_field(user, definition, name, "sort")
        key = KeyTextTransform(name, "answers")
    if isinstance(key, str):
        key = F(key)
    if sort.startswith("-"):
        return records.order_by(key.desc(nulls_last=True), "-id")
    return records.order_by(key.asc(nulls_last=True), "id")


def _dated(records: QuerySet[Record], q: ListQuery, user: User, definition: FormDefinition) -> Any:
    if not (q.date_from or q.date_to):
        return records
    if q.date_field == UPDATED:
        if q.date_from:
            records = records.filter(updated_at__date__gte=q.date_from)
        if q.date_to:
            records = records.filter(updated_at__date__lte=q.date_to)
        return records
    perms.require_field(user, definition, q.date_field, "date range")
    if definition.fields[q.date_field].type != "date":
        raise ListRefused(_("%(name)s is not a date question.") % {"name": q.date_field})
    records = records.annotate(
        _day=Cast(KeyTextTransform(q.date_field, "answers"), output_field=TextField())
    )
    if q.date_from:
        records = records.filter(_day__gte=q.date_from)
    if q.date_to:
        records = records.filter(_day__lte=q.date_to)
    return records


def list_query(user: User, form: Questionnaire, params: Any, lang: str) -> ListQuery:
    """The records the list shows for these parameters, in order (raises ListRefused,
    or permissions.FieldRefused for a field the user may not name)."""
    definition = form.definition
    names = [key[len(FILTER_PREFIX) :] for key in params if key.startswith(FILTER_PREFIX)]
    perms.require_fields(user, definition, names)
    records = perms.visible_records(user, Record.live.filter(questionnaire=form))
    dates = date_fields(user, definition, lang)
    wanted_date = params.get("date", "")
    q = ListQuery(
        records=records,
        query=params.get("q", "").strip(),
        status=params.get("status", "") if params.get("status", "") in Status.values else "",
        mine=params.get("mine", "") == "1",
        filters=select_filters(definition, visible_field_names(user, definition), lang, params),
        sort=params.get("sort", "") or DEFAULT_SORT,
        date_field=wanted_date or dates[0][0],
        date_from=_day(params.get("from", ""), _("from")),
        date_to=_day(params.get("to", ""), _("to")),
        date_fields=dates,
    )
    for select in q.filters:
        if select.chosen:
            records = filter_select(records, select.name, select.chosen, select.multiple)
    if q.status:
        records = records.filter(status=q.status)
    if q.mine:
        records = records.filter(author=user)
    records = _dated(records, q, user, definition)
    # Searched last: "no name matches as written" is about the records the filters left.
    if q.query:
        found = find(records, q.query, include_private=perms.can_see_confidential(user))
        records, q.similar = found.records, found.similar
    records = records.defer("search_text", "search_private", "search_choices")
    if q.default_order:
        q.records = records.order_by("-updated_at", "-id")
    else:
        q.records = _sorted(records, q.sort, user, definition)
    return q
