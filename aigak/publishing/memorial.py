"""The memorial list: the published people, searchable by name in any spelling.

The list is drawn from an index of the published entries (name, folded name words,
region, vital status, the shown values) that is built once and kept in the cache under a
signature of what is published: the number of active publications, the latest publish,
the latest change of a published record and of the settings. Publishing, unpublishing,
editing or deleting a published record changes the signature, so every server process
draws the list again on its next request. The signature's query re-checks eligibility
itself (verified, consenting, live), as does every person page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

from aigak.lib.names import fold, skeleton
from aigak.publishing.actions import active_publications
from aigak.publishing.fields import NAME_FIELD, shown_fields
from aigak.publishing.models import Publication, PublishingSettings
from aigak.questionnaires.ages import VICTIM_AGE_RULE
from aigak.questionnaires.definition import pick
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import get_questionnaire

QUESTIONNAIRE = "victim"
REGION_FIELDS = ("event_region", "region_residence")  # the first one shown filters
VITAL_FIELD = "vital_status"
PAGE_SIZE = 50
CACHE_SECONDS = 3600


@dataclass
class Entry:
    public_id: str
    name: str
    words: tuple[str, ...]  # folded name words and their skeletons
    values: dict[str, Any] = field(default_factory=dict)  # shown field -> raw answer
    summary: str = ""


@dataclass
class Memorial:
    questionnaire: Questionnaire
    fields: list[str]
    entries: list[Entry]

    @property
    def region_field(self) -> str:
        return next((f for f in REGION_FIELDS if f in self.fields), "")

    @property
    def vital_filter(self) -> bool:
        return VITAL_FIELD in self.fields


def name_words(name: str) -> tuple[str, ...]:
    """Folded words of a name and their skeletons, so Кудайбергенов finds Kudaibergenov.

    >>> name_words("Құдайбергенов Қазыбек")
    ('kudaibergenov', 'kazybek', 'kudabergenov', 'kazbek')
    """
    folded = [fold(w) for w in name.split()]
    folded = [w for w in folded if w]
    return tuple(dict.fromkeys([*folded, *(skeleton(w) for w in folded)]))


def shown_values(answers: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The raw values of the shown fields (`age` computed, `summary` left to the page)."""
    values = {}
    for name in fields:
        if name == "age":
            values[name] = VICTIM_AGE_RULE.age(answers)
        elif name != "summary":
            values[name] = answers.get(name)
    return values


def signature(questionnaire: Questionnaire) -> str:
    found = active_publications().filter(record__questionnaire=questionnaire)
    facts = found.aggregate(
        n=Count("pk"), published=Max("published_at"), changed=Max("record__updated_at")
    )
    settings_at = (
        PublishingSettings.objects.filter(questionnaire=questionnaire)
        .values_list("changed_at", flat=True)
        .first()
    )
    text = f"{questionnaire.pk}|{facts}|{settings_at}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def memorial() -> Memorial:
    """The published entries, from the cache when nothing changed since it was built."""
    questionnaire = get_questionnaire(QUESTIONNAIRE)
    key = f"publishing:memorial:{signature(questionnaire)}"
    found = cache.get(key)
    if found is None:
        found = _build(questionnaire)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _build(questionnaire: Questionnaire) -> Memorial:
    fields = shown_fields(questionnaire)
    rows = (
        active_publications()
        .filter(record__questionnaire=questionnaire)
        .values_list("public_id", "summary", "record__answers")
    )
    entries = []
    for public_id, summary, answers in rows.iterator(chunk_size=2000):
        name = str(answers.get(NAME_FIELD) or "").strip()
        entries.append(
            Entry(
                public_id=public_id,
                name=name,
                words=name_words(name),
                values=shown_values(answers, fields),
                summary=summary if "summary" in fields else "",
            )
        )
    entries.sort(key=lambda e: (e.words[:1], e.name))
    return Memorial(questionnaire, fields, entries)


def matches_name(entry: Entry, query_words: list[str]) -> bool:
    """Every word of the query starts a word of the name (folded or skeleton)."""
    return all(any(w.startswith(q) for w in entry.words) for q in query_words)


def search(book: Memorial, q: str = "", region: str = "", vital: str = "") -> list[Entry]:
    """The entries whose name matches `q` in any spelling, in the region and vital status
    asked; the filters exist only over fields the settings show."""
    query = [fold(w) for w in q.split()]
    query = [w for w in query if w]
    query_skeletons = [skeleton(w) for w in query]
    region_field = book.region_field
    found = []
    for entry in book.entries:
        if region and region_field and entry.values.get(region_field) != region:
            continue
        if vital and book.vital_filter and entry.values.get(VITAL_FIELD) != vital:
            continue
        if query and not (matches_name(entry, query) or matches_name(entry, query_skeletons)):
            continue
        found.append(entry)
    return found


def public_entry(public_id: str) -> tuple[Memorial, Entry] | None:
    """One published person, checked against the database now (not the cache)."""
    questionnaire = get_questionnaire(QUESTIONNAIRE)
    publication = (
        active_publications()
        .filter(public_id=public_id, record__questionnaire=questionnaire)
        .select_related("record")
        .first()
    )
    if publication is None:
        return None
    fields = shown_fields(questionnaire)
    answers = publication.record.answers
    name = str(answers.get(NAME_FIELD) or "").strip()
    entry = Entry(
        public_id=publication.public_id,
        name=name,
        words=name_words(name),
        values=shown_values(answers, fields),
        summary=publication.summary if "summary" in fields else "",
    )
    return Memorial(questionnaire, fields, [entry]), entry


def display(book: Memorial, entry: Entry, lang: str) -> list[tuple[str, str]]:
    """(label, text) of the shown fields of one entry, name and summary aside."""
    definition = book.questionnaire.definition
    shown = []
    for name in book.fields:
        if name in (NAME_FIELD, "summary"):
            continue
        value = entry.values.get(name)
        if value in (None, "", []):
            continue
        if name == "age":
            shown.append(("age", str(value)))
            continue
        field_def = definition.fields[name]
        choices = {c.name: pick(c.label, lang) for c in field_def.choices}
        values = value if isinstance(value, list) else [value]
        text = ", ".join(choices.get(str(v), str(v)) for v in values)
        shown.append((pick(field_def.label, lang) or name, text))
    return shown


def choice_options(book: Memorial, name: str, lang: str) -> list[tuple[str, str]]:
    if not name:
        return []
    field_def = book.questionnaire.definition.fields[name]
    return [(c.name, pick(c.label, lang)) for c in field_def.choices]


def published_count() -> int:
    return Publication.objects.filter(withdrawn_at__isnull=True).count()
