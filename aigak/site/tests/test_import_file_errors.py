"""A file import refuses as a whole (`TableError`): the import page says why in its
reader's language, with the file, row and column; the command says it in English as it
always did."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from aigak.questionnaires.xlsform import load_xlsform
from aigak.records import tabular
from aigak.records.tests.sample_forms import sample_victim_xlsform
from aigak.site.models import RecordImport
from aigak.site.tests.bad_files import CASES, HEADER, english
from aigak.site.tests.test_import_page import _start
from aigak.site.tests.test_translations import ALLOWED, english_words

# Latin words of the test files: a value, a sheet's name, a JSON key; and the values a
# choice's own column may hold
TEST_WORDS = ALLOWED | {"a", "maybe", "data", "results", "true", "false"}
IDS = [case[0] for case in CASES]


@pytest.fixture
def staging(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = str(tmp_path / "imports")


def _preview_error(client, name: str, data: bytes, language: str) -> str:
    client.cookies["django_language"] = language
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    page = client.post("/import/", {"questionnaire": "victim", "file": upload})
    assert page.status_code == 200
    error = page.context["preview"].error
    assert html.escape(error) in page.content.decode()
    return error


def _where(message: str) -> list[str]:
    """The row and column values an English message names."""
    rows = re.findall(r"\brow (\d+)", message)
    return rows + re.findall(r"\bcolumn ('[^']*')", message)


@pytest.mark.parametrize(("kind", "name", "data", "said"), CASES, ids=IDS)
def test_the_preview_says_why_in_russian(
    client, victim, coordinator, staging, kind, name, data, said
):
    client.force_login(coordinator)
    error = _preview_error(client, name, data, "ru")
    assert error.startswith(name)  # the uploaded file's name, not where it was kept
    for value in _where(said):
        assert value in error
    assert not english_words(error, TEST_WORDS), error
    if "(sheet " in said:
        assert "(лист 'data')" in error


@pytest.mark.parametrize(
    "kind", ["row cut short", "merged cells", "not JSON", "JSON unknown key", "empty file"]
)
def test_the_preview_says_why_in_kazakh(client, victim, coordinator, staging, kind):
    _, name, data, said = CASES[IDS.index(kind)]
    client.force_login(coordinator)
    error = _preview_error(client, name, data, "kk")
    for value in _where(said):
        assert value in error
    assert not english_words(error, TEST_WORDS), error


@pytest.mark.parametrize(("kind", "name", "data", "said"), CASES, ids=IDS)
def test_the_command_says_it_in_english_as_before(tmp_path, kind, name, data, said):
    """`aigak import` prints the error's text (import_records: `str(exc)`)."""
    definition = load_xlsform(sample_victim_xlsform())
    path = tmp_path / name
    path.write_bytes(data)
    with translation.override("en"), pytest.raises(tabular.TableError) as caught:
        list(tabular.read_rows(path, definition))
    if said:
        assert str(caught.value) == english(str(path), said)
    else:  # the encoding: the candidates are charset-normalizer's
        assert str(caught.value).startswith(f"{path}: not UTF-8 text (invalid continuation")
        assert str(caught.value).endswith("); save it as CSV UTF-8")
    assert caught.value.in_words(english=True) == str(caught.value)


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_the_english_message(tmp_path, capsys):
    from aigak.records.tests.sample_forms import install_sample_victim_form
    from aigak.records.tests.victim_fixture import run_cli

    install_sample_victim_form()
    _, name, data, said = CASES[IDS.index("merged cells")]
    path = tmp_path / name
    path.write_bytes(data)
    with translation.override(None):  # as in its own process: no language chosen
        code, out, err = run_cli(capsys, "import", "victim", str(path))
    assert (code, out) == (1, "")
    assert err.strip() == "aigak import: " + english(str(path), said)


# Ragged past the rows the preview reads: the background run finds it.
LATE = HEADER + "".join(f"V-{n},Ким,alive\r\n" for n in range(1, 15)) + "V-15,Ли\r\n"


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "a.csv: строка 16: в строке 2 ячеек, а в заголовке 3"),
     ("kk", "a.csv: 16-жол: жолда 2 ұяшық, ал тақырыпта 3")],
)  # fmt: skip
def test_a_failed_run_says_why_in_the_readers_language(
    client, victim, coordinator, staging, language, words
):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("a.csv", LATE.encode(), content_type="text/csv")
    page = client.post("/import/", {"questionnaire": "victim", "file": upload})
    assert not page.context["preview"].error
    run = _start(client, page)
    assert run.status == "failed" and run.problem_count == 0
    assert run.failure["template"].startswith("has %(cells)s cells but the header has")
    assert run.failure["row"] == 16 and run.failure["params"] == {"cells": 2, "width": 3}
    assert run.error.endswith(": row 16: has 2 cells but the header has 3: the row is cut short or a separator is missing")  # fmt: skip
    client.cookies["django_language"] = language
    shown = client.get(f"/import/{run.pk}/").content.decode()
    failure = re.search(r"<p data-failure>(.*?)</p>", shown, re.S)
    assert failure is not None and words in html.unescape(failure.group(1))
    assert not english_words(html.unescape(failure.group(1)), TEST_WORDS)
    assert "the header has" not in shown and run.staged not in shown


def test_an_interrupted_run_says_why_in_russian(client, victim, coordinator):
    run = RecordImport.objects.create(
        questionnaire=victim, requested_by=coordinator, file_name="a.csv", staged="x"
    )
    RecordImport.objects.filter(pk=run.pk).update(
        status="interrupted", error=RecordImport.run_stopped
    )
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    shown = client.get(f"/import/{run.pk}/").content.decode()
    assert "Процесс, который его выполнял, остановился" in shown
