"""The record list's sorting, date range, export and bulk actions (records.listing,
records.views_list)."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from aigak.accounts.models import AuditAction, AuditEvent
from aigak.records import actions
from aigak.records.models import Record, Status
from aigak.records.tests.sample_forms import make_record

URL = "/records/victim/"


def _listed(response) -> list[str]:
    return [row.record.record_id for row in response.context["rows"]]


def _three(author, victim) -> list[Record]:
    return [
        make_record(author, victim, full_name="Bekov", entry_date="2022-01-06"),
        make_record(author, victim, full_name="Abenov", entry_date="2022-01-20"),
        make_record(author, victim, full_name="Caliev", entry_date="2022-02-03"),
    ]


def test_it_sorts_by_a_column_both_ways(client, victim, coordinator):
    b, a, c = _three(coordinator, victim)
    client.force_login(coordinator)
    assert _listed(client.get(URL, {"sort": "full_name"})) == [
        a.record_id,
        b.record_id,
        c.record_id,
    ]
    assert _listed(client.get(URL, {"sort": "-full_name"})) == [
        c.record_id,
        b.record_id,
        a.record_id,
    ]
    assert _listed(client.get(URL, {"sort": "record"}))[0] == b.record_id
    heads = client.get(URL, {"sort": "full_name"}).context["sort_columns"]
    name = next(h for h in heads if h["name"] == "full_name")
    assert name["aria"] == "ascending" and name["href"] == "?sort=-full_name"


def test_sorting_by_a_hidden_field_is_refused_like_an_unknown_one(client, victim, viewer):
    client.force_login(viewer)
    assert client.get(URL, {"sort": "source_contact"}).status_code == 400
    assert client.get(URL, {"sort": "nonsense"}).status_code == 400


def test_a_date_range_filters_on_a_date_answer(client, victim, coordinator):
    b, a, c = _three(coordinator, victim)
    client.force_login(coordinator)
    found = client.get(URL, {"date": "entry_date", "from": "2022-01-10", "to": "2022-01-31"})
    assert _listed(found) == [a.record_id]
    assert client.get(URL, {"from": "2022-13-01"}).status_code == 400
    assert _listed(client.get(URL, {"date": "updated", "to": "2000-01-01"})) == []


def test_mine_lists_only_the_users_own(client, victim, coordinator, documenter):
    own = make_record(coordinator, victim)
    make_record(documenter, victim)
    client.force_login(coordinator)
    assert _listed(client.get(URL, {"mine": "1"})) == [own.record_id]


def test_the_export_holds_the_filtered_list_in_the_cli_shape(client, victim, coordinator):
    b, a, c = _three(coordinator, victim)
    client.force_login(coordinator)
    params = {"date": "entry_date", "from": "2022-01-10", "sort": "full_name"}
    response = client.get(URL + "export/csv/", params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["record_id"] for r in rows] == [a.record_id, c.record_id]
    assert list(rows[0])[0] == "record_id" and rows[0]["full_name"] == "Abenov"
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert event.metadata["records"] == 2 and event.metadata["destination"] == "web"
    assert event.metadata["filters"]["from"] == "2022-01-10"
    data = json.loads(b"".join(client.get(URL + "export/json/", params).streaming_content))
    assert [r["record_id"] for r in data] == [a.record_id, c.record_id]
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(URL + "export/xlsx/", params).streaming_content))
    )
    assert [row[0] for row in book.active.iter_rows(values_only=True)][1:] == [
        a.record_id,
        c.record_id,
    ]


def test_those_who_may_not_export_are_refused(client, victim, documenter, viewer):
    for user in (documenter, viewer):
        client.force_login(user)
        assert client.get(URL + "export/csv/").status_code == 403
        post = client.post(URL + "bulk/", {"action": "export", "ids": ["V-000001"]})
        assert post.status_code == 403
    assert client.get(URL + "export/pdf/").status_code == 404


def test_bulk_verify_is_all_or_nothing(client, victim, coordinator):
    good = make_record(coordinator, victim)
    draft = actions.create_record(coordinator, victim, {}, status="draft")
    client.force_login(coordinator)
    response = client.post(
        URL + "bulk/", {"action": "verify", "ids": [good.record_id, draft.record_id]}, follow=True
    )
    assert draft.record_id in response.content.decode()
    assert set(Record.objects.values_list("status", flat=True)) == {"submitted", "draft"}
    client.post(URL + "bulk/", {"action": "verify", "ids": [good.record_id], "back": URL})
    good.refresh_from_db()
    assert good.status == Status.VERIFIED


def test_bulk_assign_gives_records_to_a_team(client, victim, coordinator, team, documenter):
    record = make_record(coordinator, victim)
    client.force_login(documenter)
    assert client.get(URL + record.record_id + "/").status_code == 404
    client.force_login(coordinator)
    client.post(URL + "bulk/", {"action": "assign", "ids": [record.record_id], "team": team.pk})
    record.refresh_from_db()
    assert record.team == team
    client.force_login(documenter)
    assert client.get(URL + record.record_id + "/").status_code == 200


def test_a_documenter_may_not_bulk_verify_or_assign(client, victim, documenter, team):
    record = make_record(documenter, victim)
    client.force_login(documenter)
    for action in ("verify", "assign"):
        post = {"action": action, "ids": [record.record_id], "team": team.pk}
        assert client.post(URL + "bulk/", post).status_code == 403
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_bulk_export_holds_the_ticked_records(client, victim, coordinator):
    one, two, _ = _three(coordinator, victim)
    client.force_login(coordinator)
    response = client.post(
        URL + "bulk/", {"action": "export", "format": "json", "ids": [one.record_id, two.record_id]}
    )
    data = json.loads(b"".join(response.streaming_content))
    assert sorted(r["record_id"] for r in data) == sorted([one.record_id, two.record_id])


def test_the_list_links_keep_no_empty_parameter(client, victim, coordinator):
    make_record(coordinator, victim)
    client.force_login(coordinator)
    response = client.get(URL, {"q": "", "status": "submitted", "f_gender": ""})
    assert response.context["params"] == "status=submitted"
    assert 'href="/records/victim/export/csv/?status=submitted"' in response.content.decode()
