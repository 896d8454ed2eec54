"""Evidence pages: list, detail with custody log, upload, playback and download."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from aigak.accounts import permissions as perms
from aigak.evidence import access, actions
from aigak.evidence.models import CustodyAction, EvidenceRecord
from aigak.evidence.playback import file_response
from aigak.evidence.thumbnails import thumbnail_path
from aigak.evidence.uploads import CHECKSUM_ALGORITHMS
from aigak.records.models import Record

PAGE = 100


@require_GET
def evidence_list(request: HttpRequest) -> HttpResponse:
    found = (
        access.visible_evidence(request.user)
        .filter(deleted_at__isnull=True)
        .annotate(record_count=Count("links", distinct=True))
        .select_related("uploaded_by")
    )
    query = request.GET.get("q", "").strip()
    if query:
        found = found.filter(original_name__icontains=query) | found.filter(
            sha256__startswith=query.lower()
        )
    return render(
        request,
        "evidence/list.html",
        {
            "evidence_list": found[:PAGE],
            "query": query,
            "can_upload": access.can_upload(request.user),
        },
    )


@require_GET
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, pk)
    actions.log_custody(evidence, CustodyAction.VIEW, request.user)
    records = perms.visible_records(
        request.user, Record.live.filter(pk__in=evidence.links.values("record_id"))
    ).select_related("questionnaire")
    return render(
        request,
        "evidence/detail.html",
        {
            "evidence": evidence,
            "records": [(r, access.can_link(request.user, r)) for r in records],
            "custody": evidence.custody.select_related("user"),
            "can_link": access.can_upload(request.user),
            "can_delete": access.can_delete(request.user),
        },
    )


@require_GET
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The original bytes, inline for playback or (?download=1) as an attachment.

    A download and the start of a playback are logged; the range requests a player
    makes while seeking are not, or one viewing would fill the log.
    """
    evidence = access.get_evidence_for_user(request.user, pk)
    download = request.GET.get("download") == "1"
    range_header = request.headers.get("Range")
    if download:
        actions.log_custody(evidence, CustodyAction.DOWNLOAD, request.user)
    elif not range_header or range_header.replace(" ", "").startswith("bytes=0-"):
        actions.log_custody(evidence, CustodyAction.PLAY, request.user)
    return file_response(evidence, range_header, attachment=download)


@require_GET
def evidence_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, pk)
    path = thumbnail_path(evidence)
    if path is None:
        raise Http404("no thumbnail")
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def custody_export(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, pk, include_deleted=True)
    with transaction.atomic():
        actions.log_custody(evidence, CustodyAction.EXPORT, request.user, what="custody log")
        events = list(evidence.custody.select_related("user"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="custody-{evidence.sha256[:12]}.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "action", "user", "sha256", "reason", "details"])
    for event in events:
        writer.writerow(
            [
                event.at.isoformat(),
                event.action,
                event.user.username if event.user else "",
                event.sha256,
                event.reason,
                ";".join(f"{k}={v}" for k, v in sorted(event.metadata.items())),
            ]
        )
    return response


def upload_page(request: HttpRequest) -> HttpResponse:
    """The resumable uploader, and a plain form for small files (both can link a record)."""
    perms.require(access.can_upload(request.user), "upload evidence")
    record_pk = request.POST.get("record_id") or request.GET.get("record") or ""
    if request.method == "POST":
        record = access.linkable_record(request.user, record_pk) if record_pk else None
        upload = request.FILES.get("file")
        if record_pk and record is None:
            messages.error(request, f"You may not attach evidence to record {record_pk}.")
        elif upload is None:
            messages.error(request, "Choose a file.")
        else:
            try:
                evidence = actions.attach_small_file(
                    request.user,
                    upload,
                    name=upload.name or "",
                    provenance=request.POST,
                    record=record,
                )
            except actions.EvidenceRefused as refused:
                messages.error(request, str(refused))
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
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def link_record(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, pk)
    record = access.linkable_record(request.user, request.POST.get("record_id"))
    if record is None:
        messages.error(request, "You may not attach evidence to that record.")
    else:
        actions.link(request.user, evidence, record)
    return redirect("evidence:detail", evidence.pk)


@require_POST
def unlink_record(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, pk)
    link = EvidenceRecord.objects.filter(
        evidence=evidence, record_id=request.POST.get("record_id") or 0
    ).first()
    if link is None or access.linkable_record(request.user, link.record_id) is None:
        raise PermissionDenied("you may not unlink this record")
    try:
        actions.unlink(request.user, evidence, link.record, request.POST.get("reason", ""))
    except actions.EvidenceRefused as refused:
        messages.error(request, str(refused))
    return redirect("evidence:detail", evidence.pk)


@require_POST
def delete_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = access.get_evidence_for_user(request.user, pk)
    perms.require(access.can_delete(request.user), "delete evidence")
    try:
        actions.delete_evidence(request.user, evidence, request.POST.get("reason", ""))
    except actions.EvidenceRefused as refused:
        messages.error(request, str(refused))
        return redirect("evidence:detail", evidence.pk)
    messages.info(request, f"Evidence {evidence.sha256[:12]} deleted; its custody log stays.")
    return redirect("evidence:list")
