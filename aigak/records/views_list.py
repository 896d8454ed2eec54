"""The record list's export and bulk actions.

The export writes the records of the list as the user filtered it (the same parameters,
read by `listing.list_query`), or the records ticked, in the shape `aigak export` writes
(`records.tabular`): the field rule applies to every answer, and every export is in the
audit log with its format, count and what was exported.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, Team, User, audit
from aigak.questionnaires.models import Questionnaire
from aigak.records import actions, tabular
from aigak.records.access import get_questionnaire_or_404
from aigak.records.listing import ListRefused, list_query
from aigak.records.models import Record, Status

CHUNK = 2000
MAX_TICKED = 1000  # records one bulk action takes
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _rows(user: User, form: Questionnaire, records: QuerySet[Record]) -> Iterator[Any]:
    """(record_id, answers) of the records, answers the user may not see left out."""
    definition = form.definition
    for record_id, answers in records.values_list("record_id", "answers").iterator(CHUNK):
        yield record_id, perms.visible_answers(user, definition, answers)


def export_response(
    user: User, form: Questionnaire, records: QuerySet[Record], fmt: str, **what: Any
) -> HttpResponseBase:
    """The records as a download in `fmt`, written to a temporary file (not memory)."""
    definition = form.definition
    handle = tempfile.TemporaryFile()
    rows = _rows(user, form, records)
    if fmt == "xlsx":
        count = tabular.write_xlsx(handle, definition, rows, sheet=form.name)  # type: ignore[arg-type]
    else:
        text = open(handle.fileno(), "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8",
                    newline="", closefd=False)  # fmt: skip
        writer = tabular.write_json if fmt == "json" else tabular.write_csv
        count = writer(text, definition, rows)
        text.flush()
    handle.seek(0)
    audit(user, AuditAction.EXPORT, object_type="questionnaire", object_id=form.name,
          format=fmt, destination="web", records=count, **what)  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{form.name}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


@login_required
@require_GET
def record_export(
    request: AuthenticatedHttpRequest, questionnaire: str, fmt: str
) -> HttpResponseBase:
    """The list as filtered (its parameters), in the list's order."""
    user = request.user
    form = get_questionnaire_or_404(questionnaire)
    if fmt not in CONTENT_TYPES:
        raise Http404("no such format")
    perms.require(perms.can_import_export(user), "export records")
    lang = (translation.get_language() or "en")[:2]
    try:
        q = list_query(user, form, request.GET, lang)
    except (perms.FieldRefused, ListRefused) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    params = {k: v[:100] for k, v in request.GET.items() if k != "page"}
    return export_response(user, form, q.records, fmt, filters=params)


def _back(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    back = request.POST.get("back", "")
    allowed = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    if back.startswith("/records/") and allowed:
        return redirect(back)
    return redirect("records:list", questionnaire)


@login_required
@require_POST
def record_bulk(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponseBase:
    """Verify, assign to a team or export the records ticked on the list."""
    user = request.user
    form = get_questionnaire_or_404(questionnaire)
    action = request.POST.get("action", "")
    allowed = {
        "verify": perms.can_verify(user),
        "assign": perms.can_assign_teams(user),
        "export": perms.can_import_export(user),
    }
    if action not in allowed:
        return HttpResponse(_("Unknown action."), status=400)
    perms.require(allowed[action], f"{action} records")
    ids = request.POST.getlist("ids")[:MAX_TICKED]
    records = perms.visible_records(
        user, Record.live.filter(questionnaire=form, record_id__in=ids)
    ).order_by("record_id")
    if not ids or not records.exists():
        messages.error(request, _("Tick the records first."))
        return _back(request, questionnaire)
    if action == "export":
        fmt = request.POST.get("format", "csv")
        if fmt not in CONTENT_TYPES:
            return HttpResponse(_("Unknown format."), status=400)
        return export_response(user, form, records, fmt, selection=len(ids))
    if action == "assign":
        return _assign(request, questionnaire, list(records))
    return _verify(request, questionnaire, list(records))


def _assign(request: AuthenticatedHttpRequest, questionnaire: str, records: list[Record]) -> Any:
    chosen = request.POST.get("team", "")
    team = Team.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    if team is None:
        messages.error(request, _("Choose a team."))
        return _back(request, questionnaire)
    count = actions.assign_team(request.user, records, team)
    messages.success(
        request,
        _("%(count)s records assigned to %(team)s.") % {"count": count, "team": team.name},
    )
    return _back(request, questionnaire)


def _verify(request: AuthenticatedHttpRequest, questionnaire: str, records: list[Record]) -> Any:
    """All the records ticked, or none: a record that cannot be verified (a required
    question unanswered) leaves every record as it was."""
    gaps = []
    try:
        with transaction.atomic():
            for record in records:
                if record.status == Status.VERIFIED:
                    continue
                try:
                    actions.set_status(request.user, record, Status.VERIFIED)
                except actions.RecordInvalid:
                    gaps.append(record.record_id)
            if gaps:
                raise actions.RecordInvalid([])
    except actions.RecordInvalid:
        messages.error(
            request,
            _("Nothing was verified: these records leave required questions unanswered: "
              "%(ids)s.") % {"ids": ", ".join(gaps)},
        )  # fmt: skip
        return _back(request, questionnaire)
    messages.success(request, _("%(count)s records verified.") % {"count": len(records)})
    return _back(request, questionnaire)
