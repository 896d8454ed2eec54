"""The summary report page of any installed questionnaire, with a cross-tab chooser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, audit
from aigak.lib import lazy
from aigak.questionnaires.registry import UnknownQuestionnaire
from aigak.reports.filters import FilterError
from aigak.reports.outputs import CONTENT_TYPES
from aigak.reports.outputs import render as render_output
from aigak.reports.outputs.html import all_tables
from aigak.reports.spec import ReportSpecError

if TYPE_CHECKING:
    from aigak.reports.summary import Summary

# The report engine (numpy) loads with the first summary drawn, not with the URL table.
summaries = lazy.module("aigak.reports.summary")

FORMATS = ("json", "html", "xlsx", "docx")


def _summary(request: HttpRequest, name: str) -> Summary:
    if not perms.can_read_reports(request.user):
        raise PermissionDenied("you may not read reports")
    question, by = request.GET.get("question", ""), request.GET.get("by", "")
    where = [line.strip() for text in request.GET.getlist("where") for line in text.splitlines()]
    try:
        return summaries.build_summary(
            request.user,
            name,
            [w for w in where if w],
            lang=(translation.get_language() or "en")[:2],
            cross=(question, by) if question and by else None,
        )
    except UnknownQuestionnaire:
        raise Http404("no such questionnaire") from None


def _refused(request: HttpRequest, name: str, action: str, exc: Exception) -> None:
    """A filter on a field the user may not name is audited by its name, never its value."""
    if isinstance(exc, perms.FieldRefused):
        audit(request.user, action, object_type="report", object_id=f"summary-{name}",
              refused="field", field=exc.field[:64])  # fmt: skip


@login_required
@require_GET
def summary_page(request: HttpRequest, name: str) -> HttpResponse:
    context: dict[str, Any] = {"name": name, "query": request.GET.urlencode(), "formats": FORMATS, "error": "",
               "question": request.GET.get("question", ""), "by": request.GET.get("by", ""),
               "where_text": "\n".join(request.GET.getlist("where"))}  # fmt: skip
    try:
        summary = _summary(request, name)
    except (FilterError, perms.FieldRefused, ReportSpecError) as exc:
        _refused(request, name, AuditAction.REPORT, exc)
        context["error"] = str(exc)
        return render(request, "reports/summary.html", context, status=400)
    built = summary.built
    audit(request.user, AuditAction.REPORT, object_type="report", object_id=f"summary-{name}",
          filters=built.data["filters"], n_records=built.data["n_records"])  # fmt: skip
    context |= {
        "title": gettext(built.definition.title),
        "report": built.data,
        "scope": built.scope,
        "tables": all_tables(built, charts=False, numbers=False),  # shown above the tables
        "numbers": summary.numbers,
        "selects": summary.selects,
        "questions": summary.questions,
    }
    return render(request, "reports/summary.html", context)


@login_required
@require_GET
def summary_download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(f"unknown format {fmt!r}")
    try:
        summary = _summary(request, name)
    except (FilterError, perms.FieldRefused, ReportSpecError) as exc:
        _refused(request, name, AuditAction.EXPORT, exc)
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    built = summary.built
    content = render_output(built, fmt)
    audit(request.user, AuditAction.EXPORT, object_type="report", object_id=f"summary-{name}",
          format=fmt, filters=built.data["filters"], n_records=built.data["n_records"])  # fmt: skip
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="summary-{name}.{fmt}"'
    return response
