"""A coordinator uploads a list, maps its columns, cross-references it (in the background,
following the run's page) and accepts a match, in a real Chromium."""

from __future__ import annotations

import re

import pytest

from aigak.accounts.models import Role, User
from aigak.linkage.models import Match, MatchStatus, VictimList
from aigak.linkage.tests.appdata import add_victims, csv_bytes, install_victim_form, list_rows

PASSWORD = "a long enough password"
SCREENSHOT = "/tmp/aigak-linkage-review.png"
MAPPING_SCREENSHOT = "/tmp/aigak-linkage-mapping.png"
OVERLAP_SCREENSHOT = "/tmp/aigak-linkage-overlap.png"


@pytest.mark.browser
def test_a_coordinator_uploads_maps_cross_references_and_accepts(
    live_server, transactional_db, browser_page, tmp_path, settings
):
    from playwright.sync_api import expect

    page = browser_page

    settings.LINKAGE_STAGING_DIR = str(tmp_path / "staging")
    add_victims(install_victim_form())
    User.objects.create_user(username="dana", password=PASSWORD, role=Role.COORDINATOR)
    list_file = tmp_path / "activists.csv"
    list_file.write_bytes(csv_bytes(list_rows()))

    page.goto(live_server.url + "/linkage/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    expect(page.get_by_role("heading", name="Victim lists")).to_be_visible()

    page.click("text=Upload a list")
    page.set_input_files("input[name=file]", str(list_file))
    page.fill("input[name=name]", "Activists")
    page.fill("input[name=source]", "Telegram")
    page.click("text=Read the file")
    expect(page.locator("#map_full_name_0")).to_have_value("ФИО")
    expect(page.locator("#map_locality")).to_have_value("Город")
    page.screenshot(path=MAPPING_SCREENSHOT, full_page=True)
    page.click("text=Store the list")
    expect(page.get_by_role("heading", name="Activists")).to_be_visible()
    assert VictimList.objects.get().row_count == 6

    page.click("button:has-text('Cross-reference')")
    # The match runs in the background; its page reloads itself until it is done.
    expect(page.get_by_role("heading", name="Cross-reference: Activists")).to_be_visible()
    review_link = page.get_by_role("link", name="Review the candidates")
    expect(review_link).to_be_visible(timeout=180_000)
    review_link.click()
    expect(page.get_by_role("heading", name="Review: Activists")).to_be_visible()
    first = page.locator("article.pair").first
    expect(first.locator(".verdicts")).to_contain_text("Surname: agreed")
    page.screenshot(path=SCREENSHOT, full_page=True)
    match_id = int(first.get_attribute("data-match") or 0)
    first.locator("button[value=accepted]").click()
    expect(page.locator(".messages")).to_contain_text(f"Match {match_id}: accepted")
    match = Match.objects.get(pk=match_id)
    assert match.status == MatchStatus.ACCEPTED and match.reviewer.username == "dana"

    page.goto(f"{live_server.url}/linkage/lists/{match.entry.victim_list_id}/overlap/")
    expect(page.locator("tr[data-part=both] td").first).to_have_text("1")
    page.screenshot(path=OVERLAP_SCREENSHOT, full_page=True)
