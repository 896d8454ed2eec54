"""The report pages: the list of reports, one report with filters, downloads, charts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from aigak.accounts import permissions as perms
from aigak.accounts.models import AuditAction, audit
from aigak.lib import lazy
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire
from aigak.reports.filters import FilterError, named_fields, parse_where
from aigak.reports.outputs import CONTENT_TYPES, FORMATS
from aigak.reports.outputs import render as render_output
from aigak.reports.outputs.charts import chart_png
from aigak.reports.outputs.html import all_tables
from aigak.reports.page_filters import active_filters, filter_fields, kept_where
from aigak.reports.spec import ReportSpecError, UnknownReport, available, load_spec

if TYPE_CHECKING:
    from aigak.reports.build import BuiltReport

# The report engine (numpy) loads with the first report drawn, not with the URL table.
build = lazy.module("aigak.reports.build")

# Fields offered as drop-downs on the page; anything else goes in "more filters".
FORM_FIELDS = ("vital_status", "gender", "region_residence", "event_region", "status")


def _require_reader(request: HttpRequest) -> None:
    if not perms.can_read_reports(request.user):
        raise PermissionDenied("you may not read reports")


def where_from(request: HttpRequest) -> list[str]:
    """Filters from the query string: drop-downs, a date range, and FIELD=VALUE lines."""
    where = [f"{name}={request.GET[name]}" for name in FORM_FIELDS if request.GET.get(name)]
    if request.GET.get("from"):
        where.append(f"entry_date>={request.GET['from']}")
    if request.GET.get("to"):
        where.append(f"entry_date<={request.GET['to']}")
    for line in request.GET.getlist("where"):
        where += [part.strip() for part in line.splitlines() if part.strip()]
    return where


def _build(request: HttpRequest, name: str, diagrams: bool = True) -> BuiltReport:
    try:
        spec = load_spec(name)
    except UnknownReport:
        raise Http404(f"unknown report {name!r}") from None
    where = where_from(request)
    definition = get_questionnaire(spec.questionnaire).definition
    # The field rule comes first: a hidden field is refused as an unknown one, never applied.
    perms.require_fields(request.user, definition, named_fields(parse_where(where), spec.aliases))
    built = build.build_report(
        name, where, lang=translation.get_language() or "en", diagrams=diagrams
    )
    if not perms.can_see_confidential(request.user):  # type: ignore[arg-type]
        hidden = {f.name for f in built.definition.fields.values() if f.confidential}
        for table in [*built.data["tables"], *built.data.get("diagrams", [])]:
            table["comments"] = [c for c in table["comments"] if c["field"] not in hidden]
            for row in table["rows"]:
                if "texts" in row and built.spec.table(table["id"]).row_texts in hidden:
                    row["texts"] = []
    return built


def _refused(request: HttpRequest, name: str, action: str, exc: Exception) -> None:
    """Audit a filter refused by the field rule (the field's name, never the value)."""
    if isinstance(exc, perms.FieldRefused):
        audit(
            request.user, action, object_type="report", object_id=name,
            refused="field", field=exc.field[:64],
        )  # fmt: skip


@login_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    lang = translation.get_language() or "en"
    reports = [(name, load_spec(name).title_in(lang)) for name in available()]
    forms = Questionnaire.objects.filter(current__isnull=False).order_by("name")
    return render(request, "reports/index.html", {"reports": reports, "forms": forms})


@login_required
@require_safe
def report_page(request: HttpRequest, name: str) -> HttpResponse:
    _require_reader(request)
    error = ""
    try:
        built = _build(request, name)
    except (FilterError, perms.FieldRefused, ReportSpecError, UnknownQuestionnaire) as exc:
        _refused(request, name, AuditAction.REPORT, exc)
        error, built = str(exc), None
    context: dict[str, Any] = {
        "name": name,
        "error": error,
        "query": request.GET.urlencode(),
        "formats": FORMATS,
        "values": {k: request.GET.get(k, "") for k in ("from", "to")},
        "where_text": "\n".join(request.GET.getlist("where")),
    }
    if built is not None:
        audit(
            request.user, AuditAction.REPORT, object_type="report", object_id=name,
            filters=built.data["filters"], n_records=built.data["n_records"],
        )  # fmt: skip
        tables = all_tables(built, charts=False)
        query = request.GET.urlencode()
        for view in tables:
            if built.spec.table(view["id"]).chart:
                url = reverse("reports:chart", args=[name, view["id"]])
                view["chart_src"] = f"{url}?{query}" if query else url
        fields = filter_fields(request.user, built.definition, built.lang)
        context |= {
            "title": built.spec.title_in(built.lang),
            "report": built.data,
            "scope": built.scope,
            "tables": tables,
            "fields": fields,
            "active": active_filters(request, fields, FORM_FIELDS),
            "kept": kept_where(request, FORM_FIELDS),
        }
    return render(request, "reports/report.html", context, status=400 if error else 200)


@login_required
@require_safe
def report_download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    _require_reader(request)
    if fmt not in FORMATS:
        raise Http404(f"unknown format {fmt!r}")
    try:
        built = _build(request, name, diagrams=fmt != "json")
    except (FilterError, perms.FieldRefused, ReportSpecError, UnknownQuestionnaire) as exc:
        _refused(request, name, AuditAction.EXPORT, exc)
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    content = render_output(built, fmt)
    audit(
        request.user, AuditAction.EXPORT, object_type="report", object_id=name, format=fmt,
        filters=built.data["filters"], n_records=built.data["n_records"],
    )  # fmt: skip
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_safe
def report_chart(request: HttpRequest, name: str, table_id: str) -> HttpResponse:
    _require_reader(request)
    try:
        built = _build(request, name)
        spec = built.spec.table(table_id)
    except (FilterError, perms.FieldRefused, ReportSpecError, UnknownQuestionnaire, KeyError):
        raise Http404("no such chart") from None
    table = next(
        t for t in [*built.data["tables"], *built.data.get("diagrams", [])] if t["id"] == table_id
    )
    png = chart_png(table, spec.chart, built.lang) if spec.chart else None
    if png is None:
        raise Http404("nothing to draw")
    return HttpResponse(png, content_type="image/png")
