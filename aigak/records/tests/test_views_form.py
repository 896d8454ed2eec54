import pytest
from django.test import Client

from aigak.records.actions import set_status
from aigak.records.models import Record
from aigak.records.tests.sample_forms import (
    make_record,
)

NEW = "/records/victim/new/"


def _edit(record) -> str:
    return f"/records/victim/{record.record_id}/edit/"


def _widgets(block):
    for entry in block.entries:
        yield from entry.widgets
    for item in block.items:
        if item.is_block:
            yield from _widgets(item)
        else:
            yield item


# --- rendering -----------------------------------------------------------------------


def test_it_renders_the_questionnaire_as_a_form(client, victim, documenter):
    client.force_login(documenter)
    response = client.get(NEW)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<fieldset class="group" data-section="victim"' in text
    assert "<legend>The victim</legend>" in text
    assert 'type="radio" name="vital_status" value="alive"' in text
    assert 'type="checkbox" name="social_status" value="journalist"' in text
    assert 'name="birth_date" type="date"' in text
    assert 'name="age_stated" type="number"' in text
    assert "<textarea" in text and 'name="narrative"' in text
    assert "Leave empty to assign one" in text  # hint
    assert "the next free number is assigned when saving" in text
    assert 'class="req"' in text  # required mark
    assert 'data-field="social_status_other" hidden' in text  # *_other, until "other"
    assert 'data-field="location_at_interview" hidden' in text  # relevance
    assert "<template>" in text and "sources_list:__index__:source_name" in text  # repeat
    assert 'name="csrfmiddlewaretoken"' in text
    assert 'data-evaluate-url="/forms/victim/evaluate/"' in text
    assert "webform.js" in text


def test_it_lets_a_documenter_enter_confidential_answers_write_only(client, victim, documenter):
    client.force_login(documenter)
    text = client.get(NEW).content.decode()
    assert 'name="source_contact"' in text
    assert "you may enter this answer but not read it back" in text
    client.post(NEW, {"full_name": "A", "vital_status": "alive", "source_contact": "+7 701"})
    assert Record.objects.get().answers["source_contact"] == "+7 701"


def test_it_shows_confidential_fields_to_a_coordinator(client, victim, coordinator):
    client.force_login(coordinator)
    assert b'name="source_contact"' in client.get(NEW).content


def test_it_renders_labels_in_russian(client, victim, documenter):
    client.force_login(documenter)
    text = client.get(NEW, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Жив или погиб" in text
    assert "Пострадавший" in text


# --- creating ------------------------------------------------------------------------


def test_it_creates_a_record_from_the_post(client, victim, documenter):
    client.force_login(documenter)
    response = client.post(
        NEW,
        {
            "full_name": "Асель Нурланова",
            "vital_status": "alive",
            "location_at_interview": "prison",
            "social_status": ["student", "other"],
            "social_status_other": "поэт",
            "death_date": "2022-01-06",  # not relevant for the living: dropped
            "sources_list:0": "1",
            "sources_list:0:source_name": "KTK",
            "sources_list:0:source_kind": "media",
            "sources_list:1": "1",  # an empty entry is dropped
            "status": "submitted",
        },
    )
    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/records/victim/{record.record_id}/"
    assert record.author == documenter
    assert record.status == "submitted"
    assert record.answers["social_status"] == ["student", "other"]
    assert record.answers["social_status_other"] == "поэт"
    assert "death_date" not in record.answers
    assert record.answers["sources_list"] == [{"source_name": "KTK", "source_kind": "media"}]
    assert record.record_id == "V-000001"


def test_it_saves_a_draft(client, victim, documenter):
    client.force_login(documenter)
    client.post(NEW, {"full_name": "A", "vital_status": "alive", "status": "draft"})
    assert Record.objects.get().status == "draft"


def test_it_shows_problems_next_to_the_fields_and_keeps_the_answers(client, victim, documenter):
    client.force_login(documenter)
    response = client.post(
        NEW,
        {
            "full_name": "Асель",
            "age_stated": "130",
            "sources_list:0": "1",
            "sources_list:0:source_kind": "alien",
        },
    )
    assert response.status_code == 400
    assert not Record.objects.exists()
    widgets = {w.input_name: w for w in _widgets(response.context["form"])}
    assert widgets["sources_list:0:source_kind"].errors == [
        "'alien' is not one of the choices of source_kind"
    ]
    assert widgets["full_name"].value == "Асель"
    text = response.content.decode()
    assert "The record was not saved" in text


def test_it_reports_rule_problems_once_types_are_right(client, victim, documenter):
    client.force_login(documenter)
    response = client.post(NEW, {"full_name": "Асель", "age_stated": "130"})
    widgets = {w.input_name: w for w in _widgets(response.context["form"])}
    assert widgets["age_stated"].errors == ["Age must be between 0 and 120"]
    assert widgets["vital_status"].errors == ["an answer is required"]
    assert widgets["age_stated"].value == "130"


@pytest.mark.parametrize("persona", ["lawyer", "viewer"])
def test_it_refuses_the_form_to_roles_that_do_not_create(client, victim, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"full_name": "A", "vital_status": "alive"}).status_code == 403
    assert not Record.objects.exists()


