"""A documenter fills a form in ODK Web Forms, served by Aigak, in a real Chromium: a
text answer and a photo; the submission becomes their record and the photo its evidence."""

from __future__ import annotations

import hashlib

import pytest

from aigak.accounts.models import Role, User
from aigak.collection.tests.conftest import image_bytes
from aigak.questionnaires.registry import install_questionnaire
from aigak.questionnaires.tests.xlsform_factory import xlsform
from aigak.records.models import Record

PASSWORD = "a long enough password"
SCREENSHOT = "/tmp/aigak-web-form.png"
SURVEY = [
    ["text", "full_name", "Full name", "ФИО", "yes"],
    ["image", "photo", "Photo of the injury", "Фото"],
]


@pytest.fixture
def witness_form(transactional_db):
    install_questionnaire("witness", xlsform(SURVEY, settings={"form_id": "witness"}))


@pytest.fixture
def field_documenter(transactional_db):
    return User.objects.create_user(username="dana", password=PASSWORD, role=Role.DOCUMENTER)


@pytest.mark.browser
def test_a_web_form_with_a_photo_becomes_a_record_with_evidence(
    live_server, witness_form, field_documenter, browser_page, tmp_path
):
    from playwright.sync_api import expect

    page = browser_page
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "404" not in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("header.top .who")).to_contain_text("dana")  # logged in

    page.goto(live_server.url + "/collect/web/witness/")
    form = page.locator("#web-form")
    expect(form.get_by_text("Photo of the injury")).to_be_visible()
    form.get_by_role("button", name="Send").click()  # the required name is missing
    expect(form.get_by_text("1 question with error.")).to_be_visible()
    assert not Record.objects.exists()

    form.locator("input.p-inputtext").fill("Дана Сейткали")
    photo = tmp_path / "injury.jpg"
    photo.write_bytes(image_bytes(7, (320, 240)))
    form.locator("input[type=file]").set_input_files(str(photo))
    expect(form.locator('img[src^="blob:"]')).to_have_count(1)  # the preview
    page.screenshot(path=SCREENSHOT, full_page=True)
    form.get_by_role("button", name="Send").click()
    expect(page.locator("#web-form-status.success")).to_be_visible()

    record = Record.objects.get(questionnaire__name="witness")
    assert record.answers["full_name"] == "Дана Сейткали"
    assert record.author == field_documenter and record.status == "submitted"
    evidence = record.evidence.get()
    assert evidence.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert record.answers["photo"] == evidence.original_name
    assert not problems, problems
    assert not outside, outside
