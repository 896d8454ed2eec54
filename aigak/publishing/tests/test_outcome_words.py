"""Why a record is not published or unpublished, said to the coordinator in Russian or
Kazakh (the command keeps its English)."""

from __future__ import annotations

import html

import pytest

from aigak.publishing.tests.people import make_people


@pytest.fixture
def people(questionnaires):
    return make_people()


def _bulk(client, language: str, action: str, ids: str) -> str:
    client.cookies["django_language"] = language
    posted = {"record_ids": ids, "action": action}
    page = client.post("/publishing/victim/bulk/", posted, follow=True)
    return html.unescape(page.content.decode())


def test_each_refusal_says_why_in_russian(client, people, coordinator):
    client.force_login(coordinator)
    page = _bulk(client, "ru", "publish", "V-000104 V-009999")
    assert "V-009999: такой записи нет" in page
    assert "V-000104: запись не проверена" in page


def test_an_unpublished_refusal_in_kazakh(client, people, coordinator):
    client.force_login(coordinator)
    page = _bulk(client, "kk", "unpublish", "V-000102")
    assert "V-000102: жарияланбаған" in page
