"""Evidence is attached to a record by the id its page shows ("V-000579"), picked from a
search of the records the user may attach evidence to."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.evidence.actions import attach_small_file
from aigak.evidence.models import Evidence, EvidenceRecord
from aigak.questionnaires.models import Questionnaire
from aigak.records.actions import create_record

PICKER = "/evidence/records.json"
# persona -> what the picker answers for a name of the documenter's team's record
# fmt: off
MATRIX = {
    "admin_user": "found",
    "coordinator": "found",
    "lawyer": "found",
    "documenter": "found",
    "outsider": "empty",   # a documenter of another team: the record is not theirs
    "viewer": "403",
    "anonymous": "login",
}
# fmt: on


def _notes(user) -> Evidence:
    return attach_small_file(user, SimpleUploadedFile("notes.txt", b"notes\n"), name="notes.txt")


@pytest.fixture
def named_record(questionnaires, documenter):
    victim = Questionnaire.objects.get(name="victim")
    raw = {"full_name": "Ермеков Нұрлан", "source_name": "Хасенов Ерлан", "vital_status": "alive"}
    return create_record(documenter, victim, raw, status="draft")


def test_link_by_the_visible_record_id(client, documenter, named_record, evidence_root):
    video = _notes(documenter)
    client.force_login(documenter)
    for ref in [named_record.record_id, named_record.record_id.lower(), "victim/V-000001"]:
        response = client.post(f"/evidence/{video.pk}/link", {"record_id": ref})
        assert response.status_code == 302
        assert EvidenceRecord.objects.filter(evidence=video, record=named_record).exists(), ref
        EvidenceRecord.objects.filter(evidence=video).delete()


def test_an_unknown_or_foreign_id_is_refused_with_a_plain_message(
    client, outsider, named_record, evidence_root
):
    notes = _notes(outsider)
    client.force_login(outsider)
    for ref in [named_record.record_id, "V-999999", "event/V-000001"]:
        response = client.post(f"/evidence/{notes.pk}/link", {"record_id": ref}, follow=True)
        assert response.status_code == 200
        assert f"There is no record {ref} that you may attach evidence to" in (
            response.content.decode()
        )
    assert not EvidenceRecord.objects.filter(evidence=notes).exists()


def test_the_upload_form_takes_the_visible_id(client, documenter, named_record, png_image):
    client.force_login(documenter)
    page = client.get("/evidence/upload/", {"record": "victim/V-000001"}).content.decode()
    assert 'data-record-picker="/evidence/records.json"' in page
    response = client.post(
        "/evidence/upload/",
        {"file": SimpleUploadedFile("scan.png", png_image), "record_id": "V-000001"},
    )
    assert response.status_code == 302
    assert list(Evidence.objects.get().records.all()) == [named_record]


def test_the_record_page_sends_to_the_upload_with_the_visible_id(client, documenter, named_record):
    client.force_login(documenter)
    body = client.get(f"/records/victim/{named_record.record_id}/").content.decode()
    assert "/evidence/upload/?record=victim/V-000001" in body


@pytest.mark.parametrize("persona", list(MATRIX))
def test_the_picker_lists_only_records_the_user_may_attach_to(
    client, request, named_record, persona
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(PICKER, {"q": "Ermekov"})  # a Latin spelling of a Cyrillic name
    expected = MATRIX[persona]
    if expected == "login":
        assert response.status_code == 302
        return
    if expected == "403":
        assert response.status_code == 403
        return
    records = response.json()["records"]
    if expected == "empty":
        assert records == []
        return
    assert records == [
        {
            "pk": named_record.pk,
            "record_id": "V-000001",
            "questionnaire": "victim",
            "title": named_record.questionnaire.title,
            "name": "Ермеков Нұрлан",
            "date": named_record.created_at.date().isoformat(),
        }
    ]


def test_the_picker_keeps_confidential_answers_to_those_who_may_see_them(
    client, documenter, lawyer, named_record
):
    client.force_login(documenter)
    assert client.get(PICKER, {"q": "Khasenov"}).json()["records"] == []
    assert client.get(PICKER, {"q": "V-000001"}).json()["records"][0]["record_id"] == "V-000001"
    assert client.get(PICKER, {"q": ""}).json()["records"] == []
    client.force_login(lawyer)
    assert [r["record_id"] for r in client.get(PICKER, {"q": "Khasenov"}).json()["records"]] == [
        "V-000001"
    ]
