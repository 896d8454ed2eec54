"""The memorial list: the published people, searchable by name in any spelling.

The list is drawn from an index of the published entries (name, folded name words,
region, vital status, the shown values) that each server process builds once and keeps
under a signature of what is published: the number of publications and their latest
change (a publish, a withdrawal, or a save of the record through `records.actions`), and
the settings' latest change. So publishing, unpublishing or editing a published record
makes every process draw the list again on its next request. The index is built from eligible
records only, and the names of the page being drawn are checked against the database
again on every request (a change that bypassed the actions, which the signature might
miss, still takes a name off at once); so is every person page.

The index also keeps, while it lives, the results of the searches asked (FOUND_KEPT of
them) and the rendered pages (PAGES_KEPT), each with the ids of the names it shows: a
page is served again only when those names are all still eligible by the database, else
it is drawn afresh. A publish, withdrawal or edit makes a new index, and so drops both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from aigak.lib.names import fold, skeleton
from aigak.publishing.actions import active_publications, eligible_public_ids
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
FOUND_KEPT = 256  # searches kept per index (the latest)
PAGES_KEPT = 512  # rendered pages kept per index (the latest), some 10 kB each


@dataclass
class Entry:
    public_id: str
    name: str
    words: str  # " word word ...": folded name words and their skeletons
    values: dict[str, Any] = field(default_factory=dict)  # shown field -> raw answer
    summary: str = ""


@dataclass
class Memorial:
    questionnaire: Questionnaire
    fields: list[str]
    entries: list[Entry]
    found: dict[tuple[str, str, str], list[Entry]] = field(default_factory=dict, repr=False)
    pages: dict[Any, tuple[bytes, list[str]]] = field(default_factory=dict, repr=False)

    @property
    def region_field(self) -> str:
        return next((f for f in REGION_FIELDS if f in self.fields), "")

    @property
    def vital_filter(self) -> bool:
        return VITAL_FIELD in self.fields


def name_words(name: str) -> str:
    """Folded words of a name and their skeletons, so Кудайбергенов finds Kudaibergenov;
    each word after a space, so a query word is found as " word" (a prefix).

    >>> name_words("Құдайбергенов Қазыбек")
    ' kudaibergenov kazybek kudabergenov kazbek'
    """
    folded = [fold(w) for w in name.split()]
    folded = [w for w in folded if w]
    return "".join(f" {w}" for w in dict.fromkeys([*folded, *(skeleton(w) for w in folded)]))


def shown_values(answers: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The raw values of the shown fields (`age` computed, `summary` left to the page)."""
    values = {}
    for name in fields:
        if name == "age":
            values[name] = VICTIM_AGE_RULE.age(answers)
        elif name != "summary":
            values[name] = answers.get(name)
    return values


def signature() -> str | None:
    """What the index depends on, in one round trip (each part answered from an index):
    the questionnaire and its form version, the number of publications and their latest
    change, the settings' latest change. None when the questionnaire is not installed."""
    pub = Publication._meta.db_table
    settings = PublishingSettings._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.id, q.current_id, (SELECT COUNT(*) FROM {pub}),"
            f" (SELECT MAX(changed_at) FROM {pub}),"
            f" (SELECT s.changed_at FROM {settings} s WHERE s.questionnaire_id = q.id)"
            f" FROM {Questionnaire._meta.db_table} q WHERE q.name = %s",
            [QUESTIONNAIRE],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return hashlib.sha256("|".join(map(str, row)).encode()).hexdigest()[:24]


_BUILT: dict[str, Memorial] = {}  # signature -> index, the latest one only


def memorial() -> Memorial:
    """The published entries, kept while nothing changed since they were gathered.

    Only the questionnaire's ids are read to check (its form definition, whose decoding
    costs more than the rest of a page, is loaded when the index is built)."""
    key = signature()
    if key is None:
        get_questionnaire(QUESTIONNAIRE)  # installs the shipped one, or raises
        key = signature() or ""
    found = _BUILT.get(key)
    if found is None:
        found = _build(get_questionnaire(QUESTIONNAIRE))
        _BUILT.clear()
        _BUILT[key] = found
    return found


def still_public(entries: list[Entry]) -> list[Entry]:
    """The entries that are still published and eligible now, by the database."""
    now = eligible_public_ids([e.public_id for e in entries])
    return [e for e in entries if e.public_id in now]


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
    entries.sort(key=lambda e: (e.words, e.name))
    return Memorial(questionnaire, fields, entries)


def search(book: Memorial, q: str = "", region: str = "", vital: str = "") -> list[Entry]:
    """`find`, kept in the index for the next request asking the same."""
    key = (q, region, vital)
    hit = book.found.get(key)
    if hit is None:
        hit = find(book, q, region, vital)
        _keep(book.found, key, hit, FOUND_KEPT)
    return hit


def kept_page(book: Memorial, key: Any) -> bytes | None:
    """A page drawn before from this index, when all its names are still public now."""
    hit = book.pages.get(key)
    if hit is None:
        return None
    content, public_ids = hit
    if len(eligible_public_ids(public_ids)) != len(public_ids):
        book.pages.pop(key, None)
        return None
    return content


def keep_page(book: Memorial, key: Any, content: bytes, public_ids: list[str]) -> None:
    _keep(book.pages, key, (content, public_ids), PAGES_KEPT)


def _keep(kept: dict[Any, Any], key: Any, value: Any, most: int) -> None:
    while len(kept) >= most:
        try:
            kept.pop(next(iter(kept)))
        except (StopIteration, KeyError, RuntimeError):  # another thread took it
            break
    kept[key] = value


def find(book: Memorial, q: str = "", region: str = "", vital: str = "") -> list[Entry]:
    """The entries whose name matches `q` in any spelling (every word of the query starts
    a folded word of the name, or a skeleton), in the region and vital status asked; the
    filters exist only over fields the settings show."""
    found = book.entries
    if region and book.region_field:
        found = [e for e in found if e.values.get(book.region_field) == region]
    if vital and book.vital_filter:
        found = [e for e in found if e.values.get(VITAL_FIELD) == vital]
    folded = [w for w in (fold(w) for w in q.split()) if w]
    if len(folded) == 1:
        word, bones = f" {folded[0]}", f" {skeleton(folded[0])}"
        found = [e for e in found if word in e.words or bones in e.words]
    elif folded:
        words = [f" {w}" for w in folded]
        bones_all = [f" {skeleton(w)}" for w in folded]
        found = [e for e in found
                 if all(w in e.words for w in words) or all(b in e.words for b in bones_all)]  # fmt: skip
    return found


def public_entry(public_id: str) -> tuple[Memorial, Entry] | None:
    """One published person, checked against the database now (not the cache); the
    questionnaire and shown fields are the index's (a new index when they change)."""
    if not eligible_public_ids([public_id]):
        return None
    book = memorial()
    publication = Publication.objects.select_related("record").get(public_id=public_id)
    if publication.record.questionnaire_id != book.questionnaire.pk:
        return None
    answers = publication.record.answers
    name = str(answers.get(NAME_FIELD) or "").strip()
    entry = Entry(
        public_id=publication.public_id,
        name=name,
        words=name_words(name),
        values=shown_values(answers, book.fields),
        summary=publication.summary if "summary" in book.fields else "",
    )
    return Memorial(book.questionnaire, book.fields, [entry]), entry


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
