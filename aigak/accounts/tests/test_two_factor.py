"""The second factor: required per role (AIGAK_2FA_ROLES) after a grace period, a second
login step before any other page, recovery codes that work once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from aigak.accounts import actions
from aigak.accounts.models import AuditEvent, Role, User

PASSWORD = "correct horse battery"
ROLES = ["admin", "coordinator", "lawyer"]


def next_code(device: TOTPDevice) -> str:
    """The code of the next time step (accepted within the default tolerance, and never
    one django-otp has seen used)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.drift += 1
    return f"{totp.token():06d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    device = actions.start_enrolment(user)
    codes = actions.confirm_enrolment(user, device, next_code(device))
    device.refresh_from_db()
    return device, codes


def login(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client.get("/records/victim/")


@pytest.fixture
def two_factor_on(settings):
    settings.TWO_FACTOR_ROLES = ROLES
    settings.TWO_FACTOR_GRACE = timedelta(0)


@pytest.mark.parametrize(
    "role, asked",
    [
        (Role.ADMIN, True),
        (Role.COORDINATOR, True),
        (Role.LAWYER, True),
        (Role.DOCUMENTER, False),
        (Role.VIEWER, False),
    ],
)
def test_it_asks_the_roles_in_the_setting_to_enrol(client, two_factor_on, db, role, asked):
    user = User.objects.create_user(username="person", password=PASSWORD, role=role)
    response = login(client, user)
    if asked:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/two-factor/")
    else:
        assert response.status_code != 302 or "two-factor" not in response["Location"]


def test_an_empty_setting_asks_nobody(client, settings, admin_user):
    settings.TWO_FACTOR_ROLES = []
    response = login(client, admin_user)
    assert "two-factor" not in response.get("Location", "")


def test_the_grace_period_lets_a_user_in_until_it_ends(client, settings, admin_user):
    settings.TWO_FACTOR_ROLES = ROLES
    settings.TWO_FACTOR_GRACE = timedelta(days=3)
    response = login(client, admin_user)
    assert "two-factor" not in response.get("Location", "")
    admin_user.refresh_from_db()
    assert admin_user.enrol_by > timezone.now() + timedelta(days=2)
    User.objects.filter(pk=admin_user.pk).update(enrol_by=timezone.now() - timedelta(minutes=1))
    response = client.get("/records/victim/")
    assert response["Location"].startswith("/accounts/two-factor/")


def test_an_enrolled_user_passes_the_second_step_before_any_page(client, two_factor_on, lawyer):
    device, _ = enrol(lawyer)
    response = login(client, lawyer)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/verify/")
    for page in ("/accounts/", "/reports/", "/accounts/two-factor/"):
        assert client.get(page).status_code == 302
    wrong = client.post("/accounts/login/verify/", {"code": "000000", "next": "/reports/"})
    assert wrong.status_code == 200
    assert AuditEvent.objects.filter(action="login_failed", metadata__step="second_factor").exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above made it wait a second
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post("/accounts/login/verify/", {"code": next_code(device), "next": "/reports/"})
    assert right.status_code == 302 and right["Location"] == "/reports/"
    assert client.get("/accounts/").status_code == 200


def test_a_voluntary_second_factor_is_asked_too(client, settings, viewer):
    settings.TWO_FACTOR_ROLES = []
    enrol(viewer)
    response = login(client, viewer)
    assert response["Location"].startswith("/accounts/login/verify/")


def test_a_recovery_code_works_once(client, two_factor_on, coordinator):
    _, codes = enrol(coordinator)
    assert len(codes) == actions.RECOVERY_CODES
    login(client, coordinator)
    used = client.post("/accounts/login/verify/", {"code": codes[0], "next": "/accounts/"})
    assert used["Location"] == "/accounts/"
    client.post("/accounts/logout/")
    login(client, coordinator)
    again = client.post("/accounts/login/verify/", {"code": codes[0], "next": "/accounts/"})
    assert again.status_code == 200


def test_a_password_alone_cannot_replace_the_second_factor(client, two_factor_on, lawyer):
    device, _ = enrol(lawyer)
    login(client, lawyer)
    response = client.post("/accounts/two-factor/", {"code": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=lawyer, confirmed=True).pk == device.pk


def test_an_administrator_resets_a_lost_second_factor(client, two_factor_on, lawyer, admin_user):
    enrol(lawyer)
    actions.reset_second_factor(admin_user, lawyer)
    assert not TOTPDevice.objects.filter(user=lawyer).exists()
    assert login(client, lawyer)["Location"].startswith("/accounts/two-factor/")


def test_a_wrong_code_does_not_enrol(client, two_factor_on, lawyer):
    login(client, lawyer)
    page = client.get("/accounts/two-factor/")
    assert b"<svg" in page.content
    response = client.post("/accounts/two-factor/", {"code": "12"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=lawyer, confirmed=True).exists()


def test_the_demo_prints_how_to_enrol(db, monkeypatch, settings):
    import io
    import sys
    import types

    from django.core.management.base import OutputWrapper

    from aigak.site.management.commands.serve import load_demo_if_empty

    settings.TWO_FACTOR_ROLES = ROLES
    demo = types.SimpleNamespace(load_demo=lambda stdout=None: {"logins": [("a", "admin", "p")]})
    monkeypatch.setitem(sys.modules, "aigak.records.demo", demo)
    text = io.StringIO()
    load_demo_if_empty(OutputWrapper(text))
    printed = text.getvalue()
    assert "admin, coordinator, lawyer" in printed
    assert "/accounts/two-factor/" in printed
