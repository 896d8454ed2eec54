"""The forms page: upload -> problems or preview -> confirm, versions, downloads, roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.accounts.models import AuditEvent
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.tests.xlsform_factory import xlsform
from aigak.records.actions import create_record

pytestmark = pytest.mark.django_db

SURVEY = [
    ["text", "record_id", "Record id", "Номер"],
    ["select_one yn", "answer", "Answer", "Ответ"],
    ["integer", "age", "Age", "Возраст"],
]
CHOICES = [["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]]


def upload(client, data: bytes, name: str = ""):
    file = SimpleUploadedFile("field.xlsx", data)
    return client.post("/forms/", {"xlsform": file, "name": name})


def test_it_lists_problems_with_sheet_row_and_column_and_installs_nothing(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, xlsform([["text", "q", "Q"], ["text", "q", "Q"]]))
    assert response.status_code == 400
    assert "survey sheet, row 3, column &#x27;name&#x27;" in response.content.decode()
    assert not Questionnaire.objects.filter(name="mini").exists()


def test_it_previews_then_installs_on_confirmation(client, coordinator):
    client.force_login(coordinator)
    data = xlsform(SURVEY, CHOICES, settings={"form_id": "field_form"})
    response = upload(client, data)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'name="answer"' in page and "Age" in page
    assert not Questionnaire.objects.filter(name="field_form").exists()
    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302 and confirmed["Location"] == "/forms/field_form/"
    installed = Questionnaire.objects.get(name="field_form")
    assert installed.current.loaded_by == coordinator
    assert AuditEvent.objects.filter(actor=coordinator, action="create").exists()
    detail = client.get("/forms/field_form/").content.decode()
    assert f"/forms/field_form/versions/{installed.current_id}/xform" in detail
    xform = client.get(f"/forms/field_form/versions/{installed.current_id}/xform")
    assert xform.status_code == 200 and b"<h:html" in xform.content
    xlsx = client.get(f"/forms/field_form/versions/{installed.current_id}/xlsx")
    assert xlsx.content == data


def test_it_shows_the_diff_and_asks_before_orphaning_answers(client, admin_user):
    client.force_login(admin_user)
    first = xlsform(SURVEY, CHOICES, settings={"form_id": "field_form", "version": "1"})
    client.post(upload(client, first)["Location"])
    questionnaire = Questionnaire.objects.get(name="field_form")
    create_record(admin_user, questionnaire, {"age": "41"})
    second = xlsform(SURVEY[:2], CHOICES, settings={"form_id": "field_form", "version": "2"})
    location = upload(client, second)["Location"]
    assert "- field age" in client.get(location).content.decode()
    refused = client.post(location)
    assert refused.status_code == 409
    assert Questionnaire.objects.get(name="field_form").current.version == "1"
    assert client.post(location, {"force": "1"}).status_code == 302
    assert Questionnaire.objects.get(name="field_form").current.version == "2"
    versions = client.get("/forms/field_form/").content.decode()
    assert "- field age" in versions


@pytest.mark.parametrize("persona", ["lawyer", "documenter", "viewer", "outsider"])
@pytest.mark.parametrize("url", ["/forms/", "/forms/victim/"])
def test_it_refuses_everyone_but_admins_and_coordinators(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


def test_it_refuses_an_outsider_upload_and_download(client, outsider, questionnaires):
    client.force_login(outsider)
    response = upload(client, xlsform(SURVEY, CHOICES, settings={"form_id": "sneaky"}))
    assert response.status_code == 403
    assert not Questionnaire.objects.filter(name="sneaky").exists()
    pk = Questionnaire.objects.get(name="victim").current_id
    assert client.get(f"/forms/victim/versions/{pk}/xlsx").status_code == 403


def test_it_sends_anonymous_users_to_log_in(client):
    assert client.get("/forms/")["Location"].startswith("/accounts/login/")
