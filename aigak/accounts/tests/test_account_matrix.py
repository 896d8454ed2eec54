"""Every account and administration page, for every role: who may open it.

ok: shown (200); 403: refused; login: sent to log in. Own-account pages are open to
every signed-in user; administration and the audit log to administrators alone."""

from __future__ import annotations

import pytest

from aigak.accounts.models import Role, User

ROLES = ["admin", "coordinator", "lawyer", "documenter", "outsider", "viewer", "anonymous"]
OWN = ["ok"] * 6 + ["login"]
ADMIN_ONLY = ["ok", "403", "403", "403", "403", "403", "login"]
# fmt: off
PAGES = {
    #  (method, url)                                  admin coord lawyer doc  outsider viewer anon
    ("GET", "/accounts/"):                            OWN,
    ("GET", "/accounts/password/"):                   OWN,
    ("GET", "/accounts/two-factor/"):                 OWN,
    ("GET", "/accounts/admin/users/"):                ADMIN_ONLY,
    ("GET", "/accounts/admin/users/{target}/"):       ADMIN_ONLY,
    ("POST", "/accounts/admin/users/{target}/"):      ADMIN_ONLY,
    ("GET", "/accounts/admin/teams/"):                ADMIN_ONLY,
    ("POST", "/accounts/admin/teams/"):               ADMIN_ONLY,
    ("GET", "/accounts/admin/audit/"):                ADMIN_ONLY,
    ("GET", "/accounts/admin/audit.csv"):             ADMIN_ONLY,
}
# fmt: on
POSTED = {"op": "unlock", "name": "A new team"}


def _outcome(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("page", list(PAGES))
def test_it_lets_each_role_open_only_its_pages(client, db, page, role_index, role):
    target = User.objects.create_user(username="target", role=Role.VIEWER)
    if role != "anonymous":
        user = User.objects.create_user(
            username=f"the_{role}",
            password="correct horse battery",
            role={"outsider": Role.DOCUMENTER}.get(role, role),
        )
        client.force_login(user)
    method, url = page
    url = url.format(target=target.pk)
    response = client.post(url, POSTED) if method == "POST" else client.get(url)
    assert _outcome(response) == PAGES[page][role_index]


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/tokens/{token}/revoke/",
        "/accounts/sessions/{session}/end/",
    ],
)
def test_an_outsider_cannot_revoke_another_users_token_or_session(
    client, db, url, viewer, outsider
):
    from aigak.accounts import tokens
    from aigak.accounts.models import ApiToken, UserSession

    tokens.issue_token(viewer)
    token = ApiToken.objects.get(user=viewer)
    session = UserSession.objects.create(user=viewer, key_hash="x" * 64)
    client.force_login(outsider)
    response = client.post(url.format(token=token.pk, session=session.pk))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert UserSession.objects.get(pk=session.pk).ended_at is None
