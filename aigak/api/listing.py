"""The record list of the API: the page's search and filters, a cursor over
(updated_at, id) that costs the same on the first page and the last, and `updated_since`
for sync."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.api.problems import Invalid
from aigak.questionnaires.models import Questionnaire
from aigak.records.models import Record, Status
from aigak.records.search import filter_select, search

FILTER_PREFIX = "f_"  # as on the record list page: f_gender=female
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
ORDERS = ("-updated", "updated")


def encode_cursor(record: Record) -> str:
    raw = json.dumps([record.updated_at.isoformat(), record.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, pk = json.loads(raw)
        when = _moment(stamp)
        if when is None or not isinstance(pk, int):
            raise ValueError
        return when, pk
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("cursor", "cursor", "not a cursor this API gave") from None


def _int(params: Any, name: str, default: int, low: int, high: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not str(value).isdigit() or not low <= int(value) <= high:
        raise Invalid(name, "range", f"{name} must be a whole number from {low} to {high}")
    return int(value)


def narrowed_records(user: User, questionnaire: Questionnaire, params: Any) -> QuerySet[Record]:
    """The user's live records of the questionnaire that match `q`, `status`, the
    `f_<field>` filters and `updated_since`; a filter on a field the user may not name is
    refused like an unknown one (perms.FieldRefused)."""
    definition = questionnaire.definition
    records = perms.visible_records(user, Record.live.filter(questionnaire=questionnaire))
    for key in params:
        if not key.startswith(FILTER_PREFIX):
            continue
        name, value = key[len(FILTER_PREFIX) :], params.get(key)
        perms.require_field(user, definition, name)
        f = definition.fields.get(name)
        if f is None or not f.is_select or f.repeat:
            raise Invalid(key, "select_field", "filters apply to select fields outside repeats")
        if value not in f.choice_names():
            raise Invalid(key, "choice", f"not one of the choices of {name}")
        records = filter_select(records, name, value, f.type == "select_multiple")
    query = str(params.get("q", "")).strip()
    if query:
        records = search(records, query, include_private=perms.can_see_confidential(user))
    status = params.get("status")
    if status:
        if status not in Status.values:
            raise Invalid("status", "choice", f"status is one of {', '.join(Status.values)}")
        records = records.filter(status=status)
    since = params.get("updated_since")
    if since:
        records = records.filter(updated_at__gte=_since(since))
    return records


def _since(text: str) -> datetime:
    when = _moment(text)
    if when is None:
        raise Invalid("updated_since", "datetime", "updated_since must be ISO 8601")
    return when


def _moment(text: Any) -> datetime | None:
    """An ISO 8601 date and time given by a client (`updated_since`, a cursor), its
    offset from UTC taken off here: Python reads offsets up to a day, PostgreSQL refuses
    those past 15:59 (which was a 500). None if it is not one, or out of range."""
    try:
        when = parse_datetime(text)
        if when is not None and when.tzinfo is not None:
            when = when.astimezone(UTC)
    except (ValueError, OverflowError, TypeError):  # out of range, or pushed out of it
        return None
    return when


def page_of(records: QuerySet[Record], params: Any) -> tuple[list[Record], str | None]:
    """One page after the cursor, and the cursor of the next page (None at the end)."""
    limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    order = params.get("order") or ("updated" if params.get("updated_since") else "-updated")
    if order not in ORDERS:
        raise Invalid("order", "choice", "order is updated or -updated")
    cursor = params.get("cursor")
    if cursor:
        when, pk = decode_cursor(cursor)
        if order == "-updated":
            records = records.filter(Q(updated_at__lt=when) | Q(updated_at=when, pk__lt=pk))
        else:
            records = records.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
    fields = ("updated_at", "id") if order == "updated" else ("-updated_at", "-id")
    rows = list(
        records.defer("search_text", "search_private", "search_choices")
        .select_related("questionnaire")  # its definition: once, by the caller
        .order_by(*fields)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None
