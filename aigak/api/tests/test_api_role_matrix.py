"""What each role sees and changes through the API: the same rules as the pages
(aigak/records/tests/test_role_matrix.py), proved request by request.

Outcomes: ok; masked (the record without its confidential answer); without (the list
without the other's record); found / nothing (a search for a confidential value);
field_visible / select_field (the rule a filter on a confidential field breaks: hidden
from the role, or simply not a select field); 401, 403, 404.
"""

from __future__ import annotations

import pytest

from aigak.api.tests.conftest import api_client
from aigak.records.tests.test_role_matrix import SECRET, World
from aigak.records.tests.test_role_matrix import world as world  # noqa: F401 - the fixture

ACTIONS = ["list", "view_other", "view_confidential", "search_confidential", "filter_hidden",
           "create", "edit_own", "edit_other", "edit_legal", "verify", "delete", "versions",
           "diff_confidential"]  # fmt: skip
ALL_OK = ["ok", "ok", "ok", "found", "select_field"] + ["ok"] * 8
NOT_YOURS = ["without", "404", "404", "nothing", "field_visible", "ok", "ok"] + ["404"] * 6
# fmt: off
MATRIX = {
    "admin":       ALL_OK,
    "coordinator": ALL_OK,
    "lawyer":      ["ok", "ok", "ok", "found", "select_field", "403", "403", "403", "ok", "403",
                    "403", "ok", "ok"],
    "documenter":  ["ok", "ok", "masked", "nothing", "field_visible", "ok", "ok", "403", "403",
                    "403", "403", "ok", "masked"],
    "stranger":    NOT_YOURS,
    "outsider":    NOT_YOURS,
    "viewer":      ["ok", "ok", "masked", "nothing", "field_visible", "403", "403", "403", "403",
                    "403", "403", "ok", "masked"],
    "anonymous":   ["401"] * len(ACTIONS),
}
# fmt: on
URL = "/api/v1/records/victim/"


def _refusal(response) -> str | None:
    return str(response.status_code) if response.status_code in (401, 403, 404) else None


def _edit(client, record, answers) -> str:
    before = record.version
    response = client.patch(
        f"{URL}{record.record_id}/", {"version": before, "answers": answers}, format="json"
    )
    record.refresh_from_db()
    if _refusal(response):
        assert record.version == before, "a refused edit changed the record"
        return _refusal(response)
    assert response.status_code == 200, response.content
    return "ok" if record.version == before + 1 else "ignored"


def _ask(client, world: World, action: str) -> str:
    other, own = world.other, world.own
    other.refresh_from_db()
    one = f"{URL}{other.record_id}/"
    if action == "list":
        response = client.get(URL)
        ids = [r["record_id"] for r in response.json().get("results", [])]
        return _refusal(response) or ("ok" if other.record_id in ids else "without")
    if action in ("view_other", "view_confidential"):
        response = client.get(one)
        if _refusal(response) or action == "view_other":
            return _refusal(response) or "ok"
        return "ok" if SECRET in response.content.decode() else "masked"
    if action == "search_confidential":
        response = client.get(URL, {"q": SECRET})
        return _refusal(response) or ("found" if response.json()["results"] else "nothing")
    if action == "filter_hidden":
        response = client.get(URL, {"f_source_contact": SECRET})
        return _refusal(response) or response.json()["rule"]
    if action == "create":
        body = {"answers": {"full_name": "N", "vital_status": "alive"}}
        return _refusal(client.post(URL, body, format="json")) or "ok"
    if action == "edit_own":
        return _edit(client, own, {"full_name": "Changed"})
    if action == "edit_other":
        return _edit(client, other, {"full_name": "Changed"})
    if action == "edit_legal":
        return _edit(client, other, {"rights_violated": ["life"]})
    if action == "verify":
        response = client.patch(one, {"version": other.version, "status": "verified"},
                                format="json")  # fmt: skip
        other.refresh_from_db()
        return _refusal(response) or ("ok" if other.status == "verified" else "failed")
    if action == "delete":
        response = client.delete(one, {"reason": "duplicate"}, format="json")
        other.refresh_from_db()
        return _refusal(response) or ("ok" if other.deleted_at else "failed")
    if action == "versions":
        response = client.get(one + "versions/")
        return _refusal(response) or ("ok" if len(response.json()) == 2 else "failed")
    if action == "diff_confidential":
        response = client.get(one + "versions/1/diff/")
        return _refusal(response) or ("ok" if SECRET in response.content.decode() else "masked")
    raise AssertionError(action)


@pytest.mark.parametrize(
    "world, action, expected",
    [
        (role, action, outcome)
        for role, outcomes in MATRIX.items()
        for action, outcome in zip(ACTIONS, outcomes, strict=True)
    ],
    indirect=["world"],
)
def test_the_api_gives_each_role_exactly_what_the_pages_give(world, action, expected):
    user = world.user if getattr(world.user, "pk", None) else None
    assert _ask(api_client(user), world, action) == expected


@pytest.mark.parametrize("world", ["viewer", "documenter"], indirect=True)
def test_a_role_that_may_not_see_a_field_never_receives_it_in_any_answer(world):
    client = api_client(world.user)
    for path in ("", f"{world.other.record_id}/", f"{world.other.record_id}/versions/1/",
                 f"{world.other.record_id}/versions/1/diff/",
                 f"{world.other.record_id}/versions/2/diff/"):  # fmt: skip
        response = client.get(URL + path)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
        assert "source_contact" not in response.content.decode()
