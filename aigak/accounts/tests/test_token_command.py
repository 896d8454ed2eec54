"""`aigak token NAME`: a new API token that authenticates as that user."""

from __future__ import annotations

import pytest

from aigak.accounts.models import ApiToken, AuditAction, AuditEvent
from aigak.accounts.tokens import user_for_token
from aigak.cli import main

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_prints_a_token_that_authenticates_as_the_user(lawyer, capsys):
    assert main(["token", "lawyer"]) == 0
    token = capsys.readouterr().out.strip()

    assert len(token) >= 40
    assert user_for_token(token) == lawyer
    assert ApiToken.objects.get().prefix == token[:8]
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN, object_id=str(lawyer.pk)).exists()


def test_each_call_gives_a_new_token(lawyer, capsys):
    main(["token", "lawyer"])
    main(["token", "lawyer"])

    first, second = capsys.readouterr().out.split()
    assert first != second
    assert user_for_token(first) == user_for_token(second) == lawyer


def test_an_unknown_or_deactivated_user_is_bad_input(viewer, capsys):
    assert main(["token", "nobody"]) == 1
    assert "'nobody': no such user" in capsys.readouterr().err

    viewer.is_active = False
    viewer.save()
    assert main(["token", "viewer"]) == 1
    assert "deactivated" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_no_name_is_a_usage_error(db, capsys):
    assert main(["token"]) == 2
    assert "required: name" in capsys.readouterr().err


def test_revoke_all_kills_every_token_of_the_user(lawyer, viewer, capsys):
    main(["token", "lawyer"])
    main(["token", "lawyer"])
    main(["token", "viewer"])
    first, second, other = capsys.readouterr().out.split()
    assert main(["token", "lawyer", "--revoke-all"]) == 0
    assert "revoked 2 token(s)" in capsys.readouterr().out
    assert user_for_token(first) is None and user_for_token(second) is None
    assert user_for_token(other) == viewer
    assert AuditEvent.objects.filter(action="token", metadata__revoked_all=2).exists()


def test_a_token_expires(lawyer, capsys, settings):
    from datetime import timedelta

    from django.utils import timezone

    main(["token", "lawyer", "--days", "1"])
    token = capsys.readouterr().out.strip()
    stored = ApiToken.objects.get()
    assert timedelta(hours=23) < stored.expires_at - timezone.now() <= timedelta(days=1)
    assert user_for_token(token) == lawyer
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert user_for_token(token) is None
