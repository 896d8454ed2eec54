"""The public pages (the memorial list, a person's page, the statistics, the map, the
timeline and the intake form) in a real Chromium on a phone-sized screen: axe-core finds no serious
or critical accessibility problem, nothing scrolls sideways at 390 px, no request leaves
the site, and a message sent through the intake form gets its receipt code.

axe-core is vendored (pinned) into this test's tree by scripts/vendor_intake.sh and
evaluated in the page by the test; the pages never load it themselves.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from aigak.publishing import intake

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = "/tmp/aigak-"
PHONE = {"width": 390, "height": 844}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def public_pages(person: str) -> list[str]:
    """Addresses of the public pages the test opens (the intake form is sent too)."""
    return ["/public/", "/public/?q=Zhumabaeva", f"/public/victims/{person}/",
            "/public/statistics/", "/public/map/", "/public/timeline/",
            "/public/map/?lang=kk", "/public/intake/tell_us/"]  # fmt: skip


def check_page(page, url: str) -> None:
    page.goto(url)
    page.screenshot(path=SCREENSHOTS + urlsplit(url).path.strip("/").replace("/", "-") + ".png",
                    full_page=True)  # fmt: skip
    page.evaluate(AXE.read_text(encoding="utf-8"))
    serious = [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]
    assert serious == [], (url, serious)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{url} scrolls sideways at 390 px"


@pytest.mark.browser
def test_public_pages_are_accessible_on_a_phone_and_stay_on_the_site(
    live_server, transactional_db, chromium, monkeypatch, settings
):
    from playwright.sync_api import expect

    from aigak.publishing import statistics_runs
    from aigak.publishing.actions import publish
    from aigak.publishing.tests.people import make_people
    from aigak.publishing.tests.test_map import _events, _victims
    from aigak.questionnaires.registry import ensure_shipped, get_questionnaire
    from aigak.runs import background

    # The records saved below ask for the public statistics, built in the background
    # (seconds of CPU: on a loaded machine longer than a page's timeout, were it built
    # in the request); the test waits for that run as a visitor would come after it.
    settings.PUBLIC_STATISTICS = "background"
    ensure_shipped()
    make_people()
    (published, *_) = publish(None, get_questionnaire("victim"), ["V-000102", "V-000101"])
    _victims([("almaty", "almaty", "deceased", "2022-01-05")] * 6
             + [("taraz", "zhambyl", "alive", "2022-01-06")] * 2)  # fmt: skip
    _events([("almaty", "2022-01-05", "43.2381 76.9452")])
    monkeypatch.setattr(intake, "MIN_SECONDS", 0)
    background.wait_all(300)
    assert statistics_runs.latest_build() is not None
    context = chromium.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    for path in public_pages(published.public_id):
        check_page(page, live_server.url + path)

    # the form, sent from the phone: the sender sees a receipt code and nothing else
    page.goto(live_server.url + "/public/intake/tell_us/")
    page.get_by_label("A person who was killed").check()
    page.get_by_label("What happened?").fill("Shots near the square on 5 January.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("[data-receipt]")).to_have_text(intake.RECEIPT_PATTERN)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")] == []

    # in Kazakh, the questions are the questionnaire's Kazakh labels
    kazakh = chromium.new_context(locale="kk-KZ", viewport=PHONE)
    kk_page = kazakh.new_page()
    kk_page.on("request", lambda request: requested.append(request.url))
    kk_page.goto(live_server.url + "/public/intake/tell_us/")
    expect(kk_page.get_by_label("Не болды?")).to_be_visible()

    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlsplit(live_server.url).netloc}, hosts
