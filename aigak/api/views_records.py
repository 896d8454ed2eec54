"""Records through the API: the same getters (aigak.records.access), the same rules
(aigak.accounts.permissions) and the same actions (aigak.records.actions) as the pages.
Every read is audited like a page view."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.api import serializers as s
from aigak.api.listing import narrowed_records, page_of
from aigak.api.problems import Invalid
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records import actions
from aigak.records.access import get_questionnaire_or_404, get_record_for_user
from aigak.records.models import Record, RecordVersion, Status


def record_data(
    user: User, record: Record, definition: FormDefinition | None = None
) -> dict[str, Any]:
    """A record as the API gives it: confidential answers only to those who may see them.
    A list passes its questionnaire's definition, read once (not once per record)."""
    definition = definition or record.questionnaire.definition
    return {
        "record_id": record.record_id,
        "questionnaire": record.questionnaire.name,
        "status": record.status,
        "version": record.version,
        "form_version": record.form_version_id,
        "person": record.person_id,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "answers": perms.visible_answers(user, definition, record.answers),
    }


def check_answer_names(
    user: User, definition: FormDefinition, answers: dict[str, Any], record: Record | None
) -> None:
    """Refuse (400) a field that does not exist or is hidden from the user, and (403) one
    the user may see but not change: a clear answer instead of the page's silence."""
    allowed = perms.editable_fields(user, definition, record)
    for name in answers:
        if name in allowed or (name == "record_id" and record is None):
            continue
        known = name in definition.fields or name in definition.repeats()
        if not known or (
            name in definition.fields and not perms.may_name_field(user, definition, name)
        ):
            raise perms.FieldRefused(name, "answers")
        raise Invalid(name, "field_editable", f"you may not change {name}", status=403)


LIST_PARAMS = [
    OpenApiParameter("q", str, description="full-text search, as on the record list page"),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="for sync"),
    OpenApiParameter("order", str, enum=["-updated", "updated"]),
    OpenApiParameter("cursor", str, description="`next` of the previous page"),
    OpenApiParameter("limit", int, description="1 to 1000 (default 100)"),
]


class RecordList(APIView):
    @extend_schema(
        operation_id="records_list",
        parameters=LIST_PARAMS,
        responses=s.RecordPageSerializer,
        description="Records of one questionnaire; filter a select field with "
        "`f_<field>=<choice>`. A field the user may not see is refused (400).",
    )
    def get(self, request: Request, questionnaire: str) -> Response:
        form = get_questionnaire_or_404(questionnaire)
        user = request.user
        records = narrowed_records(user, form, request.query_params)  # type: ignore[arg-type]
        rows, cursor = page_of(records, request.query_params)
        audit(user, AuditAction.VIEW, object_type="record_list", object_id=form.name,
              page="api", records=[r.record_id for r in rows])  # fmt: skip
        next_url = None
        if cursor:
            params = request.query_params.copy()
            params["cursor"] = cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        definition = form.definition
        results = [record_data(user, r, definition) for r in rows]  # type: ignore[arg-type]
        return Response({"results": results, "next": cursor, "next_url": next_url})

    @extend_schema(
        operation_id="records_create",
        request=s.RecordCreateSerializer,
        responses={201: s.RecordSerializer},
    )
    def post(self, request: Request, questionnaire: str) -> Response:
        form = get_questionnaire_or_404(questionnaire)
        user: User = request.user  # type: ignore[assignment]
        perms.require(perms.can_create_records(user), "create records")
        body = s.RecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        status = data.get("status", Status.SUBMITTED)
        if status == Status.VERIFIED and not perms.can_verify(user):
            raise Invalid("status", "may_verify", "you may not verify records", status=403)
        answers = dict(data["answers"])
        check_answer_names(user, form.definition, answers, None)
        if data.get("record_id"):
            answers["record_id"] = data["record_id"]
        record = actions.create_record(user, form, answers, status=status, note="created by API")
        return Response(record_data(user, record), status=http.HTTP_201_CREATED)


class RecordDetail(APIView):
    @extend_schema(responses=s.RecordSerializer)
    def get(self, request: Request, questionnaire: str, record_id: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        record = get_record_for_user(user, questionnaire, record_id)
        audit(user, AuditAction.VIEW, record, questionnaire=questionnaire, page="api")
        return Response(record_data(user, record))

    @extend_schema(request=s.RecordUpdateSerializer, responses=s.RecordSerializer)
    def patch(self, request: Request, questionnaire: str, record_id: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        record = get_record_for_user(user, questionnaire, record_id)
        body = s.RecordUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            record = Record.objects.select_for_update().get(pk=record.pk)
            base = data["version"]
            if base > record.version:
                raise Invalid("version", "version_exists", f"the record is at version "
                              f"{record.version}")  # fmt: skip
            answers = dict(data.get("answers") or {})
            if answers:
                perms.require(perms.can_edit_record(user, record), "edit this record")
                check_answer_names(user, record.questionnaire.definition, answers, record)
            if base != record.version and not data["merge"]:
                raise stale(record, base, answers)
            if answers:
                record = actions.update_record(
                    user, record, answers, base_version=base, note=data.get("note") or "API"
                )
            if "status" in data:
                record = actions.set_status(user, record, data["status"])
        return Response(record_data(user, record))

    @extend_schema(
        request=s.DeleteSerializer,
        parameters=[OpenApiParameter("reason", str, description="or in the body")],
        responses={204: None},
    )
    def delete(self, request: Request, questionnaire: str, record_id: str) -> Response:
        """Soft delete with a reason (kept, with who and when; the record leaves lists)."""
        user: User = request.user  # type: ignore[assignment]
        record = get_record_for_user(user, questionnaire, record_id)
        perms.require(perms.can_delete_record(user, record), "delete this record")
        data = request.data if isinstance(request.data, dict) else {}
        reason = str(data.get("reason") or request.query_params.get("reason") or "").strip()
        if not reason:
            raise Invalid("reason", "required", "a reason is required to delete a record")
        actions.delete_record(user, record, reason[:1000])
        return Response(status=http.HTTP_204_NO_CONTENT)


def stale(record: Record, base: int, answers: dict[str, Any]) -> actions.EditConflict:
    """409: the update is based on an older version; the fields it sends that changed
    since then are the conflicts."""
    before = RecordVersion.objects.get(record=record, number=base).answers
    conflicts = [
        actions.Conflict(name, before.get(name), record.answers.get(name), value)
        for name, value in answers.items()
        if before.get(name) != record.answers.get(name)
    ]
    return actions.EditConflict(record, base, conflicts)
