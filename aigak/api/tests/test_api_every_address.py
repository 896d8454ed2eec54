"""Every address of the API, by token: the outsider (a documenter of another team) is
refused or gets nothing of team A's record, anonymous clients get 401, and an
administrator gets real answers. The requests are the leak test's rows for /api/v1/
(aigak/records/tests/test_leaks.py: one row per URL pattern, the record with a marker
in every confidential field)."""

from __future__ import annotations

import pytest

from aigak.api.tests.conftest import api_client
from aigak.records.tests.test_leaks import RECORD, ROWS, _ask
from aigak.records.tests.test_leaks import world as world  # noqa: F401 - the fixture

API_ROWS = [
    (pattern, method, path, params)
    for pattern, requests in ROWS.items()
    if pattern.startswith("api/v1/") and not pattern.startswith("api/v1/uploads/")
    for method, path, params in requests
]
NOT_FOUND_FOR_ALL = {"/api/v1/nothing/"}


def test_every_api_pattern_is_asked():
    assert len({row[0] for row in API_ROWS}) >= 20


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_the_outsider_is_refused_or_gets_nothing_of_the_record(world):
    markers, people, ids = world
    client = api_client(people["outsider"])
    for _, method, path, params in API_ROWS:
        response = _ask(client, ids, method, path, params)
        body = _text(response)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        assert RECORD not in body and "Kudaibergenov" not in body, path
        assert not any(marker in body for marker in markers.values()), path
        if response.status_code != 200:
            assert response["Content-Type"] == "application/problem+json", path


def test_anonymous_clients_get_401_everywhere(world):
    _, _, ids = world
    client = api_client(None)
    for _, method, path, params in API_ROWS:
        response = _ask(client, ids, method, path, params)
        expected = 404 if path in NOT_FOUND_FOR_ALL else 401
        assert response.status_code == expected, path


@pytest.mark.parametrize("persona", ["admin", "viewer", "documenter", "lawyer"])
def test_those_who_may_read_get_real_answers(world, persona):
    markers, people, ids = world
    client = api_client(people[persona])
    answered = set()
    for _, method, path, params in API_ROWS:
        response = _ask(client, ids, method, path, params)
        assert response.status_code < 500, path
        body = _text(response)
        if persona in ("viewer", "documenter"):
            assert not any(marker in body for marker in markers.values()), path
        if response.status_code == 200:
            answered.add(path)
    if persona in ("admin", "lawyer"):
        assert answered >= {"/api/v1/records/victim/{id}/", "/api/v1/persons/{person}/",
                            "/api/v1/evidence/{evidence}/", "/api/v1/victim-lists/{list}/",
                            "/api/v1/matches/{match}/", "/api/v1/reports/qantar2022/",
                            "/api/v1/estimates/"}  # fmt: skip
    if persona == "documenter":
        assert "/api/v1/records/victim/{id}/" in answered
        assert "/api/v1/reports/qantar2022/" not in answered
