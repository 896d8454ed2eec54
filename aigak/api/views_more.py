"""Persons and their records, evidence metadata (files through the evidence download),
victim lists and their matches, reports (JSON per the report contract, with filters) and
estimates: each through its own app's getters and rules."""

from __future__ import annotations

from typing import Any

import orjson
from django.db.models import Q
from django.http import Http404, HttpResponseBase
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, User, audit
from aigak.api.listing import _int
from aigak.api.problems import Invalid
from aigak.estimation.models import LcmcrRun
from aigak.evidence import access as evidence_access
from aigak.evidence import views as evidence_views
from aigak.linkage import access as linkage_access
from aigak.linkage.models import Match, VictimList
from aigak.questionnaires.registry import UnknownQuestionnaire
from aigak.records.models import Person, Record
from aigak.reports import views as report_views
from aigak.reports.filters import FilterError
from aigak.reports.outputs import render as render_report
from aigak.reports.spec import ReportSpecError, available, load_spec

OBJECT = OpenApiTypes.OBJECT
OBJECTS = {200: OpenApiResponse(OpenApiTypes.OBJECT)}


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# --- persons -------------------------------------------------------------------------


class PersonDetail(APIView):
    @extend_schema(responses=OBJECTS)
    def get(self, request: Request, pk: int) -> Response:
        """A person and the records about them (and about persons merged into them) that
        the user may see; a person with none of those does not exist for the user."""
        user = _user(request)
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise Http404("no such person")
        person = person.canonical()
        merged = Person.objects.filter(Q(pk=person.pk) | Q(merged_into=person))
        records = list(
            perms.visible_records(user, Record.live.filter(person__in=merged))
            .select_related("questionnaire")
            .order_by("questionnaire__name", "record_id")
        )
        if not records:
            raise Http404("no such person")
        audit(user, AuditAction.VIEW, person, page="api person",
              records=[r.record_id for r in records])  # fmt: skip
        named = any(
            perms.may_name_field(user, r.questionnaire.definition, "full_name") for r in records
        )
        return Response({
            "id": person.pk,
            "display_name": person.display_name if named else None,
            "records": [
                {"questionnaire": r.questionnaire.name, "record_id": r.record_id,
                 "url": f"/api/v1/records/{r.questionnaire.name}/{r.record_id}/"}  # fmt: skip
                for r in records
            ],
        })  # fmt: skip


# --- evidence ------------------------------------------------------------------------


def _evidence(item: Any, user: User) -> dict[str, Any]:
    records = perms.visible_records(user, Record.live.filter(pk__in=item.links.values("record")))
    return {
        "id": item.pk,
        "sha256": item.sha256,
        "size": item.size,
        "name": item.original_name,
        "type": item.content_type,
        "uploaded_at": item.uploaded_at.isoformat(),
        "captured_by": item.captured_by,
        "captured_at": item.captured_at,
        "captured_where": item.captured_where,
        "source": item.source,
        "description": item.description,
        "last_verified_ok": item.last_verified_ok,
        "records": [
            {"questionnaire": r.questionnaire.name, "record_id": r.record_id}
            for r in records.select_related("questionnaire")
        ],
        "file": f"/api/v1/evidence/{item.pk}/file",
    }


class EvidenceList(APIView):
    @extend_schema(
        operation_id="evidence_list",
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("after", int)],
        responses=OBJECTS,
    )
    def get(self, request: Request) -> Response:
        """The evidence the user may see, by id; `after` is the last id of the page before."""
        user = _user(request)
        limit = _int(request.query_params, "limit", 100, 1, 1000)
        after = _int(request.query_params, "after", 0, 0, 2**62)
        items = list(
            evidence_access.visible_evidence(user)
            .filter(deleted_at__isnull=True, pk__gt=after)
            .order_by("pk")[:limit]
        )
        audit(user, AuditAction.VIEW, object_type="evidence_list", page="api",
              evidence=[e.pk for e in items])  # fmt: skip
        return Response({"results": [_evidence(e, user) for e in items],
                         "next_after": items[-1].pk if len(items) == limit else None})  # fmt: skip


class EvidenceDetail(APIView):
    @extend_schema(responses=OBJECTS)
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        item = evidence_access.get_evidence_for_user(user, pk)
        audit(user, AuditAction.VIEW, item, page="api")
        return Response(_evidence(item, user))


class EvidenceFile(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("download", str, enum=["1"])],
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        """The file's bytes through the evidence download (custody-logged, ranges)."""
        evidence_access.get_evidence_for_user(_user(request), pk)  # 404 as a problem
        return evidence_views.evidence_file(request._request, pk)


