"""The request of a page behind login, as the type checker should see it."""

from __future__ import annotations

from django.http import HttpRequest

from aigak.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind login_required (and the login middleware): the user is real."""

    user: User
