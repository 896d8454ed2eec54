import pytest
from django.test import Client

from aigak.records.tests.sample_forms import (
    make_record,
)

URL = "/forms/victim/evaluate/"


def test_it_answers_relevance_calculations_and_problems(client, victim, documenter):
    client.force_login(documenter)
    response = client.post(
        URL, {"vital_status": "alive", "birth_date": "2000-01-06", "age_stated": "130"}
    )
    assert response.status_code == 200
    state = response.json()
    assert "location_at_interview" in state["relevant"]
    assert "death_date" not in state["relevant"]
    assert state["calculated"] == {"age_years": "21"}
    assert state["problems"] == {
        "full_name": ["an answer is required"],
        "age_stated": ["Age must be between 0 and 120"],
    }


def test_it_follows_a_change_of_answer(client, victim, documenter):
    client.force_login(documenter)
    state = client.post(URL, {"vital_status": "deceased"}).json()
    assert "death_date" in state["relevant"]
    assert "location_at_interview" not in state["relevant"]


def test_it_shows_other_text_when_other_is_ticked(client, victim, documenter):
    client.force_login(documenter)
    assert "social_status_other" not in client.post(URL, {}).json()["relevant"]
    state = client.post(URL, {"social_status": ["student", "other"]}).json()
    assert "social_status_other" in state["relevant"]


def test_it_names_problems_of_repeat_entries_by_input(client, victim, documenter):
    client.force_login(documenter)
    state = client.post(URL, {"sources_list:4": "1", "sources_list:4:source_kind": "alien"}).json()
    assert state["problems"] == {
        "sources_list:0:source_kind": ["'alien' is not one of the choices of source_kind"]
    }


def test_it_never_sends_back_stored_confidential_answers(client, victim, documenter):
    record = make_record(documenter, victim, source_contact="SECRET-7701")
    client.force_login(documenter)
    response = client.post(URL, {"_record": record.record_id, "vital_status": "alive"})
    assert "source_contact" in response.json()["relevant"]  # the write-only input
    assert b"SECRET-7701" not in response.content


def test_it_uses_stored_answers_for_what_a_lawyer_cannot_edit(client, victim, documenter, lawyer):
    record = make_record(documenter, victim, vital_status="deceased")
    client.force_login(lawyer)
    # The lawyer's form posts no vital_status (it is read-only for them).
    state = client.post(URL, {"_record": record.record_id, "vital_status": "alive"}).json()
    assert "death_date" in state["relevant"]
    assert state["problems"] == {}


@pytest.mark.parametrize("persona", ["viewer", "lawyer"])
def test_it_refuses_roles_that_cannot_create(client, victim, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(URL, {}).status_code == 403


def test_it_refuses_a_record_the_user_may_not_edit(client, victim, teammate, documenter):
    record = make_record(teammate, victim)
    client.force_login(documenter)
    assert client.post(URL, {"_record": record.record_id}).status_code == 403


def test_it_hides_a_record_from_a_documenter_of_another_team(client, victim, teammate, outsider):
    record = make_record(teammate, victim)
    client.force_login(outsider)
    assert client.post(URL, {"_record": record.record_id}).status_code == 404


def test_it_refuses_anonymous_visitors(client, victim):
    response = client.post(URL, {})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_only_answers_posts(client, victim, documenter):
    client.force_login(documenter)
    assert client.get(URL).status_code == 405


def test_it_needs_the_csrf_token(victim, documenter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(documenter)
    assert client.post(URL, {}).status_code == 403
