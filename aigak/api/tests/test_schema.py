"""The OpenAPI schema validates, and schemathesis finds nothing against it: requests made
from the schema, with a real database and a token, never answer 5xx, and every answer
conforms to the schema (status code, content type, body, headers).

Path parameters are narrowed to objects that exist (the sample record and its versions),
so that most requests reach a real record instead of a 404. Examples are bounded so that
the run stays short in CI.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aigak.accounts.tokens import issue_token
from aigak.records.tests.sample_forms import install_sample_victim_form, make_record

EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _raw_schema() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


def test_the_schema_validates(db, client, admin_user):
    validate(_raw_schema())
    client.force_login(admin_user)
    served = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert served.status_code == 200
    validate(served.json())


def test_the_doc_pages_are_served_with_local_assets(client, admin_user):
    client.force_login(admin_user)
    for page in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = client.get(page).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn" not in html.lower() and "googleapis" not in html
        assert "<script>" not in html and "<style>" not in html  # the site's CSP
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


NARROW = {"questionnaire": ["victim"], "number": [1, 2, 3]}


def _narrowed(raw: dict, record_id: str) -> dict:
    for item in raw["paths"].values():
        for operation in item.values():
            for param in operation.get("parameters", []):
                if param["in"] != "path":
                    continue
                values = [record_id] if param["name"] == "record_id" else NARROW.get(param["name"])
                if values:
                    param["schema"] = {**param["schema"], "enum": values}
                    param["schema"].pop("pattern", None)
    return raw


RECORD_ID = "V-424242"


@pytest.fixture
def token(db, coordinator):
    """A token, and the database connection kept open between requests (as Django's test
    client keeps it: the WSGI handler would close it, and the test's transaction, after
    each request)."""
    make_record(coordinator, install_sample_victim_form(), record_id=RECORD_ID, gender="female")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield issue_token(coordinator)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _loaded() -> schemathesis.openapi.OpenApiSchema:  # type: ignore[name-defined]
    loaded = schemathesis.openapi.from_dict(_narrowed(_raw_schema(), RECORD_ID))
    loaded.app = WSGIHandler()
    return loaded


schema = _loaded()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_schemathesis_finds_nothing(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
