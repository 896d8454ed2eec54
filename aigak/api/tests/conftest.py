"""Fixtures of the API tests: the sample Victims form, tokens, and a client per token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from aigak.accounts.tokens import issue_token
from aigak.records.tests.sample_forms import install_sample_victim_form


@pytest.fixture
def victim(db):
    return install_sample_victim_form()


@pytest.fixture(autouse=True)
def _no_rate_limit_between_tests():
    from django.core.cache import cache

    cache.clear()


def api_client(user) -> APIClient:
    """A client that sends `Authorization: Token <key>`, as scripts do."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client
