"""A day of work in a real browser: the dashboard, a draft saved with gaps then submitted,
a bulk verify, the export of a filtered list, an import with one bad row, and a record
brought back from the trash."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from aigak.accounts.models import Role, Team, User
from aigak.records import actions
from aigak.records.models import Record
from aigak.records.tests.sample_forms import install_sample_victim_form, make_record

PASSWORD = "a long enough password"
ONE_BAD = (
    "record_id,full_name,vital_status\n"
    "V-000201,Asel,alive\n"
    "V-000202,Bolat,nonsense\n"
    "V-000203,Dana,deceased\n"
)


@pytest.fixture
def day(transactional_db, settings, tmp_path):
    settings.IMPORT_STAGING_DIR = str(tmp_path / "imports")
    victim = install_sample_victim_form()
    team = Team.objects.create(name="Almaty documenters")
    documenter = User.objects.create_user(
        username="aigerim", password=PASSWORD, role=Role.DOCUMENTER, team=team
    )
    coordinator = User.objects.create_user(
        username="dana", password=PASSWORD, role=Role.COORDINATOR
    )
    return victim, documenter, coordinator


def _log_in(page, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("header.top .who")).to_contain_text(username)


@pytest.mark.browser
def test_a_documenter_saves_a_draft_with_gaps_then_submits_it(live_server, day, browser_page):
    from playwright.sync_api import expect

    victim, documenter, _ = day
    page = browser_page
    _log_in(page, live_server.url, "aigerim")
    expect(page.locator('[data-panel="by-status"]')).to_be_visible()
    menu = page.locator("header.top nav")
    expect(menu.get_by_role("link", name="Reports")).to_have_count(0)

    page.goto(live_server.url + "/records/victim/new/")
    expect(page.locator("form[data-ready]")).to_have_count(1)
    page.click('button[name="status"][value="draft"]')  # nothing answered
    expect(page).to_have_url(re.compile(r"/records/victim/V-\d+/$"))
    expect(page.locator("h1 .status-draft")).to_be_visible()
    record = Record.objects.get()
    assert record.status == "draft"

    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages li.error")).to_contain_text("Full name")
    expect(page).to_have_url(re.compile(r"/edit/$"))
    page.fill('input[name="full_name"]', "Кудайбергенов Ержан")
    page.check('input[name="vital_status"][value="alive"]')
    page.click('button[name="status"][value="submitted"]')
    expect(page.locator("h1 .status-submitted")).to_be_visible()
    record.refresh_from_db()
    assert record.status == "submitted"

    page.goto(live_server.url + "/")
    expect(page.locator('[data-panel="activity"]')).to_contain_text(record.record_id)


@pytest.mark.browser
def test_a_coordinator_verifies_exports_imports_and_restores(live_server, day, browser_page):
    from playwright.sync_api import expect

    victim, documenter, coordinator = day
    alive = [make_record(documenter, victim, full_name=f"Alive {n}") for n in range(2)]
    dead = make_record(documenter, victim, full_name="Deceased one", vital_status="deceased")
    page = browser_page
    _log_in(page, live_server.url, "dana")
    expect(page.locator('[data-count="to-verify"]')).to_have_text("3")

    # bulk verify the two alive ones
    page.goto(live_server.url + "/records/victim/?f_vital_status=alive")
    for record in alive:
        page.check(f'input[name="ids"][value="{record.record_id}"]')
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator(".messages li")).to_contain_text("2 records verified")
    assert {r.status for r in Record.objects.filter(pk__in=[r.pk for r in alive])} == {"verified"}

    # export the filtered list: the filter form leaves no empty parameter in the address
    page.goto(live_server.url + "/records/victim/")
    page.locator("details.filters summary").click()
    page.select_option('select[name="f_vital_status"]', "deceased")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/records/victim/\?f_vital_status=deceased$"))
    with page.expect_download() as info:
        page.locator(".exports").get_by_role("link", name="CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["record_id"] for r in rows] == [dead.record_id]

    # an import with one bad row: nothing imported, the row and field named
    page.locator("header.top nav").get_by_role("link", name="Import").click()
    page.select_option('select[name="questionnaire"]', "victim")
    page.set_input_files(
        'input[name="file"]',
        {"name": "people.csv", "mimeType": "text/csv", "buffer": ONE_BAD.encode()},
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("[data-preview] tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Import all rows").click()
    expect(page.locator('[data-import-status="failed"]')).to_be_visible(timeout=60_000)
    problem = page.locator("table.import-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("3")
    expect(problem).to_contain_text("vital_status")
    assert not Record.objects.filter(record_id="V-000201").exists()

    # delete a record, then bring it back from the trash
    actions.delete_record(coordinator, dead, "entered twice")
    page.locator("header.top nav").get_by_role("link", name="Trash").click()
    row = page.locator(f'tr[data-record="{dead.record_id}"]')
    expect(row).to_contain_text("entered twice")
    row.get_by_role("button", name="Restore").click()
    expect(page).to_have_url(re.compile(rf"/records/victim/{dead.record_id}/$"))
    dead.refresh_from_db()
    assert dead.deleted_at is None
