"""An administrator whose role needs a second factor enrols an authenticator app in a
real Chromium, then logs out and in again through the second step with a TOTP code."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django_otp.oath import TOTP

from aigak.accounts.models import Role, User

PASSWORD = "a long enough password"


def code_for(secret: str, steps_ahead: int) -> str:
    """What the phone would show `steps_ahead` 30-second steps from now."""
    totp = TOTP(b32decode(secret), step=30, t0=0, digits=6, drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.browser
def test_an_admin_enrols_and_logs_in_with_a_code(
    live_server, transactional_db, browser_page, settings
):
    from playwright.sync_api import expect

    settings.TWO_FACTOR_ROLES = ["admin"]
    settings.TWO_FACTOR_GRACE = timedelta(0)
    User.objects.create_user(username="dana", password=PASSWORD, role=Role.ADMIN)
    page = browser_page

    def log_in() -> None:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "dana")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")

    log_in()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(page.locator("svg.segno")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text().strip()
    page.get_by_label("Code").fill(code_for(secret, 0))
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("[data-recovery-codes] li")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.locator("[data-two-factor=on]")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in()
    expect(page).to_have_url(re.compile(r"/accounts/login/verify/"))
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    page.goto(live_server.url + "/accounts/admin/users/")  # no other page before the code
    expect(page).to_have_url(re.compile(r"/accounts/login/verify/"))
    page.get_by_label("Code").fill(code_for(secret, 1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/admin/users/$"))
    expect(page.locator("table[data-users]")).to_contain_text("dana")