def test_it_refuses_anonymous_visitors(client, victim):
    response = client.post(NEW, {"full_name": "A", "vital_status": "alive"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Record.objects.exists()


def test_it_refuses_a_post_without_csrf_token(victim, documenter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(documenter)
    response = client.post(NEW, {"full_name": "A", "vital_status": "alive"})
    assert response.status_code == 403
    assert not Record.objects.exists()


# --- editing -------------------------------------------------------------------------


def test_it_edits_a_record_into_a_new_version(client, victim, documenter):
    record = make_record(documenter, victim, social_status=["student"])
    client.force_login(documenter)
    page = client.get(_edit(record))
    assert page.status_code == 200
    assert b'name="_record" value="V-000001"' in page.content
    response = client.post(
        _edit(record),
        {"full_name": "Асель Н.", "vital_status": "deceased", "note": "spelling"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.version == 2
    assert record.answers["full_name"] == "Асель Н."
    assert "social_status" not in record.answers  # every box unticked: cleared
    assert record.versions.get(number=2).note == "spelling"


def test_it_keeps_the_record_id_on_edit(client, victim, documenter):
    record = make_record(documenter, victim)
    client.force_login(documenter)
    client.post(_edit(record), {"record_id": "X-1", "full_name": "B", "vital_status": "alive"})
    record.refresh_from_db()
    assert record.record_id == "V-000001"


def test_it_keeps_confidential_answers_a_documenter_cannot_see(client, victim, documenter):
    record = make_record(documenter, victim, source_contact="secret")
    client.force_login(documenter)
    page = client.get(_edit(record))
    assert b"secret" not in page.content
    assert b"An answer is stored; leave this empty to keep it." in page.content
    client.post(_edit(record), {"full_name": "B", "vital_status": "alive", "source_contact": ""})
    record.refresh_from_db()
    assert record.answers["source_contact"] == "secret"
    assert record.answers["full_name"] == "B"


def test_it_lets_a_documenter_replace_a_confidential_answer(client, victim, documenter):
    record = make_record(documenter, victim, source_contact="secret")
    client.force_login(documenter)
    client.post(_edit(record), {"full_name": "B", "vital_status": "alive", "source_contact": "new"})
    record.refresh_from_db()
    assert record.answers["source_contact"] == "new"


def test_it_shows_a_coordinator_the_stored_confidential_answer(client, victim, coordinator):
    record = make_record(coordinator, victim, source_contact="secret")
    client.force_login(coordinator)
    assert b'name="source_contact" type="text" value="secret"' in client.get(_edit(record)).content


def test_it_lets_a_lawyer_change_only_the_legal_analysis(client, victim, documenter, lawyer):
    record = make_record(documenter, victim, gender="female")
    client.force_login(lawyer)
    page = client.get(_edit(record))
    editable = {w.name for w in _widgets(page.context["form"]) if w.editable}
    assert editable == {"rights_violated", "legal_comment"}
    assert b'name="gender"' not in page.content  # shown as text, not as an input
    client.post(
        _edit(record),
        {"gender": "male", "full_name": "changed", "rights_violated": ["life", "assembly"]},
    )
    record.refresh_from_db()
    assert record.answers["gender"] == "female"
    assert record.answers["full_name"] == "Асель Нурланова"
    assert record.answers["rights_violated"] == ["life", "assembly"]


def test_it_edits_repeat_entries(client, victim, coordinator):
    record = make_record(coordinator, victim, sources_list=[{"source_name": "A"}])
    client.force_login(coordinator)
    client.post(
        _edit(record),
        {
            "full_name": "X",
            "vital_status": "alive",
            "sources_list:0": "1",
            "sources_list:0:source_name": "B",
            "sources_list:5": "1",
            "sources_list:5:source_name": "C",
        },
    )
    record.refresh_from_db()
    assert record.answers["sources_list"] == [{"source_name": "B"}, {"source_name": "C"}]


def test_it_refuses_a_documenter_the_record_of_a_teammate(client, victim, documenter, teammate):
    record = make_record(teammate, victim)
    client.force_login(documenter)
    assert client.get(_edit(record)).status_code == 403
    assert (
        client.post(_edit(record), {"full_name": "B", "vital_status": "alive"}).status_code == 403
    )
    record.refresh_from_db()
    assert record.version == 1


def test_it_refuses_a_documenter_their_own_verified_record(client, victim, documenter, coordinator):
    record = make_record(documenter, victim)
    set_status(coordinator, record, "verified")
    client.force_login(documenter)
    assert client.get(_edit(record)).status_code == 403


def test_it_hides_the_form_from_a_documenter_of_another_team(client, victim, teammate, outsider):
    record = make_record(teammate, victim)
    client.force_login(outsider)
    assert client.get(_edit(record)).status_code == 404
    assert client.post(_edit(record), {"full_name": "B"}).status_code == 404


def test_it_refuses_a_viewer(client, victim, documenter, viewer):
    record = make_record(documenter, victim)
    client.force_login(viewer)
    assert client.get(_edit(record)).status_code == 403
