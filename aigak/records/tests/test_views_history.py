import pytest

from aigak.accounts.models import AuditEvent
from aigak.records.actions import update_record
from aigak.records.tests.sample_forms import (
    make_record,
    record_url,
)


@pytest.fixture
def record(victim, documenter, coordinator):
    record = make_record(documenter, victim, source_contact="old contact", gender="female")
    return update_record(
        coordinator,
        record,
        {"gender": "male", "source_contact": "new contact"},
        note="corrected gender",
    )


def test_it_lists_versions_with_author_note_and_differences(client, record, coordinator):
    client.force_login(coordinator)
    response = client.get(record_url(record, "history/"))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [c.version.number for c in changes] == [2, 1]
    newest = changes[0]
    assert newest.version.author == coordinator
    assert newest.version.note == "corrected gender"
    assert [(d.label, d.before, d.after) for d in newest.differences] == [
        ("Contact of the source", "old contact", "new contact"),
        ("Gender", "Female", "Male"),
    ]
    text = response.content.decode()
    assert "corrected gender" in text
    assert "Restore version 1" in text


def test_it_masks_confidential_differences_for_a_viewer(client, record, viewer):
    client.force_login(viewer)
    response = client.get(record_url(record, "history/"))
    newest = response.context["changes"][0]
    assert [(d.name, d.masked) for d in newest.differences] == [
        ("source_contact", True),
        ("gender", False),
    ]
    text = response.content.decode()
    assert "old contact" not in text and "new contact" not in text
    assert "Restore version" not in text


def test_it_logs_the_view_of_the_history(client, record, viewer):
    client.force_login(viewer)
    client.get(record_url(record, "history/"))
    event = AuditEvent.objects.get(action="view")
    assert event.metadata == {"questionnaire": "victim", "page": "history"}


def test_it_restores_an_earlier_version_as_a_new_one(client, record, coordinator):
    client.force_login(coordinator)
    response = client.post(record_url(record, "history/1/restore/"))
    assert response.status_code == 302
    assert response["Location"] == record_url(record, "history/")
    record.refresh_from_db()
    assert record.version == 3
    assert record.answers["gender"] == "female"
    assert record.versions.get(number=3).note == "restored version 1"


def test_it_lets_the_author_restore_their_own_record(client, record, documenter):
    client.force_login(documenter)
    assert client.post(record_url(record, "history/1/restore/")).status_code == 302
    record.refresh_from_db()
    assert record.version == 3


@pytest.mark.parametrize("persona", ["lawyer", "viewer", "teammate"])
def test_it_refuses_restore_to_roles_that_may_not(client, record, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(record_url(record, "history/1/restore/")).status_code == 403
    record.refresh_from_db()
    assert record.version == 2


def test_it_answers_404_for_an_unknown_version(client, record, coordinator):
    client.force_login(coordinator)
    assert client.post(record_url(record, "history/9/restore/")).status_code == 404


def test_it_only_restores_on_post(client, record, coordinator):
    client.force_login(coordinator)
    assert client.get(record_url(record, "history/1/restore/")).status_code == 405


def test_it_hides_the_history_from_a_documenter_of_another_team(client, record, outsider):
    client.force_login(outsider)
    assert client.get(record_url(record, "history/")).status_code == 404
    assert client.post(record_url(record, "history/1/restore/")).status_code == 404


def test_it_refuses_anonymous_visitors(client, record):
    response = client.get(record_url(record, "history/"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
