"""A coordinator installs a third-party-style XLSForm from the forms page in a real
Chromium, sees the preview, confirms it, then fills the web form: a cascading select
offers only the cities of the chosen country, a label names the answer it refers to,
the repeat count makes as many entries as asked, a default `today()` is a date, and the
calculations and metadata questions are stored by the server."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from aigak.accounts.models import Role, User
from aigak.records.models import Record

PASSWORD = "a long enough password"


def household_form(path):
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "choice_filter", "repeat_count", "calculation",
                   "default"])  # fmt: skip
    for row in [
        ["start", "start"],
        ["username", "username"],
        ["select one country", "country", "Country"],
        ["select one city", "city", "City in ${country}", "country=${country}"],
        ["integer", "n", "Number of children"],
        ["begin repeat", "kids", "Children", "", "${n}"],
        ["text", "kid_name", "Name of the child"],
        ["end repeat"],
        ["calculate", "doubled", "Twice the first", "", "", "${tenfold} + 1"],
        ["calculate", "tenfold", "Ten times", "", "", "${n} * 10"],
        ["date", "visit", "Date of the visit", "", "", "", "today()"],
    ]:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list name", "name", "label", "country"])
    choices.append(["country", "kz", "Kazakhstan"])
    choices.append(["country", "kg", "Kyrgyzstan"])
    choices.append(["city", "almaty", "Almaty", "kz"])
    choices.append(["city", "astana", "Astana", "kz"])
    choices.append(["city", "bishkek", "Bishkek", "kg"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version"])
    settings.append(["household", "Household", "1"])
    book.save(path)


@pytest.mark.browser
def test_a_coordinator_installs_a_form_and_fills_it_with_odk_semantics(
    live_server, transactional_db, browser_page, tmp_path
):
    from playwright.sync_api import expect

    User.objects.create_user(username="dana", password=PASSWORD, role=Role.COORDINATOR)
    path = tmp_path / "household.xlsx"
    household_form(path)
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.get_by_role("link", name="Forms").click()
    page.set_input_files("#f-xlsform", str(path))
    page.get_by_role("button", name="Check and preview").click()
    expect(page).to_have_url(re.compile(r"/forms/preview/"))
    expect(page.locator("fieldset.preview")).to_contain_text("Number of children")
    page.get_by_role("button", name="Install this form").click()
    expect(page).to_have_url(re.compile(r"/forms/household/$"))
    expect(page.get_by_role("link", name="XForm")).to_be_visible()

    page.goto(live_server.url + "/records/household/new/")
    form = page.locator("form[data-ready]")
    expect(form).to_be_visible()
    visit = page.locator("input[name=visit]")
    expect(visit).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    page.get_by_label("Kazakhstan").check()
    city = page.locator('[data-field="city"]')
    expect(city.get_by_label("Bishkek")).to_be_hidden()
    expect(city.get_by_label("Almaty")).to_be_visible()
    expect(city).to_contain_text("City in Kazakhstan")
    city.get_by_label("Astana").check()
    page.fill("input[name=n]", "2")
    page.locator("input[name=n]").blur()
    entries = page.locator('[data-repeat="kids"] .entries > [data-entry]')
    expect(entries).to_have_count(2)
    entries.nth(0).locator("input[type=text]").fill("Aru")
    entries.nth(1).locator("input[type=text]").fill("Timur")
    expect(page.locator('[data-calculated="doubled"]')).to_have_text("21")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("saved")

    page.goto(live_server.url + "/reports/")
    page.get_by_role("link", name="Household").click()
    expect(page).to_have_url(re.compile(r"/reports/summary/household/$"))
    country = page.locator("section#count_country")
    expect(country).to_contain_text("Kazakhstan")
    expect(country.locator("tbody tr").first).to_contain_text("1")
    page.locator("select[name=question]").select_option("n")
    page.locator("select[name=by]").select_option("country")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("section#cross")).to_contain_text("Kazakhstan")
    expect(page.locator("section#numbers")).to_contain_text("Number of children")

    record = Record.objects.get(questionnaire__name="household")
    answers = record.answers
    assert answers["country"] == "kz" and answers["city"] == "astana"
    assert [k["kid_name"] for k in answers["kids"]] == ["Aru", "Timur"]
    assert answers["tenfold"] == 20 and answers["doubled"] == 21
    assert answers["username"] == "dana"
    assert dt.datetime.fromisoformat(answers["start"]) <= dt.datetime.now(dt.UTC)
    assert re.match(r"\d{4}-\d{2}-\d{2}$", answers["visit"])
