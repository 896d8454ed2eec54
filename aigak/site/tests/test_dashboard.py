"""The home page's dashboard (aigak/site/dashboard.py): counts, work waiting, changes."""

from __future__ import annotations

import datetime as dt

from aigak.linkage.models import Match, MatchKind
from aigak.records import actions
from aigak.records.models import Person, Record
from aigak.records.tests.sample_forms import make_record
from aigak.site import dashboard


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_counts_by_questionnaire_and_status(client, victim, documenter, coordinator):
    make_record(documenter, victim)
    make_record(documenter, victim, vital_status="deceased")
    actions.create_record(documenter, victim, {"full_name": "D"}, status="draft")
    client.force_login(coordinator)
    response = client.get("/")
    assert response.status_code == 200
    board = response.context["board"]
    (row,) = board.by_status
    assert row.counts == {"submitted": 2, "draft": 1} and row.total == 3
    assert board.to_verify_count == 2
    assert board.months[-1].count == 3 and board.months[-1].share == 100
    assert len(board.months) == dashboard.MONTHS
    assert 'data-panel="to-verify"' in response.content.decode()


def test_a_documenter_counts_only_what_they_see_and_verifies_nothing(
    client, victim, documenter, outsider
):
    make_record(outsider, victim)
    draft = actions.create_record(documenter, victim, {"full_name": "D"}, status="draft")
    client.force_login(documenter)
    board = client.get("/").context["board"]
    assert board.by_status[0].counts == {"draft": 1}
    assert board.drafts == [draft] and board.drafts_count == 1
    assert board.to_verify is None
    assert [a.version.record for a in board.activity] == [draft]
    assert board.waiting == []  # matches are decided by coordinators


def test_the_activity_of_another_team_is_not_shown(client, victim, documenter, outsider):
    make_record(outsider, victim)
    client.force_login(documenter)
    assert client.get("/").context["board"].activity == []


def test_the_activity_names_the_kind_of_save_never_an_answer(client, victim, coordinator):
    record = make_record(coordinator, victim, source_contact="SECRET-7701")
    actions.update_record(coordinator, record, {"full_name": "Changed Name"}, note="SECRET-7701")
    actions.set_status(coordinator, record, "verified")
    client.force_login(coordinator)
    response = client.get("/")
    kinds = [a.kind for a in response.context["board"].activity]
    assert kinds == ["status", "edited", "created"]
    assert "SECRET-7701" not in response.content.decode()
    assert "Changed Name" not in response.content.decode()


def test_matches_waiting_come_from_the_linkage_app(client, victim, coordinator, documenter):
    one = Person.objects.create(display_name="A")
    two = Person.objects.create(display_name="B")
    Match.objects.create(kind=MatchKind.DEDUPE, person=one, other_person=two, probability=0.9)
    client.force_login(coordinator)
    waiting = {w.url: w.count for w in client.get("/").context["board"].waiting}
    assert waiting["/linkage/"] == 1


def test_months_run_back_over_a_year_boundary():
    assert dashboard._month_start(dt.date(2026, 2, 14), 3) == dt.date(2025, 11, 1)
    assert dashboard._month_start(dt.date(2026, 2, 14), 0) == dt.date(2026, 2, 1)


def test_a_deleted_record_leaves_the_counts(client, victim, coordinator):
    record = make_record(coordinator, victim)
    actions.delete_record(coordinator, record, "duplicate")
    client.force_login(coordinator)
    board = client.get("/").context["board"]
    assert board.by_status[0].total == 0 and board.activity == []
    assert Record.objects.count() == 1


def test_it_speaks_russian_and_kazakh(client, victim, coordinator):
    client.force_login(coordinator)
    ru = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Обзор" in ru and "Анкеты по опросникам и статусам" in ru and "Корзина" in ru
    kk = client.get("/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Шолу" in kk and "Себет" in kk
