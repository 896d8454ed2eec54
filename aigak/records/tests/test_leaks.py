"""No confidential value leaks: every address, every role, every channel.

A victim record written by a documenter of team A carries a unique marker in every
confidential field. Every URL pattern of the site has a row below (a new address without
a row fails `test_every_address_has_a_row`), and every row is requested by every persona:
admin, coordinator, lawyer, documenter (team A), outsider (a documenter of team B),
viewer and anonymous. Pages, downloads in every format (XLSX and DOCX are unzipped),
JSON, report filters and searches are all read. Those who may not see confidential
fields never get a marker, and a filter or search on a hidden field is refused or finds
nothing. The pages of `test_role_matrix.py` (what each role may do) are not repeated.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver

from aigak.accounts.models import Role, Team, User
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows
from aigak.records.models import Record

RECORD = "V-000777"
PERSONAS = ["admin", "coordinator", "lawyer", "documenter", "outsider", "viewer", "anonymous"]
SEES_CONFIDENTIAL = {"admin", "coordinator", "lawyer"}
FORMATS = ["json", "html", "xlsx", "docx"]

# Every URL pattern of the site -> the requests made of it ({id}: the record with markers).
# Object pages of the linkage app are asked for objects that do not exist: they hold no
# record answers of their own (lists come from outside; see aigak.linkage.access).
ROWS: dict[str, list[tuple[str, str, dict]]] = {
    "accounts/login/": [("get", "/accounts/login/", {})],
    "accounts/logout/": [("get", "/accounts/logout/", {})],
    "i18n/setlang/": [("post", "/i18n/setlang/", {"language": "ru", "next": "/"})],
    "admin/": [("get", "/admin/", {}), ("get", "/admin/records/record/", {})],
    "healthz": [("get", "/healthz", {})],
    "evidence/": [("get", "/evidence/", {"q": "a"})],
    "evidence/upload/": [("get", "/evidence/upload/", {})],
    "evidence/<int:pk>/": [("get", "/evidence/999/", {})],
    "evidence/<int:pk>/file": [("get", "/evidence/999/file", {})],
    "evidence/<int:pk>/thumbnail": [("get", "/evidence/999/thumbnail", {})],
    "evidence/<int:pk>/custody.csv": [("get", "/evidence/999/custody.csv", {})],
    "evidence/<int:pk>/link": [("post", "/evidence/999/link", {"record_id": "1"})],
    "evidence/<int:pk>/unlink": [("post", "/evidence/999/unlink", {"record_id": "1"})],
    "evidence/<int:pk>/delete": [("post", "/evidence/999/delete", {"reason": "x"})],
    "api/v1/uploads/": [("get", "/api/v1/uploads/", {})],
    "api/v1/uploads/<uuid:upload_id>": [
        ("get", "/api/v1/uploads/00000000-0000-0000-0000-000000000000", {})
    ],
    "reports/": [("get", "/reports/", {})],
    "reports/<slug:name>/": [
        ("get", "/reports/qantar2022/", {}),
        ("get", "/reports/qantar2022/", {"where": "gender=male"}),
    ],
    "reports/<slug:name>/download/<slug:fmt>/": [
        ("get", f"/reports/qantar2022/download/{fmt}/", {}) for fmt in FORMATS
    ],
    "reports/<slug:name>/chart/<slug:table_id>.png": [
        ("get", "/reports/qantar2022/chart/T01.png", {})
    ],
    "linkage/": [("get", "/linkage/", {})],
    "linkage/lists/new/": [("get", "/linkage/lists/new/", {})],
    "linkage/lists/new/<str:token>/": [("get", "/linkage/lists/new/nothing/", {})],
    "linkage/lists/<int:pk>/": [("get", "/linkage/lists/999/", {})],
    "linkage/lists/<int:pk>/cross-reference/": [("get", "/linkage/lists/999/cross-reference/", {})],
    "linkage/lists/<int:pk>/review/": [("get", "/linkage/lists/999/review/", {})],
    "linkage/lists/<int:pk>/overlap/": [("get", "/linkage/lists/999/overlap/", {})],
    "linkage/lists/<int:pk>/overlap/<slug:part>.csv": [
        ("get", "/linkage/lists/999/overlap/both.csv", {})
    ],
    "linkage/matches/<int:pk>/": [("get", "/linkage/matches/999/", {})],
    "linkage/matches/<int:pk>/decide/": [("post", "/linkage/matches/999/decide/", {})],
    "linkage/duplicates/": [("get", "/linkage/duplicates/", {})],
    "linkage/duplicates/run/": [("get", "/linkage/duplicates/run/", {})],
    "linkage/runs/<int:pk>/": [("get", "/linkage/runs/999/", {})],
    "linkage/merges/": [("get", "/linkage/merges/", {})],
    "linkage/merges/<int:pk>/undo/": [("post", "/linkage/merges/999/undo/", {})],
    "linkage/capture-histories.csv": [("get", "/linkage/capture-histories.csv", {})],
    "estimation/": [("get", "/estimation/", {})],
    "estimation/runs/<str:key>/": [("get", "/estimation/runs/nothing/", {})],
    "": [("get", "/", {})],
    "records/<slug:questionnaire>/": [
        ("get", "/records/victim/", {}),
        ("get", "/records/victim/", {"f_gender": "male"}),
    ],
    "records/<slug:questionnaire>/new/": [("get", "/records/victim/new/", {})],
    "records/<slug:questionnaire>/<record_id:record_id>/": [("get", "/records/victim/{id}/", {})],
    "records/<slug:questionnaire>/<record_id:record_id>/edit/": [
        ("get", "/records/victim/{id}/edit/", {})
    ],
    "records/<slug:questionnaire>/<record_id:record_id>/status/": [
        ("post", "/records/victim/{id}/status/", {"status": "nonsense"})
    ],
    "records/<slug:questionnaire>/<record_id:record_id>/delete/": [
        ("get", "/records/victim/{id}/delete/", {})
    ],
    "records/<slug:questionnaire>/<record_id:record_id>/history/": [
        ("get", "/records/victim/{id}/history/", {})
    ],
    "records/<slug:questionnaire>/<record_id:record_id>/history/<int:number>/restore/": [
        ("get", "/records/victim/{id}/history/1/restore/", {})
    ],
    "forms/<slug:questionnaire>/evaluate/": [
        ("post", "/forms/victim/evaluate/", {"_record": RECORD}),
        ("post", "/forms/victim/evaluate/", {}),
    ],
}


def _routes(patterns, prefix: str = "") -> list[str]:
    out = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            out += [route] if pattern.namespace == "admin" else _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            out.append(route)
    return out


def test_every_address_has_a_row():
    assert set(_routes(get_resolver().url_patterns)) == set(ROWS)


@pytest.fixture
def world(questionnaires, db):
    team_a = Team.objects.create(name="Almaty documenters")
    team_b = Team.objects.create(name="Aktobe documenters")
    author = User.objects.create_user(username="author", role=Role.DOCUMENTER, team=team_a)
    definition = get_questionnaire("victim").definition
    markers = {
        f.name: f"Mrk{n}Qz{f.name.replace('_', '')}"
        for n, f in enumerate(definition.fields.values())
        if f.confidential and f.stores_answer
    }
    row = {"record_id": RECORD, "full_name": "Public Person", "vital_status": "deceased",
           "gender": "male", "essence": ["died"], "entry_date": "2022-04-04", **markers}  # fmt: skip
    import_rows(None, get_questionnaire("victim"), [(1, row)])  # as `aigak import` does
    Record.objects.filter(record_id=RECORD).update(author=author, team=team_a)
    people = {
        "admin": User.objects.create_user(username="admin", role=Role.ADMIN),
        "coordinator": User.objects.create_user(username="coord", role=Role.COORDINATOR),
        "lawyer": User.objects.create_user(username="lawyer", role=Role.LAWYER),
        "documenter": User.objects.create_user(username="doc", role=Role.DOCUMENTER, team=team_a),
        "outsider": User.objects.create_user(username="out", role=Role.DOCUMENTER, team=team_b),
        "viewer": User.objects.create_user(username="viewer", role=Role.VIEWER),
        "anonymous": AnonymousUser(),
    }
    return markers, people


def _body(response) -> str:
    data = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if data.startswith(b"PK\x03\x04"):  # XLSX, DOCX: the text is inside the zip
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _ask(client, method: str, path: str, params: dict):
    path = path.replace("{id}", RECORD)
    return client.get(path, params) if method == "get" else client.post(path, params)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_address_shows_a_confidential_value_to_those_who_may_not_see_it(client, world, persona):
    markers, people = world
    user = people[persona]
    if user.is_authenticated:
        client.force_login(user)
    shown: dict[str, set[str]] = {}
    for requests in ROWS.values():
        for method, path, params in requests:
            body = _body(_ask(client, method, path, params))
            for field, marker in markers.items():
                if marker in body:
                    shown.setdefault(field, set()).add(f"{method} {path} {params}")
    if persona in SEES_CONFIDENTIAL:
        # The test can fail: those who may see them do get the markers.
        assert set(shown) >= {"source_name", "narrative"}
    else:
        assert shown == {}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_filter_or_search_on_a_hidden_field_tells_its_value(client, world, persona):
    markers, people = world
    user = people[persona]
    if user.is_authenticated:
        client.force_login(user)
    sees = persona in SEES_CONFIDENTIAL
    for field, marker in markers.items():
        for fmt in FORMATS:
            response = client.get(
                f"/reports/qantar2022/download/{fmt}/", {"where": f"{field}={marker}"}
            )
            if persona in ("admin", "coordinator", "lawyer", "viewer"):
                assert response.status_code == (200 if sees else 400), (field, fmt)
            else:
                assert response.status_code in (302, 403)
        found = client.get("/records/victim/", {"q": marker})
        if found.status_code == 200:
            ids = [row.record.record_id for row in found.context["rows"]]
            assert ids == ([RECORD] if sees else []), field
