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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from aigak.accounts.models import Role, Team, User
from aigak.evidence.actions import attach_small_file
from aigak.linkage.lists import guess_mapping, import_list
from aigak.linkage.models import Match, MatchingRun, MatchKind, PersonMerge
from aigak.linkage.tests.appdata import LIST_HEADER, csv_bytes, list_rows
from aigak.publishing import statistics_runs
from aigak.publishing.actions import publish
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows
from aigak.records.models import Person, Record
from aigak.runs.models import RunStatus

RECORD = "V-000777"
PERSONAS = ["admin", "coordinator", "lawyer", "documenter", "outsider", "viewer", "anonymous"]
SEES_CONFIDENTIAL = {"admin", "coordinator", "lawyer"}
FORMATS = ["json", "html", "xlsx", "docx"]

# Every URL pattern of the site -> the requests made of it: {id} is the record with the
# markers, {evidence} a file linked to it, {list} a victim list with {match} pointing at
# the record's person, {run} a matching run, {merge} a merge into the record's person.
# Requests that would change something are made so that they are refused or change
# nothing (an unknown decision, a deletion without a reason).
ROWS: dict[str, list[tuple[str, str, dict]]] = {
    "accounts/login/": [("get", "/accounts/login/", {})],
    "accounts/logout/": [("get", "/accounts/logout/", {})],
    "i18n/setlang/": [("post", "/i18n/setlang/", {"language": "ru", "next": "/"})],
    "admin/": [("get", "/admin/", {}), ("get", "/admin/records/record/", {})],
    "healthz": [("get", "/healthz", {})],
    "evidence/": [("get", "/evidence/", {"q": "a"})],
    "evidence/upload/": [("get", "/evidence/upload/", {})],
    "evidence/records.json": [
        ("get", "/evidence/records.json", {"q": "Kudaibergenov"}),
        ("get", "/evidence/records.json", {"q": "Mrk"}),
    ],
    "evidence/<int:pk>/": [("get", "/evidence/{evidence}/", {})],
    "evidence/<int:pk>/file": [("get", "/evidence/{evidence}/file", {})],
    "evidence/<int:pk>/thumbnail": [("get", "/evidence/{evidence}/thumbnail", {})],
    "evidence/<int:pk>/custody.csv": [("get", "/evidence/{evidence}/custody.csv", {})],
    "evidence/<int:pk>/link": [("post", "/evidence/{evidence}/link", {"record_id": "{record_pk}"})],
    "evidence/<int:pk>/unlink": [
        ("post", "/evidence/{evidence}/unlink", {"record_id": "{record_pk}"})
    ],
    "evidence/<int:pk>/delete": [("post", "/evidence/{evidence}/delete", {})],
    "api/v1/uploads/": [("get", "/api/v1/uploads/", {})],
    "api/v1/uploads/<uuid:upload_id>": [
        ("get", "/api/v1/uploads/00000000-0000-0000-0000-000000000000", {})
    ],
    "api/v1/persons/<int:pk>/": [("get", "/api/v1/persons/{person}/", {})],
    "api/v1/evidence/": [("get", "/api/v1/evidence/", {})],
    "api/v1/evidence/<int:pk>/": [("get", "/api/v1/evidence/{evidence}/", {})],
    "api/v1/evidence/<int:pk>/file": [("get", "/api/v1/evidence/{evidence}/file", {})],
    "api/v1/victim-lists/": [("get", "/api/v1/victim-lists/", {})],
    "api/v1/victim-lists/<int:pk>/": [("get", "/api/v1/victim-lists/{list}/", {})],
    "api/v1/matches/<int:pk>/": [("get", "/api/v1/matches/{match}/", {})],
    "api/v1/reports/": [("get", "/api/v1/reports/", {})],
    "api/v1/reports/<slug:name>/": [
        ("get", "/api/v1/reports/qantar2022/", {}),
        ("get", "/api/v1/reports/qantar2022/", {"where": "gender=male"}),
    ],
    "api/v1/estimates/": [("get", "/api/v1/estimates/", {})],
    "api/v1/estimates/<str:key>/": [("get", "/api/v1/estimates/nothing/", {})],
    "api/v1/^": [("get", "/api/v1/nothing/", {})],
    "api/v1/schema/": [("get", "/api/v1/schema/", {})],
    "api/v1/docs/": [("get", "/api/v1/docs/", {})],
    "api/v1/redoc/": [("get", "/api/v1/redoc/", {})],
    "api/v1/questionnaires/": [("get", "/api/v1/questionnaires/", {})],
    "api/v1/questionnaires/<slug:questionnaire>/": [("get", "/api/v1/questionnaires/victim/", {})],
    "api/v1/records/<slug:questionnaire>/": [
        ("get", "/api/v1/records/victim/", {}),
        ("get", "/api/v1/records/victim/", {"f_gender": "male"}),
    ],
    "api/v1/records/<slug:questionnaire>/<record_id:record_id>/": [
        ("get", "/api/v1/records/victim/{id}/", {})
    ],
    "api/v1/records/<slug:questionnaire>/<record_id:record_id>/versions/": [
        ("get", "/api/v1/records/victim/{id}/versions/", {})
    ],
    "api/v1/records/<slug:questionnaire>/<record_id:record_id>/versions/<int:number>/": [
        ("get", "/api/v1/records/victim/{id}/versions/1/", {})
    ],
    "api/v1/records/<slug:questionnaire>/<record_id:record_id>/versions/<int:number>/diff/": [
        ("get", "/api/v1/records/victim/{id}/versions/1/diff/", {})
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
    "linkage/lists/<int:pk>/": [("get", "/linkage/lists/{list}/", {})],
    "linkage/lists/<int:pk>/cross-reference/": [
        ("get", "/linkage/lists/{list}/cross-reference/", {})
    ],
    "linkage/lists/<int:pk>/review/": [("get", "/linkage/lists/{list}/review/", {})],
    "linkage/lists/<int:pk>/overlap/": [("get", "/linkage/lists/{list}/overlap/", {})],
    "linkage/lists/<int:pk>/overlap/<slug:part>.csv": [
        ("get", "/linkage/lists/{list}/overlap/both.csv", {})
    ],
    "linkage/matches/<int:pk>/": [("get", "/linkage/matches/{match}/", {})],
    "linkage/matches/<int:pk>/decide/": [
        ("post", "/linkage/matches/{match}/decide/", {"decision": "nonsense"})
    ],
    "linkage/duplicates/": [("get", "/linkage/duplicates/", {})],
    "linkage/duplicates/run/": [("get", "/linkage/duplicates/run/", {})],
    "linkage/runs/<int:pk>/": [("get", "/linkage/runs/{run}/", {})],
    "linkage/merges/": [("get", "/linkage/merges/", {})],
    "linkage/merges/<int:pk>/undo/": [("post", "/linkage/merges/{merge}/undo/", {})],
    "linkage/persons/<int:pk>/": [
        ("get", "/linkage/persons/{person}/", {}),
        ("get", "/linkage/persons/{merged_person}/", {}),
    ],
    "linkage/capture-histories.csv": [("get", "/linkage/capture-histories.csv", {})],
    "estimation/": [("get", "/estimation/", {})],
    "estimation/runs/<str:key>/": [("get", "/estimation/runs/nothing/", {})],
    "": [("get", "/", {})],
    "records/<slug:questionnaire>/": [
        ("get", "/records/victim/", {}),
        ("get", "/records/victim/", {"f_gender": "male"}),
    ],
    "records/<slug:questionnaire>/new/": [("get", "/records/victim/new/", {})],
    "records/<slug:questionnaire>/bulk/": [
        ("post", "/records/victim/bulk/", {"action": "export", "ids": "{id}", "format": "csv"}),
        ("post", "/records/victim/bulk/", {"action": "export", "ids": "{id}", "format": "json"}),
    ],
    "records/<slug:questionnaire>/export/<slug:fmt>/": [
        ("get", f"/records/victim/export/{fmt}/", {"q": "Kudaibergenov"})
        for fmt in ("csv", "xlsx", "json")
    ],
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
    "records/<slug:questionnaire>/<record_id:record_id>/print/": [
        ("get", "/records/victim/{id}/print/", {})
    ],
    "records/<slug:questionnaire>/<record_id:record_id>/undelete/": [
        ("post", "/records/victim/{id}/undelete/", {})
    ],
    "trash/": [("get", "/trash/", {})],
    "import/": [("get", "/import/", {})],
    "import/start/": [("post", "/import/start/", {"token": "nothing", "fmt": "csv"})],
    "import/<int:pk>/": [("get", "/import/999999/", {})],
    "accounts/": [("get", "/accounts/", {})],
    "accounts/password/": [("get", "/accounts/password/", {})],
    "accounts/two-factor/": [("get", "/accounts/two-factor/", {})],
    "accounts/two-factor/codes/": [("get", "/accounts/two-factor/codes/", {})],
    "accounts/tokens/new/": [("get", "/accounts/tokens/new/", {})],
    "accounts/tokens/<int:pk>/revoke/": [("post", "/accounts/tokens/999999/revoke/", {})],
    "accounts/sessions/<int:pk>/end/": [("post", "/accounts/sessions/999999/end/", {})],
    "accounts/reset/<str:key>/": [("get", "/accounts/reset/nothing/", {})],
    "accounts/login/verify/": [("get", "/accounts/login/verify/", {})],
    "accounts/admin/users/": [("get", "/accounts/admin/users/", {})],
    "accounts/admin/users/<int:pk>/": [("get", "/accounts/admin/users/{user}/", {})],
    "accounts/admin/teams/": [("get", "/accounts/admin/teams/", {})],
    "accounts/admin/audit/": [("get", "/accounts/admin/audit/", {})],
    "accounts/admin/audit.csv": [("get", "/accounts/admin/audit.csv", {})],
    "forms/": [("get", "/forms/", {})],
    "forms/<slug:name>/": [("get", "/forms/victim/", {})],
    "forms/<slug:name>/versions/<int:pk>/<str:kind>": [
        ("get", "/forms/victim/versions/{form_version}/xlsx", {}),
        ("get", "/forms/victim/versions/{form_version}/xform", {}),
    ],
    "forms/preview/<str:digest>/": [("get", "/forms/preview/nothing/", {})],
    "reports/summary/<slug:name>/": [
        ("get", "/reports/summary/victim/", {}),
        ("get", "/reports/summary/victim/", {"question": "gender", "by": "vital_status"}),
    ],
    "reports/summary/<slug:name>/download/<slug:fmt>/": [
        ("get", f"/reports/summary/victim/download/{fmt}/", {}) for fmt in FORMATS
    ],
    "collection/": [("get", "/collection/", {})],
    "collection/users/<int:pk>/": [("get", "/collection/users/{user}/", {})],
    "collection/submissions/<int:pk>/": [("get", "/collection/submissions/{submission}/", {})],
    "collection/decrypt/": [("get", "/collection/decrypt/", {})],
    "collection/forms/<slug:name>/media/": [("get", "/collection/forms/victim/media/", {})],
    # OpenRosa: a wrong token, and the session alone (without X-OpenRosa-Version) open
    # nothing; aigak/collection/tests hold the phones' side.
    **{
        f"openrosa/{base}{route}": [("get", f"/openrosa/{prefix}{path}", {})]
        for base, prefix in (("key/<str:token>/", "key/nothing/"), ("", ""))
        for route, path in (
            ("formList", "formList"),
            ("forms/<slug:name>/form.xml", "forms/victim/form.xml"),
            ("forms/<slug:name>/manifest", "forms/victim/manifest"),
            ("forms/<slug:name>/media/<str:filename>", "forms/victim/media/a.png"),
            ("submission", "submission"),
        )
    },
    # The web form: the XForm (labels, no answers) and the submission address only.
    "collect/web/<slug:questionnaire>/": [("get", "/collect/web/victim/", {})],
    "public/intake/<slug:questionnaire>/": [
        ("get", "/public/intake/tell_us/", {}),
        ("post", "/public/intake/tell_us/", {"what_happened": "nothing"}),
    ],
    "public/map/": [("get", "/public/map/", {})],
    "public/timeline/": [("get", "/public/timeline/", {})],
    "map/": [("get", "/map/", {})],
    "map/timeline/": [("get", "/map/timeline/", {})],
    "intake/": [("get", "/intake/", {}), ("get", "/intake/", {"status": "accepted"})],
    "intake/<int:pk>/": [("get", "/intake/999999/", {})],
    "intake/forms/<slug:questionnaire>/public/": [("post", "/intake/forms/nothing/public/", {})],
    "public/": [("get", "/public/", {}), ("get", "/public/", {"q": "Kudaibergenov"})],
    "public/victims/<str:public_id>/": [("get", "/public/victims/{public_id}/", {})],
    "public/statistics/": [
        ("get", "/public/statistics/", {}),
        ("get", "/public/statistics/", {"format": "json"}),
    ],
    "publishing/": [("get", "/publishing/", {})],
    "publishing/<slug:questionnaire>/bulk/": [
        ("post", "/publishing/victim/bulk/", {"record_ids": "", "action": "publish"})
    ],
    "publishing/<slug:questionnaire>/<record_id:record_id>/publish/": [
        ("post", "/publishing/victim/V-999999/publish/", {})
    ],
    "publishing/<slug:questionnaire>/<record_id:record_id>/unpublish/": [
        ("post", "/publishing/victim/V-999999/unpublish/", {})
    ],
    "forms/<slug:questionnaire>/evaluate/": [
        ("post", "/forms/victim/evaluate/", {"_record": RECORD}),
        ("post", "/forms/victim/evaluate/", {}),
    ],
    # The public photo: none is marked here (404 for everyone); marking needs consent,
    # which the publishing tests hold (test_public_photo.py).
    "public/victims/<str:public_id>/photo/": [("get", "/public/victims/{public_id}/photo/", {})],
    "publishing/<slug:questionnaire>/<record_id:record_id>/photo/": [
        ("post", "/publishing/victim/{id}/photo/", {"evidence": "{evidence}"})
    ],
    "publishing/<slug:questionnaire>/<record_id:record_id>/photo/unmark/": [
        ("post", "/publishing/victim/{id}/photo/unmark/", {})
    ],
    "publishing/<slug:questionnaire>/<record_id:record_id>/photo.jpg": [
        ("get", "/publishing/victim/{id}/photo.jpg", {})
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
def world(questionnaires, db, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")
    settings.LINKAGE_STAGING_DIR = str(tmp_path / "staging")
    team_a = Team.objects.create(name="Almaty documenters")
    team_b = Team.objects.create(name="Aktobe documenters")
    author = User.objects.create_user(username="author", role=Role.DOCUMENTER, team=team_a)
    boss = User.objects.create_user(username="boss", role=Role.COORDINATOR)
    definition = get_questionnaire("victim").definition
    markers = {
        f.name: f"Mrk{n}Qz{f.name.replace('_', '')}"
        for n, f in enumerate(definition.fields.values())
        if f.confidential and f.stores_answer
    }
    row = {"record_id": RECORD, "full_name": "Kudaibergenov Kazybek", "vital_status": "deceased",
           "gender": "male", "essence": ["died"], "entry_date": "2022-04-04",
           "consent_publish_name": "yes", **markers}  # fmt: skip
    import_rows(None, get_questionnaire("victim"), [(1, row)])  # as `aigak import` does
    Record.objects.filter(record_id=RECORD).update(author=author, team=team_a)
    record = Record.objects.get(record_id=RECORD)
    evidence = attach_small_file(
        author, SimpleUploadedFile("notes.txt", b"Interview notes\n"), name="notes.txt",
        record=record,
    )  # fmt: skip
    # Verified and published: its public page is read by everyone too.
    Record.objects.filter(record_id=RECORD).update(status="verified")
    (published,) = publish(None, record.questionnaire, [RECORD])
    ids = {"id": RECORD, "record_pk": str(record.pk), "evidence": str(evidence.pk),
           "public_id": published.public_id,
           "user": str(author.pk), "person": str(record.person_id), "form_version": str(record.form_version_id),
           "submission": _kept_submission(author, markers), **_linkage(boss, record)}  # fmt: skip
    people = {
        "admin": User.objects.create_user(username="admin", role=Role.ADMIN),
        "coordinator": User.objects.create_user(username="coord", role=Role.COORDINATOR),
        "lawyer": User.objects.create_user(username="lawyer", role=Role.LAWYER),
        "documenter": User.objects.create_user(username="doc", role=Role.DOCUMENTER, team=team_a),
        "outsider": User.objects.create_user(username="out", role=Role.DOCUMENTER, team=team_b),
        "viewer": User.objects.create_user(username="viewer", role=Role.VIEWER),
        "anonymous": AnonymousUser(),
    }
    return markers, people, ids


def _kept_submission(author: User, markers: dict[str, str]) -> str:
    """A phone's submission kept for review, its XML holding every confidential marker."""
    from aigak.collection.models import Submission, SubmissionState

    elements = "".join(f"<{name}>{value}</{name}>" for name, value in markers.items())
    submission = Submission.objects.create(
        questionnaire=get_questionnaire("victim"), instance_id="uuid:leak", user=author,
        xml=f"<data id='victim'>{elements}</data>".encode(), state=SubmissionState.REVIEW,
    )  # fmt: skip
    return str(submission.pk)


def _linkage(boss: User, record: Record) -> dict[str, str]:
    """A victim list whose first entry is matched to the record's person, a run, a merge."""
    victim_list = import_list(
        boss, name="Activists", data=csv_bytes(list_rows()), file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
    )  # fmt: skip
    assert record.person is not None
    match = Match.objects.create(
        kind=MatchKind.LINK, entry=victim_list.entries.get(entry_id="1"), person=record.person,
        probability=0.97, fields={"weights": {"surname": 7.0}, "agreed": ["surname"]},
    )  # fmt: skip
    merged = Person.objects.create(display_name="Someone")
    merge = PersonMerge.objects.create(from_person=merged, into_person=record.person,
                                       merged_by=boss)  # fmt: skip
    Person.objects.filter(pk=merged.pk).update(merged_into=record.person)
    run = MatchingRun.objects.create(
        kind=MatchKind.LINK, victim_list=victim_list, target=f"list:{victim_list.pk}",
        threshold=0.1, requested_by=boss, status=RunStatus.DONE,
        summary={"candidates": 1, "created": 1, "updated": 0, "removed": 0, "notes": []},
    )  # fmt: skip
    return {"list": str(victim_list.pk), "match": str(match.pk), "merge": str(merge.pk),
            "run": str(run.pk), "person": str(record.person_id),
            "merged_person": str(merged.pk)}  # fmt: skip


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


def _ask(client, ids: dict[str, str], method: str, path: str, params: dict):
    path = path.format(**ids)
    params = {k: v.format(**ids) for k, v in params.items()}
    return client.get(path, params) if method == "get" else client.post(path, params)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_address_shows_a_confidential_value_to_those_who_may_not_see_it(client, world, persona):
    markers, people, ids = world
    statistics_runs.build_now()  # the public statistics over these records, as served
    user = people[persona]
    if user.is_authenticated:
        client.force_login(user)
    shown: dict[str, set[str]] = {}
    answered: set[str] = set()
    for requests in ROWS.values():
        for method, path, params in requests:
            response = _ask(client, ids, method, path, params)
            if response.status_code == 200:
                answered.add(path)
            body = _body(response)
            for field, marker in markers.items():
                if marker in body:
                    shown.setdefault(field, set()).add(f"{method} {path} {params}")
    if persona in SEES_CONFIDENTIAL:
        # The test can fail: those who may see them do get the markers, and the pages of
        # the objects around the record are real pages.
        assert set(shown) >= {"source_name", "narrative"}
        assert answered >= {"/evidence/{evidence}/", "/evidence/{evidence}/file",
                            "/linkage/lists/{list}/", "/linkage/matches/{match}/",
                            "/linkage/runs/{run}/", "/records/victim/{id}/history/"}  # fmt: skip
    else:
        assert shown == {}
    # The public pages answer everyone, signed in or not.
    assert answered >= {"/public/", "/public/victims/{public_id}/", "/public/statistics/"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_filter_or_search_on_a_hidden_field_tells_its_value(client, world, persona):
    markers, people, _ = world
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
        summary = client.get(
            "/reports/summary/victim/download/json/", {"where": f"{field}={marker}"}
        )
        if persona in ("admin", "coordinator", "lawyer", "viewer"):
            assert summary.status_code == (200 if sees else 400), field
        found = client.get("/records/victim/", {"q": marker})
        if found.status_code == 200:
            ids = [row.record.record_id for row in found.context["rows"]]
            assert ids == ([RECORD] if sees else []), field
