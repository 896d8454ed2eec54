"""The import page (aigak/site/views_import.py): upload, preview, all or nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aigak.records.models import Record
from aigak.runs import background
from aigak.site.models import RecordImport

GOOD = "record_id,full_name,vital_status\nV-000101,Asel,alive\nV-000102,Bolat,deceased\n"
ONE_BAD = GOOD + "V-000103,Dana,nonsense\n"


@pytest.fixture
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = str(tmp_path / "imports")


def _upload(client, text: str, name: str = "people.csv"):
    data = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post("/import/", {"questionnaire": "victim", "file": data})


def _start(client, page) -> RecordImport:
    html = page.content.decode()
    fields = dict(re.findall(r'name="(token|fmt|questionnaire|file_name)" value="([^"]*)"', html))
    response = client.post("/import/start/", fields)
    assert response.status_code == 302
    run = RecordImport.objects.get()
    assert response["Location"] == f"/import/{run.pk}/"
    background.execute(RecordImport, run.pk)  # what the thread or worker does
    run.refresh_from_db()
    return run


def test_it_previews_then_imports_every_row(client, victim, coordinator, staging):
    client.force_login(coordinator)
    page = _upload(client, GOOD)
    assert page.status_code == 200
    assert page.context["preview"].columns == ["record_id", "full_name", "vital_status"]
    assert [n for n, _ in page.context["preview"].rows] == [2, 3]
    assert not Record.objects.exists()  # a preview writes nothing
    run = _start(client, page)
    assert run.status == "done" and run.created == 2 and run.total == 2
    assert Record.objects.count() == 2
    shown = client.get(f"/import/{run.pk}/")
    assert "2 new records" in shown.content.decode()
    assert client.get(f"/import/{run.pk}/", {"format": "json"}).json()["percent"] == 100


def test_one_bad_row_imports_nothing_and_names_its_row_and_field(
    client, victim, coordinator, staging
):
    client.force_login(coordinator)
    run = _start(client, _upload(client, ONE_BAD))
    assert run.status == "failed" and run.problem_count == 1
    assert run.problems[0]["row"] == 4 and run.problems[0]["field"] == "vital_status"
    assert not Record.objects.exists()
    page = client.get(f"/import/{run.pk}/").content.decode()
    assert "Nothing was imported." in page and "nonsense" in page
    assert "'nonsense' is not one of the choices of vital_status" in page.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("language", "said"),
    [("ru", "'nonsense' нет среди вариантов списка vital_status"),
     ("kk", "'nonsense' — vital_status тізімінің нұсқаларының бірі емес")],
)  # fmt: skip
def test_a_refused_import_names_its_problems_in_the_readers_language(
    client, victim, coordinator, staging, language, said
):
    """The problems are stored once, checked in the background, and shown in the language
    of whoever opens the page, not of the run."""
    client.force_login(coordinator)
    run = _start(client, _upload(client, ONE_BAD))
    assert run.problems[0]["message"] == "'nonsense' is not one of the choices of vital_status"
    client.cookies["django_language"] = language
    page = client.get(f"/import/{run.pk}/").content.decode()
    assert said in page.replace("&#x27;", "'")
    assert "is not one of the choices" not in page


def test_an_unreadable_file_says_why_in_the_preview(client, victim, coordinator, staging):
    client.force_login(coordinator)
    page = _upload(client, "record_id,no_such_column\nV-1,x\n")
    assert page.context["preview"].error
    assert "cannot be read" in page.content.decode()
    assert _upload(client, "x", name="notes.pdf").status_code == 400


@pytest.mark.parametrize("role", ["lawyer", "documenter", "viewer"])
def test_only_admins_and_coordinators_import(client, victim, request, role, staging):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/import/").status_code == 403
    assert _upload(client, GOOD).status_code == 403
    assert client.post("/import/start/", {"token": "x", "fmt": "csv"}).status_code == 403
    assert client.get("/import/1/").status_code == 403


def test_a_made_up_token_is_no_upload(client, victim, coordinator, staging):
    client.force_login(coordinator)
    post = {"token": "../../etc/passwd", "fmt": "csv", "questionnaire": "victim"}
    assert client.post("/import/start/", post).status_code == 404


def test_stored_problems_are_said_in_the_readers_language():
    """Ours from their template; a questionnaire's own message in the reader's language
    when the questionnaire has it, else as stored; an old row with a message only as it is."""
    from django.utils import translation

    run = RecordImport(problems=[
        {"row": 2, "field": "age", "value": "x", "message": "expected a whole number",
         "template": "expected a whole number", "params": {}},
        {"row": 3, "field": "age", "value": "130", "message": "Age 0-120",
         "texts": {"en": "Age 0-120", "ru": "Возраст от 0 до 120"}},
        {"row": 4, "field": "age", "value": "130", "message": "Age 0-120",
         "texts": {"en": "Age 0-120"}},
        {"row": 5, "field": "age", "value": "x", "message": "stored before"},
    ])  # fmt: skip
    with translation.override("ru"):
        said = [p["message"] for p in run.problems_in_words]
    assert said == ["ожидается целое число", "Возраст от 0 до 120", "Age 0-120", "stored before"]
    with translation.override("en"):
        said = [p["message"] for p in run.problems_in_words]
    assert said == ["expected a whole number", "Age 0-120", "Age 0-120", "stored before"]
