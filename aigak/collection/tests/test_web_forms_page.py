"""The web form page (`/collect/web/<questionnaire>/`): who gets it, what it carries, and
the policy it runs under. The browser side is test_web_forms_browser.py."""

from __future__ import annotations

import json
import re

import pytest

from aigak.collection.models import CollectionAccess
from aigak.lib.odk_crypto import base64_public_key, generate_keypair
from aigak.questionnaires.registry import install_questionnaire
from aigak.questionnaires.tests.xlsform_factory import xlsform

pytestmark = pytest.mark.django_db

URL = "/collect/web/field_kit/"
# Who may open a form's web page: those who may create records.
ROLES = {
    "admin_user": 200, "coordinator": 200, "documenter": 200, "outsider": 200,
    "lawyer": 403, "viewer": 403, "anonymous": "login",
}  # fmt: skip


@pytest.mark.parametrize(("persona", "expected"), ROLES.items())
def test_each_role_gets_exactly_its_web_form(client, request, field_form, persona, expected):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected


def test_the_page_carries_the_xform_devices_get_and_the_submission_address(
    client, documenter, field_form
):
    client.force_login(documenter)
    page = client.get(URL).content.decode()
    xform = json.loads(re.search(r'<script id="xform" type="application/json">(.*?)</script>',
                                 page, re.S).group(1))  # fmt: skip
    assert xform == client.get(
        "/openrosa/forms/field_kit/form.xml", HTTP_X_OPENROSA_VERSION="1.0"
    ).content.decode("utf-8")
    assert 'data-submit-url="/openrosa/submission"' in page
    assert 'data-media-url="/openrosa/forms/field_kit/media/"' in page
    assert 'src="/static/vendor/vue/' not in page  # vue comes through the import map
    assert '"vue": "/static/vendor/vue/vue.runtime.esm-browser.prod.js"' in page


def test_the_policy_allows_the_import_map_by_hash_and_no_inline_script(
    client, documenter, field_form
):
    from aigak.collection.web_forms import import_map
    from aigak.lib.security import web_form_policy

    client.force_login(documenter)
    response = client.get(URL)
    policy = response["Content-Security-Policy"]
    assert policy == web_form_policy(import_map())
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert script_src.startswith("script-src 'self' 'sha256-")
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src.replace(
        "'wasm-unsafe-eval'", ""
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_a_form_closed_to_the_user_is_404(client, documenter, field_form):
    access = CollectionAccess.objects.create(user=documenter, all_forms=False)
    access.forms.set([])
    client.force_login(documenter)
    assert client.get(URL).status_code == 404
    assert client.get("/collect/web/no_such_form/").status_code == 404


def test_an_encrypted_form_is_not_offered_in_the_browser(client, documenter, questionnaires):
    key = base64_public_key(generate_keypair()[1])
    survey = [["text", "name", "Name", "Имя"]]
    install_questionnaire("sealed", xlsform(survey, settings={"public_key": key}))
    client.force_login(documenter)
    response = client.get("/collect/web/sealed/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This form is encrypted" in page
    assert key not in page and 'id="xform"' not in page and "collect_web.js" not in page