# --- victim lists and matches --------------------------------------------------------


def _list(item: VictimList) -> dict[str, Any]:
    return {"id": item.pk, "name": item.name, "source": item.source,
            "published_on": item.published_on.isoformat() if item.published_on else None,
            "uploaded_at": item.uploaded_at.isoformat(), "rows": item.row_count,
            "linked_at": item.linked_at.isoformat() if item.linked_at else None}  # fmt: skip


class VictimLists(APIView):
    @extend_schema(operation_id="victim_lists_list", responses=OBJECTS)
    def get(self, request: Request) -> Response:
        linkage_access.require_see(_user(request))
        return Response({"results": [_list(v) for v in VictimList.objects.order_by("pk")]})


def _match(m: Match) -> dict[str, Any]:
    return {"id": m.pk, "kind": m.kind, "entry_id": m.entry.entry_id if m.entry else None,
            "person": m.person_id, "other_person": m.other_person_id,
            "probability": m.probability, "status": m.status, "suggested": m.suggested,
            "decided_at": m.decided_at.isoformat() if m.decided_at else None}  # fmt: skip


class VictimListDetail(APIView):
    @extend_schema(responses=OBJECTS)
    def get(self, request: Request, pk: int) -> Response:
        """A list with its entries' matches to persons (read the persons for records)."""
        user = _user(request)
        item = linkage_access.get_list_for_user(user, pk)
        matches = Match.objects.filter(entry__victim_list=item).select_related("entry")
        audit(user, AuditAction.VIEW, item, page="api")
        return Response({**_list(item), "matches": [_match(m) for m in matches.order_by("pk")]})


class MatchDetail(APIView):
    @extend_schema(responses=OBJECTS)
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        match = linkage_access.get_match_for_user(user, pk)
        audit(user, AuditAction.VIEW, match, page="api")
        return Response(_match(match))


# --- reports -------------------------------------------------------------------------


class ReportList(APIView):
    @extend_schema(operation_id="reports_list", responses=OBJECTS)
    def get(self, request: Request) -> Response:
        perms.require(perms.can_read_reports(_user(request)), "read reports")
        lang = translation.get_language() or "en"
        return Response({"results": [{"name": n, "title": load_spec(n).title_in(lang),
                                      "url": f"/api/v1/reports/{n}/"} for n in available()]})  # fmt: skip


class ReportDetail(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("where", str, many=True, description="FIELD=VALUE, FIELD>=DATE"),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
        responses=OBJECTS,
    )
    def get(self, request: Request, name: str) -> Response:
        """The report as JSON (report-contract.md), with the page's filters; a filter on a
        field the user may not see is refused (400) like an unknown one."""
        user = _user(request)
        perms.require(perms.can_read_reports(user), "read reports")
        try:
            built = report_views._build(request._request, name, diagrams=False)
        except (FilterError, ReportSpecError, UnknownQuestionnaire) as exc:
            raise Invalid("where", "filter", str(exc)) from None
        audit(user, AuditAction.EXPORT, object_type="report", object_id=name, format="api",
              filters=built.data["filters"], n_records=built.data["n_records"])  # fmt: skip
        return Response(orjson.loads(render_report(built, "json")))


# --- estimates -----------------------------------------------------------------------


def _run(run: LcmcrRun) -> dict[str, Any]:
    return {"key": run.key, "status": run.status, "lists": run.lists,
            "observed": run.observed, "uploaded": run.uploaded, "from_lists": run.from_lists,
            "requested_at": run.requested_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "result": run.result or None}  # fmt: skip


def _runs_for(user: User) -> Any:
    perms.require(perms.can_see_estimates(user), "see estimates")
    runs = LcmcrRun.objects.all()
    if not perms.can_estimate_from_lists(user):
        runs = runs.filter(uploaded=True)
    return runs


class EstimateList(APIView):
    @extend_schema(operation_id="estimates_list", responses=OBJECTS)
    def get(self, request: Request) -> Response:
        """The estimation runs the user may see (latent-class estimates and their state)."""
        runs = _runs_for(_user(request)).order_by("-requested_at", "-pk")[:200]
        return Response({"results": [_run(r) for r in runs]})


class EstimateDetail(APIView):
    @extend_schema(responses=OBJECTS)
    def get(self, request: Request, key: str) -> Response:
        run = _runs_for(_user(request)).filter(key=key).order_by("-requested_at").first()
        if run is None:
            raise Http404("no such estimate")
        return Response(_run(run))
