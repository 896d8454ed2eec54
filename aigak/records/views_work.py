"""Record pages around the form: status, deletion, the trash and the print view.

Like records.views, these find records through aigak.records.access and write only
through aigak.records.actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, audit
from aigak.questionnaires.record_display import display_sections
from aigak.records import actions
from aigak.records.access import (
    get_questionnaire_or_404,
    get_record_for_user,
    visible_field_names,
)
from aigak.records.import_runs import without_pending
from aigak.records.models import Record, Status

TRASH_PAGE = 200  # deleted records shown, the latest first


@login_required
@require_POST
def record_status(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    status = request.POST.get("status", "")
    if status not in Status.values:
        return HttpResponse(_("Unknown status."), status=400)
    try:
        actions.set_status(user, record, status)
    except actions.RecordInvalid as exc:
        definition = record.questionnaire.definition
        lang = (translation.get_language() or "en")[:2]
        names = [definition.label(p.field.rsplit("/", 1)[-1], lang) for p in exc.problems]
        messages.error(
            request,
            _("It cannot be submitted yet: these questions need an answer: %(names)s.")
            % {"names": ", ".join(names)},
        )
        if perms.can_edit_record(user, record):
            return redirect("records:edit", questionnaire, record_id)
        return redirect("records:detail", questionnaire, record_id)
    messages.success(request, _("Status changed."))
    return redirect("records:detail", questionnaire, record_id)


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    perms.require(perms.can_delete_record(user, record), "delete this record")
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST" and reason:
        actions.delete_record(user, record, reason)
        messages.success(request, _("Record %(id)s deleted.") % {"id": record.record_id})
        return redirect("records:list", questionnaire)
    return render(
        request,
        "records/delete.html",
        {
            "questionnaire": record.questionnaire,
            "record": record,
            "missing_reason": request.method == "POST",
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the trash ----------------------------------------------------------------------


@login_required
@require_GET
def trash(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Deleted records of every questionnaire, the latest deleted first, with who deleted
    them and why (no answers but the record id)."""
    user = request.user
    perms.require(perms.can_use_trash(user), "see deleted records")
    deleted = (
        without_pending(Record.objects.filter(deleted_at__isnull=False))
        .select_related("questionnaire", "deleted_by")
        .only(
            "record_id",
            "status",
            "deleted_at",
            "deleted_reason",
            "questionnaire__name",
            "questionnaire__title",
            "deleted_by__username",
        )  # fmt: skip
        .order_by("-deleted_at", "-id")
    )
    audit(user, AuditAction.VIEW, object_type="record_list", page="trash")
    return render(
        request,
        "records/trash.html",
        {"records": deleted[:TRASH_PAGE], "count": deleted.count(), "shown": TRASH_PAGE},
    )


@login_required
@require_POST
def record_undelete(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    user = request.user
    perms.require(perms.can_use_trash(user), "restore deleted records")
    form = get_questionnaire_or_404(questionnaire)
    record = without_pending(
        Record.objects.filter(questionnaire=form, record_id=record_id, deleted_at__isnull=False)
    ).first()
    if record is None:
        raise Http404("no such deleted record")
    actions.undelete_record(user, record)
    messages.success(request, _("Record %(id)s restored.") % {"id": record.record_id})
    return redirect("records:detail", questionnaire, record_id)


# --- the print view -----------------------------------------------------------------


@login_required
@require_GET
def record_print(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    """The record on paper, for a case file: every answer the user may see, the history's
    length, who printed it and when. The same field rule as the record's page."""
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    definition = record.form_version.definition
    lang = (translation.get_language() or "en")[:2]
    answers = perms.visible_answers(user, definition, record.answers)
    sections = display_sections(
        definition, answers, lang=lang, visible=visible_field_names(user, definition)
    )
    audit(user, AuditAction.VIEW, record, questionnaire=questionnaire, page="print")
    return render(
        request,
        "records/print.html",
        {
            "questionnaire": record.questionnaire,
            "record": record,
            "sections": sections,
        },
    )
