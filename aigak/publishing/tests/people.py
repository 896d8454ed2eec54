"""Victims records for the publishing tests: each named by a marker that says what it is,
so a crawler can tell whose name must never appear on a public page."""

from __future__ import annotations

from typing import Any

from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows
from aigak.records.models import Record

# record id -> (name, status, consent); only the first two are eligible.
PEOPLE = {
    "V-000101": ("Құдайбергенов Қазыбек", "verified", "yes"),
    "V-000102": ("Zhumabaeva Aigerim", "verified", "yes"),
    "V-000103": ("Nokonsent Markerbek", "verified", "no"),
    "V-000104": ("Unverifov Markerbek", "submitted", "yes"),
    "V-000105": ("Unpublishov Markerbek", "verified", "yes"),
}
NEVER_SHOWN = ["Nokonsent", "Unverifov", "Unpublishov"]


def victim_row(record_id: str, name: str, consent: str, **more: Any) -> dict[str, Any]:
    return {
        "record_id": record_id, "full_name": name, "vital_status": "deceased",
        "gender": "male", "essence": ["died"], "entry_date": "2022-04-04",
        "event_region": "almaty", "event_locality": "almaty", "birth_date": "1990-03-01",
        "consent_publish_name": consent, "narrative": f"Narrative of {record_id} NarrMarker",
        "source_contact": "+7 700 SecretContact", **more,
    }  # fmt: skip


def make_people(people: dict[str, tuple[str, str, str]] = PEOPLE) -> dict[str, Record]:
    """Import the records (as `aigak import` does) and give them their status."""
    questionnaire = get_questionnaire("victim")
    rows = [(i, victim_row(rid, name, consent)) for i, (rid, (name, _, consent)) in
            enumerate(people.items(), start=1)]  # fmt: skip
    import_rows(None, questionnaire, rows)
    for record_id, (_, status, _) in people.items():
        Record.objects.filter(record_id=record_id).update(status=status)
    return {r.record_id: r for r in Record.objects.filter(record_id__in=list(people))}
