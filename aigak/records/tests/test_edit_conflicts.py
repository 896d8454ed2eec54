"""Two people edit one record: changes to different fields merge, the same field asks.

Each edit posts the version its form was opened at (_base_version), as the page does.
"""

import pytest
from django.test import Client

from aigak.records import actions
from aigak.records.models import Record
from aigak.records.tests.sample_forms import (  # noqa: F401 - fast_passwords is a fixture
    fast_passwords,
    install_sample_victim_form,
    make_record,
)


@pytest.fixture
def victim(db):
    return install_sample_victim_form()


@pytest.fixture
def owner(documenter):
    return documenter


@pytest.fixture
def record(owner, victim):
    return make_record(owner, victim, full_name="Асель", narrative="Detained on 5 January.")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _save(client, record, base, **changes):
    """Post the whole form as it was at version base, with the changes typed in."""
    form = dict(record.versions.get(number=base).answers)
    form.pop("age_years", None)
    form.update(changes)
    form["_base_version"] = str(base)
    return client.post(f"/records/victim/{record.record_id}/edit/", form)


def test_it_puts_the_version_the_form_started_from_in_the_form(owner, record):
    page = _as(owner).get(f"/records/victim/{record.record_id}/edit/")
    assert b'name="_base_version" value="1"' in page.content


def test_it_merges_changes_to_different_fields(owner, coordinator, record):
    assert _save(_as(coordinator), record, 1, age_stated="30").status_code == 302
    assert _save(_as(owner), record, 1, full_name="Асель Н.").status_code == 302
    record.refresh_from_db()
    assert (record.version, record.answers["full_name"], record.answers["age_stated"]) == (
        3,
        "Асель Н.",
        30,
    )
    note = record.versions.get(number=3).note
    assert "merged with version 2 (started from 1): full_name" in note


def test_it_shows_both_values_when_both_change_one_field_and_saves_nothing(
    owner, coordinator, record
):
    _save(_as(coordinator), record, 1, narrative="Detained on 6 January.")
    page = _save(_as(owner), record, 1, narrative="Detained at night.", age_stated="41")
    assert page.status_code == 409
    text = page.content.decode()
    assert "Detained on 6 January." in text and "Detained at night." in text
    assert 'name="_choose_narrative" value="theirs"' in text
    assert 'name="_seen_version" value="2"' in text
    record.refresh_from_db()
    assert (record.version, record.answers["narrative"]) == (2, "Detained on 6 January.")
    assert "age_stated" not in record.answers


@pytest.mark.parametrize(
    ("choice", "kept"), [("mine", "Detained at night."), ("theirs", "Detained on 6 January.")]
)
def test_it_keeps_the_value_the_editor_chooses(owner, coordinator, record, choice, kept):
    _save(_as(coordinator), record, 1, narrative="Detained on 6 January.")
    editor = _as(owner)
    again = _save(
        editor,
        record,
        1,
        narrative="Detained at night.",
        age_stated="41",
        _seen_version="2",
        _choose_narrative=choice,
    )
    assert again.status_code == 302
    record.refresh_from_db()
    assert (record.version, record.answers["narrative"], record.answers["age_stated"]) == (
        3,
        kept,
        41,
    )


def test_a_choice_made_before_yet_another_save_asks_again(owner, coordinator, record):
    _save(_as(coordinator), record, 1, narrative="Second.")
    _save(_as(coordinator), record, 2, narrative="Third.")
    again = _save(
        _as(owner), record, 1, narrative="Mine.", _seen_version="2", _choose_narrative="mine"
    )
    assert again.status_code == 409
    record.refresh_from_db()
    assert record.answers["narrative"] == "Third."


def test_the_action_reports_a_conflict_the_api_can_answer_409_with(owner, coordinator, record):
    actions.update_record(coordinator, record, {"full_name": "Theirs"}, base_version=1)
    with pytest.raises(actions.EditConflict) as raised:
        actions.update_record(owner, record, {"full_name": "Mine"}, base_version=1)
    assert raised.value.as_dict() == {
        "record_id": record.record_id,
        "base_version": 1,
        "current_version": 2,
        "conflicts": [{"field": "full_name", "base": "Асель", "theirs": "Theirs", "mine": "Mine"}],
    }
    assert Record.objects.get(pk=record.pk).version == 2


def test_it_never_shows_a_confidential_value_in_a_conflict(owner, coordinator, victim):
    record = make_record(owner, victim, source_contact="secret-1")
    actions.update_record(coordinator, record, {"source_contact": "secret-2"}, base_version=1)
    page = _save(_as(owner), record, 1, source_contact="mine-3")
    assert page.status_code == 409
    assert b"secret-2" not in page.content and b"secret-1" not in page.content
