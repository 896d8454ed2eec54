"""Verify, submit and delete from the record page."""

import pytest

from aigak.accounts.models import AuditEvent
from aigak.records.models import Record
from aigak.records.tests.sample_forms import (
    make_record,
    record_url,
)


@pytest.fixture
def record(victim, documenter):
    return make_record(documenter, victim)


def test_it_lets_a_coordinator_verify(client, record, coordinator):
    client.force_login(coordinator)
    response = client.post(record_url(record, "status/"), {"status": "verified"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "verified"
    assert record.version == 2


@pytest.mark.parametrize("persona", ["documenter", "lawyer", "viewer"])
def test_it_refuses_verification_to_other_roles(client, record, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(record_url(record, "status/"), {"status": "verified"}).status_code == 403
    record.refresh_from_db()
    assert record.status == "submitted"


def test_it_lets_the_author_submit_a_draft(client, victim, documenter):
    record = make_record(documenter, victim)
    Record.objects.filter(pk=record.pk).update(status="draft")
    client.force_login(documenter)
    assert b'value="submitted"' in client.get(record_url(record, "")).content
    client.post(record_url(record, "status/"), {"status": "submitted"})
    record.refresh_from_db()
    assert record.status == "submitted"


def test_it_refuses_an_unknown_status(client, record, coordinator):
    client.force_login(coordinator)
    assert client.post(record_url(record, "status/"), {"status": "published"}).status_code == 400


def test_it_deletes_with_a_reason(client, record, coordinator):
    client.force_login(coordinator)
    assert client.get(record_url(record, "delete/")).status_code == 200
    response = client.post(record_url(record, "delete/"), {"reason": "duplicate of V-000002"})
    assert response.status_code == 302
    assert response["Location"] == "/records/victim/"
    record.refresh_from_db()
    assert record.deleted_reason == "duplicate of V-000002"
    assert record.deleted_by == coordinator
    assert AuditEvent.objects.filter(action="delete", object_id=str(record.pk)).exists()


def test_it_refuses_to_delete_without_a_reason(client, record, coordinator):
    client.force_login(coordinator)
    response = client.post(record_url(record, "delete/"), {"reason": "  "})
    assert response.status_code == 400
    assert b"A reason is required" in response.content
    record.refresh_from_db()
    assert record.deleted_at is None


@pytest.mark.parametrize("persona", ["documenter", "lawyer", "viewer"])
def test_it_refuses_deletion_to_other_roles(client, record, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(record_url(record, "delete/")).status_code == 403
    assert client.post(record_url(record, "delete/"), {"reason": "x"}).status_code == 403
    record.refresh_from_db()
    assert record.deleted_at is None


def test_it_hides_the_record_from_a_documenter_of_another_team(client, record, outsider):
    client.force_login(outsider)
    assert client.post(record_url(record, "status/"), {"status": "submitted"}).status_code == 404
    assert client.post(record_url(record, "delete/"), {"reason": "x"}).status_code == 404


def test_it_refuses_anonymous_visitors(client, record):
    response = client.post(record_url(record, "delete/"), {"reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
