"""The import page: upload a file, see its first rows, import it all or nothing in the
background, watch its progress and read the problems of a refused file."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.records import tabular
from aigak.records.access import get_questionnaire_or_404, listed_questionnaires
from aigak.runs import background
from aigak.site import imports
from aigak.site.models import RecordImport


class UploadForm(forms.Form):
    questionnaire = forms.ChoiceField(label=gettext_lazy("Questionnaire"))
    file = forms.FileField(label=gettext_lazy("File (CSV, XLSX or JSON)"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        choice = self.fields["questionnaire"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(q.name, q.local_title) for q in listed_questionnaires()]

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": imports.MAX_FILE_SIZE >> 20}
            )
        try:
            self.cleaned_data["format"] = tabular.file_format(upload.name)
        except ValueError:
            raise forms.ValidationError(
                _("Name a .csv, .xlsx or .json file: its ending says how to read it.")
            ) from None
        return upload


def _require(request: AuthenticatedHttpRequest) -> None:
    perms.require(perms.can_import_export(request.user), "import records")


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload, then the preview of the first rows with the button that imports."""
    _require(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "imports": RecordImport.objects.select_related("questionnaire")[:10]}
    if request.method == "POST" and form.is_valid():
        questionnaire = get_questionnaire_or_404(form.cleaned_data["questionnaire"])
        fmt = form.cleaned_data["format"]
        token = imports.stage(form.cleaned_data["file"], fmt)
        file_name = Path(form.cleaned_data["file"].name).name[:255]
        shown = imports.preview(imports.staged_path(token, fmt), questionnaire, fmt, file_name)
        context.update(
            questionnaire=questionnaire, preview=shown, token=token, fmt=fmt, file_name=file_name
        )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "site/import.html", context, status=status)


@login_required
@require_POST
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    questionnaire = get_questionnaire_or_404(request.POST.get("questionnaire", ""))
    try:
        path = imports.staged_path(request.POST.get("token", ""), request.POST.get("fmt", ""))
    except ValueError:
        raise Http404("no such upload") from None
    if not path.is_file():
        raise Http404("no such upload")
    with transaction.atomic():
        run = RecordImport.objects.create(
            questionnaire=questionnaire,
            requested_by=request.user,
            file_name=request.POST.get("file_name", "")[:255] or path.name,
            staged=str(path),
            file_format=request.POST["fmt"],
        )
        background.request(RecordImport, run.pk)
    return redirect("import-run", run.pk)


@login_required
@require_GET
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The run's progress (the page reloads itself while it runs; ?format=json for a
    script), its counts, or the problems that refused the file."""
    _require(request)
    background.mark_abandoned(RecordImport)
    run = RecordImport.objects.select_related("questionnaire").filter(pk=pk).first()
    if run is None:
        raise Http404("no such import")
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": run.status,
                "checked": run.checked,
                "total": run.total,
                "percent": run.percent,
                "created": run.created,
                "updated": run.updated,
                "problems": run.problem_count,
            }  # fmt: skip
        )
    return render(request, "site/import_run.html", {"run": run, "refresh": 2 if run.active else 0})
