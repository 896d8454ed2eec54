"""Chromium through Playwright, for every test that drives the real pages.

`chromium` is a browser for the test; `browser_page` a fresh page of it. Both skip when
Debian's chromium is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests log users in with force_login and through the login form without a second factor;
# the tests of two-factor login switch it on themselves (settings.TWO_FACTOR_ROLES).
os.environ["AIGAK_2FA_ROLES"] = ""
# Records saved by a test (or by the commands it runs) do not start a build of the public
# statistics that outlives it; the tests of those builds switch them on
# (settings.PUBLIC_STATISTICS = "background").
os.environ["AIGAK_PUBLIC_STATISTICS"] = "command"

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


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL run, skip the tests PostgreSQL plays no part in: the SQLite run
    has run them already, with the same result (`.ci/run` runs the suite on both)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="PostgreSQL plays no part in it; the SQLite run covers it")
    for item in items:
        if item.get_closest_marker("sqlite_run"):
            item.add_marker(skip)


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
            # The test body's own connections (opened beside Playwright's event loop in
            # this thread) are not those the database's teardown closes: closed here, or
            # PostgreSQL's test database cannot be dropped at the end of the run ("being
            # accessed by other users").
            from django.db import connections

            connections.close_all()


@pytest.fixture
def browser_page(chromium):
    """A fresh page in an English, desktop-sized context."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(30_000)
    return context.new_page()


@pytest.fixture(autouse=True)
def _no_second_factor_unless_asked(settings):
    settings.TWO_FACTOR_ROLES = []


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_triggers():
    """Transactional tests empty every table between tests. On SQLite that is a DELETE,
    which the audit log's append-only triggers refuse; the flush sets them aside and puts
    them back. (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)"""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from aigak.accounts import auditlog

    DatabaseOperations = DatabaseWrapper.ops_class

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements or auditlog.TABLE not in tables:
            return statements
        return [*auditlog.DROP_SQL["sqlite"], *statements, *auditlog.APPEND_ONLY_SQL["sqlite"]]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
