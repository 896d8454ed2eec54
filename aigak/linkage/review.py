"""Finding candidate matches for review: a list against the database, the database
against itself; and what a reviewer sees of each candidate.

The persons of the database are read from the live records of the Victims questionnaire:
one row per record (so every spelling a record gives is tried), named by the canonical
person it belongs to (`Person.canonical()`; merged persons count as one). Rows carry the
columns the matching library reads: full name, birth date, age (by the Victims
questionnaire's age rule, aigak.questionnaires.ages: from the birth date at the reference
date, else the stated age), gender, region of
residence, locality of the events, and the date the violations began as the event date.

The runs store `Match` rows and nothing else: no record and no person changes here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aigak.accounts.models import AuditAction, AuditEvent, audit
from aigak.linkage.access import require_manage
from aigak.linkage.matching import dedupe_list, link_lists
from aigak.linkage.model import COMPARISONS
from aigak.linkage.models import (
    FIELD_LABELS,
    PEOPLE_FIELDS,
    ListEntry,
    Match,
    MatchKind,
    MatchStatus,
    VictimList,
)
from aigak.linkage.people import COLUMNS, parse_dates
from aigak.questionnaires.ages import VICTIM_AGE_RULE
from aigak.questionnaires.models import QuestionnaireVersion
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.models import Person, Record

VICTIM_QUESTIONNAIRE = "victim"
# Pairs below this probability are not worth a reviewer's time.
CANDIDATE_THRESHOLD = 0.1
# The library's own one-to-one choice at this probability is marked "suggested".
SUGGEST_THRESHOLD = 0.5
# A comparison whose weight (log2 Bayes factor) is within this of 0 told little.
NEUTRAL_WEIGHT = 0.5
DEDUPE_RUN = "dedupe_run"  # the audit object type of a deduplication run

COMPARISON_LABELS = {
    "surname": _("Surname"),
    "given": _("Given name"),
    "patronymic": _("Patronymic"),
    "birth": _("Birth date or age"),
    "place": _("Town or region"),
    "event": _("Event date"),
    "gender": _("Gender"),
}


# --- persons of the database -------------------------------------------------------


def canonical_map() -> dict[int, int]:
    """{person: canonical person} for every person merged into another (others map to
    themselves and are not listed)."""
    parent = dict(
        Person.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id")
    )
    out: dict[int, int] = {}
    for start in parent:
        seen = {start}
        person = parent[start]
        while person in parent and person not in seen:
            seen.add(person)
            person = parent[person]
        out[start] = person
    return out


def canonical_of(person: int, cmap: dict[int, int] | None = None) -> int:
    cmap = canonical_map() if cmap is None else cmap
    return cmap.get(person, person)


def members_of(canonical: Iterable[int], cmap: dict[int, int] | None = None) -> set[int]:
    """The canonical persons and every person merged into them."""
    cmap = canonical_map() if cmap is None else cmap
    roots = set(canonical)
    return roots | {p for p, root in cmap.items() if root in roots}


@dataclass
class DatabasePeople:
    """`frame`: one row per record with `people.COLUMNS` (id "r<record pk>");
    `person_of`: row id -> canonical person; `records`: row id -> record_id."""

    frame: pd.DataFrame
    person_of: dict[str, int]
    records: dict[str, str]


def _text(age: int | None) -> str:
    return "" if age is None else str(age)


def _choice_text(definition: FormDefinition | None, name: str, answers: dict[str, Any]) -> str:
    """A select answer as a place name the library can read (the Russian label), or the
    text of its "other" field; "unknown" gives nothing."""
    value = answers.get(name)
    if not value:
        return ""
    value = str(value)
    if value == "other":
        return str(answers.get(f"{name}_other") or "")
    if value == "unknown":
        return ""
    f = definition.fields.get(name) if definition is not None else None
    for choice in f.choices if f is not None else []:
        if choice.name == value:
            return choice.label.get("ru") or choice.label.get("en") or value
    return value.replace("_", " ")


def database_people(persons: Iterable[int] | None = None) -> DatabasePeople:
    """The rows of the database's persons (all of them, or the canonical `persons`
    given, with the persons merged into them)."""
    cmap = canonical_map()
    records = Record.live.filter(
        questionnaire__name=VICTIM_QUESTIONNAIRE, person__isnull=False
    ).order_by("pk")
    if persons is not None:
        records = records.filter(person_id__in=members_of(persons, cmap))
    found = list(records.values_list("pk", "record_id", "person_id", "form_version_id", "answers"))
    definitions = {
        v.pk: v.definition
        for v in QuestionnaireVersion.objects.filter(pk__in={r[3] for r in found}).defer("xlsform")
    }
    rule = VICTIM_AGE_RULE
    rows = []
    person_of: dict[str, int] = {}
    record_ids: dict[str, str] = {}
    for pk, record_id, person_id, version_id, answers in found:
        definition = definitions.get(version_id)
        row_id = f"r{pk}"
        rows.append(
            {
                "id": row_id,
                "full_name": str(answers.get("full_name") or ""),
                "birth_date": str(answers.get(rule.birth_field) or ""),
                "age": _text(rule.age(answers)),
                "gender": str(answers.get("gender") or ""),
                "region": _choice_text(definition, "region_residence", answers),
                "locality": _choice_text(definition, "event_locality", answers),
                "event_date": str(answers.get("violation_start") or ""),
            }
        )
        person_of[row_id] = cmap.get(person_id, person_id)
        record_ids[row_id] = record_id
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=str)
    return DatabasePeople(frame, person_of, record_ids)


def entry_frame(entries: Iterable[ListEntry]) -> pd.DataFrame:
    rows = [{"id": str(e.pk), **{f: getattr(e, f) for f in PEOPLE_FIELDS}} for e in entries]
    return pd.DataFrame(rows, columns=COLUMNS, dtype=str)


# --- what the model compared -------------------------------------------------------


def field_verdicts(weights: dict[str, float]) -> dict[str, Any]:
    """The comparisons that agreed, disagreed, told little (`neutral`) or were missing
    on one side, from their weights; stored with the weights in `Match.fields`."""
    out: dict[str, Any] = {"weights": weights, "agreed": [], "disagreed": [], "neutral": []}
    out["missing"] = []
    for name in COMPARISONS:
        weight = weights.get(name, 0.0)
        if weight == 0.0:
            out["missing"].append(name)
        elif weight >= NEUTRAL_WEIGHT:
            out["agreed"].append(name)
        elif weight <= -NEUTRAL_WEIGHT:
            out["disagreed"].append(name)
        else:
            out["neutral"].append(name)
    return out


def _weights(row: Any) -> dict[str, float]:
    return {name: float(getattr(row, f"weight_{name}", 0.0) or 0.0) for name in COMPARISONS}


# --- running the model -------------------------------------------------------------


@dataclass
class RunSummary:
    candidates: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)


def cross_reference(
    actor: Any, victim_list: VictimList, threshold: float = CANDIDATE_THRESHOLD
) -> RunSummary:
    """Link the list's entries with the database's persons; store every pair at or above
    `threshold` as a candidate for review. Decided pairs keep their decision; candidates
    the model no longer proposes are removed."""
    require_manage(actor)
    entries = list(victim_list.entries.all())
    people = database_people()
    result = link_lists(entry_frame(entries), people.frame, threshold=SUGGEST_THRESHOLD)
    candidates = result.candidates[result.candidates["probability"] >= threshold]
    best: dict[tuple[int, int], Any] = {}
    for row in candidates.itertuples(index=False):
        key = (int(row.left_id), people.person_of[str(row.right_id)])
        if key not in best or row.probability > best[key].probability:
            best[key] = row
    suggested = {
        (int(left), people.person_of[str(right)])
        for left, right in result.links[["left_id", "right_id"]].itertuples(index=False)
    }
    notes = list(result.warnings) + list(result.training.messages)
    unmatchable = sum(1 for e in entries if not e.matchable)
    if unmatchable:
        notes.append(f"{unmatchable} entries have no name the model can read; not matched")
    if people.frame.empty:
        notes.append("the database has no persons with Victims records; nothing to match")
    with transaction.atomic():
        summary = _store_links(victim_list, best, suggested)
        summary.notes = notes
        VictimList.objects.filter(pk=victim_list.pk).update(
            linked_at=timezone.now(), linked_by=actor, link_notes=notes
        )
        audit(
            actor,
            AuditAction.CREATE,
            victim_list,
            step="cross_reference",
            threshold=threshold,
            candidates=summary.candidates,
            created=summary.created,
            removed=summary.removed,
            trained=result.training.trained,
        )
    victim_list.refresh_from_db()
    return summary


def _store_links(
    victim_list: VictimList, best: dict[tuple[int, int], Any], suggested: set[tuple[int, int]]
) -> RunSummary:
    cmap = canonical_map()
    existing: dict[tuple[int, int], Match] = {}
    stale: list[int] = []
    accepted_entry: dict[int, Match] = {}
    accepted_person: dict[int, Match] = {}
    for match in (
        Match.objects.select_for_update(of=("self",))
        .filter(kind=MatchKind.LINK, entry__victim_list=victim_list)
        .order_by("pk")
    ):
        key = (match.entry_id or 0, cmap.get(match.person_id, match.person_id))
        existing[key] = match
        if match.status == MatchStatus.ACCEPTED:
            accepted_entry[key[0]] = match
            accepted_person[key[1]] = match
        if key not in best and match.status in (MatchStatus.CANDIDATE, MatchStatus.SUPERSEDED):
            stale.append(match.pk)

    def new_link(key: tuple[int, int], values: dict[str, Any]) -> Match:
        blocker = accepted_entry.get(key[0]) or accepted_person.get(key[1])
        return Match(
            kind=MatchKind.LINK,
            entry_id=key[0],
            person_id=key[1],
            status=MatchStatus.SUPERSEDED if blocker else MatchStatus.CANDIDATE,
            superseded_by=blocker,
            **values,
        )

    return _write_scores(
        best,
        existing,
        stale,
        lambda key, row: {**_scores(row), "suggested": key in suggested},
        new_link,
    )


def find_duplicates(actor: Any, threshold: float = CANDIDATE_THRESHOLD) -> RunSummary:
    """Pairs of persons of the database that may be one person, as dedupe candidates."""
    require_manage(actor)
    people = database_people()
    result = dedupe_list(people.frame, threshold=threshold)
    best: dict[tuple[int, int], Any] = {}
    for row in result.pairs.itertuples(index=False):
        a, b = people.person_of[str(row.left_id)], people.person_of[str(row.right_id)]
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        if key not in best or row.probability > best[key].probability:
            best[key] = row
    notes = list(result.warnings) + list(result.training.messages)
    with transaction.atomic():
        summary = _store_pairs(best)
        summary.notes = notes
        audit(
            actor,
            AuditAction.CREATE,
            object_type=DEDUPE_RUN,
            object_id="persons",
            step="deduplicate",
            threshold=threshold,
            candidates=summary.candidates,
            created=summary.created,
            removed=summary.removed,
            notes=notes,
        )
    return summary


def _store_pairs(best: dict[tuple[int, int], Any]) -> RunSummary:
    cmap = canonical_map()
    existing: dict[tuple[int, int], Match] = {}
    stale: list[int] = []
    for match in (
        Match.objects.select_for_update(of=("self",)).filter(kind=MatchKind.DEDUPE).order_by("pk")
    ):
        a = cmap.get(match.person_id, match.person_id)
        b = cmap.get(match.other_person_id or 0, match.other_person_id or 0)
        key = (min(a, b), max(a, b))
        existing.setdefault(key, match)
        if match.status == MatchStatus.CANDIDATE and (key not in best or a == b):
            stale.append(match.pk)
    return _write_scores(
        best,
        existing,
        stale,
        lambda key, row: _scores(row),
        lambda key, values: Match(
            kind=MatchKind.DEDUPE, person_id=key[0], other_person_id=key[1], **values
        ),
    )


def _scores(row: Any) -> dict[str, Any]:
    """What the model says of a pair, as a match stores it."""
    return {
        "probability": float(row.probability),
        "match_weight": float(row.match_weight),
        "fields": field_verdicts(_weights(row)),
    }


def _write_scores(
    best: dict[tuple[int, int], Any],
    existing: dict[tuple[int, int], Match],
    stale: list[int],
    values_of: Callable[[tuple[int, int], Any], dict[str, Any]],
    new_match: Callable[[tuple[int, int], dict[str, Any]], Match],
) -> RunSummary:
    """Store a run's pairs: a known match still open takes the new scores, a decided one
    is left as it is, a new pair becomes `new_match`; the `stale` matches are deleted."""
    summary = RunSummary(candidates=len(best))
    creating: list[Match] = []
    for key, row in best.items():
        values = values_of(key, row)
        known = existing.get(key)
        if known is None:
            creating.append(new_match(key, values))
        elif known.status in (MatchStatus.CANDIDATE, MatchStatus.UNDECIDED):
            for name, value in values.items():
                setattr(known, name, value)
            known.save(update_fields=[*values, "updated_at"])
            summary.updated += 1
    Match.objects.bulk_create(creating, batch_size=1000)
    summary.created = len(creating)
    summary.removed = Match.objects.filter(pk__in=stale).delete()[0] if stale else 0
    return summary


def last_dedupe_run() -> AuditEvent | None:
    return AuditEvent.objects.filter(object_type=DEDUPE_RUN).select_related("actor").first()


# --- what a reviewer sees ----------------------------------------------------------


@dataclass
class Side:
    """One side of a pair: a heading, the values of each field, and links to records."""

    title: str
    values: dict[str, str]
    records: list[tuple[str, str]] = field(default_factory=list)  # (record id, url)
    note: str = ""
    detail: str = ""  # the numbers behind the heading, for those who look for them


@dataclass
class Verdict:
    name: str
    label: str
    verdict: str  # agreed / disagreed / neutral / missing
    weight: float


@dataclass
class ReviewItem:
    match: Match
    left: Side
    right: Side
    rows: list[tuple[str, str, str, bool]]  # (label, left, right, same text)
    verdicts: list[Verdict]


def _verdicts(match: Match) -> list[Verdict]:
    fields = match.fields or {}
    weights = fields.get("weights", {})
    out = []
    for name in COMPARISONS:
        verdict = next(
            (v for v in ("agreed", "disagreed", "neutral", "missing") if name in fields.get(v, [])),
            "missing",
        )
        out.append(
            Verdict(name, str(COMPARISON_LABELS[name]), verdict, float(weights.get(name, 0)))
        )
    return out


def person_sides(canonical: Iterable[int]) -> dict[int, Side]:
    """The current values of each canonical person, from all its records (different
    spellings joined with " / "), with links to the records."""
    canonical = set(canonical)
    people = database_people(canonical)
    grouped: dict[int, list[int]] = {}
    for position, row_id in enumerate(people.frame["id"]):
        grouped.setdefault(people.person_of[row_id], []).append(position)
    out: dict[int, Side] = {}
    for person in canonical:
        positions = grouped.get(person, [])
        values = {}
        for name in PEOPLE_FIELDS:
            seen = dict.fromkeys(people.frame[name].iloc[positions]) if positions else {}
            values[name] = " / ".join(v for v in seen if v)
        records = [
            (
                people.records[row_id],
                reverse("records:detail", args=[VICTIM_QUESTIONNAIRE, people.records[row_id]]),
            )
            for row_id in people.frame["id"].iloc[positions]
        ]
        note = "" if positions else str(_("no Victims record of this person is left"))
        out[person] = Side(str(_("In the database")), values, records, note, f"person {person}")
    return out


def entry_side(entry: ListEntry) -> Side:
    values = {name: getattr(entry, name) for name in PEOPLE_FIELDS}
    title = _("On the list “%(list)s”, line %(row)s of its file") % {
        "list": entry.victim_list.name,
        "row": entry.row_number,
    }
    return Side(title, values, detail=f"id {entry.entry_id}, row {entry.row_number}")


def review_items(matches: Iterable[Match]) -> list[ReviewItem]:
    matches = list(matches)
    cmap = canonical_map()
    persons: set[int] = set()
    for match in matches:
        persons.add(cmap.get(match.person_id, match.person_id))
        if match.other_person_id:
            persons.add(cmap.get(match.other_person_id, match.other_person_id))
    sides = person_sides(persons)
    items = []
    for match in matches:
        right = _person_side(sides, cmap, match.person_id)
        if match.kind == MatchKind.LINK:
            assert match.entry is not None
            left = entry_side(match.entry)
        else:
            left, right = right, _person_side(sides, cmap, match.other_person_id or 0)
        rows = [
            (
                str(FIELD_LABELS[name]),
                _value_shown(name, left.values[name]),
                _value_shown(name, right.values[name]),
                bool(left.values[name]) and _same(name, left.values[name], right.values[name]),
            )
            for name in PEOPLE_FIELDS
        ]
        items.append(ReviewItem(match, left, right, rows, _verdicts(match)))
    return items


GENDERS = {"male": _("male"), "female": _("female")}


def _value_shown(name: str, value: str) -> str:
    """A value in the reader's words: genders are stored as codes."""
    if name == "gender":
        return " / ".join(str(GENDERS.get(v, v)) for v in value.split(" / ")) if value else value
    return value


