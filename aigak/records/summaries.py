"""One line about a record for pages that list records of other pages (linked records,
a person's records, a record picker): whose it is, which questionnaire, which date.

The name is shown only when the user may see the name field (the field-level rule).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aigak.accounts import permissions as perms
from aigak.records.models import Record

NAME_FIELD = "full_name"
# The record's own date: when it happened, else when it was taken down.
DATE_FIELDS = ("event_date", "detention_date", "entry_date")


@dataclass(frozen=True)
class RecordSummary:
    record: Record
    name: str  # "" when the record has none or the user may not see it
    title: str  # the questionnaire's title
    date: datetime.date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "pk": self.record.pk,
            "record_id": self.record.record_id,
            "questionnaire": self.record.questionnaire.name,
            "title": self.title,
            "name": self.name,
            "date": self.date.isoformat() if self.date else "",
        }


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def summarize(user: Any, record: Record) -> RecordSummary:
    definition = record.form_version.definition
    answers = perms.visible_answers(user, definition, record.answers)
    when = next(
        (d for d in (_date(answers.get(f)) for f in DATE_FIELDS if answers.get(f)) if d),
        None,
    )
    return RecordSummary(
        record=record,
        name=str(answers.get(NAME_FIELD) or ""),
        title=record.questionnaire.local_title,
        date=when or record.created_at.date(),
    )


def summaries(user: Any, records: Iterable[Record]) -> list[RecordSummary]:
    return [summarize(user, record) for record in records]
