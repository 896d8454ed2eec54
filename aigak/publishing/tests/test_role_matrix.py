"""Who may do what with publishing: coordinators and administrators publish, everyone
else is refused (403), anonymous users are sent to log in; the public pages answer all."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from aigak.accounts.models import AuditAction, AuditEvent, Role, User
from aigak.publishing import statistics_runs
from aigak.publishing.actions import publish
from aigak.publishing.models import Publication
from aigak.publishing.tests.people import make_people
from aigak.questionnaires.registry import get_questionnaire

PERSONAS = {
    "admin": Role.ADMIN, "coordinator": Role.COORDINATOR, "lawyer": Role.LAWYER,
    "documenter": Role.DOCUMENTER, "viewer": Role.VIEWER, "anonymous": None,
}  # fmt: skip
MAY_PUBLISH = {"admin", "coordinator"}
# page -> (method, address, data); every one changes publication state when allowed.
ACTIONS = {
    "settings": ("get", "/publishing/", {}),
    "publish": ("post", "/publishing/victim/V-000102/publish/", {"summary": "Public text"}),
    "unpublish": ("post", "/publishing/victim/V-000101/unpublish/", {}),
    "bulk": ("post", "/publishing/victim/bulk/", {"record_ids": "V-000102", "action": "publish"}),
}
PUBLIC = ["/public/", "/public/statistics/", "/public/statistics/?format=json"]


@pytest.fixture
def world(questionnaires):
    make_people()
    publish(None, get_questionnaire("victim"), ["V-000101"])


def _persona(name: str):
    role = PERSONAS[name]
    return AnonymousUser() if role is None else User.objects.create_user(username=name, role=role)


def _outcome(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
def test_only_coordinators_and_admins_publish(client, world, persona, action):
    user = _persona(persona)
    if user.is_authenticated:
        client.force_login(user)
    method, url, data = ACTIONS[action]
    response = getattr(client, method)(url, data)
    expected = "ok" if persona in MAY_PUBLISH else ("login" if persona == "anonymous" else "403")
    assert _outcome(response) == expected
    active = set(
        Publication.objects.filter(withdrawn_at__isnull=True).values_list(
            "record__record_id", flat=True
        )
    )
    if expected != "ok" or action == "settings":
        assert active == {"V-000101"}  # nothing changed
    elif action == "unpublish":
        assert active == set()
    else:
        assert active == {"V-000101", "V-000102"}
    if expected == "403":
        assert AuditEvent.objects.filter(action=AuditAction.REFUSED, actor=user).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_public_pages_answer_everyone(client, world, persona):
    statistics_runs.build_now()  # else the statistics are being prepared (JSON: 503)
    user = _persona(persona)
    if user.is_authenticated:
        client.force_login(user)
    public_id = Publication.objects.get().public_id
    for url in [*PUBLIC, f"/public/victims/{public_id}/"]:
        assert client.get(url).status_code == 200, url


def test_the_record_page_offers_publishing_to_coordinators_only(client, world, coordinator):
    lawyer = User.objects.create_user(username="lawyer2", role=Role.LAWYER)
    client.force_login(coordinator)
    body = client.get("/records/victim/V-000102/").content.decode()
    assert "/publishing/victim/V-000102/publish/" in body
    body = client.get("/records/victim/V-000103/").content.decode()
    assert "Cannot be published" in body and "no consent" in body
    client.force_login(lawyer)
    assert "/publish/" not in client.get("/records/victim/V-000102/").content.decode()
