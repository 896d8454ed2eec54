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
