"""Brute force: after LIMIT failures in a row an account is locked, from any address, even
for the right password, until the lock expires or an administrator lifts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from aigak.accounts import actions
from aigak.accounts.models import AuditEvent

RIGHT = "correct horse battery"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _fail(client, username, times, ip_of=lambda i: f"10.0.{i}.1"):
    for i in range(times):
        response = _login(client, username, f"wrong password {i}", ip=ip_of(i))
        assert response.status_code in (200, 429)


def test_it_locks_an_account_after_ten_failures_from_many_addresses(client, viewer, settings):
    assert settings.AXES_FAILURE_LIMIT <= 10
    _fail(client, "viewer", settings.AXES_FAILURE_LIMIT)
    response = _login(client, "viewer", RIGHT, ip="192.168.7.7")
    assert response.status_code == 429
    assert b"locked" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="lockout", metadata__username="viewer").exists()


def test_it_lets_the_right_password_in_below_the_limit(client, viewer, settings):
    _fail(client, "viewer", settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "viewer", RIGHT).status_code == 302


def test_it_locks_an_address_that_tries_many_names(client, viewer, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}", "whatever-it-is", ip="10.66.0.1")
    assert _login(client, "viewer", RIGHT, ip="10.66.0.1").status_code == 429
    assert _login(client, "viewer", RIGHT, ip="10.77.0.1").status_code == 302


def test_an_administrator_lifts_the_lock(client, viewer, admin_user, settings):
    _fail(client, "viewer", settings.AXES_FAILURE_LIMIT)
    actions.lift_lockout(admin_user, viewer)
    assert _login(client, "viewer", RIGHT, ip="10.0.0.1").status_code == 302
    assert AuditEvent.objects.filter(action="lockout", actor=admin_user).exists()


def test_the_lock_expires(client, viewer, settings):
    _fail(client, "viewer", settings.AXES_FAILURE_LIMIT)
    earlier = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=earlier)
    assert _login(client, "viewer", RIGHT, ip="10.0.0.1").status_code == 302


def test_the_admin_page_lifts_the_lock(client, viewer, admin_user, settings):
    _fail(client, "viewer", settings.AXES_FAILURE_LIMIT)
    client.force_login(admin_user)
    page = client.get(f"/accounts/admin/users/{viewer.pk}/")
    assert b"locked" in page.content
    client.post(f"/accounts/admin/users/{viewer.pk}/", {"op": "unlock"})
    assert not AccessAttempt.objects.filter(username="viewer").exists()


@pytest.mark.parametrize(
    "password, accepted",
    [
        ("4827361950", False),  # digits only, and short
        ("482736195012", False),  # digits only
        ("short-one", False),  # under 12
        ("password1234", False),  # on the common list
        ("alma_admin_2022", False),  # like the user name
        ("Steppe wind over Qantar", True),
    ],
)
def test_it_applies_the_password_policy(db, password, accepted):
    try:
        actions.create_user(None, "alma_admin", "viewer", password)
    except actions.UserRefused:
        assert not accepted
    else:
        assert accepted
