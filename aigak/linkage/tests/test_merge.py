"""Deduplicating the database's persons: candidate pairs, merges that keep both records,
and undoing them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aigak.accounts.models import AuditEvent
from aigak.linkage import actions, review
from aigak.linkage.models import Match, MatchKind, MatchStatus, PersonMerge
from aigak.linkage.overlap import database_persons
from aigak.linkage.tests.appdata import VICTIMS, add_victims, install_victim_form
from aigak.records.models import Person, Record

# The same three people again, written by other documenters.
AGAIN = [
    ("Kudaibergenov Kazybek Erlanovich", "1987-03-01", None, "male", "almaty", "almaty", "2022-01-05"),
    ("Ospanov Yerlan", "1990-03-02", None, "male", "almaty_oblast", "taldykorgan", "2022-01-06"),
    ("Сапаров Нурлан", "", 46, "male", "zhambyl", "taraz", "2022-01-05"),
]  # fmt: skip


@pytest.fixture
def records(db):
    form = install_victim_form()
    return add_victims(form) + add_victims(form, AGAIN, start=len(VICTIMS) + 1)


def _pair(records, a: int, b: int) -> Match:
    x, y = sorted([records[a].person_id, records[b].person_id])
    return Match.objects.get(kind=MatchKind.DEDUPE, person_id=x, other_person_id=y)


def _records_state():
    return list(Record.objects.order_by("pk").values_list("pk", "person_id", "answers", "version"))


def test_find_duplicates_proposes_the_people_written_twice(records, coordinator):
    before = _records_state()
    summary = review.find_duplicates(coordinator)
    assert summary.created == summary.candidates >= 3
    for a, b in ((0, 8), (1, 9), (3, 10)):
        match = _pair(records, a, b)
        assert match.status == MatchStatus.CANDIDATE and match.probability > 0.5
    assert _pair(records, 0, 8).fields["agreed"][:2] == ["surname", "given"]
    assert _records_state() == before
    run = review.last_dedupe_run()
    assert run is not None and run.actor == coordinator
    assert run.metadata["candidates"] == summary.candidates
    with pytest.raises(PermissionDenied):
        review.find_duplicates(None)


def test_accepting_merges_keeps_both_records_and_undo_restores(records, coordinator, admin_user):
    review.find_duplicates(coordinator)
    match = _pair(records, 0, 8)
    before = _records_state()
    actions.decide(coordinator, match, MatchStatus.ACCEPTED)
    first, second = (Person.objects.get(pk=records[i].person_id) for i in (0, 8))
    assert first.merged_into_id is None and second.merged_into_id == first.pk
    assert second.canonical() == first
    assert _records_state() == before  # each record still points at its own person
    merge = PersonMerge.objects.get()
    assert (merge.from_person, merge.into_person, merge.match, merge.merged_by) == (
        second,
        first,
        match,
        coordinator,
    )
    assert AuditEvent.objects.filter(action="merge", object_id=str(first.pk)).exists()
    assert len(database_persons()) == len(records) - 1

    actions.undo_merge(admin_user, merge)
    second.refresh_from_db()
    merge.refresh_from_db()
    match.refresh_from_db()
    assert second.merged_into_id is None
    assert merge.undone_at is not None and merge.undone_by == admin_user
    assert (match.status, match.reviewer) == (MatchStatus.UNDECIDED, admin_user)
    unmerge = AuditEvent.objects.get(action="unmerge")
    assert unmerge.actor == admin_user and unmerge.metadata["from_person"] == second.pk
    assert _records_state() == before
    with pytest.raises(actions.DecisionRefused, match="undone already"):
        actions.undo_merge(admin_user, merge)

    # Accepting again merges again, with a new merge row.
    actions.decide(coordinator, match, MatchStatus.ACCEPTED)
    assert PersonMerge.objects.filter(undone_at__isnull=True).count() == 1
    # Rejecting an accepted pair undoes its merge.
    actions.decide(coordinator, match, MatchStatus.REJECTED)
    second.refresh_from_db()
    assert second.merged_into_id is None
    assert not PersonMerge.objects.filter(undone_at__isnull=True).exists()


def test_merges_chain_to_the_canonical_person_and_a_run_skips_merged_pairs(records, coordinator):
    form = records[0].questionnaire
    third = add_victims(form, [AGAIN[0]], start=90)[0]
    review.find_duplicates(coordinator)
    pairs = [_pair([records[0], records[8], third], a, b) for a, b in ((0, 1), (1, 2))]
    for match in pairs:
        actions.decide(coordinator, match, MatchStatus.ACCEPTED)
    canonical = {
        Person.objects.get(pk=r.person_id).canonical().pk for r in (records[0], records[8], third)
    }
    assert canonical == {records[0].person_id}
    # The third pair of the trio is now one person already: accepting it merges nothing.
    last = _pair([records[0], records[8], third], 0, 2)
    merges = PersonMerge.objects.count()
    actions.decide(coordinator, last, MatchStatus.ACCEPTED)
    assert PersonMerge.objects.count() == merges
    summary = review.find_duplicates(coordinator)
    assert summary.created == 0


def test_a_link_to_a_merged_person_shows_the_canonical_person(records, coordinator):
    review.find_duplicates(coordinator)
    actions.decide(coordinator, _pair(records, 0, 8), MatchStatus.ACCEPTED)
    [side] = review.person_sides([records[0].person_id]).values()
    assert [r for r, _ in side.records] == ["V-000001", "V-000009"]
    assert side.values["full_name"] == (
        "Кудайбергенов Казыбек Ерланович / Kudaibergenov Kazybek Erlanovich"
    )
    items = review.review_items(
        [
            Match(
                kind=MatchKind.DEDUPE,
                person_id=records[8].person_id,
                other_person_id=records[1].person_id,
                probability=0.1,
            )
        ]
    )
    assert "merged into person" in items[0].left.detail


def test_lawyers_and_viewers_may_not_decide(records, coordinator, lawyer, viewer):
    review.find_duplicates(coordinator)
    match = _pair(records, 0, 8)
    for user in (lawyer, viewer):
        with pytest.raises(PermissionDenied):
            actions.decide(user, match, MatchStatus.ACCEPTED)
    assert not PersonMerge.objects.exists()
    match.refresh_from_db()
    assert match.status == MatchStatus.CANDIDATE
