"""Problem responses (RFC 9457, `application/problem+json`): what went wrong, and where.

Every refusal and every bad input answers with `type`, `title`, `status` and `detail`;
input problems also name the `field` and the `rule` it broke, and `errors` lists each
one. A stale update answers 409 with the fields both editors changed. Values sent are
never echoed back (they may be confidential).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from aigak.accounts import permissions as perms
from aigak.records import actions

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://aigak.org/problems/"  # names only: documented in docs/api.md


class Invalid(exceptions.APIException):
    """A request whose input breaks a rule: raise with the field and the rule."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, field: str, rule: str, detail: str, status: int = 400):
        self.field, self.rule = field, rule
        self.status_code = status
        super().__init__(detail)


def problem(
    status_code: int,
    kind: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["field"] = errors[0]["field"]
        body["rule"] = errors[0]["rule"]
        body["errors"] = errors
    body.update(extra)
    return Response(body, status=status_code, content_type=CONTENT_TYPE)


def _drf_errors(data: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested validation errors as a flat list of field, rule and detail."""
    if isinstance(data, dict):
        out = []
        for key, value in data.items():
            name = key if key != "non_field_errors" else ""
            out += _drf_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(data, list):
        return [e for item in data for e in _drf_errors(item, prefix)]
    return [{"field": prefix, "rule": getattr(data, "code", "invalid"), "detail": str(data)}]


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, actions.EditConflict):
        return problem(409, "edit-conflict", "Edit conflict", str(exc), **_conflict(exc, context))
    if isinstance(exc, actions.RecordInvalid):
        errors = [{"field": p.field, "rule": p.rule, "detail": p.message} for p in exc.problems]
        return problem(400, "invalid-answers", "Invalid answers", _joined(errors), errors)
    if isinstance(exc, perms.FieldRefused):
        errors = [{"field": exc.field, "rule": "field_visible", "detail": str(exc)}]
        return problem(400, "field-refused", "Field refused", str(exc), errors)
    if isinstance(exc, Invalid):
        errors = [{"field": exc.field, "rule": exc.rule, "detail": str(exc.detail)}]
        if exc.status_code == 403:
            return problem(403, "forbidden", "Forbidden", str(exc.detail), errors)
        return problem(400, "invalid-request", "Invalid request", str(exc.detail), errors)
    if isinstance(exc, exceptions.ValidationError):
        errors = _drf_errors(exc.detail)
        return problem(400, "invalid-request", "Invalid request", _joined(errors), errors)
    response = exception_handler(exc, context)
    if response is None:
        return None
    kind, title = _KINDS.get(response.status_code, ("error", "Error"))
    if isinstance(exc, Http404):
        detail = str(exc) or "not found"
    elif isinstance(exc, PermissionDenied):
        detail = str(exc) or "you may not do this"
    else:
        detail = str(getattr(exc, "detail", "")) or title
    out = problem(response.status_code, kind, title, detail)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            out[header] = response[header]
    return out


_KINDS = {
    401: ("not-authenticated", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


def _joined(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['field'] or 'request'}: {e['detail']} ({e['rule']})" for e in errors)


def _conflict(exc: actions.EditConflict, context: dict[str, Any]) -> dict[str, Any]:
    """The conflict, with the other editor's confidential values hidden from those who
    may not see them (their own values they sent themselves)."""
    body = exc.as_dict()
    request = context.get("request")
    user = getattr(request, "user", None)
    if not perms.can_see_confidential(user):  # type: ignore[arg-type]
        definition = exc.record.questionnaire.definition
        for c in body["conflicts"]:
            f = definition.fields.get(c["field"])
            if f is not None and f.confidential:
                c["base"] = c["theirs"] = None
    return {"conflict": body}


@csrf_exempt  # it changes nothing, for any method
def not_found(request: HttpRequest) -> JsonResponse:
    """An address under /api/v1/ that names no resource."""
    body = {"type": TYPE_BASE + "not-found", "title": "Not found", "status": 404,
            "detail": "no such resource"}  # fmt: skip
    return JsonResponse(body, status=404, content_type=CONTENT_TYPE)
