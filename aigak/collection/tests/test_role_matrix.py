"""Who may use each address of field collection, role by role.

Coordinators' pages: admins and coordinators; everyone else 403, anonymous to the login.
OpenRosa endpoints with a token: those who may create records (admin, coordinator,
documenter) get the forms and may send; a lawyer or viewer gets an empty list, 404 for
a form and 403 for a submission; a wrong token is 401.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from aigak.accounts.models import Role, User
from aigak.accounts.tokens import issue_token

PERSONAS = ["admin", "coordinator", "lawyer", "documenter", "viewer", "anonymous"]
PAGES = [
    "/collection/",
    "/collection/users/{user}/",
    "/collection/submissions/{submission}/",
    "/collection/decrypt/",
    "/collection/forms/field_kit/media/",
]
# fmt: off
PAGE_OUTCOMES = {
    "admin":       [200, 200, 200, 200, 200],
    "coordinator": [200, 200, 200, 200, 200],
    "lawyer":      [403, 403, 403, 403, 403],
    "documenter":  [403, 403, 403, 403, 403],
    "viewer":      [403, 403, 403, 403, 403],
    "anonymous":   [302, 302, 302, 302, 302],
}
OPENROSA = [
    ("get", "formList"),
    ("get", "forms/field_kit/form.xml"),
    ("get", "forms/field_kit/manifest"),
    ("get", "forms/field_kit/media/m.csv"),
    ("head", "submission"),
    ("post", "submission"),
]
OPENROSA_OUTCOMES = {
    "admin":       [200, 200, 200, 200, 204, 201],
    "coordinator": [200, 200, 200, 200, 204, 201],
    "documenter":  [200, 200, 200, 200, 204, 201],
    "lawyer":      [200, 404, 404, 404, 204, 403],
    "viewer":      [200, 404, 404, 404, 204, 403],
    "anonymous":   [401, 401, 401, 401, 401, 401],  # a wrong token
}
# fmt: on
SUBMISSION = b"""<field_kit id="field_kit"><name>N</name>
<meta><instanceID>uuid:{who}</instanceID></meta></field_kit>"""


@pytest.fixture
def world(db, field_form, team):
    from aigak.collection.models import FormMedia, Submission, SubmissionState

    people = {
        name: User.objects.create_user(username=name, role=role, team=team)
        for name, role in [
            ("admin", Role.ADMIN), ("coordinator", Role.COORDINATOR), ("lawyer", Role.LAWYER),
            ("documenter", Role.DOCUMENTER), ("viewer", Role.VIEWER),
        ]
    }  # fmt: skip
    FormMedia.objects.create(questionnaire=field_form, filename="m.csv", data=b"a,b\n", md5="x")
    submission = Submission.objects.create(
        questionnaire=field_form,
        instance_id="uuid:kept",
        user=people["documenter"],
        xml=b"<field_kit id='field_kit'/>",
        state=SubmissionState.REVIEW,
        problems=["x"],
    )
    ids = {"user": people["documenter"].pk, "submission": submission.pk}
    return people, ids


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_coordinators_pages_by_role(client, world, persona):
    people, ids = world
    if persona != "anonymous":
        client.force_login(people[persona])
    got = [client.get(page.format(**ids)).status_code for page in PAGES]
    assert got == PAGE_OUTCOMES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_openrosa_endpoints_by_role(client, world, persona):
    from django.core.files.uploadedfile import SimpleUploadedFile

    people, _ = world
    user = people.get(persona, AnonymousUser())
    token = issue_token(user) if persona != "anonymous" else "wrong"
    got = []
    for method, path in OPENROSA:
        url = f"/openrosa/key/{token}/{path}"
        if method == "post":
            xml = SUBMISSION.replace(b"{who}", persona.encode())
            body = {"xml_submission_file": SimpleUploadedFile("s.xml", xml, "text/xml")}
            got.append(client.post(url, body).status_code)
        else:
            got.append(getattr(client, method)(url).status_code)
    assert got == OPENROSA_OUTCOMES[persona]
