import pytest

from aigak.accounts.models import AuditEvent
from aigak.records.tests.sample_forms import (
    make_record,
    record_url,
)


@pytest.fixture
def record(victim, documenter):
    return make_record(
        documenter,
        victim,
        source_contact="+7 701 000 00 00",
        social_status=["student", "journalist"],
        sources_list=[{"source_name": "KTK", "source_kind": "media"}],
    )


def test_it_shows_answers_grouped_by_the_forms_sections(client, record, coordinator):
    client.force_login(coordinator)
    response = client.get(record_url(record))
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s.label for s in sections] == ["Documentation", "The victim", "Other sources"]
    text = response.content.decode()
    assert "Student, Journalist" in text
    assert "KTK" in text


def test_it_labels_in_the_users_language(client, record, coordinator):
    client.force_login(coordinator)
    response = client.get(record_url(record), HTTP_ACCEPT_LANGUAGE="ru")
    text = response.content.decode()
    assert "Пострадавший" in text
    assert "Жив или погиб" in text
    assert "Студент, Журналист" in text
    response = client.get(record_url(record), HTTP_ACCEPT_LANGUAGE="kk")
    assert "Жәбірленуші" in response.content.decode()


@pytest.mark.parametrize(
    "persona, sees",
    [
        ("admin_user", True),
        ("coordinator", True),
        ("lawyer", True),
        ("documenter", False),
        ("viewer", False),
    ],
)
def test_it_shows_confidential_answers_only_to_those_who_may_see_them(
    client, record, request, persona, sees
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(record_url(record))
    assert response.status_code == 200
    assert ("+7 701 000 00 00" in response.content.decode()) is sees
    assert ("Contact of the source" in response.content.decode()) is sees


def test_it_logs_each_view_without_personal_data(client, record, viewer):
    client.force_login(viewer)
    client.get(record_url(record))
    client.get(record_url(record))
    events = AuditEvent.objects.filter(action="view", object_id=str(record.pk))
    assert events.count() == 2
    event = events.first()
    assert event.actor == viewer
    assert event.object_type == "record"
    assert event.metadata == {"questionnaire": "victim", "page": "record"}


@pytest.mark.parametrize(
    "persona, buttons",
    [
        ("coordinator", {"edit", "history", "verify", "delete"}),
        ("lawyer", {"edit", "history"}),
        ("documenter", {"edit", "history"}),
        ("teammate", {"history"}),
        ("viewer", {"history"}),
    ],
)
def test_it_offers_the_buttons_the_role_allows(client, record, request, persona, buttons):
    client.force_login(request.getfixturevalue(persona))
    text = client.get(record_url(record)).content.decode()
    shown = {
        "edit": f"{record_url(record)}edit/" in text,
        "history": f"{record_url(record)}history/" in text,
        "verify": 'name="status" value="verified"' in text,
        "delete": f"{record_url(record)}delete/" in text,
    }
    assert {name for name, present in shown.items() if present} == buttons


def test_it_refuses_anonymous_visitors(client, record):
    response = client.get(record_url(record))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_hides_a_record_from_a_documenter_of_another_team(client, record, outsider):
    client.force_login(outsider)
    assert client.get(record_url(record)).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_it_answers_404_for_a_deleted_record(client, record, coordinator):
    from aigak.records.actions import delete_record

    delete_record(coordinator, record, "duplicate")
    client.force_login(coordinator)
    assert client.get(record_url(record)).status_code == 404
