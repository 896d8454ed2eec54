"""Every page fits a phone: at 390 px nothing scrolls sideways but boxes made to (a wide
table scrolls inside its own box, never the page).

The pages are the GET rows of the leak test (every URL pattern of the site, with a record,
evidence, a victim list, a match, a run and a merge behind them), opened by an
administrator in Russian, whose words are the longest of the three languages.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from aigak.records.tests.test_leaks import ROWS, world  # noqa: F401 (a fixture)

PHONE = {"width": 390, "height": 844}
# The page's width past the screen's; a box that scrolls on its own does not count.
OVERFLOW = """() => {
  const doc = document.documentElement;
  return doc.scrollWidth - doc.clientWidth;
}"""


def phone_page(chromium, live_server, user, language: str = "ru"):
    """A 390 px page of Chromium, logged in as `user`, in `language`."""
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=PHONE, locale=language)
    context.set_default_timeout(30_000)
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
         "value": client.cookies[settings.SESSION_COOKIE_NAME].value},
        {"name": settings.LANGUAGE_COOKIE_NAME, "url": live_server.url, "value": language},
    ])  # fmt: skip
    return context.new_page()


def html_pages(ids: dict[str, str]) -> list[str]:
    """The addresses of the GET rows, with their query strings."""
    from urllib.parse import urlencode

    out = []
    for requests in ROWS.values():
        for method, path, params in requests:
            if method == "get":
                query = urlencode({k: v.format(**ids) for k, v in params.items()})
                out.append(path.format(**ids) + (f"?{query}" if query else ""))
    return out


@pytest.mark.browser
def test_no_page_scrolls_sideways_on_a_phone(live_server, transactional_db, world, chromium):  # noqa: F811
    _, people, ids = world
    page = phone_page(chromium, live_server, people["admin"])
    wide: dict[str, int] = {}
    slow: list[str] = []
    seen = 0
    from playwright.sync_api import Error
    from playwright.sync_api import TimeoutError as NoAnswer

    for address in html_pages(ids):
        try:
            response = page.goto(live_server.url + address)
        except NoAnswer:  # said below, not counted as a page that was not one
            slow.append(address)
            continue
        except Error:  # an answer with no page (405 with an empty body)
            continue
        kind = response.headers.get("content-type", "") if response else ""
        if response is None or response.status != 200 or not kind.startswith("text/html"):
            continue
        seen += 1
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            wide[address] = extra
            page.screenshot(path=f"/tmp/aigak-wide-{len(wide)}.png", full_page=True)
    assert slow == [], f"no answer within 30 s: {slow}"
    assert seen > 30
    assert wide == {}, "\n".join(f"{a}: {px} px" for a, px in wide.items())
