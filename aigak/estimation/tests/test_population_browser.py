"""In Russian, on a phone: a lawyer opens the report and finds its table of contents, then
asks for an estimate on the deceased records only and reads its warnings and how
uncertain it is; neither page scrolls sideways."""

from __future__ import annotations

import re

import pytest

from aigak.accounts.models import Role, User
from aigak.estimation import runs
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.tests.pagedata import build_linked_lists
from aigak.records.models import Record
from aigak.site.tests.test_phone_browser import OVERFLOW, phone_page

QUICK = LcmcrSettings(burnin=1_000, samples=500, thinning=4, chains=4, seed=1)
RUN_TIMEOUT = 180_000  # ms for a background run and the page's reload on a busy machine
SCREENSHOT = "/tmp/aigak-estimate-deceased-ru-390.png"


@pytest.mark.browser
def test_contents_and_an_estimate_on_the_deceased_in_russian_on_a_phone(
    live_server, transactional_db, chromium, monkeypatch
):
    from playwright.sync_api import expect

    monkeypatch.setattr(runs, "RUN_LCMCR", QUICK)
    coordinator = User.objects.create_user(username="dana", role=Role.COORDINATOR)
    build_linked_lists(coordinator)
    for record in Record.objects.order_by("pk")[5:8]:  # survivors, on no list
        record.answers = {**record.answers, "vital_status": "alive"}
        record.save(update_fields=["answers"])
    lawyer = User.objects.create_user(username="lawyer", role=Role.LAWYER)
    page = phone_page(chromium, live_server, lawyer, "ru")

    page.goto(live_server.url + "/reports/qantar2022/")
    contents = page.locator("nav[data-toc]")
    expect(contents.get_by_role("heading", name="Содержание")).to_be_visible()
    contents.locator("a[href='#T05']").click()
    expect(page).to_have_url(re.compile(r"#T05$"))
    expect(page.locator("section#T05 h2")).to_be_in_viewport()
    assert page.evaluate(OVERFLOW) <= 0

    page.goto(live_server.url + "/estimation/")
    form = page.locator("form.lists-form")
    form.locator("select[name=vital]").select_option("deceased")
    form.get_by_label("Activists").check()
    form.get_by_label("Official").check()
    form.locator("button[name=estimate]").click()
    warnings = page.locator("[data-warnings]")
    expect(warnings).to_contain_text("«Activists» только 6 человек")
    expect(warnings).to_contain_text("«Official» только 3 человека")
    expect(warnings).not_to_contain_text("содержит погибших")  # deceased chosen: same people
    expect(form.locator("select[name=vital]")).to_have_value("deceased")
    expect(page.locator("[data-uncertainty]")).to_contain_text(
        re.compile("неточно", re.IGNORECASE), timeout=RUN_TIMEOUT
    )
    assert page.evaluate(OVERFLOW) <= 0
    page.screenshot(path=SCREENSHOT, full_page=True)
