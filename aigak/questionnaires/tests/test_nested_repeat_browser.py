"""In a real Chromium, each entry of a repeat holds its own entries of the repeat inside
it: toys added under the second child are saved as that child's, and shown there again."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.accounts.models import Role, User
from aigak.records.models import Record

PASSWORD = "a long enough password"
FORM = """
| survey |
| | type | name | label |
| | begin repeat | kids | Kids |
| | text | kid | Kid |
| | begin repeat | toys | Toys |
| | text | toy | Toy |
| | end repeat | | |
| | end repeat | | |
| settings |
| | form_id |
| | nested |
"""


@pytest.mark.browser
def test_inner_entries_are_added_and_saved_under_their_outer_entry(
    live_server, transactional_db, browser_page
):
    from playwright.sync_api import expect

    from aigak.questionnaires.registry import install_form

    user = User.objects.create_user(username="dana", password=PASSWORD, role=Role.COORDINATOR)
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    install_form(user, out.getvalue(), "nested")
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(live_server.url + "/records/nested/new/")
    expect(page.locator("form[data-ready]")).to_be_visible()
    kids = page.locator('fieldset[data-repeat="kids"] > .entries > [data-entry]')
    add_kid = page.locator('fieldset[data-repeat="kids"] > button.add-entry')
    add_kid.click()
    add_kid.click()
    expect(kids).to_have_count(2)

    def toys_of(kid):
        return kid.locator('fieldset[data-repeat="toys"] > .entries > [data-entry]')

    for number, (name, toys) in enumerate([("Aru", ["ball"]), ("Timur", ["kite", "drum"])]):
        kid = kids.nth(number)
        kid.locator('input[name$=":kid"]').fill(name)
        for at, toy in enumerate(toys):
            kid.locator('fieldset[data-repeat="toys"] > button.add-entry').click()
            expect(toys_of(kid)).to_have_count(at + 1)
            toys_of(kid).nth(at).locator('input[name$=":toy"]').fill(toy)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("saved")

    record = Record.objects.get(questionnaire__name="nested")
    assert record.answers == {
        "kids": [{"kid": "Aru"}, {"kid": "Timur"}],
        "toys": [{"toy": "ball", "_parent": 1}, {"toy": "kite", "_parent": 2},
                 {"toy": "drum", "_parent": 2}],
    }  # fmt: skip
    page.goto(f"{live_server.url}/records/nested/{record.record_id}/edit/")
    expect(toys_of(kids.nth(0)).locator("input[type=text]")).to_have_count(1)
    expect(toys_of(kids.nth(1)).locator('input[name$=":toy"]').nth(1)).to_have_value("drum")
