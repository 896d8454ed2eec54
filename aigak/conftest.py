"""Shared fixtures: named personas (one per role plus an outsider) and the shipped forms."""

from __future__ import annotations

import pytest
from django.utils import translation

from aigak.accounts.models import Role, Team, User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; real password hashing would dominate their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A page asked for in Russian or Kazakh leaves its language active in the thread;
    the next test starts without it (a command's English, a doctest's)."""
    yield
    translation.deactivate()


@pytest.fixture
def questionnaires(db):
    from aigak.questionnaires.registry import ensure_shipped

    ensure_shipped()


def _user(username: str, role: str, team: Team | None = None) -> User:
    return User.objects.create_user(
        username=username, password="correct horse battery", role=role, team=team
    )


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="Almaty documenters")


@pytest.fixture
def admin_user(db) -> User:
    return _user("alma_admin", Role.ADMIN)


@pytest.fixture
def coordinator(db) -> User:
    return _user("coordinator", Role.COORDINATOR)


@pytest.fixture
def lawyer(db) -> User:
    return _user("lawyer", Role.LAWYER)


@pytest.fixture
def documenter(db, team) -> User:
    return _user("documenter", Role.DOCUMENTER, team)


@pytest.fixture
def teammate(db, team) -> User:
    return _user("teammate", Role.DOCUMENTER, team)


@pytest.fixture
def outsider(db) -> User:
    """A documenter of no team: sees only their own records."""
    return _user("outsider", Role.DOCUMENTER)


@pytest.fixture
def viewer(db) -> User:
    return _user("viewer", Role.VIEWER)
