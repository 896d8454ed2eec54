"""The pages work with the questionnaires Aigak ships, not only with the test form."""

import pytest

from aigak.questionnaires.registry import FORMS_DIR, SHIPPED, get_questionnaire
from aigak.records.actions import create_record
from aigak.records.tests.sample_forms import fast_passwords  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(
    not all((FORMS_DIR / f"{name}.xlsx").exists() for name in SHIPPED),
    reason="the shipped XLSForms are not built yet",
)


def test_it_renders_every_shipped_form_with_an_input_per_field(client, questionnaires, coordinator):
    client.force_login(coordinator)
    for name in SHIPPED:
        definition = get_questionnaire(name).definition
        response = client.get(f"/records/{name}/new/")
        assert response.status_code == 200, name
        text = response.content.decode()
        for f in definition.answer_fields():
            if f.type in ("calculate", "image", "audio", "video", "file") or f.read_only:
                continue
            assert f'name="{f.name}"' in text, (name, f.name)


def test_it_shows_a_victim_record_in_russian(client, questionnaires, coordinator):
    victim = get_questionnaire("victim")
    record = create_record(
        coordinator,
        victim,
        {"full_name": "Ержан", "vital_status": "alive", "location_at_interview": "prison"},
    )
    client.force_login(coordinator)
    response = client.get(f"/records/victim/{record.record_id}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    rows = {row.name: row.value for s in response.context["sections"] for row in s.rows}
    assert rows["full_name"] == "Ержан"
    assert rows["vital_status"] != "alive"  # a label, not the choice name
    listed = client.get("/records/victim/", {"f_location_at_interview": "prison", "q": "ержан"})
    assert [r.record.record_id for r in listed.context["rows"]] == [record.record_id]
