"""A lawyer opens the estimation page in a real Chromium, chooses the database and two
cross-referenced victim lists, and sees the overlap diagram and the table of estimates at
once, and the headline latent-class estimate when its background run (a thread of the live
server's process) is done; then uploads a CSV of capture histories and follows its run's
page."""

from __future__ import annotations

import re

import pytest

from aigak.accounts.models import Role, User
from aigak.estimation import runs
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.models import LcmcrRun
from aigak.estimation.tests.pagedata import build_linked_lists

PASSWORD = "a long enough password"
SCREENSHOT = "/tmp/aigak-estimation-page.png"
HISTORIES = "official,activists,centre,count\n1,0,0,120\n0,1,0,95\n0,0,1,40\n1,1,0,60\n"
HISTORIES += "1,0,1,22\n0,1,1,31\n1,1,1,36\n"
QUICK = LcmcrSettings(burnin=1_000, samples=500, thinning=4, chains=4, seed=1)
RUN_TIMEOUT = 180_000  # ms for a background run and the page's reload on a busy machine


@pytest.mark.browser
def test_a_lawyer_chooses_lists_and_sees_the_diagram_and_the_estimates(
    live_server, transactional_db, browser_page, tmp_path, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setattr(runs, "RUN_LCMCR", QUICK)  # shorter than the defaults, to be quick

    coordinator = User.objects.create_user(
        username="dana", password=PASSWORD, role=Role.COORDINATOR
    )
    build_linked_lists(coordinator)
    User.objects.create_user(username="lawyer", password=PASSWORD, role=Role.LAWYER)
    page = browser_page
    page.goto(live_server.url + "/")
    page.fill("#id_username", "lawyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.get_by_role("link", name="Estimates").click()
    expect(page).to_have_url(re.compile(r"/estimation/$"))
    expect(page.get_by_role("heading", name="How many victims did no list record?")).to_be_visible()

    form = page.locator("form.lists-form")
    form.get_by_label("Activists").check()
    form.get_by_label("Official").check()
    expect(form.get_by_label("the database (persons of the Victims records)")).to_be_checked()
    form.get_by_role("button", name="Estimate").click()

    diagram = page.locator("svg[data-diagram]")
    expect(diagram).to_be_visible()
    expect(diagram.locator("rect.bar-rect")).to_have_count(6)
    expect(diagram.locator("g.list-row")).to_have_count(3)
    models = page.locator("table[data-models]")
    expect(models).to_be_visible()
    expect(models.locator("tr[data-model='best_aic']")).to_be_visible()
    expect(page.locator("[data-warnings]")).to_contain_text("Only 11 people")
    # the headline runs outside the request: the page says so, reloads, and shows it
    if LcmcrRun.objects.get().active:
        expect(page.locator("[data-run-status]")).to_contain_text("The headline estimate is")
    expect(page.locator("[data-headline]")).to_contain_text("victims in total", timeout=RUN_TIMEOUT)
    expect(models.locator("tr[data-model='lcmcr']")).to_be_visible()
    expect(page.locator("[data-convergence]")).to_contain_text("split R-hat")
    expect(page.locator("[data-run-status]")).to_have_count(0)
    # the choice is kept on the page that shows the result
    expect(form.get_by_label("Activists")).to_be_checked()
    page.screenshot(path=SCREENSHOT, full_page=True)

    histories = tmp_path / "histories.csv"
    histories.write_text(HISTORIES)
    page.set_input_files("input[name=histories]", str(histories))
    page.get_by_role("button", name="Upload and estimate").click()
    expect(page).to_have_url(re.compile(r"/estimation/runs/[0-9a-f]{64}/$"))
    expect(page.locator("svg[data-diagram] rect.bar-rect")).to_have_count(7)
    expect(page.locator("table[data-cells] tbody tr")).to_have_count(7)
    expect(page.locator("table[data-models] tr[data-model='Mth_chao']")).to_be_visible()
    expect(page.locator("[data-explanation]")).to_contain_text(
        "The lists together name 404 people", timeout=RUN_TIMEOUT
    )
    assert LcmcrRun.objects.filter(status="done").count() == 2
