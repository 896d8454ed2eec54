"""Evidence pages: list, detail with custody log, upload, playback and download."""

from __future__ import annotations

import csv
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.evidence import access, actions, sniff
from aigak.evidence.models import CustodyAction, EvidenceRecord
from aigak.evidence.playback import file_response
from aigak.evidence.thumbnails import thumbnail_path
from aigak.evidence.uploads import CHECKSUM_ALGORITHMS
from aigak.lib.disk import disk_full
from aigak.lib.spreadsheet import inert_row
from aigak.records.models import Record
from aigak.records.search import search
from aigak.records.summaries import summarize

PAGE = 100
PICKER = 10


def _user(request: HttpRequest) -> User:
    """The logged-in user (the middleware lets no anonymous request reach these views)."""
    return cast(User, request.user)


@require_safe
def evidence_list(request: HttpRequest) -> HttpResponse:
    found = (
        access.visible_evidence(_user(request))
        .filter(deleted_at__isnull=True)
        .annotate(record_count=Count("links", distinct=True))
        .select_related("uploaded_by")
    )
    query = request.GET.get("q", "").strip()
    if query:
        found = found.filter(
            Q(original_name__icontains=query) | Q(sha256__startswith=query.lower())
        )
    return render(
        request,
        "evidence/list.html",
        {
            "evidence_list": found[:PAGE],
            "query": query,
            "can_upload": access.can_upload(_user(request)),
        },
    )


@require_safe
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(_user(request), pk)
    actions.log_custody(evidence, CustodyAction.VIEW, _user(request))
    records = perms.visible_records(
        _user(request), Record.live.filter(pk__in=evidence.links.values("record_id"))
    ).select_related("questionnaire")
    return render(
        request,
        "evidence/detail.html",
        {
            "evidence": evidence,
            "records": [(r, access.can_link(_user(request), r)) for r in records],
            "custody": evidence.custody.select_related("user"),
            "can_link": access.can_upload(_user(request)),
            "can_delete": access.can_delete(_user(request)),
        },
    )


