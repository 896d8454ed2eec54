"""The public intake form and the coordinators' moderation queue.

The public form needs no account and shows the sender nothing but a receipt code: not
what happened to an earlier message, not whether a receipt code was known. The queue and
the choice of public questionnaires are for coordinators (and admins).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aigak.accounts import permissions as perms
from aigak.accounts.auditlog import client_ip
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, audit
from aigak.publishing import intake
from aigak.publishing.intake_models import Submission, SubmissionStatus
from aigak.publishing.views_public import _context as public_context
from aigak.publishing.views_public import public_page
from aigak.questionnaires import semantics
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.record_display import display_sections
from aigak.questionnaires.validation import Problem
from aigak.questionnaires.webform import build_form, errors_by_input, read_post
from aigak.records.access import get_questionnaire_or_404, visible_field_names

QUEUE_SIZE = 100


def _lang() -> str:
    return (translation.get_language() or "en")[:2]


def _public_questionnaire(name: str) -> Questionnaire:
    questionnaire = get_questionnaire_or_404(name)
    if not intake.is_public(questionnaire):
        raise Http404("no such public form")
    return questionnaire


def _started(request: HttpRequest) -> dt.datetime | None:
    try:
        stamp = signing.loads(request.POST.get("_started", ""), salt="intake", max_age=86400)
        return dt.datetime.fromisoformat(stamp)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _render_public_form(
    request: HttpRequest,
    questionnaire: Questionnaire,
    *,
    typed: dict[str, Any],
    problems: list[Problem] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    definition = questionnaire.definition
    lang = semantics.form_language(definition, "", _lang())
    fields = intake.public_fields(definition)
    notes = {f.name for f in definition.fields.values() if f.type == "note"}
    block = build_form(
        definition, typed, lang=lang, visible=fields | notes, editable=fields,
        relevant=fields | notes,  # no script on public pages: every question is shown
        errors=errors_by_input(problems or []),
    )  # fmt: skip
    labels = [
        f"{definition.label(p.field, lang) if p.field in definition.fields else p.field}: "
        f"{p.message}"
        for p in problems or []
    ]
    context = {
        "questionnaire": questionnaire,
        "form": block,
        "problems": labels,
        "refusal": refusal,
        "started": signing.dumps(timezone.now().isoformat(), salt="intake"),
        "max_files": intake.MAX_FILES,
        "honeypot": intake.HONEYPOT,
    }
    context = public_context(request, _lang(), **context)
    return render(request, "publishing/intake_form.html", context, status=status)


def _uploads(request: HttpRequest) -> list[intake.Upload]:
    files = request.FILES.getlist("attachment")
    if len(files) > intake.MAX_FILES:
        raise intake.IntakeRefused(
            _("At most %(n)s files may be attached.") % {"n": intake.MAX_FILES}, 413
        )
    out = []
    for upload in files:
        if upload.size and upload.size > intake.MAX_FILE_SIZE:
            raise intake.IntakeRefused(_("A file is larger than 5 MB."), 413)
        out.append(intake.Upload(name=upload.name or "file", data=upload.read()))
    return out


@csrf_exempt  # no session, no cookie: nothing for a forged request to act as
@require_http_methods(["GET", "POST"])
@public_page
def public_form(request: HttpRequest, questionnaire: str, lang: str) -> HttpResponse:
    """`GET|POST /public/intake/<questionnaire>/`: anyone may send what they know, in the
    language of `?lang=` (the public pages' links carry it), else the browser's."""
    form = _public_questionnaire(questionnaire)
    if request.method == "GET":
        return _render_public_form(request, form, typed={})
    if int(request.META.get("CONTENT_LENGTH") or 0) > intake.MAX_BODY:
        return _render_public_form(
            request, form, typed={}, refusal=_("The message with its files is too large."),
            status=413,
        )  # fmt: skip
    definition = form.definition
    raw = read_post(definition, request.POST, intake.public_fields(definition))
    try:
        uploads = _uploads(request)
        intake.check_guards(
            key=intake.sender_key(client_ip(request)),
            honeypot=request.POST.get(intake.HONEYPOT, ""),
            started=_started(request),
            uploads=uploads,
        )
        _submission, code = intake.submit(
            form, raw, lang=_lang(), key=intake.sender_key(client_ip(request)),
            receipt_code=request.POST.get("receipt", ""), uploads=uploads,
        )  # fmt: skip
    except intake.IntakeRefused as refused:
        if refused.status == 200:  # the honeypot: a robot sees the same page as a person
            return _thanks(request, intake.new_receipt())
        return _render_public_form(
            request, form, typed=raw, refusal=str(refused), status=refused.status
        )
    except intake.IntakeInvalid as invalid:
        return _render_public_form(request, form, typed=raw, problems=invalid.problems, status=400)
    return _thanks(request, code)


def _thanks(request: HttpRequest, code: str) -> HttpResponse:
    context = public_context(request, _lang(), code=code)
    return render(request, "publishing/intake_thanks.html", context)


# --- moderation (coordinators) ---------------------------------------------------


def _require_moderator(request: AuthenticatedHttpRequest) -> None:
    if not perms.can_verify(request.user):
        audit(request.user, AuditAction.REFUSED, object_type="submission", what="moderation")
        raise PermissionDenied("only coordinators moderate public submissions")


@login_required
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_moderator(request)
    status = request.GET.get("status", SubmissionStatus.PENDING)
    if status not in SubmissionStatus.values:
        status = SubmissionStatus.PENDING
    submissions = (
        Submission.objects.filter(status=status)
        .select_related("questionnaire", "record")
        .order_by("created_at", "id")[:QUEUE_SIZE]
    )
    audit(request.user, AuditAction.VIEW, object_type="submission_list", status=status)
    forms = [(q, intake.is_public(q)) for q in Questionnaire.objects.order_by("name")]
    return render(
        request,
        "publishing/moderation_queue.html",
        {
            "submissions": submissions,
            "status": status,
            "statuses": SubmissionStatus.choices,
            "forms": forms,
        },  # fmt: skip
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    submission = get_object_or_404(Submission.objects.select_related("questionnaire"), pk=pk)
    problem = ""
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            if decision == "accept":
                record = intake.accept(
                    request.user, submission, request.POST.get("victim_record_id", "")
                )
                messages.success(
                    request, _("Accepted as record %(id)s.") % {"id": record.record_id}
                )
                return redirect("records:detail", record.questionnaire.name, record.record_id)
            if decision == "reject":
                intake.reject(request.user, submission, request.POST.get("reason", ""))
                messages.success(request, _("The submission was rejected."))
                return redirect("intake:queue")
            problem = _("Choose to accept or to reject.")
        except intake.IntakeRefused as refused:
            problem = str(refused)
        except intake.IntakeInvalid as invalid:
            problem = "; ".join(f"{p.field}: {p.message}" for p in invalid.problems)
    definition = submission.form_version.definition
    answers = perms.visible_answers(request.user, definition, submission.answers)
    audit(request.user, AuditAction.READ, submission)
    return render(
        request,
        "publishing/moderation_detail.html",
        {
            "submission": submission,
            "sections": display_sections(
                definition,
                answers,
                lang=_lang(),
                visible=visible_field_names(request.user, definition),
            ),
            "files": submission.files.defer("data"),
            "earlier": intake.earlier_from_sender(submission),
            "can_refer": "victim_record_id" in definition.fields,
            "problem": problem,
        },
        status=400 if problem else 200,
    )


@login_required
@require_POST
def set_public(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    form = get_questionnaire_or_404(questionnaire)
    if not perms.can_manage_forms(request.user):
        audit(request.user, AuditAction.REFUSED, form, what="public")
        raise PermissionDenied("only coordinators open questionnaires to the public")
    intake.set_public(request.user, form, request.POST.get("public") == "yes")
    return redirect("intake:queue")
