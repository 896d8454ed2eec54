"""Cross-referencing a list with the database's persons, and deciding the candidates:
the real Splink model on a few rows, a real database, nothing in the records changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aigak.accounts.models import AuditEvent
from aigak.linkage import actions, review
from aigak.linkage.lists import guess_mapping, import_list
from aigak.linkage.models import Match, MatchKind, MatchStatus
from aigak.linkage.overlap import capture_histories, list_overlap, overlap_frame
from aigak.linkage.tests.appdata import (
    LIST_HEADER,
    add_victim,
    add_victims,
    csv_bytes,
    install_victim_form,
    list_rows,
)
from aigak.records.models import Person, Record


@pytest.fixture
def victims(db):
    form = install_victim_form()
    return form, add_victims(form)


@pytest.fixture
def activists(coordinator):
    return import_list(
        coordinator,
        name="Activists",
        data=csv_bytes(list_rows()),
        file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
    )


def _by_entry(victim_list) -> dict[str, Match]:
    """The best candidate of each entry id."""
    out: dict[str, Match] = {}
    for match in review.queue(victim_list, None):
        assert match.entry is not None
        out.setdefault(match.entry.entry_id, match)
    return out


def _snapshot():
    return [
        (r.pk, r.person_id, r.answers, r.version, r.updated_at)
        for r in Record.objects.order_by("pk")
    ], list(Person.objects.order_by("pk").values_list("pk", "merged_into_id", "display_name"))


def test_database_people_are_read_from_victim_records_by_the_age_rule(victims):
    form, records = victims
    add_victim(form, 99, "Удалённый Иван", vital_status="deceased")
    Record.objects.filter(record_id="V-000099").update(deleted_at="2022-03-01T00:00:00Z")
    people = review.database_people()
    assert len(people.frame) == len(records)  # the deleted record is left out
    frame = people.frame.set_index("id")
    first = frame.loc[f"r{records[0].pk}"]
    assert first["full_name"] == "Кудайбергенов Казыбек Ерланович"
    assert (first["birth_date"], first["age"], first["gender"]) == ("1987-03-01", "34", "male")
    assert (first["region"], first["locality"], first["event_date"]) == (
        "г. Алматы",
        "Алматы",
        "2022-01-05",
    )
    saparov = frame.loc[f"r{records[3].pk}"]
    assert (saparov["birth_date"], saparov["age"]) == ("", "45")  # stated age
    assert frame.loc[f"r{records[2].pk}"]["locality"] == "Усть-Каменогорск"
    assert people.person_of[f"r{records[0].pk}"] == records[0].person_id


def test_other_and_unknown_choices_give_the_other_text_or_nothing(victims):
    form, _ = victims
    record = add_victim(
        form,
        50,
        "Нурпеисов Ержан",
        region_residence="unknown",
        event_locality="other",
        event_locality_other="Жанаозен",
    )
    row = review.database_people([record.person_id]).frame.iloc[0]
    assert (row["region"], row["locality"]) == ("", "Жанаозен")


def test_cross_reference_stores_candidates_and_changes_no_record(victims, activists, coordinator):
    _, records = victims
    before = _snapshot()
    summary = review.cross_reference(coordinator, activists)
    assert summary.candidates >= 4 and summary.created == summary.candidates
    assert any("too few records" in note for note in summary.notes)
    best = _by_entry(activists)
    expected = {"1": records[0], "2": records[1], "3": records[2], "4": records[3]}
    for entry_id, record in expected.items():
        match = best[entry_id]
        assert match.person_id == record.person_id, entry_id
        assert match.status == MatchStatus.CANDIDATE and match.probability >= 0.5
        assert match.suggested
    kudaibergenov = best["1"].fields
    assert {"surname", "given", "birth"} <= set(kudaibergenov["agreed"])
    assert kudaibergenov["weights"]["surname"] > 0
    assert all(m.probability < 0.5 for k, m in best.items() if k in ("5", "6"))
    assert _snapshot() == before
    activists.refresh_from_db()
    assert activists.linked_by == coordinator and activists.link_notes == summary.notes
    run = AuditEvent.objects.get(object_type="victimlist", metadata__step="cross_reference")
    assert run.metadata["candidates"] == summary.candidates


def test_cross_reference_is_refused_to_lawyers(victims, activists, lawyer):
    with pytest.raises(PermissionDenied):
        review.cross_reference(lawyer, activists)


def test_accepting_is_one_to_one_and_logged_and_withdrawing_brings_candidates_back(
    victims, activists, coordinator, admin_user
):
    _, records = victims
    review.cross_reference(coordinator, activists)
    best = _by_entry(activists)
    first = best["1"]
    # A second candidate for the same entry, and one for the same person.
    rival_person = Match.objects.create(
        kind=MatchKind.LINK, entry=first.entry, person=records[5].person, probability=0.2
    )
    rival_entry = Match.objects.create(
        kind=MatchKind.LINK,
        entry=best["5"].entry if "5" in best else first.entry.victim_list.entries.get(entry_id="5"),
        person=first.person,
        probability=0.15,
    )
    before = _snapshot()
    actions.decide(coordinator, first, MatchStatus.ACCEPTED)
    first.refresh_from_db()
    assert first.status == MatchStatus.ACCEPTED and first.reviewer == coordinator
    assert first.decided_at is not None
    for rival in (rival_person, rival_entry):
        rival.refresh_from_db()
        assert (rival.status, rival.superseded_by_id) == (MatchStatus.SUPERSEDED, first.pk)
    with pytest.raises(actions.DecisionRefused, match="already accepted as person"):
        actions.decide(admin_user, rival_person, MatchStatus.ACCEPTED)
    with pytest.raises(actions.DecisionRefused, match="is already accepted as entry 1"):
        actions.decide(admin_user, rival_entry, MatchStatus.ACCEPTED)
    actions.decide(admin_user, rival_entry, MatchStatus.REJECTED)  # no conflict in rejecting
    rival_entry.refresh_from_db()
    assert (rival_entry.status, rival_entry.superseded_by_id) == (MatchStatus.REJECTED, None)
    event = AuditEvent.objects.get(action="decide", object_id=str(first.pk))
    assert event.actor == coordinator
    assert event.metadata["decision"] == "accepted" and event.metadata["previous"] == "candidate"
    assert _snapshot() == before  # records never change

    actions.decide(admin_user, first, MatchStatus.REJECTED)
    rival_person.refresh_from_db()
    assert (rival_person.status, rival_person.superseded_by_id) == (MatchStatus.CANDIDATE, None)
    rival_entry.refresh_from_db()
    assert rival_entry.status == MatchStatus.REJECTED  # a decision stays a decision
    first.refresh_from_db()
    assert (first.status, first.reviewer) == (MatchStatus.REJECTED, admin_user)
    assert AuditEvent.objects.filter(action="decide", object_id=str(first.pk)).count() == 2


def test_undecided_candidates_are_not_put_aside(victims, activists, coordinator):
    _, records = victims
    review.cross_reference(coordinator, activists)
    first = _by_entry(activists)["1"]
    other = Match.objects.create(
        kind=MatchKind.LINK, entry=first.entry, person=records[5].person, probability=0.2
    )
    actions.decide(coordinator, other, MatchStatus.UNDECIDED)
    actions.decide(coordinator, first, MatchStatus.ACCEPTED)
    other.refresh_from_db()
    assert other.status == MatchStatus.UNDECIDED


def test_a_second_run_keeps_decisions_and_drops_stale_candidates(victims, activists, coordinator):
    review.cross_reference(coordinator, activists)
    best = _by_entry(activists)
    actions.decide(coordinator, best["2"], MatchStatus.REJECTED)
    actions.decide(coordinator, best["1"], MatchStatus.ACCEPTED)
    stale = Match.objects.create(
        kind=MatchKind.LINK,
        entry=activists.entries.get(entry_id="6"),
        person=best["3"].person,
        probability=0.3,
    )
    summary = review.cross_reference(coordinator, activists)
    assert summary.created == 0 and summary.removed >= 1
    assert not Match.objects.filter(pk=stale.pk).exists()
    again = _by_entry(activists)
    assert again["2"].pk == best["2"].pk and again["2"].status == MatchStatus.REJECTED
    assert again["1"].status == MatchStatus.ACCEPTED


def test_a_list_with_no_database_persons_gives_no_candidates(db, activists, coordinator):
    install_victim_form()
    summary = review.cross_reference(coordinator, activists)
    assert summary.candidates == 0
    assert any("no persons" in note for note in summary.notes)


def test_review_items_show_both_sides_with_record_links(victims, activists, coordinator):
    review.cross_reference(coordinator, activists)
    [item] = review.review_items([_by_entry(activists)["1"]])
    assert item.left.title == "On the list “Activists”, line 2 of its file"
    assert item.left.detail == "id 1, row 2"
    assert item.right.records == [("V-000001", "/records/victim/V-000001/")]
    rows = {label: (left, right, same) for label, left, right, same in item.rows}
    assert rows["Full name"] == ("Kudaibergenov Kazybek", "Кудайбергенов Казыбек Ерланович", False)
    assert rows["Date of birth"] == ("01.03.1987", "1987-03-01", True)
    verdicts = {v.name: v.verdict for v in item.verdicts}
    assert verdicts["surname"] == "agreed" and verdicts["patronymic"] == "missing"


def test_overlap_and_capture_histories(victims, activists, coordinator):
    _, records = victims
    review.cross_reference(coordinator, activists)
    best = _by_entry(activists)
    for entry_id in ("1", "2", "3"):
        actions.decide(coordinator, best[entry_id], MatchStatus.ACCEPTED)
    found = list_overlap(activists)
    assert found.counts() == {"both": 3, "list_only": 3, "database_only": 5}
    assert found.pending >= 1  # entry 4 still has its candidate
    both = overlap_frame(found, "both")
    assert list(both["entry_id"]) == ["1", "2", "3"]
    assert both.loc[0, "record_ids"] == "V-000001"
    assert both.loc[0, "person_full_name"] == "Кудайбергенов Казыбек Ерланович"
    assert list(overlap_frame(found, "list_only")["entry_id"]) == ["4", "5", "6"]
    assert len(overlap_frame(found, "database_only")) == 5

    official = import_list(
        coordinator,
        name="Official",
        data=csv_bytes([["ФИО", "Возраст"], ["К. Кудайбергенов", "34"], ["Д. Тулегенова", "29"]]),
        file_name="official.csv",
        mapping={"full_name": ["ФИО"], "age": ["Возраст"]},
    )
    entry = official.entries.get(entry_id="2")
    Match.objects.create(
        kind=MatchKind.LINK, entry=entry, person=records[0].person, probability=0.9
    )
    actions.decide(coordinator, Match.objects.get(entry=entry), MatchStatus.ACCEPTED)
    histories = capture_histories([activists, official])
    assert list(histories.columns) == ["Activists", "Official", "database", "count"]
    table = {tuple(row[:3]): row[3] for row in histories.itertuples(index=False)}
    assert table == {
        (1, 1, 1): 1,  # Кудайбергенов: on both lists and in the database
        (1, 0, 1): 2,
        (1, 0, 0): 3,
        (0, 1, 0): 1,  # Д. Тулегенова: not accepted as anyone
        (0, 0, 1): 5,
    }
    without = capture_histories(["Official", activists.pk], include_database=False)
    assert list(without.columns) == ["Official", "Activists", "count"]
    assert int(without["count"].sum()) == 1 + 5 + 1  # people on at least one list
    from aigak.estimation.histories import CaptureTable

    table = CaptureTable.from_frame(histories)
    assert table.observed == 12
