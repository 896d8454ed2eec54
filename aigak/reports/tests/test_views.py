"""The report pages: readers see tables and download files; others are refused."""

from __future__ import annotations

import json

import pytest

from aigak.accounts.models import AuditEvent
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows

ROWS = [
    {"record_id": "V-1", "vital_status": "deceased", "gender": "male",
     "region_residence": "almaty", "essence": ["died"], "entry_date": "2022-04-04"},
    {"record_id": "V-2", "vital_status": "alive", "gender": "female",
     "region_residence": "zhambyl", "essence": ["detained"], "entry_date": "2022-05-04"},
]  # fmt: skip


@pytest.fixture
def records(questionnaires, admin_user):
    import_rows(admin_user, get_questionnaire("victim"), enumerate(ROWS, 1))


@pytest.fixture
def as_viewer(client, viewer):
    client.force_login(viewer)
    return client


def test_it_lists_the_reports(as_viewer):
    response = as_viewer.get("/reports/")
    assert response.status_code == 200
    assert b"/reports/qantar2022/" in response.content


def test_it_shows_every_table_and_audits_the_view(as_viewer, records, viewer):
    response = as_viewer.get("/reports/qantar2022/")
    assert response.status_code == 200
    text = response.content.decode()
    for i in range(1, 32):
        assert f'id="T{i:02d}"' in text
    assert AuditEvent.objects.filter(actor=viewer, action="report", object_id="qantar2022").exists()


def test_it_filters_and_prints_the_scope(as_viewer, records):
    response = as_viewer.get("/reports/qantar2022/download/json/", {"region_residence": "almaty"})
    data = json.loads(response.content)
    assert data["n_records"] == 1
    assert data["filters"] == {"region_residence": "almaty"}


def test_it_refuses_an_unknown_field(as_viewer, records):
    response = as_viewer.get("/reports/qantar2022/", {"where": "sex=male"})
    assert response.status_code == 400
    assert "sex" in response.content.decode()


@pytest.mark.parametrize(
    ("fmt", "magic"), [("json", b"{"), ("xlsx", b"PK"), ("docx", b"PK"), ("html", b"<!doctype")]
)
def test_it_downloads_and_audits_the_export(as_viewer, records, viewer, fmt, magic):
    response = as_viewer.get(f"/reports/qantar2022/download/{fmt}/")
    assert response.status_code == 200
    assert response.content.startswith(magic)
    assert AuditEvent.objects.filter(actor=viewer, action="export", metadata__format=fmt).exists()


def test_it_draws_a_chart(as_viewer, records):
    response = as_viewer.get("/reports/qantar2022/chart/T02.png")
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


def test_the_outsider_is_refused(client, outsider, records):
    client.force_login(outsider)
    assert client.get("/reports/qantar2022/").status_code == 403
    assert client.get("/reports/qantar2022/download/json/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/reports/qantar2022/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


REPORT_URLS = [
    "/reports/",
    "/reports/qantar2022/",
    "/reports/qantar2022/download/json/",
    "/reports/qantar2022/download/html/",
    "/reports/qantar2022/download/xlsx/",
    "/reports/qantar2022/download/docx/",
    "/reports/qantar2022/chart/T02.png",
]


@pytest.mark.parametrize("role", ["documenter", "outsider"])
def test_documenters_are_refused_every_page_download_and_chart(client, records, request, role):
    """Reports count every record; a documenter sees only their team's (permissions)."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url
    assert not AuditEvent.objects.filter(actor=user, action__in=["report", "export"]).exists()


def test_an_inactive_reader_is_refused(client, records, viewer):
    client.force_login(viewer)
    viewer.is_active = False
    viewer.save()
    for url in REPORT_URLS:
        response = client.get(url)
        assert (response.status_code, response.get("Location", "")[:15]) == (
            302,
            "/accounts/login",
        ), url


@pytest.mark.parametrize("role", ["admin_user", "coordinator", "lawyer", "viewer"])
def test_readers_may_open_the_report_and_download_it(client, records, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in REPORT_URLS[:3]:
        assert client.get(url).status_code == 200, url


def test_the_page_is_in_the_readers_language(as_viewer, records):
    response = as_viewer.get("/reports/qantar2022/", headers={"accept-language": "kk"})
    text = response.content.decode()
    assert "Зардап шегушінің гендерлік тиесілігі" in text  # T02
    assert "Сұхбат барысында анықталған қиындықтар" in text  # T31
    assert "Gender identity of a victim" not in text
