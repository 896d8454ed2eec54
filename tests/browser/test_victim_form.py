"""A documenter fills in a Victims questionnaire in a real browser.

Log in, open a new Victims form, see a field appear when an answer makes it relevant
(the rule is evaluated by the server), save, find the record through search, edit it
and find the second version in its history.
"""

from __future__ import annotations

import re

import pytest

from aigak.accounts.models import Role, Team, User
from aigak.questionnaires.registry import FORMS_DIR, ensure_shipped
from aigak.records.models import Record

PASSWORD = "a long enough password"
PHONE = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/aigak-victim-form-390.png"
SCREENSHOT_TOP = "/tmp/aigak-victim-form-390-top.png"
SCREENSHOT_LIST = "/tmp/aigak-victim-list-390.png"


@pytest.fixture
def victim_form(transactional_db):
    """The shipped Victims questionnaire, or the small test form until it exists."""
    if (FORMS_DIR / "victim.xlsx").exists():
        ensure_shipped()
    else:
        from aigak.records.tests.sample_forms import install_sample_victim_form

        install_sample_victim_form()


@pytest.fixture
def documenter(transactional_db):
    team = Team.objects.create(name="Almaty documenters")
    return User.objects.create_user(
        username="aigerim", password=PASSWORD, role=Role.DOCUMENTER, team=team
    )


def _choose(page, name: str, value: str) -> None:
    """Answer a select_one whether the form shows it as a list or as radio buttons."""
    if page.locator(f'select[name="{name}"]').count():
        page.select_option(f'select[name="{name}"]', value)
    else:
        page.check(f'input[name="{name}"][value="{value}"]')


@pytest.mark.browser
def test_it_fills_saves_finds_and_edits_a_victim_record(
    live_server, victim_form, documenter, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", "aigerim")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))  # the dashboard
    page.locator("header.top nav").get_by_role("link", name="Records", exact=True).click()
    expect(page).to_have_url(re.compile(r"/records/victim/$"))

    page.get_by_role("link", name="New record").click()
    expect(page.locator("form[data-ready]")).to_have_count(1)  # the script is running
    location = page.locator('[data-field="location_at_interview"]')
    death_date = page.locator('[data-field="death_date"]')
    expect(location).to_be_hidden()
    page.fill('input[name="full_name"]', "Кудайбергенов Ержан")
    page.check('input[name="vital_status"][value="alive"]')
    expect(location).to_be_visible()
    expect(death_date).to_be_hidden()
    _choose(page, "location_at_interview", "prison")

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOT_TOP)
    location.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT)
    page.set_viewport_size({"width": 1200, "height": 900})

    page.click('button[name="status"][value="submitted"]')
    expect(page).to_have_url(re.compile(r"/records/victim/[^/]+/$"))
    record_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("h1")).to_contain_text(record_id)
    expect(page.locator('[data-answer="location_at_interview"]')).to_be_visible()

    page.goto(live_server.url + "/records/victim/")
    page.fill('input[name="q"]', "кудайберг")
    page.click("form.search .searchline button")
    expect(page.locator("table.records tbody tr")).to_have_count(1)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOT_LIST)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("link", name=record_id, exact=True).click()

    page.get_by_role("link", name="Edit", exact=True).click()
    page.fill('input[name="full_name"]', "Кудайбергенов Ержан Маратович")
    page.fill('input[name="note"]', "patronymic from the mother")
    page.click('button[name="status"][value="submitted"]')
    expect(page).to_have_url(re.compile(rf"/records/victim/{record_id}/$"))

    page.get_by_role("link", name="History", exact=True).click()
    newest = page.locator('[data-version="2"]')
    expect(newest).to_contain_text("patronymic from the mother")
    expect(newest.locator('[data-diff="full_name"]')).to_contain_text("Маратович")
    expect(page.locator('[data-version="1"]')).to_be_visible()

    record = Record.objects.get(record_id=record_id)
    assert record.version == 2
    assert record.author == documenter
    assert record.answers["location_at_interview"] == "prison"
