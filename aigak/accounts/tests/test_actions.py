"""accounts.actions.create_user: the write behind `aigak createuser`."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aigak.accounts.actions import UserRefused, create_user
from aigak.accounts.models import AuditAction, AuditEvent, Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "Steppe-wind-2022"


def test_the_system_creates_an_admin_who_is_staff_and_superuser():
    user = create_user(None, " saule ", Role.ADMIN, PASSWORD, email="s@example.org")

    assert (user.username, user.role, user.email) == ("saule", Role.ADMIN, "s@example.org")
    assert user.is_staff and user.is_superuser
    assert user.check_password(PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.USER)
    assert (event.actor, event.object_id, event.metadata["role"]) == (None, str(user.pk), "admin")


def test_an_admin_creates_team_members_and_is_named_in_the_audit():
    admin = create_user(None, "saule", Role.ADMIN, PASSWORD)
    first = create_user(admin, "erlan", Role.DOCUMENTER, PASSWORD, team="Алматы")
    second = create_user(admin, "dana", Role.DOCUMENTER, PASSWORD, team=" Алматы ")

    assert first.team == second.team and first.team.name == "Алматы"
    assert not first.is_staff
    assert AuditEvent.objects.filter(action=AuditAction.USER, actor=admin).count() == 2


def test_only_admins_create_users():
    coordinator = create_user(None, "kairat", Role.COORDINATOR, PASSWORD)

    with pytest.raises(PermissionDenied):
        create_user(coordinator, "viewer1", Role.VIEWER, PASSWORD)
    assert not User.objects.filter(username="viewer1").exists()


@pytest.mark.parametrize(
    ("name", "role", "password", "reason"),
    [
        ("Saule", Role.VIEWER, PASSWORD, "already exists"),
        ("no spaces", Role.VIEWER, PASSWORD, "not a valid login name"),
        ("asel", "boss", PASSWORD, "not a role"),
        ("asel", Role.VIEWER, "123", "password refused"),
    ],
)
def test_it_refuses_bad_names_roles_and_passwords(name, role, password, reason):
    create_user(None, "saule", Role.ADMIN, PASSWORD)

    with pytest.raises(UserRefused, match=reason):
        create_user(None, name, role, password)
    assert User.objects.count() == 1
