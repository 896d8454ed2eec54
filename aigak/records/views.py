"""Record pages: list with search and filters, view, create and edit, history.

Views are thin: they find objects through aigak.records.access (404 for what the user
may not see), ask aigak.accounts.permissions what the user may do, and write only
through aigak.records.actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, Team, User, audit
from aigak.lib.busy import answers_busy, turned_away
from aigak.questionnaires import semantics
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.record_display import display_sections
from aigak.questionnaires.validation import Problem
from aigak.questionnaires.webform import (
    build_form,
    errors_by_input,
    form_state,
    judge,
    read_post,
)
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records import actions
from aigak.records.access import (
    get_questionnaire_or_404,
    get_record_for_user,
    get_version_for_record,
    listed_questionnaires,
    visible_field_names,
)
from aigak.records.editing import EditState, unavailable, version_posted
from aigak.records.history import version_changes
from aigak.records.hooks import record_page_panels
from aigak.records.list_page import clean_params, list_rows, rows_html, sort_columns
from aigak.records.listing import (
    FEW_MATCHES_ORDER,
    ListRefused,
    filters_html,
    list_columns,
    list_query,
)
from aigak.records.models import Record, Status
from aigak.records.paging import COUNT_CAP, CappedPaginator
from aigak.records.summaries import RecordSummary, summarize

PAGE_SIZE = 50
ASSIGNED_ON_CREATE = {"record_id"}  # actions.create_record gives the next free id


def _lang() -> str:
    return (translation.get_language() or "en")[:2]


# --- list --------------------------------------------------------------------------


def _refused(user: User, exc: ValueError) -> HttpResponse:
    """400 for a parameter the list cannot take: a field the user may not name (hidden or
    unknown, audited) or a bad date."""
    if isinstance(exc, perms.FieldRefused):
        audit(user, AuditAction.VIEW, object_type="record_list", refused="field",
              field=exc.field[:64])  # fmt: skip
    return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def record_list(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    form = get_questionnaire_or_404(questionnaire)
    definition = form.definition
    user = request.user
    lang = _lang()
    try:
        q = list_query(user, form, request.GET, lang)
    except (perms.FieldRefused, ListRefused) as exc:
        return _refused(user, exc)
    page = CappedPaginator(
        q.records,
        PAGE_SIZE,
        # A sorted list is counted without its order (the sort costs a pass over the
        # rows): as a narrowed one is.
        narrowed=q.narrowed or not q.default_order,
        few_order=FEW_MATCHES_ORDER if q.default_order else None,
        cap=COUNT_CAP,
    ).get_page(request.GET.get("page"))
    columns = list_columns(user, definition)
    labels = [definition.label(name, lang) for name in columns]
    rows = list_rows(page, definition, columns, labels, lang)
    return render(
        request,
        "records/list.html",
        {
            "questionnaire": form,
            "questionnaires": listed_questionnaires(),
            "page": page,
            "count_cap": COUNT_CAP,
            "rows": rows,
            "rows_html": rows_html(
                rows, form.name, perms.can_verify(user) or perms.can_import_export(user)
            ),
            "columns": labels,
            "sort_columns": sort_columns(columns, labels, q.sort, request.GET),
            "q": q,
            "query": q.query,
            "filters": q.filters,
            "filters_html": filters_html(q.filters),
            "filtering": q.filtering,
            "status": q.status,
            "similar": q.similar,
            "statuses": Status.choices,
            "can_create": perms.can_create_records(user),
            "can_verify": perms.can_verify(user),
            "can_export": perms.can_import_export(user),
            "teams": Team.objects.order_by("name") if perms.can_verify(user) else [],
            "params": clean_params(request.GET),
            "export_formats": ["csv", "xlsx", "json"],
        },
    )


# --- one record --------------------------------------------------------------------


@login_required
@require_GET
def record_detail(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    definition = record.form_version.definition
    answers = perms.visible_answers(user, definition, record.answers)
    sections = display_sections(
        definition, answers, lang=_lang(), visible=visible_field_names(user, definition)
    )
    audit(user, AuditAction.VIEW, record, questionnaire=questionnaire, page="record")
    return render(
        request,
        "records/detail.html",
        {
            **record_page_panels(user, record),
            "links": _record_links(user, record),
            "questionnaire": record.questionnaire,
            "record": record,
            "sections": sections,
            "can_edit": perms.can_edit_record(user, record),
            "can_verify": perms.can_verify(user) and record.status != Status.VERIFIED,
            "can_submit": record.status == Status.DRAFT
            and perms.can_change_status(user, record, Status.SUBMITTED),
            "can_delete": perms.can_delete_record(user, record),
        },
    )


def _record_links(user: Any, record: Record) -> list[tuple[str, RecordSummary]]:
    """Records this one names or is named by (a torture record's victim), if visible."""
    related = "questionnaire", "form_version"
    named = [
        (link.get_kind_display(), link.target)
        for link in record.links_out.select_related(*(f"target__{r}" for r in related))
    ] + [
        (link.get_kind_display(), link.source)
        for link in record.links_in.select_related(*(f"source__{r}" for r in related))
    ]
    if not named:
        return []
    visible = set(
        perms.visible_records(
            user, Record.live.filter(pk__in=[r.pk for _, r in named])
        ).values_list("pk", flat=True)
    )
    return [(kind, summarize(user, other)) for kind, other in named if other.pk in visible]


def _problem_summary(definition: FormDefinition, problems: list[Problem], lang: str) -> list[str]:
    out = []
    for problem in problems:
        name = problem.field.rsplit("/", 1)[-1]
        label = definition.label(name, lang) if name in definition.fields else name
        out.append(f"{label}: {problem.message}")
    return out


@dataclass
class FormFields:
    """Which fields the form shows a user, and how."""

    visible: set[str]  # answers the user may read
    editable: set[str]  # answers the user may change
    write_only: set[str]  # confidential answers the user may enter but not read back


def _form_lang(request: HttpRequest, definition: FormDefinition) -> str:
    wanted = request.POST.get("_form_lang") or request.GET.get("form_lang", "")
    return semantics.form_language(definition, wanted, _lang())


def _started(request: HttpRequest) -> dt.datetime | None:
    """When the form was opened (signed by the server when it rendered the form)."""
    try:
        stamp = signing.loads(request.POST.get("_started", ""), max_age=7 * 86400)
        return dt.datetime.fromisoformat(stamp)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _form_fields(user: Any, definition: FormDefinition, record: Record | None) -> FormFields:
    visible = visible_field_names(user, definition)
    editable = perms.editable_fields(user, definition, record)
    if record is not None:
        editable.discard("record_id")  # a record keeps its id
        for repeat in definition.repeats():
            inside = {f.name for f in definition.repeat_fields(repeat)}
            if not inside <= visible:
                # Saving entries the user sees only in part would lose the hidden part.
                editable -= inside | {repeat}
    return FormFields(visible, editable, editable - visible)


def _posted_answers(
    definition: FormDefinition,
    request: AuthenticatedHttpRequest,
    fields: FormFields,
    record: Record | None,
) -> dict[str, Any]:
    raw = read_post(definition, request.POST, fields.editable)
    if record is not None:
        for name in fields.write_only:
            if raw.get(name) in (None, "", []):
                del raw[name]  # left empty: keep the stored answer the user cannot see
    return raw


def _render_form(
    request: AuthenticatedHttpRequest,
    questionnaire: Questionnaire,
    definition: FormDefinition,
    fields: FormFields,
    *,
    typed: dict[str, Any],
    record: Record | None = None,
    problems: list[Problem] | None = None,
    note: str = "",
    edit: EditState | None = None,
) -> HttpResponse:
    """The form with the record's visible answers overlaid by what the user typed."""
    lang = _form_lang(request, definition)
    stored = dict(record.answers) if record else {}
    values = perms.visible_answers(request.user, definition, stored) if record else {}
    relevant = judge(definition, {**stored, **typed}, lang=lang)[2]
    block = build_form(
        definition,
        {**values, **typed},
        lang=lang,
        visible=fields.visible,
        editable=fields.editable,
        relevant=relevant,
        errors=errors_by_input(problems or []),
        write_only=fields.write_only,
        stored={n for n in fields.write_only if stored.get(n) not in (None, "", [])},
        assigned=set() if record else ASSIGNED_ON_CREATE,
    )
    return render(
        request,
        "records/form.html",
        {
            "questionnaire": questionnaire,
            "record": record,
            "form": block,
            "problems": _problem_summary(definition, problems or [], lang),
            "note": note,
            "started": request.POST.get("_started") or signing.dumps(timezone.now().isoformat()),
            "form_lang": lang,
            "form_languages": definition.languages if len(definition.languages) > 1 else [],
            "base_version": edit.base_version if edit else (record.version if record else ""),
            "seen_version": edit.seen_version if edit else "",
            "conflicts": edit.conflict_rows(request.user, definition, lang) if edit else [],
            "busy": edit.busy if edit else "",
        },
        status=edit.status if edit and edit.status else (400 if problems else 200),
    )


def _prefilled(
    definition: FormDefinition, user: User, fields: FormFields, names: set[str]
) -> dict[str, Any]:
    """A new record's entry date (today) and documenter (the user), among `names`: shown
    in the form to those who see them; for a documenter, who may enter the confidential
    documenter field but not read it back, given on save when left empty."""
    out: dict[str, Any] = {}
    if "entry_date" in definition.fields and "entry_date" in names & fields.editable:
        out["entry_date"] = timezone.localdate().isoformat()
    if "documenter" in definition.fields and "documenter" in names & fields.editable:
        out["documenter"] = user.get_full_name() or user.get_username()
    return out


@answers_busy
@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    form = get_questionnaire_or_404(questionnaire)
    user = request.user
    perms.require(perms.can_create_records(user), "create records")
    definition = form.definition
    fields = _form_fields(user, definition, None)
    if request.method == "GET":
        defaults = semantics.initial_answers(definition, fields.visible)
        defaults.update(_prefilled(definition, user, fields, fields.visible))
        return _render_form(request, form, definition, fields, typed=defaults)
    raw = _posted_answers(definition, request, fields, None)
    blank = {n for n in fields.write_only if raw.get(n) in (None, "", [])}
    raw.update(_prefilled(definition, user, fields, blank))
    raw.update(
        semantics.server_answers(
            definition, user, raw, fields.editable, started=_started(request), new=True
        )
    )
    if turned_away(request):  # waited past its turn in the server: save nothing
        waiting = EditState(busy="busy", status=503)
        return _render_form(request, form, definition, fields, typed=raw, edit=waiting)
    status = Status.DRAFT if request.POST.get("status") == Status.DRAFT else Status.SUBMITTED
    try:
        record = actions.create_record(
            user, form, raw, status=status, lang=_lang(), note=request.POST.get("note", "")
        )
    except actions.RecordInvalid as exc:
        return _render_form(request, form, definition, fields, typed=raw, problems=exc.problems)
    except OperationalError as exc:
        if not unavailable(exc):
            raise
        waiting = EditState(busy=unavailable(exc), status=503)
        return _render_form(request, form, definition, fields, typed=raw, edit=waiting)
    messages.success(request, _("Record %(id)s saved.") % {"id": record.record_id})
    return redirect("records:detail", questionnaire, record.record_id)


@answers_busy
@login_required
@require_http_methods(["GET", "POST"])
def record_edit(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    perms.require(perms.can_edit_record(user, record), "edit this record")
    definition = record.questionnaire.definition
    fields = _form_fields(user, definition, record)
    if request.method == "GET":
        return _render_form(
            request, record.questionnaire, definition, fields, typed={}, record=record
        )
    raw = _posted_answers(definition, request, fields, record)
    raw.update(semantics.server_answers(definition, user, record.answers, fields.editable))
    note = request.POST.get("note", "").strip()[:300]
    base = version_posted(request, "_base_version")
    resolve = {
        key.removeprefix("_choose_"): str(value)
        for key, value in request.POST.items()
        if key.startswith("_choose_")
    }
    seen = version_posted(request, "_seen_version")
    again = EditState(base_version=base or "", seen_version=seen or "")
    if turned_away(request):  # waited past its turn in the server: save nothing
        again.busy, again.status = "busy", 503
        return _render_form(
            request,
            record.questionnaire,
            definition,
            fields,
            typed=raw,
            record=record,
            note=note,
            edit=again,
        )
    try:
        actions.update_record(
            user,
            record,
            raw,
            lang=_lang(),
            note=note,
            base_version=base,
            resolve=resolve,
            resolved_at=seen,
        )
    except actions.RecordInvalid as exc:
        problems = exc.problems
    except actions.EditConflict as exc:
        problems = []
        again = EditState(base or "", exc.record.version, conflict=exc, status=409)
        record = exc.record
    except OperationalError as exc:
        if not unavailable(exc):
            raise
        problems, again.busy, again.status = [], unavailable(exc), 503
    else:
        problems = _submit_draft(request, record)
        if not problems:
            messages.success(request, _("Record %(id)s saved.") % {"id": record.record_id})
            return redirect("records:detail", questionnaire, record_id)
        record.refresh_from_db()
        messages.warning(
            request, _("Saved as a draft. To submit it, answer the questions marked below.")
        )
    return _render_form(
        request,
        record.questionnaire,
        definition,
        fields,
        typed=raw,
        record=record,
        problems=problems,
        note=note,
        edit=again,
    )


def _submit_draft(request: AuthenticatedHttpRequest, record: Record) -> list[Problem]:
    """Submit a draft saved by the edit form's "Submit" button: the required questions
    it still leaves unanswered, or none once it is submitted."""
    if request.POST.get("status") != Status.SUBMITTED or record.status != Status.DRAFT:
        return []
    try:
        actions.set_status(request.user, record, Status.SUBMITTED)
    except actions.RecordInvalid as exc:
        return exc.problems
    return []


@login_required
@require_GET
def record_history(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str
) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    definition = record.questionnaire.definition
    versions = list(record.versions.select_related("author").order_by("number"))
    changes = version_changes(
        definition, versions, lang=_lang(), visible=visible_field_names(user, definition)
    )
    audit(user, AuditAction.VIEW, record, questionnaire=questionnaire, page="history")
    return render(
        request,
        "records/history.html",
        {
            "questionnaire": record.questionnaire,
            "record": record,
            "changes": changes,
            "can_restore": perms.can_restore_versions(user, record),
        },
    )


@login_required
@require_POST
def record_restore(
    request: AuthenticatedHttpRequest, questionnaire: str, record_id: str, number: int
) -> HttpResponse:
    user = request.user
    record = get_record_for_user(user, questionnaire, record_id)
    version = get_version_for_record(record, number)
    actions.restore_version(user, record, version.number)
    messages.success(request, _("Version %(number)s restored.") % {"number": number})
    return redirect("records:history", questionnaire, record_id)


# --- the form's live rules ---------------------------------------------------------


@login_required
@require_POST
def evaluate(request: AuthenticatedHttpRequest, questionnaire: str) -> JsonResponse:
    """Relevance, calculations and problems of a half-filled form, by the server's rules.

    The answers are put together as a save would: the record's stored answers, with
    the fields this user may edit taken from the post.
    """
    user = request.user
    form = get_questionnaire_or_404(questionnaire)
    record = None
    if request.POST.get("_record"):
        record = get_record_for_user(user, questionnaire, request.POST["_record"])
        perms.require(perms.can_edit_record(user, record), "edit this record")
    else:
        perms.require(perms.can_create_records(user), "create records")
    definition = form.definition
    fields = _form_fields(user, definition, record)
    raw = {
        **(record.answers if record else {}),
        **_posted_answers(definition, request, fields, record),
    }
    state = form_state(
        definition,
        raw,
        lang=_form_lang(request, definition),
        visible=fields.visible,
        write_only=fields.write_only,
        changed=request.POST.get("_changed", ""),
    )
    return JsonResponse(state)
