"""Chromium through Playwright, for every test that drives the real pages.

`chromium` is a browser for the test; `browser_page` a fresh page of it. Both skip when
Debian's chromium is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium(monkeypatch):
    """A Chromium browser (Playwright), closed after the test."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls are ordinary blocking calls and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh page in an English, desktop-sized context."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(30_000)
    return context.new_page()
