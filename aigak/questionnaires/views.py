"""The forms page (admins and coordinators): installed questionnaires, upload of an
XLSForm with every problem listed or a preview of its web form, confirmation, versions
with what changed, and download of the XLSForm and the XForm.

An upload waits in the data folder (`form-uploads/<sha256>`) until it is confirmed; the
session says which uploads are the user's. Installing is `registry.install_form`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from aigak.accounts.models import AuditAction, User, audit
from aigak.accounts.permissions import can_manage_forms, require
from aigak.questionnaires.diff import FormDiff, diff_forms
from aigak.questionnaires.models import Questionnaire, QuestionnaireVersion
from aigak.questionnaires.registry import (
    OrphanedAnswers,
    form_name,
    install_form,
    list_forms,
)
from aigak.questionnaires.webform import build_form
from aigak.questionnaires.xlsform import FormDefinition, XLSFormError, read_xlsform, to_xform

MAX_UPLOAD = 20 * 1024 * 1024
SESSION_KEY = "form_uploads"


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def _uploads_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "form-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _manager(request: AuthenticatedHttpRequest) -> None:
    require(can_manage_forms(request.user), "manage questionnaires")


@login_required
@require_http_methods(["GET", "POST"])
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the installed questionnaires and the upload form. POST: an uploaded XLSForm."""
    _manager(request)
    context: dict[str, Any] = {"forms": list_forms(), "problems": [], "name": ""}
    if request.method == "GET":
        return render(request, "questionnaires/index.html", context)
    upload = request.FILES.get("xlsform")
    context["name"] = name = request.POST.get("name", "").strip()
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
        context["problems"] = [_("file: choose an XLSForm (.xlsx or .xls, at most 20 MB)")]
        return render(request, "questionnaires/index.html", context, status=400)
    data = upload.read()
    try:
        definition = read_xlsform(data)[0]
    except XLSFormError as exc:
        context["problems"] = exc.problems
        return render(request, "questionnaires/index.html", context, status=400)
    digest = QuestionnaireVersion.digest(data)
    (_uploads_dir() / digest).write_bytes(data)
    pending = request.session.get(SESSION_KEY, {})
    pending[digest] = {
        "name": name or form_name(definition, upload.name or ""),
        "file": upload.name,
    }
    request.session[SESSION_KEY] = pending
    return redirect("questionnaires:preview", digest=digest)


def _pending(request: AuthenticatedHttpRequest, digest: str) -> tuple[bytes, dict[str, str]]:
    entry = request.session.get(SESSION_KEY, {}).get(digest)
    path = _uploads_dir() / digest
    if entry is None or not path.is_file():
        raise Http404("no such upload")
    return path.read_bytes(), entry


def _preview_block(definition: FormDefinition) -> Any:
    names = set(definition.fields)
    defaults = {f.name: f.default for f in definition.answer_fields() if f.default}
    return build_form(
        definition, defaults, lang=get_language() or "en", visible=names, editable=names
    )


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: AuthenticatedHttpRequest, digest: str) -> HttpResponse:
    """GET: the web form of an upload and what it changes. POST: install it."""
    _manager(request)
    data, entry = _pending(request, digest)
    definition = read_xlsform(data)[0]
    current = Questionnaire.objects.select_related("current").filter(name=entry["name"]).first()
    change: FormDiff | None = None
    if current is not None and current.current is not None:
        change = diff_forms(current.current.definition, definition)
    context = {"entry": entry, "definition": definition, "change": change, "digest": digest}
    if request.method == "POST":
        try:
            installed = install_form(
                request.user, data, entry["name"], filename=entry["file"],
                force=request.POST.get("force") == "1",
            )  # fmt: skip
        except OrphanedAnswers as exc:
            context.update(change=exc.change, orphaned=exc.change.orphaned)
            context["form"] = _preview_block(definition)
            return render(request, "questionnaires/preview.html", context, status=409)
        except XLSFormError as exc:
            context.update(problems=exc.problems, form=_preview_block(definition))
            return render(request, "questionnaires/preview.html", context, status=400)
        (_uploads_dir() / digest).unlink(missing_ok=True)
        request.session[SESSION_KEY] = {
            k: v for k, v in request.session.get(SESSION_KEY, {}).items() if k != digest
        }
        return redirect("questionnaires:detail", name=installed.version.questionnaire.name)
    context["form"] = _preview_block(definition)
    return render(request, "questionnaires/preview.html", context)


def _questionnaire(name: str) -> Questionnaire:
    found = Questionnaire.objects.select_related("current").filter(name=name).first()
    if found is None:
        raise Http404("no such questionnaire")
    return found


@login_required
@require_GET
def detail(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    """A questionnaire's versions, newest first, each with what it changed."""
    _manager(request)
    questionnaire = _questionnaire(name)
    versions = list(questionnaire.versions.order_by("loaded_at", "pk"))
    rows = []
    for before, version in zip([None, *versions], versions, strict=False):
        change = diff_forms(before.definition, version.definition) if before else None
        rows.append({"version": version, "lines": change.lines() if change else []})
    rows.reverse()
    return render(
        request, "questionnaires/detail.html", {"questionnaire": questionnaire, "rows": rows}
    )


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, name: str, pk: int, kind: str) -> HttpResponse:
    """A version's XLSForm (`xlsx`) or the XForm generated from it (`xform`)."""
    _manager(request)
    version = QuestionnaireVersion.objects.filter(pk=pk, questionnaire__name=name).first()
    if version is None or kind not in ("xlsx", "xform"):
        raise Http404("no such version")
    data = bytes(version.xlsform)
    audit(request.user, AuditAction.EXPORT, version, format=kind)
    if kind == "xform":
        response = HttpResponse(to_xform(data), content_type="text/xml; charset=utf-8")
        filename = f"{name}-{version.version}.xml"
    else:
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{name}-{version.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
