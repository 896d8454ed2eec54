"""A reviewer's decisions on matches, and the merges they make: atomic and audited.

Deciding a link (list entry ~ person) changes only the match. Links are one-to-one
within a list: accepting a pair refuses when the entry or the person (with the persons
merged into it) is already accepted with someone else in that list, and puts the other
*candidates* of either side aside as `superseded` (undecided ones stay undecided). When
that acceptance is withdrawn (rejected or undecided), they come back as candidates.

Accepting a dedupe pair (person ~ person) merges the two: the canonical person with the
higher id is pointed at the other (`Person.merged_into`); both persons and every record
stay as they are, and records keep pointing at their own person. Withdrawing the
acceptance, or undoing the merge from the list of merges, points it back; an undone
merge leaves its match `undecided`, back in the queue.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from aigak.accounts.models import AuditAction, audit
from aigak.linkage.access import require_decide
from aigak.linkage.models import Match, MatchKind, MatchStatus, PersonMerge
from aigak.linkage.review import canonical_map, members_of
from aigak.questionnaires.answer_types import said, words
from aigak.records.models import Person

DECISIONS = (MatchStatus.ACCEPTED, MatchStatus.REJECTED, MatchStatus.UNDECIDED)


class DecisionRefused(ValueError):
    """The decision cannot be taken as things stand; the message says why, in English.
    Its template and values are kept for a page to say it in its reader's language."""

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(words(template, params, english=True))
        self.template, self.params = template, params

    def in_words(self) -> str:
        return words(self.template, self.params)


@transaction.atomic
def decide(actor: Any, match: Match, decision: str) -> Match:
    """Record `decision` (accepted, rejected, undecided) on the match by `actor`."""
    require_decide(actor)
    if decision not in DECISIONS:
        raise DecisionRefused(
            gettext_noop("unknown decision %(decision)s"), decision=repr(decision)
        )
    match = Match.objects.select_for_update(of=("self",)).select_related("entry").get(pk=match.pk)
    previous = match.status
    if previous == decision:
        return match
    if match.kind == MatchKind.LINK:
        if decision == MatchStatus.ACCEPTED:
            _accept_link(match)
        elif previous == MatchStatus.ACCEPTED:
            _withdraw_link(match)
    elif decision == MatchStatus.ACCEPTED:
        _merge(actor, match)
    elif previous == MatchStatus.ACCEPTED:
        for merge in match.merges.filter(undone_at__isnull=True):
            _undo(actor, merge)
    match.status = decision
    match.reviewer = actor
    match.decided_at = timezone.now()
    match.superseded_by = None
    match.save(update_fields=["status", "reviewer", "decided_at", "superseded_by", "updated_at"])
    audit(
        actor,
        AuditAction.DECIDE,
        match,
        kind=match.kind,
        decision=decision,
        previous=previous,
        probability=round(match.probability, 6),
        victim_list=match.entry.victim_list_id if match.entry else None,
        entry=match.entry_id,
        person=match.person_id,
        other_person=match.other_person_id,
    )
    return match


def _list_links(match: Match) -> Any:
    assert match.entry is not None
    return Match.objects.filter(
        kind=MatchKind.LINK, entry__victim_list_id=match.entry.victim_list_id
    ).exclude(pk=match.pk)


def _accept_link(match: Match) -> None:
    cmap = canonical_map()
    persons = members_of([cmap.get(match.person_id, match.person_id)], cmap)
    others = _list_links(match).select_for_update(of=("self",))
    taken = others.filter(status=MatchStatus.ACCEPTED).filter(
        Q(entry_id=match.entry_id) | Q(person_id__in=persons)
    )
    conflict = taken.select_related("entry").first()
    if conflict is not None:
        assert conflict.entry is not None and match.entry is not None
        if conflict.entry_id == match.entry_id:
            what = said(
                gettext_noop("entry %(entry)s is already accepted as person %(person)s"),
                entry=match.entry.entry_id,
                person=conflict.person_id,
            )
        else:
            what = said(
                gettext_noop(
                    "person %(person)s is already accepted as entry %(entry)s of this list"
                ),
                person=conflict.person_id,
                entry=conflict.entry.entry_id,
            )
        raise DecisionRefused(
            gettext_noop(
                "%(what)s (match %(match)s); reject that match or mark it undecided first"
            ),
            what=what,
            match=conflict.pk,
        )
    others.filter(status=MatchStatus.CANDIDATE).filter(
        Q(entry_id=match.entry_id) | Q(person_id__in=persons)
    ).update(status=MatchStatus.SUPERSEDED, superseded_by=match, updated_at=timezone.now())


def _withdraw_link(match: Match) -> None:
    """Bring back the candidates this acceptance put aside, unless another acceptance
    in the list still covers their entry or person."""
    cmap = canonical_map()
    accepted = list(_list_links(match).filter(status=MatchStatus.ACCEPTED))
    by_entry = {m.entry_id: m for m in accepted}
    by_person = {cmap.get(m.person_id, m.person_id): m for m in accepted}
    for other in Match.objects.select_for_update(of=("self",)).filter(superseded_by=match):
        blocker = by_entry.get(other.entry_id) or by_person.get(
            cmap.get(other.person_id, other.person_id)
        )
        other.status = MatchStatus.SUPERSEDED if blocker else MatchStatus.CANDIDATE
        other.superseded_by = blocker
        other.save(update_fields=["status", "superseded_by", "updated_at"])


def _merge(actor: Any, match: Match) -> None:
    cmap = canonical_map()
    a = cmap.get(match.person_id, match.person_id)
    b = cmap.get(match.other_person_id or 0, match.other_person_id or 0)
    if a == b:
        return  # already one person through other merges
    into, source = min(a, b), max(a, b)
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[into, source])}
    if persons[source].merged_into_id is not None or persons[into].merged_into_id is not None:
        raise DecisionRefused(
            gettext_noop("the persons changed while you decided; reload and try again")
        )
    Person.objects.filter(pk=source).update(merged_into=into)
    merge = PersonMerge.objects.create(
        from_person_id=source, into_person_id=into, match=match, merged_by=actor
    )
    audit(
        actor,
        AuditAction.MERGE,
        object_type="person",
        object_id=into,
        from_person=source,
        into_person=into,
        merge=merge.pk,
        match=match.pk,
    )


def _undo(actor: Any, merge: PersonMerge) -> None:
    person = Person.objects.select_for_update().get(pk=merge.from_person_id)
    if person.merged_into_id != merge.into_person_id:
        raise DecisionRefused(
            gettext_noop(
                "person %(person)s no longer points at person %(into)s; "
                "the merge cannot be undone as it stands"
            ),
            person=person.pk,
            into=merge.into_person_id,
        )
    Person.objects.filter(pk=person.pk).update(merged_into=None)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    audit(
        actor,
        AuditAction.UNMERGE,
        object_type="person",
        object_id=merge.into_person_id,
        from_person=merge.from_person_id,
        into_person=merge.into_person_id,
        merge=merge.pk,
        match=merge.match_id,
    )


@transaction.atomic
def undo_merge(actor: Any, merge: PersonMerge) -> PersonMerge:
    """Point the merged person back at itself; its match (if any) becomes undecided."""
    require_decide(actor)
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise DecisionRefused(gettext_noop("merge %(merge)s was undone already"), merge=merge.pk)
    match = merge.match
    if match is not None and match.status == MatchStatus.ACCEPTED:
        decide(actor, match, MatchStatus.UNDECIDED)
    else:
        _undo(actor, merge)
    merge.refresh_from_db()
    return merge
