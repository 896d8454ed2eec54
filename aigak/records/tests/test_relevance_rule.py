"""One rule for answers to questions that are not relevant, on every path.

An answer is dropped only by the save that makes its question irrelevant (the editor
changed the answer that controls it); the version's note names it and the earlier
version keeps it. An answer already irrelevant when stored (an import keeps them) stays.
"""

import pytest

from aigak.questionnaires.validation import relevant_fields
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


def _irrelevant(record):
    definition = record.questionnaire.definition
    asked = relevant_fields(definition, record.answers)
    return {
        name: value
        for name, value in record.answers.items()
        if name in definition.fields
        and name not in asked
        and definition.fields[name].type != "calculate"
    }


@pytest.mark.slow
def test_a_web_save_of_an_imported_demo_record_drops_nothing(coordinator, questionnaires):
    from aigak.records.demo import load_demo

    load_demo()
    kept = [r for r in Record.objects.filter(questionnaire__name="victim") if _irrelevant(r)]
    assert len(kept) > 100  # the demo's imported answers that the form would not ask
    for record in kept:
        before = _irrelevant(record)
        saved = actions.update_record(
            coordinator,
            record,
            {**record.answers, "documenter_notes": "checked"},
            base_version=record.version,
        )
        assert saved.answers["documenter_notes"] == "checked"
        assert {k: saved.answers.get(k) for k in before} == before, record.record_id


def test_an_imported_irrelevant_answer_survives_an_edit_of_another_field(
    coordinator, documenter, victim
):
    rows = [(2, {"record_id": "V-000100", "full_name": "Асель", "vital_status": "deceased",
                 "location_at_interview": "prison"})]  # fmt: skip
    actions.import_rows(coordinator, victim, rows)
    record = Record.objects.get(record_id="V-000100")
    actions.update_record(coordinator, record, {**record.answers, "full_name": "Асель Н."})
    record.refresh_from_db()
    assert record.answers["location_at_interview"] == "prison"
    assert record.answers["full_name"] == "Асель Н."


def test_changing_the_controlling_answer_drops_the_answer_and_says_so(documenter, victim):
    record = make_record(documenter, victim, location_at_interview="prison")
    assert record.answers["location_at_interview"] == "prison"
    actions.update_record(documenter, record, {**record.answers, "vital_status": "deceased"})
    record.refresh_from_db()
    assert "location_at_interview" not in record.answers
    latest, first = record.versions.get(number=2), record.versions.get(number=1)
    assert "not relevant, left out: location_at_interview" in latest.note
    assert first.answers["location_at_interview"] == "prison"  # still in the history
