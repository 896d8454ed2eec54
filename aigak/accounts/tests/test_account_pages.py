"""Every user's own account: tokens, sessions, password; and the idle timeout."""

from __future__ import annotations

import re
import time

from aigak.accounts import sessions
from aigak.accounts.middleware import IDLE_KEY
from aigak.accounts.models import ApiToken, AuditEvent, UserSession
from aigak.accounts.tokens import user_for_token

PASSWORD = "correct horse battery"


def _login(client, user, agent="Browser A"):
    client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, HTTP_USER_AGENT=agent
    )


def test_a_user_makes_sees_and_revokes_a_token(client, documenter):
    client.force_login(documenter)
    made = client.post("/accounts/tokens/new/")
    key = re.search(rb"data-token>([^<]+)<", made.content).group(1).decode()
    assert user_for_token(key) == documenter
    token = ApiToken.objects.get(user=documenter)
    page = client.get("/accounts/")
    assert token.prefix.encode() in page.content
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert user_for_token(key) is None
    assert AuditEvent.objects.filter(action="token", metadata__revoked=token.prefix).exists()


def test_a_user_ends_another_of_their_sessions(client, viewer):
    from django.test import Client

    other = Client()
    _login(other, viewer, agent="Phone")
    assert other.get("/accounts/").status_code == 200
    _login(client, viewer, agent="Laptop")
    page = client.get("/accounts/")
    assert b"Phone" in page.content and b"Laptop" in page.content
    phone = UserSession.objects.get(user=viewer, user_agent="Phone")
    client.post(f"/accounts/sessions/{phone.pk}/end/")
    response = other.get("/accounts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/accounts/").status_code == 200


def test_an_idle_session_ends(client, viewer, settings):
    _login(client, viewer)
    assert client.get("/accounts/").status_code == 200
    session = client.session
    session[IDLE_KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/accounts/", REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert AuditEvent.objects.get(action="logout", metadata__reason="idle").ip == "10.5.5.5"


def test_a_wrong_current_password_changes_nothing(client, viewer):
    client.force_login(viewer)
    response = client.post(
        "/accounts/password/",
        {
            "current_password": "not it at all",
            "new_password": "Ishim river 2022",
            "repeat": "Ishim river 2022",
        },
    )
    assert b"not right" in response.content
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_a_session_is_listed_until_logout(client, viewer):
    _login(client, viewer)
    assert sessions.open_sessions(viewer).count() == 1
    client.post("/accounts/logout/")
    assert sessions.open_sessions(viewer).count() == 0