def _person_side(sides: dict[int, Side], cmap: dict[int, int], person: int) -> Side:
    canonical = cmap.get(person, person)
    side = sides[canonical]
    if canonical == person:
        return side
    note = str(_("merged with another person of the database"))
    detail = f"person {person}, merged into person {canonical}"
    return Side(side.title, side.values, side.records, note, detail)


def _same(name: str, left: str, right: str) -> bool:
    """Whether the entry's value is one of the person's (dates compared as dates)."""
    values = right.split(" / ")
    if name in ("birth_date", "event_date"):
        parsed = parse_dates(pd.Series([left, *values], dtype=str)).astype("string")
        keys = parsed.fillna("").agg("-".join, axis=1).tolist()
        return keys[0] != "--" and keys[0] in keys[1:]
    return left.strip().casefold() in {v.strip().casefold() for v in values}


def queue(victim_list: VictimList | None, status: str | None = MatchStatus.CANDIDATE) -> Any:
    """The matches to review: a list's links, or (no list) the dedupe pairs; most
    probable first."""
    if victim_list is None:
        matches = Match.objects.filter(kind=MatchKind.DEDUPE)
    else:
        matches = Match.objects.filter(kind=MatchKind.LINK, entry__victim_list=victim_list)
    if status:
        matches = matches.filter(status=status)
    return matches.select_related("entry__victim_list", "reviewer").order_by("-probability", "pk")


def status_counts(victim_list: VictimList | None) -> dict[str, int]:
    counts = dict.fromkeys(MatchStatus.values, 0)
    for row in queue(victim_list, None).order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
