"""Questionnaires (versions, definitions) and a record's versions and their differences."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.api import serializers as s
from aigak.records.access import (
    get_questionnaire_or_404,
    get_record_for_user,
    get_version_for_record,
    listed_questionnaires,
)
from aigak.records.models import Record, RecordVersion

FormVersion = inline_serializer(
    "FormVersion",
    {
        "id": serializers.IntegerField(),
        "version": serializers.CharField(),
        "sha256": serializers.CharField(),
        "loaded_at": serializers.DateTimeField(),
        "current": serializers.BooleanField(),
    },
)


def _questionnaire_fields(**more: serializers.Field) -> dict[str, serializers.Field]:
    return {
        "name": serializers.CharField(),
        "title": serializers.CharField(),
        "current_version": serializers.IntegerField(allow_null=True),
        "versions": FormVersion.__class__(many=True),
        **more,
    }


QuestionnaireOut = inline_serializer("Questionnaire", _questionnaire_fields())
QuestionnaireDetailOut = inline_serializer(
    "QuestionnaireDetail",
    _questionnaire_fields(
        definition=serializers.DictField(help_text="the current version's definition")
    ),
)


def _questionnaire(q: Any) -> dict[str, Any]:
    return {
        "name": q.name,
        "title": q.title,
        "current_version": q.current_id,
        "versions": [
            {
                "id": v.pk,
                "version": v.version,
                "sha256": v.sha256,
                "loaded_at": v.loaded_at.isoformat(),
                "current": v.pk == q.current_id,
            }  # fmt: skip
            for v in q.versions.order_by("loaded_at", "pk")
        ],
    }


class QuestionnaireList(APIView):
    @extend_schema(responses=QuestionnaireOut.__class__(many=True))
    def get(self, request: Request) -> Response:
        return Response([_questionnaire(q) for q in listed_questionnaires()])


class QuestionnaireDetail(APIView):
    @extend_schema(responses=QuestionnaireDetailOut)
    def get(self, request: Request, questionnaire: str) -> Response:
        form = get_questionnaire_or_404(questionnaire)
        data = _questionnaire(form)
        data["definition"] = form.current.definition_json if form.current else {}
        return Response(data)


def _version(version: RecordVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "form_version": version.form_version_id,
        "author": version.author.username if version.author else None,
        "created_at": version.created_at.isoformat(),
        "note": version.note,
    }


def _read(request: Request, questionnaire: str, record_id: str, what: str) -> Record:
    user: User = request.user  # type: ignore[assignment]
    record = get_record_for_user(user, questionnaire, record_id)
    audit(user, AuditAction.VIEW, record, questionnaire=questionnaire, page=f"api {what}")
    return record


class VersionList(APIView):
    @extend_schema(responses=s.VersionSerializer(many=True))
    def get(self, request: Request, questionnaire: str, record_id: str) -> Response:
        record = _read(request, questionnaire, record_id, "versions")
        versions = record.versions.select_related("author").order_by("number")
        return Response([_version(v) for v in versions])


class VersionDetail(APIView):
    @extend_schema(responses=s.VersionDetailSerializer)
    def get(self, request: Request, questionnaire: str, record_id: str, number: int) -> Response:
        record = _read(request, questionnaire, record_id, f"version {number}")
        version = get_version_for_record(record, number)
        answers = perms.visible_answers(
            request.user,  # type: ignore[arg-type]
            version.form_version.definition,
            version.answers,
        )
        return Response({**_version(version), "answers": answers})


class VersionDiff(APIView):
    @extend_schema(responses=s.DiffSerializer)
    def get(self, request: Request, questionnaire: str, record_id: str, number: int) -> Response:
        """The answers this version changed from the one before it (those the user may
        see; a change to a hidden field is not even named)."""
        record = _read(request, questionnaire, record_id, f"diff {number}")
        version = get_version_for_record(record, number)
        earlier = RecordVersion.objects.filter(record=record, number=number - 1).first()
        user: User = request.user  # type: ignore[assignment]
        after = perms.visible_answers(user, version.form_version.definition, version.answers)
        before = (
            perms.visible_answers(user, earlier.form_version.definition, earlier.answers)
            if earlier
            else {}
        )
        order = list(version.form_version.definition.fields)
        names = sorted(
            (k for k in set(before) | set(after) if before.get(k) != after.get(k)),
            key=lambda k: (order.index(k) if k in order else len(order), k),
        )
        return Response({
            "number": number,
            "compared_with": earlier.number if earlier else None,
            "differences": [
                {"field": k, "before": before.get(k), "after": after.get(k)} for k in names
            ],
        })  # fmt: skip
