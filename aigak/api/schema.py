"""The OpenAPI 3 schema (drf-spectacular): every operation also documents its problem
responses (aigak.api.problems), so clients and schemathesis know every status it gives."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "rule": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "rule": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["field", "rule", "detail"],
            },
        },
        "conflict": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status", "detail"],
}
# The statuses any operation may answer with a problem.
COMMON = {
    "400": "Bad input: `field` and `rule` say where and why",
    "401": "No token, or one unknown, expired or revoked",
    "403": "The user's role may not do this",
    "404": "No such object, or one the user may not see",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "415": "Unsupported media type",
    "429": "Too many requests for this token; see Retry-After",
}
WRITES = {"409": "The record changed since the version the update is based on"}


class AigakSchema(AutoSchema):
    pass


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(COMMON, **(WRITES if method == "patch" else {}))
            for code, text in codes.items():
                operation["responses"].setdefault(
                    code,
                    {"description": text, "content": {"application/problem+json": {"schema": ref}}},
                )
    return result
