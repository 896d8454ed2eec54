"""What each role sees and changes, proved through the pages and through the actions.

Personas: admin, coordinator, lawyer, documenter (team A), stranger (a documenter of
team B), outsider (a documenter of no team), viewer, anonymous. "Other's record" is a
record a teammate of the documenter wrote; "own record" is one the persona wrote.

Outcomes of a page:
- ok: it happened (page shown, answer saved, status changed, record deleted...)
- masked: the page is shown without the confidential answer
- without: the list is shown without the other's record
- ignored: the save went through but the answer kept its value
- 403: refused; 404: the record does not exist for this persona; login: sent to log in
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from aigak.accounts.models import Role, Team, User
from aigak.records import actions
from aigak.records.models import Record
from aigak.records.tests.sample_forms import (  # noqa: F401 - fast_passwords is a fixture
    fast_passwords,
    install_sample_victim_form,
    make_record,
)

SECRET = "SECRET-CONTACT-7701"
ACTIONS = [
    "list",
    "view_other",
    "view_confidential",
    "create",
    "edit_own",
    "edit_other",
    "edit_legal",
    "verify",
    "delete",
    "history",
    "restore",
]
ALL_OK = ["ok"] * len(ACTIONS)
# fmt: off
PAGES = {
    #             list       view_other conf      create edit_own   edit_other edit_legal verify delete history restore
    "admin":       ALL_OK,
    "coordinator": ALL_OK,
    "lawyer":      ["ok",      "ok",      "ok",     "403", "ignored", "ignored", "ok",     "403", "403", "ok",  "403"],
    "documenter":  ["ok",      "ok",      "masked", "ok",  "ok",      "403",     "403",    "403", "403", "ok",  "ok"],
    "stranger":    ["without", "404",     "404",    "ok",  "ok",      "404",     "404",    "404", "404", "404", "ok"],
    "outsider":    ["without", "404",     "404",    "ok",  "ok",      "404",     "404",    "404", "404", "404", "ok"],
    "viewer":      ["ok",      "ok",      "masked", "403", "403",     "403",     "403",    "403", "403", "ok",  "403"],
    "anonymous":   ["login"] * len(ACTIONS),
}
# The same rules through the action functions (no HTTP): ok, denied or ignored.
ACTION_FUNCTIONS = ["create", "edit_own", "edit_other", "edit_legal", "verify", "delete", "restore"]
FUNCTIONS = {
    "admin":       ["ok",     "ok",      "ok",      "ok",     "ok",     "ok",     "ok"],
    "coordinator": ["ok",     "ok",      "ok",      "ok",     "ok",     "ok",     "ok"],
    "lawyer":      ["denied", "ignored", "ignored", "ok",     "denied", "denied", "denied"],
    "documenter":  ["ok",     "ok",      "denied",  "denied", "denied", "denied", "ok"],
    "stranger":    ["ok",     "ok",      "denied",  "denied", "denied", "denied", "ok"],
    "outsider":    ["ok",     "ok",      "denied",  "denied", "denied", "denied", "ok"],
    "viewer":      ["denied", "denied",  "denied",  "denied", "denied", "denied", "denied"],
    "anonymous":   ["denied", "denied",  "denied",  "denied", "denied", "denied", "denied"],
}
# fmt: on


@dataclass
class World:
    user: Any
    other: Record
    own: Record
    questionnaire: Any


def _persona(name: str, team_a: Team) -> Any:
    if name == "anonymous":
        return AnonymousUser()
    role = {"admin": Role.ADMIN, "stranger": Role.DOCUMENTER, "outsider": Role.DOCUMENTER}.get(
        name, name
    )
    team = {
        "documenter": team_a,
        "stranger": Team.objects.create(name="Aktobe documenters"),
    }.get(name)
    return User.objects.create_user(
        username=name, password="correct horse battery", role=role, team=team
    )


@pytest.fixture
def world(request, db) -> World:
    name = request.param
    questionnaire = install_sample_victim_form()
    team_a = Team.objects.create(name="Almaty documenters")
    teammate = User.objects.create_user(username="teammate", role=Role.DOCUMENTER, team=team_a)
    coordinator = User.objects.create_user(username="boss", role=Role.COORDINATOR)
    user = _persona(name, team_a)
    other = make_record(teammate, questionnaire, source_contact=SECRET, gender="female")
    actions.update_record(teammate, other, {"gender": "male"})
    own = make_record(coordinator, questionnaire, gender="female")
    if getattr(user, "pk", None):
        # The persona wrote it (lawyers and viewers cannot create, so it is set here).
        Record.objects.filter(pk=own.pk).update(author=user, team=user.team)
    actions.update_record(coordinator, own, {"gender": "male"})
    own.refresh_from_db()
    return World(user=user, other=other, own=own, questionnaire=questionnaire)


def _url(record: Record, tail: str = "") -> str:
    return f"/records/victim/{record.record_id}/{tail}"


def _refusal(response) -> str | None:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    return None


def _page(client, world: World, action: str) -> str:
    other, own = world.other, world.own
    if action == "list":
        response = client.get("/records/victim/")
        if _refusal(response):
            return _refusal(response)
        listed = {row.record.pk for row in response.context["rows"]}
        return "ok" if other.pk in listed else "without"
    if action == "view_other":
        response = client.get(_url(other))
        return _refusal(response) or "ok"
    if action == "view_confidential":
        response = client.get(_url(other))
        return _refusal(response) or ("ok" if SECRET in response.content.decode() else "masked")
    if action == "create":
        response = client.post("/records/victim/new/", {"full_name": "N", "vital_status": "alive"})
        created = Record.objects.filter(answers__full_name="N").exists()
        return _refusal(response) or ("ok" if created else "failed")
    if action in ("edit_own", "edit_other", "edit_legal"):
        record = own if action == "edit_own" else other
        post = {"full_name": "Changed", "vital_status": "alive", "gender": "male"}
        if action == "edit_legal":
            post = {**record.answers, "rights_violated": ["life"]}
            post.pop("sources_list", None)
        response = client.post(_url(record, "edit/"), post)
        record.refresh_from_db()
        if _refusal(response):
            assert record.version == 2, "a refused edit changed the record"
            return _refusal(response)
        changed = (
            record.answers.get("rights_violated") == ["life"]
            if action == "edit_legal"
            else record.answers["full_name"] == "Changed"
        )
        assert response.status_code == 302
        return "ok" if changed else "ignored"
    if action == "verify":
        response = client.post(_url(other, "status/"), {"status": "verified"})
        other.refresh_from_db()
        return _refusal(response) or ("ok" if other.status == "verified" else "failed")
    if action == "delete":
        response = client.post(_url(other, "delete/"), {"reason": "duplicate"})
        other.refresh_from_db()
        return _refusal(response) or ("ok" if other.deleted_at else "failed")
    if action == "history":
        response = client.get(_url(other, "history/"))
        return _refusal(response) or ("ok" if response.context["changes"] else "failed")
    if action == "restore":
        response = client.post(_url(own, "history/1/restore/"))
        own.refresh_from_db()
        if _refusal(response):
            assert own.version == 2
            return _refusal(response)
        return "ok" if own.version == 3 and own.answers["gender"] == "female" else "failed"
    raise AssertionError(action)


@pytest.mark.parametrize(
    "world, action, expected",
    [
        (role, action, outcome)
        for role, outcomes in PAGES.items()
        for action, outcome in zip(ACTIONS, outcomes, strict=True)
    ],
    indirect=["world"],
)
def test_it_gives_each_role_exactly_its_pages(client, world, action, expected):
    if getattr(world.user, "pk", None):
        client.force_login(world.user)
    assert _page(client, world, action) == expected


def _function(world: World, action: str) -> str:
    user, other, own = world.user, world.other, world.own
    try:
        if action == "create":
            actions.create_record(
                user, world.questionnaire, {"full_name": "N", "vital_status": "alive"}
            )
            return "ok"
        if action in ("edit_own", "edit_other"):
            record = own if action == "edit_own" else other
            record = actions.update_record(user, record, {"full_name": "Changed"})
            return "ok" if record.answers["full_name"] == "Changed" else "ignored"
        if action == "edit_legal":
            record = actions.update_record(user, other, {"rights_violated": ["life"]})
            return "ok" if record.answers.get("rights_violated") == ["life"] else "ignored"
        if action == "verify":
            actions.set_status(user, other, "verified")
            return "ok"
        if action == "delete":
            actions.delete_record(user, other, "duplicate")
            return "ok"
        if action == "restore":
            actions.restore_version(user, own, 1)
            return "ok"
    except PermissionDenied:
        return "denied"
    raise AssertionError(action)


@pytest.mark.parametrize(
    "world, action, expected",
    [
        (role, action, outcome)
        for role, outcomes in FUNCTIONS.items()
        for action, outcome in zip(ACTION_FUNCTIONS, outcomes, strict=True)
    ],
    indirect=["world"],
)
def test_it_enforces_the_same_rules_in_the_actions(world, action, expected):
    assert _function(world, action) == expected


# The forms page (/forms/): installing questionnaires is for admins and coordinators.
# fmt: off
FORMS_PAGES = {
    #             list   versions download
    "admin":       ["ok",    "ok",    "ok"],
    "coordinator": ["ok",    "ok",    "ok"],
    "lawyer":      ["403",   "403",   "403"],
    "documenter":  ["403",   "403",   "403"],
    "stranger":    ["403",   "403",   "403"],
    "outsider":    ["403",   "403",   "403"],
    "viewer":      ["403",   "403",   "403"],
    "anonymous":   ["login", "login", "login"],
}
# fmt: on


@pytest.mark.parametrize(
    "world, action, expected",
    [
        (role, action, outcome)
        for role, outcomes in FORMS_PAGES.items()
        for action, outcome in zip(["list", "versions", "download"], outcomes, strict=True)
    ],
    indirect=["world"],
)
def test_it_gives_each_role_exactly_its_forms_pages(client, world, action, expected):
    if getattr(world.user, "pk", None):
        client.force_login(world.user)
    version = world.questionnaire.current_id
    url = {
        "list": "/forms/",
        "versions": "/forms/victim/",
        "download": f"/forms/victim/versions/{version}/xlsx",
    }[action]
    response = client.get(url)
    assert (_refusal(response) or "ok") == expected
    if expected == "ok":
        assert response.status_code == 200


# The summary report of a questionnaire (/reports/summary/NAME/): readers of reports.
SUMMARY_PAGE = {
    "admin": "ok", "coordinator": "ok", "lawyer": "ok", "documenter": "403",
    "stranger": "403", "outsider": "403", "viewer": "ok", "anonymous": "login",
}  # fmt: skip


@pytest.mark.parametrize("world, expected", list(SUMMARY_PAGE.items()), indirect=["world"])
def test_it_gives_each_role_exactly_its_summary_report(client, world, expected):
    if getattr(world.user, "pk", None):
        client.force_login(world.user)
    response = client.get("/reports/summary/victim/")
    assert (_refusal(response) or "ok") == expected
    if expected == "ok":
        assert response.status_code == 200


# The trash (/trash/, restoring a deleted record) and the print view of a record.
# fmt: off
WORK_ACTIONS = ["trash", "undelete", "print"]
WORK_PAGES = {
    #             trash    undelete print
    "admin":       ["ok",    "ok",    "ok"],
    "coordinator": ["ok",    "ok",    "ok"],
    "lawyer":      ["403",   "403",   "ok"],
    "documenter":  ["403",   "403",   "masked"],
    "stranger":    ["403",   "403",   "404"],
    "outsider":    ["403",   "403",   "404"],
    "viewer":      ["403",   "403",   "masked"],
    "anonymous":   ["login", "login", "login"],
}
# fmt: on


def _work_page(client, world: World, action: str) -> str:
    other = world.other
    if action == "print":
        response = client.get(_url(other, "print/"))
        return _refusal(response) or ("ok" if SECRET in response.content.decode() else "masked")
    actions.delete_record(User.objects.get(username="boss"), other, "duplicate")
    if action == "trash":
        response = client.get("/trash/")
        if _refusal(response):
            return _refusal(response)
        return "ok" if other.record_id in response.content.decode() else "failed"
    response = client.post(_url(other, "undelete/"))
    other.refresh_from_db()
    if _refusal(response):
        assert other.deleted_at is not None, "a refused restore brought the record back"
        return _refusal(response)
    return "ok" if other.deleted_at is None else "failed"


@pytest.mark.parametrize(
    "world, action, expected",
    [
        (role, action, outcome)
        for role, outcomes in WORK_PAGES.items()
        for action, outcome in zip(WORK_ACTIONS, outcomes, strict=True)
    ],
    indirect=["world"],
)
def test_it_gives_each_role_exactly_its_trash_and_print_pages(client, world, action, expected):
    if getattr(world.user, "pk", None):
        client.force_login(world.user)
    assert _work_page(client, world, action) == expected


# The list's export and bulk actions: those who verify, assign and export (managers).
# fmt: off
LIST_ACTIONS = ["export", "bulk_export", "bulk_verify", "bulk_assign"]
LIST_PAGES = {
    #             export  bulk_export bulk_verify bulk_assign
    "admin":       ["ok",    "ok",    "ok",    "ok"],
    "coordinator": ["ok",    "ok",    "ok",    "ok"],
    "lawyer":      ["403",   "403",   "403",   "403"],
    "documenter":  ["403",   "403",   "403",   "403"],
    "stranger":    ["403",   "403",   "403",   "403"],
    "outsider":    ["403",   "403",   "403",   "403"],
    "viewer":      ["403",   "403",   "403",   "403"],
    "anonymous":   ["login", "login", "login", "login"],
}
# fmt: on


def _list_page(client, world: World, action: str) -> str:
    other = world.other
    if action == "export":
        response = client.get("/records/victim/export/csv/")
        return _refusal(response) or "ok"
    team = Team.objects.create(name="Shymkent documenters")
    post = {"action": action.removeprefix("bulk_"), "ids": [other.record_id], "team": team.pk}
    response = client.post("/records/victim/bulk/", post)
    other.refresh_from_db()
    if _refusal(response):
        assert other.status == "submitted", "a refused bulk action changed the record"
        assert other.team != team, "a refused bulk action changed the record"
        return _refusal(response)
    if action == "bulk_verify":
        return "ok" if other.status == "verified" else "failed"
    if action == "bulk_assign":
        return "ok" if other.team == team else "failed"
    return "ok" if other.record_id in b"".join(response.streaming_content).decode() else "failed"


@pytest.mark.parametrize(
    "world, action, expected",
    [
        (role, action, outcome)
        for role, outcomes in LIST_PAGES.items()
        for action, outcome in zip(LIST_ACTIONS, outcomes, strict=True)
    ],
    indirect=["world"],
)
def test_it_gives_each_role_exactly_its_export_and_bulk_actions(client, world, action, expected):
    if getattr(world.user, "pk", None):
        client.force_login(world.user)
    assert _list_page(client, world, action) == expected


# The import page (/import/): admins and coordinators, as the import action requires.
IMPORT_PAGE = {
    "admin": "ok", "coordinator": "ok", "lawyer": "403", "documenter": "403",
    "stranger": "403", "outsider": "403", "viewer": "403", "anonymous": "login",
}  # fmt: skip


@pytest.mark.parametrize("world, expected", list(IMPORT_PAGE.items()), indirect=["world"])
def test_it_gives_each_role_exactly_its_import_page(client, world, expected):
    if getattr(world.user, "pk", None):
        client.force_login(world.user)
    response = client.get("/import/")
    assert (_refusal(response) or "ok") == expected
    if expected == "ok":
        assert response.status_code == 200
    started = client.post("/import/start/", {"token": "none", "fmt": "csv"})
    assert (_refusal(started) or "ok") == ("404" if expected == "ok" else expected)
