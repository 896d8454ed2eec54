"""A repeat_count on a repeat inside a repeat drives the web form per outer entry: the
evaluate endpoint gives a count per outer entry, read in that entry (the outer entry's
answer, or pyxform's `<repeat>_count` calculation computed in it), and in Chromium each
outer entry gets that many inner entries."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.accounts.models import Role, User
from aigak.questionnaires.registry import install_form
from aigak.records.models import Record

PASSWORD = "a long enough password"
FORM = """
| survey |
| | type | name | label | repeat_count |
| | begin repeat | people | People | |
| | text | who | Who | |
| | integer | n | Phones | |
| | begin repeat | phones | Phones | ${n} |
| | text | phone | Phone | |
| | end repeat | | | |
| | begin repeat | notes | Notes | ${n} + 1 |
| | text | note | Note | |
| | end repeat | | | |
| | end repeat | | | |
| settings |
| | form_id |
| | counted |
"""


def _install(user):
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    return install_form(user, out.getvalue(), "counted").version.questionnaire


@pytest.mark.django_db
def test_the_evaluate_endpoint_counts_inner_entries_per_outer_entry(client, coordinator):
    _install(coordinator)
    client.force_login(coordinator)
    posted = {"people:0": "1", "people:0:n": "2", "people:3": "1", "people:3:n": "",
              "people:5": "1", "people:5:n": "1"}  # fmt: skip
    state = client.post("/forms/counted/evaluate/", posted).json()
    assert state["repeat_counts"] == {"phones": [2, 0, 1], "notes": [3, 0, 2]}


@pytest.mark.browser
def test_each_outer_entry_gets_its_own_number_of_inner_entries(
    live_server, transactional_db, browser_page
):
    from playwright.sync_api import expect

    user = User.objects.create_user(username="dana", password=PASSWORD, role=Role.COORDINATOR)
    _install(user)
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(live_server.url + "/records/counted/new/")
    expect(page.locator("form[data-ready]")).to_be_visible()
    people = page.locator('fieldset[data-repeat="people"] > .entries > [data-entry]')
    add = page.locator('fieldset[data-repeat="people"] > button.add-entry')
    add.click()
    add.click()
    expect(people).to_have_count(2)

    def phones_of(person):
        return person.locator('fieldset[data-repeat="phones"] > .entries > [data-entry]')

    people.nth(0).locator('input[name$=":n"]').fill("2")
    people.nth(1).locator('input[name$=":n"]').fill("1")
    expect(phones_of(people.nth(0))).to_have_count(2)
    expect(phones_of(people.nth(1))).to_have_count(1)
    notes = people.nth(0).locator('fieldset[data-repeat="notes"] > .entries > [data-entry]')
    expect(notes).to_have_count(3)
    for at, number in enumerate(["+7 701", "+7 702"]):
        phones_of(people.nth(0)).nth(at).locator('input[name$=":phone"]').fill(number)
    phones_of(people.nth(1)).nth(0).locator('input[name$=":phone"]').fill("+7 777")
    people.nth(0).locator('input[name$=":who"]').fill("Aru")
    people.nth(1).locator('input[name$=":who"]').fill("Dias")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("saved")
    answers = Record.objects.get(questionnaire__name="counted").answers
    assert answers["phones"] == [
        {"phone": "+7 701", "_parent": 1},
        {"phone": "+7 702", "_parent": 1},
        {"phone": "+7 777", "_parent": 2},
    ]