@require_safe
def evidence_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The original bytes, inline for playback or (?download=1) as an attachment.

    A download and the start of a playback are logged; the range requests a player
    makes while seeking are not, or one viewing would fill the log.
    """
    evidence = access.get_evidence_for_user(_user(request), pk)
    failed = evidence.last_verified_ok is False
    if failed and not access.can_investigate(_user(request)):
        return HttpResponse(
            _(
                "This file failed its last integrity check and is held back. "
                "A coordinator or an administrator can examine it."
            ),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    download = request.GET.get("download") == "1"
    range_header = request.headers.get("Range")
    if download:
        actions.log_custody(evidence, CustodyAction.DOWNLOAD, _user(request), failed_check=failed)
    elif not range_header or range_header.replace(" ", "").startswith("bytes=0-"):
        actions.log_custody(evidence, CustodyAction.PLAY, _user(request), failed_check=failed)
    response = file_response(evidence, range_header, attachment=download)
    if failed:
        response["Warning"] = '199 - "this file failed its last integrity check"'
        response["Aigak-Integrity"] = "failed"
    return response


@require_safe
def evidence_thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = access.get_evidence_for_user(_user(request), pk)
    path = thumbnail_path(evidence)
    if path is None:
        raise Http404("no thumbnail")
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")
    return response


@require_safe
def custody_export(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(_user(request), pk, include_deleted=True)
    with transaction.atomic():
        actions.log_custody(evidence, CustodyAction.EXPORT, _user(request), what="custody log")
        events = list(evidence.custody.select_related("user"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="custody-{evidence.sha256[:12]}.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "action", "user", "sha256", "reason", "details"])
    for event in events:
        writer.writerow(  # a reason typed in a form must not run in a spreadsheet
            inert_row(
                [
                    event.at.isoformat(),
                    event.action,
                    event.user.username if event.user else "",
                    event.sha256,
                    event.reason,
                    ";".join(f"{k}={v}" for k, v in sorted(event.metadata.items())),
                ]
            )
        )
    return response


def upload_page(request: HttpRequest) -> HttpResponse:
    """The resumable uploader, and a plain form for small files (both can link a record)."""
    perms.require(access.can_upload(_user(request)), "upload evidence")
    record_pk = request.POST.get("record_id") or request.GET.get("record") or ""
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        record = access.linkable_record(_user(request), record_pk) if record_pk else None
        upload = request.FILES.get("file")
        if record_pk and record is None:
            messages.error(request, _no_record(record_pk))
        elif upload is None:
            messages.error(request, _("Choose a file."))
        else:
            try:
                evidence = actions.attach_small_file(
                    _user(request),
                    upload,  # type: ignore[arg-type]
                    name=upload.name or "",
                    provenance=request.POST,
                    record=record,
                )
            except actions.EvidenceRefused as refused:
                messages.error(request, sniff.reason_in_words(str(refused)))
            except Exception as problem:
                if not disk_full(problem):
                    raise
                # The file's partial copy is removed; no evidence row was made.
                messages.error(
                    request,
                    _(
                        "The server's disk is full: the file was not stored. Ask the "
                        "administrator to free space, then upload it again."
                    ),
                )
                status = 507
            else:
                return redirect("evidence:detail", evidence.pk)
    return render(
        request,
        "evidence/upload.html",
        {
            "record_pk": record_pk,
            "max_size": settings.EVIDENCE_MAX_SIZE,
            "checksums": CHECKSUM_ALGORITHMS,
        },
        status=status,
    )


def _no_record(ref: str) -> str:
    return _(
        "There is no record %(ref)s that you may attach evidence to. Type its id as the "
        "record's page shows it (for example V-000579), or pick it from the list."
    ) % {"ref": ref[:80]}


@require_safe
def record_choices(request: HttpRequest) -> JsonResponse:
    """The records a search finds that this user may attach evidence to (at most 10):
    the record picker of the upload and evidence pages."""
    user = _user(request)
    perms.require(access.can_upload(user), "upload evidence")
    query = request.GET.get("q", "").strip()[:100]
    if not query:
        return JsonResponse({"records": []})
    records = search(
        perms.visible_records(user, Record.live.all()),
        query,
        include_private=perms.can_see_confidential(user),
    )
    found = records.select_related("questionnaire", "form_version").order_by("-updated_at")
    choices = [summarize(user, r).as_json() for r in found[:PICKER] if access.can_link(user, r)]
    return JsonResponse({"records": choices})


@require_POST
def link_record(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(_user(request), pk)
    ref = request.POST.get("record_id", "")
    record = access.linkable_record(_user(request), ref)
    if record is None:
        messages.error(request, _no_record(ref))
    else:
        actions.link(_user(request), evidence, record)
    return redirect("evidence:detail", evidence.pk)


@require_POST
def unlink_record(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(_user(request), pk)
    link = EvidenceRecord.objects.filter(
        evidence=evidence, record_id=request.POST.get("record_id") or 0
    ).first()
    if link is None or access.linkable_record(_user(request), link.record_id) is None:
        raise PermissionDenied("you may not unlink this record")
    try:
        actions.unlink(_user(request), evidence, link.record, request.POST.get("reason", ""))
    except actions.EvidenceRefused as refused:
        messages.error(request, _(str(refused)))
    return redirect("evidence:detail", evidence.pk)


@require_POST
def delete_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(_user(request), pk)
    perms.require(access.can_delete(_user(request)), "delete evidence")
    try:
        actions.delete_evidence(_user(request), evidence, request.POST.get("reason", ""))
    except actions.EvidenceRefused as refused:
        messages.error(request, _(str(refused)))
        return redirect("evidence:detail", evidence.pk)
    messages.info(
        request,
        _("Evidence %(hash)s deleted; its custody log stays.") % {"hash": evidence.sha256[:12]},
    )
    return redirect("evidence:list")
