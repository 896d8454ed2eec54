"""Who is on which list: per list, the entries on both sides, only in the list and only in
the database; across lists, capture histories for the estimation of the total.

Only accepted matches count as "the same person". An entry with candidates still under
review counts as only in the list until someone accepts one. Persons are canonical
(merged persons count once) and come from the live Victims records.

Lists are joined through the database: two entries of two lists are one person when both
were accepted as the same database person. Entries that match nobody in the database
count as separate people even when two lists name the same person; cross-reference both
lists with the database (and record the person) to join them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from aigak.linkage.models import ListEntry, Match, MatchKind, MatchStatus, VictimList
from aigak.linkage.review import VICTIM_QUESTIONNAIRE, canonical_map, database_people
from aigak.records.models import Record

DATABASE_COLUMN = "database"
COUNT_COLUMN = "count"
PARTS = ("both", "list_only", "database_only")
PART_LABELS = {
    "both": "On both sides",
    "list_only": "Only in the list",
    "database_only": "Only in the database",
}


def database_persons() -> set[int]:
    """The canonical persons with at least one live Victims record."""
    cmap = canonical_map()
    persons = Record.live.filter(
        questionnaire__name=VICTIM_QUESTIONNAIRE, person__isnull=False
    ).values_list("person_id", flat=True)
    return {cmap.get(p, p) for p in persons.distinct()}


def accepted_links(lists: Iterable[VictimList | int]) -> dict[int, int]:
    """{entry pk: canonical person} of the accepted matches of the lists."""
    cmap = canonical_map()
    ids = [v.pk if isinstance(v, VictimList) else v for v in lists]
    rows = Match.objects.filter(
        kind=MatchKind.LINK, status=MatchStatus.ACCEPTED, entry__victim_list_id__in=ids
    ).values_list("entry_id", "person_id")
    return {entry: cmap.get(person, person) for entry, person in rows}


@dataclass
class Overlap:
    victim_list: VictimList
    both: list[tuple[ListEntry, int]] = field(default_factory=list)
    list_only: list[ListEntry] = field(default_factory=list)
    database_only: list[int] = field(default_factory=list)
    pending: int = 0  # entries only in the list that still have candidates under review

    def counts(self) -> dict[str, int]:
        return {
            "both": len(self.both),
            "list_only": len(self.list_only),
            "database_only": len(self.database_only),
        }


def list_overlap(victim_list: VictimList) -> Overlap:
    links = accepted_links([victim_list])
    in_database = database_persons()
    open_entries = set(
        Match.objects.filter(
            kind=MatchKind.LINK,
            entry__victim_list=victim_list,
            status__in=[MatchStatus.CANDIDATE, MatchStatus.UNDECIDED],
        ).values_list("entry_id", flat=True)
    )
    out = Overlap(victim_list)
    for entry in victim_list.entries.order_by("row_number"):
        if entry.pk in links:
            out.both.append((entry, links[entry.pk]))
        else:
            out.list_only.append(entry)
            out.pending += entry.pk in open_entries
    on_list = set(links.values())
    out.database_only = sorted(in_database - on_list)
    return out


def overlap_frame(overlap: Overlap, part: str) -> pd.DataFrame:
    """One part of the overlap as a table for download: the entry's fields as written
    in the list and the person's fields as the records give them."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
    entry_columns = ["row_number", "entry_id", "full_name", "birth_date", "age", "gender"]
    entry_columns += ["region", "locality", "event_date"]
    person_columns = ["person_id", "record_ids", "person_full_name", "person_birth_date"]
    person_columns += ["person_age", "person_gender", "person_region", "person_locality"]
    person_columns += ["person_event_date"]
    if part == "list_only":
        rows = [{c: getattr(e, c) for c in entry_columns} for e in overlap.list_only]
        return pd.DataFrame(rows, columns=entry_columns)
    persons = [p for _, p in overlap.both] if part == "both" else list(overlap.database_only)
    details = _person_details(persons)
    if part == "database_only":
        return pd.DataFrame([details[p] for p in persons], columns=person_columns)
    rows = [{**{c: getattr(e, c) for c in entry_columns}, **details[p]} for e, p in overlap.both]
    return pd.DataFrame(rows, columns=entry_columns + person_columns)


def _person_details(persons: Sequence[int]) -> dict[int, dict[str, Any]]:
    people = database_people(set(persons))
    out: dict[int, dict[str, Any]] = {
        p: {"person_id": p, "record_ids": ""}
        | {f"person_{c}": "" for c in people.frame.columns[1:]}
        for p in persons
    }
    for row in people.frame.itertuples(index=False):
        person = people.person_of[str(row.id)]
        details = out[person]
        ids = [i for i in details["record_ids"].split(" ") if i]
        details["record_ids"] = " ".join([*ids, people.records[str(row.id)]])
        for column in people.frame.columns[1:]:
            value = getattr(row, column)
            key = f"person_{column}"
            known = [v for v in details[key].split(" / ") if v]
            if value and value not in known:
                details[key] = " / ".join([*known, value])
    return out


def capture_histories(
    lists: Sequence[VictimList | int | str] | None = None,
    include_database: bool = True,
    database: set[int] | None = None,
) -> pd.DataFrame:
    """Capture histories for `aigak estimate`: one 0/1 column per list (named by the
    list's name, in the order given; all lists when `lists` is None), a `database`
    column when `include_database`, and `count`, the number of people with each history.
    The all-zero history is left out. A person is a canonical database person (with the
    lists where an entry was accepted as them), or an entry matched to nobody. `database`:
    the canonical persons the database column counts (default: every person with a live
    Victims record)."""
    chosen = _resolve(lists)
    names = [v.name for v in chosen]
    columns = [*names, *([DATABASE_COLUMN] if include_database else [])]
    histories: dict[Any, list[int]] = {}
    for person in database_persons() if database is None else database:
        histories[("p", person)] = [0] * len(names) + [1] * include_database
    links = accepted_links(chosen)
    for position, victim_list in enumerate(chosen):
        for entry in victim_list.entries.values_list("pk", flat=True):
            linked = links.get(entry)
            key = ("p", linked) if linked is not None else ("e", entry)
            if key not in histories:
                histories[key] = [0] * len(columns)
            histories[key][position] = 1
    frame = pd.DataFrame(list(histories.values()), columns=columns, dtype="int64")
    frame = frame[frame.sum(axis=1) > 0] if columns else frame.iloc[0:0]
    counted = (
        frame.groupby(columns, sort=True).size().reset_index(name=COUNT_COLUMN)
        if columns
        else pd.DataFrame({COUNT_COLUMN: pd.Series(dtype="int64")})
    )
    counted = counted.sort_values(columns, ascending=False, kind="stable") if columns else counted
    return counted.reset_index(drop=True).astype("int64")


def _resolve(lists: Sequence[VictimList | int | str] | None) -> list[VictimList]:
    if lists is None:
        return list(VictimList.objects.order_by("uploaded_at", "pk"))
    out = []
    for item in lists:
        if isinstance(item, VictimList):
            out.append(item)
            continue
        field_name = "pk" if isinstance(item, int) else "name"
        found = VictimList.objects.filter(**{field_name: item}).first()
        if found is None:
            raise ValueError(f"no victim list {item!r}")
        out.append(found)
    if len({v.pk for v in out}) != len(out):
        raise ValueError("a list is named twice")
    return out
