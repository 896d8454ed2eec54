"""The coordinators' side of publishing: publish and unpublish a record, the list of
publications and the publishing settings. Login is required (these live outside
/public/) and every view checks `can_publish`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.publishing import actions, photo_actions, statistics_runs
from aigak.publishing.fields import SettingsRefused, refusal, save_settings, shown_fields
from aigak.publishing.memorial import QUESTIONNAIRE
from aigak.publishing.models import Publication
from aigak.publishing.photos import CONTENT_TYPE, PhotoRefused
from aigak.records.access import get_questionnaire_or_404, get_record_for_user


def _report(request: AuthenticatedHttpRequest, outcomes: list[actions.Outcome]) -> None:
    for outcome in outcomes:
        if outcome.done:
            messages.success(request, _("%(id)s: done.") % {"id": outcome.record_id})
        else:
            messages.error(
                request,
                _("%(id)s: %(reason)s") % {"id": outcome.record_id, "reason": outcome.reason},
            )


@login_required
@require_POST
def publish(request: AuthenticatedHttpRequest, questionnaire: str, record_id: str) -> HttpResponse:
    perms.require(perms.can_publish(request.user), "publish records")
    record = get_record_for_user(request.user, questionnaire, record_id)
    summary = request.POST.get("summary", "")[:1000]
    _report(request, actions.publish(request.user, record.questionnaire, [record_id], summary))
    return redirect("records:detail", questionnaire, record_id)


@login_required
@require_POST
def unpublish(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    perms.require(perms.can_publish(request.user), "unpublish records")
    record = get_record_for_user(request.user, questionnaire, record_id)
    _report(request, actions.unpublish(request.user, record.questionnaire, [record_id]))
    return redirect("records:detail", questionnaire, record_id)


@login_required
@require_POST
def bulk(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    """Publish or unpublish the record ids given (one per line or separated by spaces)."""
    perms.require(perms.can_publish(request.user), "publish records")
    found = get_questionnaire_or_404(questionnaire)
    ids = request.POST.get("record_ids", "").split()[:1000]
    change = actions.unpublish if request.POST.get("action") == "unpublish" else actions.publish
    if ids:
        _report(request, change(request.user, found, ids))
    return redirect("publishing-manage:index")


@login_required
@require_http_methods(["GET", "POST"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The publications and the fields public pages show."""
    perms.require(perms.can_publish(request.user), "manage publishing")
    questionnaire = get_questionnaire_or_404(QUESTIONNAIRE)
    definition = questionnaire.definition
    problems: list[str] = []
    if request.method == "POST":
        try:
            save_settings(request.user, questionnaire, request.POST.getlist("fields"))
            messages.success(request, _("Publishing settings saved."))
            return redirect("publishing-manage:index")
        except SettingsRefused as refused:
            problems = refused.problems
    chosen = shown_fields(questionnaire)
    names = ["age", "summary"] + [n for n in definition.fields if not refusal(definition, n)]
    lang = get_language() or "en"
    special = {"age": _("Age"), "summary": _("Public summary")}
    offered = [(n, special.get(n) or definition.label(n, lang)) for n in names]
    publications = (
        Publication.objects.filter(record__questionnaire=questionnaire, withdrawn_at__isnull=True)
        .select_related("record", "published_by")
        .order_by("-published_at")[:200]
    )
    return render(
        request,
        "publishing/manage.html",
        {
            "questionnaire": questionnaire, "offered": offered, "chosen": chosen,
            "problems": problems, "publications": publications,
            "statistics": statistics_runs.state(),
        },
    )  # fmt: skip


def _panel(questionnaire: str, record_id: str) -> str:
    return f"{reverse('records:detail', args=[questionnaire, record_id])}#publication"


@login_required
@require_POST
def mark_photo(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    """Mark an image linked to the record as its public photo, with the consent given."""
    perms.require(perms.can_publish(request.user), "mark a public photo")
    record = get_record_for_user(request.user, questionnaire, record_id)
    try:
        evidence_pk = int(request.POST.get("evidence", ""))
    except ValueError:
        evidence_pk = 0
    try:
        photo_actions.mark_photo(
            request.user, record, evidence_pk,
            basis=request.POST.get("consent_basis", ""),
            note=request.POST.get("consent_note", "")[: photo_actions.NOTE_LENGTH],
            confirmed=request.POST.get("consent_confirmed") == "yes",
        )  # fmt: skip
        messages.success(request, _("The photo is marked for the public page."))
    except PhotoRefused as refused:
        messages.error(request, str(refused))
    return redirect(_panel(questionnaire, record_id))


@login_required
@require_POST
def unmark_photo(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    perms.require(perms.can_publish(request.user), "unmark a public photo")
    record = get_record_for_user(request.user, questionnaire, record_id)
    reason = request.POST.get("reason", "")[:200]
    if photo_actions.unmark_photo(request.user, record, reason):
        messages.success(request, _("The photo is no longer shown."))
    return redirect(_panel(questionnaire, record_id))


@login_required
@require_safe
def photo_preview(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    """The public copy of the record's marked photo, as the public would get it, for
    those who publish (also before the record is published)."""
    perms.require(perms.can_publish(request.user), "see the public photo")
    record = get_record_for_user(request.user, questionnaire, record_id)
    photo = photo_actions.marked_photo(record)
    if photo is None:
        raise Http404("no photo marked")
    return HttpResponse(bytes(photo.image), content_type=CONTENT_TYPE)
