"""Navigation by role: every link of the menu opens for every role that is offered it."""

from __future__ import annotations

import re

import pytest

from aigak.accounts.models import Role, User

ROLES = ["admin", "coordinator", "lawyer", "documenter", "viewer"]
LINK = re.compile(r'<header class="top">.*?<nav>(.*?)</nav>', re.S)


def _menu_links(html: str) -> list[str]:
    found = LINK.search(html)
    assert found, "the page has no menu"
    return re.findall(r'href="([^"]+)"', found.group(1))


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_menu_opens_for_its_role(client, questionnaires, team, role):
    user = User.objects.create_user(username=role, role=role, team=team)
    client.force_login(user)
    links = _menu_links(client.get("/").content.decode())
    assert links, role
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, (role, link, response.status_code)


def test_a_documenter_is_not_offered_reports_lists_or_estimates(client, questionnaires, team):
    user = User.objects.create_user(username="d", role=Role.DOCUMENTER, team=team)
    client.force_login(user)
    links = _menu_links(client.get("/").content.decode())
    assert not {"/reports/", "/linkage/", "/estimation/", "/forms/"} & set(links)
    assert "/records/victim/" in links and "/evidence/" in links
