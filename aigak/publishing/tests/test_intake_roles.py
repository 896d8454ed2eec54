"""Who may use the intake, map and timeline pages: the public form, map and timeline are
anyone's; the moderation queue, a submission and the choice of public forms are for admins
and coordinators only; the staff map and timeline for every account (each counting the
records its user may see, as `test_map` shows)."""

from __future__ import annotations

import pytest

from aigak.publishing.intake_models import Submission
from aigak.publishing.tests.test_intake import _post

PERSONAS = ["admin_user", "coordinator", "lawyer", "documenter", "outsider", "viewer", "anonymous"]
PUBLIC = ["/public/map/", "/public/timeline/"]
STAFF = ["/map/", "/map/timeline/"]
# fmt: off
#                      public form  queue  submission  open/close  public map+timeline  staff map+timeline
MATRIX = {
    "admin_user":       ["ok",       "ok",   "ok",       "ok",       "ok", "ok",         "ok", "ok"],
    "coordinator":      ["ok",       "ok",   "ok",       "ok",       "ok", "ok",         "ok", "ok"],
    "lawyer":           ["ok",       "403",  "403",      "403",      "ok", "ok",         "ok", "ok"],
    "documenter":       ["ok",       "403",  "403",      "403",      "ok", "ok",         "ok", "ok"],
    "outsider":         ["ok",       "403",  "403",      "403",      "ok", "ok",         "ok", "ok"],
    "viewer":           ["ok",       "403",  "403",      "403",      "ok", "ok",         "ok", "ok"],
    "anonymous":        ["ok",       "login", "login",   "login",    "ok", "ok",      "login", "login"],
}
# fmt: on


def _outcome(response) -> str:
    if response.status_code in (200, 302) and "/accounts/login/" in response.get("Location", ""):
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return str(response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix(client, questionnaires, request, persona):
    _post(client)
    submission = Submission.objects.get()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    got = [
        _outcome(client.get("/public/intake/tell_us/")),
        _outcome(client.get("/intake/")),
        _outcome(client.get(f"/intake/{submission.pk}/")),
        _outcome(client.post("/intake/forms/tell_us/public/", {"public": "yes"})),
        *(_outcome(client.get(path)) for path in PUBLIC + STAFF),
    ]
    assert got == MATRIX[persona]


@pytest.mark.django_db
def test_an_outsider_is_refused_and_sees_no_contact(client, questionnaires, outsider):
    _post(client)
    submission = Submission.objects.get()
    client.force_login(outsider)
    for path in ("/intake/", f"/intake/{submission.pk}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "SecretContact" not in response.content.decode()
    response = client.post(f"/intake/{submission.pk}/", {"decision": "reject", "reason": "x"})
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == "pending"
