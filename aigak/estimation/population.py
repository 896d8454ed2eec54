"""Which of the database's records an estimate counts: its population.

A victim list of the dead, estimated against every Victims record (survivors included),
mixes two populations and gives a meaningless number. The page lets the user choose the
database's records (alive or deceased, the region of the events, a period of the events)
and warns in words when the choice and the lists do not fit together: a list under
`SMALL_LIST` people, fewer than three lists, a list whose people are nearly all dead (by
the records they were matched to) against a population that includes survivors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aigak.linkage.models import Match, MatchKind, MatchStatus, VictimList
from aigak.questionnaires.definition import pick
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.models import Record

VICTIM_QUESTIONNAIRE = "victim"  # as linkage.review names it (not imported: it loads splink)
SMALL_LIST = 50  # a list with fewer people than this: a warning
FEW_LISTS = 3  # fewer lists than this: a warning (dependence between lists cannot be seen)
NEARLY_ALL = 0.9  # a list whose matched people are this share dead is a list of the dead
SCOPE_EVIDENCE = 3  # matched people needed before a list's scope is judged
VITAL = "vital_status"
REGION = "event_region"
EVENT_DATES = ("violation_start", "death_date")  # the first one answered is the event's date
DECEASED = "deceased"


@dataclass
class Population:
    """The chosen records: empty values mean any."""

    vital: str = ""
    region: str = ""
    since: str = ""  # ISO dates, inclusive
    until: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: QueryDict) -> Population:
        definition = get_questionnaire(VICTIM_QUESTIONNAIRE).definition
        chosen = cls(
            vital=query.get("vital", "").strip(),
            region=query.get("region", "").strip(),
            since=query.get("since", "").strip(),
            until=query.get("until", "").strip(),
        )
        for name, value in ((VITAL, chosen.vital), (REGION, chosen.region)):
            if value and name in definition.fields:
                if value not in {c.name for c in definition.fields[name].choices}:
                    chosen.problems.append(_("Unknown value “%(value)s”.") % {"value": value})
        return chosen

    @property
    def everyone(self) -> bool:
        return not (self.vital or self.region or self.since or self.until)

    def query(self) -> list[tuple[str, str]]:
        pairs = [("vital", self.vital), ("region", self.region)]
        pairs += [("since", self.since), ("until", self.until)]
        return [(k, v) for k, v in pairs if v]

    def admits(self, answers: dict[str, Any]) -> bool:
        if self.vital and answers.get(VITAL) != self.vital:
            return False
        if self.region and answers.get(REGION) != self.region:
            return False
        if self.since or self.until:
            when = next((str(answers[n]) for n in EVENT_DATES if answers.get(n)), "")[:10]
            if not when or (self.since and when < self.since) or (self.until and when > self.until):
                return False
        return True

    def persons(self) -> set[int]:
        """The canonical persons with at least one live Victims record in the population."""
        from aigak.linkage.review import canonical_map  # splink and duckdb: only when counted

        cmap = canonical_map()
        rows = Record.live.filter(
            questionnaire__name=VICTIM_QUESTIONNAIRE, person__isnull=False
        ).values_list("person_id", "answers")
        return {cmap.get(p, p) for p, answers in rows if self.admits(answers or {})}


def choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The values the population form offers, in the reader's language."""
    definition = get_questionnaire(VICTIM_QUESTIONNAIRE).definition
    out = {}
    for key, name in (("vital", VITAL), ("region", REGION)):
        found = definition.fields.get(name)
        out[key] = [
            (c.name, pick(c.label, lang, definition.default_language) or c.name)
            for c in (found.choices if found else [])
        ]
    return out


def warnings(population: Population, lists: list[VictimList], include_database: bool) -> list[str]:
    """What makes this choice of lists and population shaky, in plain words."""
    out = []
    for victim_list in lists:
        size = victim_list.entries.count()
        if size < SMALL_LIST:
            out.append(
                ngettext(
                    "The list “%(list)s” holds only %(count)s person. A list this small "
                    "(under %(small)s) says little about how many people all lists missed; "
                    "treat the estimate as a rough guess.",
                    "The list “%(list)s” holds only %(count)s people. A list this small "
                    "(under %(small)s) says little about how many people all lists missed; "
                    "treat the estimate as a rough guess.",
                    size,
                )
                % {"list": victim_list.name, "count": size, "small": SMALL_LIST}
            )
    k = len(lists) + include_database
    if k < FEW_LISTS:
        out.append(
            _(
                "Only two lists are compared. With two lists the estimate assumes that being "
                "on one list does not change the chance of being on the other, and nothing can "
                "check this; with three lists or more the models can."
            )
        )
    if include_database and population.vital != DECEASED:
        before = len(out)
        for victim_list in lists:
            dead, known = _deceased_share(victim_list)
            if known >= SCOPE_EVIDENCE and dead >= NEARLY_ALL * known:
                out.append(
                    _(
                        "The list “%(list)s” seems to hold the dead (%(dead)s of its %(known)s "
                        "people found in the database died), but the database's records "
                        "chosen include survivors. The lists must count the same population: "
                        "choose “deceased” for the database's records."
                    )
                    % {"list": victim_list.name, "dead": dead, "known": known}
                )
        mixed = _vital_counts(population) if len(out) == before and not population.vital else {}
        if mixed.get(DECEASED) and sum(mixed.values()) > mixed[DECEASED]:
            out.append(
                _(
                    "The database's records chosen count survivors (%(alive)s) and the dead "
                    "(%(dead)s) together. If a list counts only the dead, choose “deceased” "
                    "for the database's records, so that all lists count the same people."
                )
                % {"alive": sum(mixed.values()) - mixed[DECEASED], "dead": mixed[DECEASED]}
            )
    return out


def _vital_counts(population: Population) -> dict[str, int]:
    """{vital status: records} of the live Victims records in the population."""
    counts: dict[str, int] = {}
    for answers in Record.live.filter(questionnaire__name=VICTIM_QUESTIONNAIRE).values_list(
        "answers", flat=True
    ):
        if population.admits(answers or {}):
            key = str((answers or {}).get(VITAL) or "")
            counts[key] = counts.get(key, 0) + 1
    return counts


def _deceased_share(victim_list: VictimList) -> tuple[int, int]:
    """(people of the list matched to a database person who is deceased, matched people)."""
    persons = set(
        Match.objects.filter(
            kind=MatchKind.LINK, status=MatchStatus.ACCEPTED, entry__victim_list=victim_list
        ).values_list("person_id", flat=True)
    )
    if not persons:
        return 0, 0
    vital: dict[int, str] = {}
    for person, answers in Record.live.filter(
        questionnaire__name=VICTIM_QUESTIONNAIRE, person_id__in=persons
    ).values_list("person_id", "answers"):
        vital.setdefault(person, str((answers or {}).get(VITAL) or ""))
    known = [v for v in vital.values() if v]
    return sum(1 for v in known if v == DECEASED), len(known)
