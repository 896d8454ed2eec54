"""Victim list pages: upload with column mapping, cross-reference, review queues,
deduplication and merges, overlaps and downloads.

Views are thin: they find objects through aigak.linkage.access (403 for roles that may not
see lists, 404 for what does not exist) and write only through aigak.linkage.lists, .review,
.runs and .actions. Matching runs outside the request (`runs.py`): a button asks for a run.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.accounts.models import AuditAction, AuditEvent, audit
from aigak.lib import lazy
from aigak.lib.spreadsheet import inert_frame
from aigak.linkage import access

if TYPE_CHECKING:
    import pandas as pd

    from aigak.linkage import actions, lists, overlap, review, runs
else:  # pandas and splink load with the first page that uses them, not at start-up
    actions = lazy.module("aigak.linkage.actions")
    lists = lazy.module("aigak.linkage.lists")
    overlap = lazy.module("aigak.linkage.overlap")
    review = lazy.module("aigak.linkage.review")
    runs = lazy.module("aigak.linkage.runs")
from aigak.linkage.models import (
    FIELD_LABELS,
    RESERVED_LIST_NAMES,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    PersonMerge,
    VictimList,
)

QUEUE_PAGE_SIZE = 10
ENTRY_PAGE_SIZE = 50
OVERLAP_SHOWN = 200
MAX_FILE_SIZE = 50 * 1024 * 1024
STAGED_FOR = 24 * 3600  # seconds an upload waits for its column mapping
RUN_REFRESH = 3  # seconds between reloads of a run's status page while it runs
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SESSION_KEY = "linkage_uploads"


# --- lists -------------------------------------------------------------------------


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    access.require_see(user)
    found = list(VictimList.objects.select_related("uploaded_by"))
    counts: dict[int, dict[str, int]] = {v.pk: {} for v in found}
    rows = (
        Match.objects.filter(kind=MatchKind.LINK)
        .order_by()
        .values("entry__victim_list_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["entry__victim_list_id"]][row["status"]] = row["n"]
    return render(
        request,
        "linkage/index.html",
        {
            "lists": [(v, counts[v.pk]) for v in found],
            "can_manage": access.can_manage_lists(user),
            "dedupe_counts": review.status_counts(None),
            "merges": PersonMerge.objects.filter(undone_at__isnull=True).count(),
        },
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("List file (CSV or XLSX)"))
    name = forms.CharField(label=_("Name of the list"), max_length=200)
    source = forms.CharField(
        label=_("Source (who published it, where)"), max_length=500, required=False
    )
    published_on = forms.DateField(
        label=_("Published on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if VictimList.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A list with this name exists; choose another name."))
        if name.casefold() in RESERVED_LIST_NAMES:
            raise forms.ValidationError(_("This name is reserved; choose another name."))
        return name

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_SIZE // 1024 // 1024} MB."
            )
        return upload


def _staging_dir() -> Path:
    default = Path(settings.DATA_DIR) / "linkage-uploads"
    path = Path(getattr(settings, "LINKAGE_STAGING_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staged_path(token: str) -> Path:
    return _staging_dir() / f"{token}.upload"


def _clear_old_uploads() -> None:
    limit = time.time() - STAGED_FOR
    for path in _staging_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    if request.method == "GET":
        return render(request, "linkage/upload.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "linkage/upload.html", {"form": form}, status=400)
    upload_file = form.cleaned_data["file"]
    data = upload_file.read()
    file_name = Path(upload_file.name or "list.csv").name
    try:
        lists.read_table(data, file_name)
    except lists.ListFileError as exc:
        form.add_error("file", exc.in_words())
        return render(request, "linkage/upload.html", {"form": form}, status=400)
    _clear_old_uploads()
    token = secrets.token_urlsafe(24)
    _staged_path(token).write_bytes(data)
    published = form.cleaned_data["published_on"]
    staged = dict(request.session.get(SESSION_KEY, {}))
    staged[token] = {
        "name": form.cleaned_data["name"],
        "source": form.cleaned_data["source"],
        "published_on": published.isoformat() if published else "",
        "file_name": file_name,
    }
    request.session[SESSION_KEY] = staged
    return redirect("linkage:mapping", token)


def _staged(request: AuthenticatedHttpRequest, token: str) -> tuple[dict[str, str], bytes]:
    info = request.session.get(SESSION_KEY, {}).get(token)
    path = _staged_path(token) if _TOKEN.match(token) else None
    if info is None or path is None or not path.exists():
        raise Http404("no such upload; upload the file again")
    return info, path.read_bytes()


def _drop_staged(request: AuthenticatedHttpRequest, token: str) -> None:
    staged = dict(request.session.get(SESSION_KEY, {}))
    staged.pop(token, None)
    request.session[SESSION_KEY] = staged
    _staged_path(token).unlink(missing_ok=True)


def _posted_mapping(request: AuthenticatedHttpRequest) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for name in lists.FIELDS:
        if name == "full_name":
            columns = [
                request.POST.get(f"map_full_name_{i}", "") for i in range(lists.NAME_COLUMNS)
            ]
        else:
            columns = [request.POST.get(f"map_{name}", "")]
        mapping[name] = [c for c in columns if c]
    return mapping


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    user = request.user
    access.require_manage(user)
    info, data = _staged(request, token)
    try:
        table = lists.read_table(data, info["file_name"])
    except lists.ListFileError as exc:  # checked at upload; only a changed file gets here
        _drop_staged(request, token)
        messages.error(request, exc.in_words())
        return redirect("linkage:upload")
    if request.method == "POST" and request.POST.get("cancel"):
        _drop_staged(request, token)
        messages.info(request, _("Upload cancelled; nothing was stored."))
        return redirect("linkage:index")
    error = ""
    if request.method == "POST":
        chosen = _posted_mapping(request)
        published = info["published_on"]
        try:
            victim_list = lists.import_list(
                user,
                name=info["name"],
                data=data,
                file_name=info["file_name"],
                mapping=chosen,
                source=info["source"],
                published_on=dt.date.fromisoformat(published) if published else None,
            )
        except lists.ListFileError as exc:
            error = exc.in_words()
        else:
            _drop_staged(request, token)
            warned = len(victim_list.warnings)
            text = _("List %(name)s stored: %(entries)s entries.")
            if warned:
                text = _("List %(name)s stored: %(entries)s entries, %(warnings)s warnings.")
            stored = {"name": repr(victim_list.name), "entries": victim_list.row_count}
            messages.success(request, text % {**stored, "warnings": warned})
            return redirect("linkage:list", victim_list.pk)
    else:
        chosen = lists.guess_mapping(table.headers)
    selects = []
    for name in lists.FIELDS:
        count = lists.NAME_COLUMNS if name == "full_name" else 1
        columns = chosen.get(name, [])
        for i in range(count):
            key = f"map_full_name_{i}" if name == "full_name" else f"map_{name}"
            label = str(FIELD_LABELS[name])
            if name == "full_name" and i:
                label = _("%(label)s, column %(n)s (%(part)s)") % {
                    "label": label,
                    "n": i + 1,
                    "part": (_("given name"), _("patronymic"))[i - 1],
                }
            selects.append((key, label, columns[i] if i < len(columns) else "", name))
    return render(
        request,
        "linkage/mapping.html",
        {
            "info": info,
            "token": token,
            "table": table,
            "sample": table.sample(5),
            "selects": selects,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def list_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    victim_list = access.get_list_for_user(user, pk)
    entries = victim_list.entries.order_by("row_number")
    page = Paginator(entries, ENTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "linkage/list_detail.html",
        {
            "victim_list": victim_list,
            "page": page,
            "counts": review.status_counts(victim_list),
            "active_run": runs.active_run(victim_list),
            "can_manage": access.can_manage_lists(user),
            "mapping": [
                (FIELD_LABELS[k], ", ".join(v)) for k, v in victim_list.column_mapping.items()
            ],
        },
    )


def _threshold(request: AuthenticatedHttpRequest) -> float:
    try:
        value = float(request.POST.get("threshold", review.CANDIDATE_THRESHOLD))
    except ValueError:
        return review.CANDIDATE_THRESHOLD
    return min(max(value, 0.01), 0.99)


@login_required
@require_POST
def cross_reference(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    victim_list = access.get_list_for_user(user, pk)
    access.require_manage(user)
    return _start_run(request, victim_list)


def _start_run(request: AuthenticatedHttpRequest, victim_list: VictimList | None) -> HttpResponse:
    try:
        run = runs.start(request.user, victim_list, threshold=_threshold(request))
    except runs.AlreadyRunning as exc:
        messages.info(request, _("A match is already waiting or running; here is its progress."))
        run = exc.run
    return redirect("linkage:run", run.pk)


@login_required
@require_GET
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A run's status; reloads itself every few seconds until the run is over."""
    user = request.user
    access.require_see(user)
    runs.mark_abandoned()
    try:
        run = MatchingRun.objects.select_related("requested_by", "victim_list").get(pk=pk)
    except MatchingRun.DoesNotExist:
        raise Http404("no such run") from None
    if run.victim_list is not None:
        access.get_list_for_user(user, run.victim_list.pk)
    done_url = (
        reverse("linkage:review", args=[run.victim_list.pk])
        if run.victim_list is not None
        else reverse("linkage:duplicates")
    )
    elapsed = None
    if run.started_at is not None:
        elapsed = int(((run.finished_at or timezone.now()) - run.started_at).total_seconds())
    return render(
        request,
        "linkage/run.html",
        {
            "run": run,
            "refresh": RUN_REFRESH if run.active else None,
            "done_url": done_url,
            "elapsed": elapsed,
            "can_manage": access.can_manage_lists(user),
        },
    )


# --- review ------------------------------------------------------------------------


def _status(request: AuthenticatedHttpRequest) -> str:
    status = request.GET.get("status", MatchStatus.CANDIDATE)
    return status if status in MatchStatus.values or status == "all" else MatchStatus.CANDIDATE


def _queue_page(request: AuthenticatedHttpRequest, victim_list: VictimList | None) -> Any:
    status = _status(request)
    matches = review.queue(victim_list, None if status == "all" else status)
    page = Paginator(matches, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return status, page, review.review_items(page.object_list)


def _tabs(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, str(label), counts[value]) for value, label in MatchStatus.choices]


@login_required
@require_GET
def review_queue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    victim_list = access.get_list_for_user(user, pk)
    status, page, items = _queue_page(request, victim_list)
    return render(
        request,
        "linkage/review.html",
        {
            "victim_list": victim_list,
            "status": status,
            "tabs": _tabs(review.status_counts(victim_list)),
            "page": page,
            "items": items,
            "can_decide": access.can_decide(user),
            "can_manage": access.can_manage_lists(user),
        },
    )


@login_required
@require_GET
def match_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    match = access.get_match_for_user(user, pk)
    [item] = review.review_items([match])
    history = AuditEvent.objects.filter(
        object_type="match", object_id=str(match.pk), action=AuditAction.DECIDE
    ).select_related("actor")
    return render(
        request,
        "linkage/match_detail.html",
        {
            "item": item,
            "match": match,
            "history": history,
            "can_decide": access.can_decide(user),
            "merges": match.merges.select_related("merged_by", "undone_by"),
        },
    )


def _back(request: AuthenticatedHttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    match = access.get_match_for_user(user, pk)
    access.require_decide(user)
    decision = request.POST.get("decision", "")
    if decision not in actions.DECISIONS:
        return HttpResponse(_("Unknown decision."), status=400)
    try:
        actions.decide(user, match, decision)
    except actions.DecisionRefused as exc:
        refused = {"match": match.pk, "reason": exc.in_words()}
        messages.error(request, _("Match %(match)s: %(reason)s") % refused)
    else:
        decided = {"match": match.pk, "decision": str(MatchStatus(decision).label).lower()}
        messages.success(request, _("Match %(match)s: %(decision)s.") % decided)
    return _back(request, reverse("linkage:match", args=[match.pk]))


# --- deduplication and merges ------------------------------------------------------


@login_required
@require_GET
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    access.require_see(user)
    status, page, items = _queue_page(request, None)
    return render(
        request,
        "linkage/duplicates.html",
        {
            "status": status,
            "tabs": _tabs(review.status_counts(None)),
            "page": page,
            "items": items,
            "can_decide": access.can_decide(user),
            "can_manage": access.can_manage_lists(user),
            "last_run": review.last_dedupe_run(),
            "active_run": runs.active_run(None),
        },
    )


@login_required
@require_POST
def run_dedupe(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    return _start_run(request, None)


@login_required
@require_GET
def merges(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    access.require_see(user)
    found = PersonMerge.objects.select_related(
        "merged_by", "undone_by", "match", "from_person", "into_person"
    )
    page = Paginator(found, ENTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "linkage/merges.html",
        {"page": page, "can_decide": access.can_decide(user)},
    )


@login_required
@require_POST
def undo_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    merge = access.get_merge_for_user(user, pk)
    access.require_decide(user)
    try:
        actions.undo_merge(user, merge)
    except actions.DecisionRefused as exc:
        messages.error(request, exc.in_words())
    else:
        messages.success(
            request,
            _("The merge is undone: “%(one)s” and “%(other)s” are two people again.")
            % {
                "one": merge.from_person.display_name or merge.from_person_id,
                "other": merge.into_person.display_name or merge.into_person_id,
            },
        )
    return _back(request, reverse("linkage:merges"))


# --- overlap and downloads ---------------------------------------------------------


@login_required
@require_GET
def overlap_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    victim_list = access.get_list_for_user(user, pk)
    found = overlap.list_overlap(victim_list)
    persons = [p for _, p in found.both[:OVERLAP_SHOWN]] + found.database_only[:OVERLAP_SHOWN]
    sides = review.person_sides(persons)
    return render(
        request,
        "linkage/overlap.html",
        {
            "victim_list": victim_list,
            "overlap": found,
            "counts": found.counts(),
            "shown": OVERLAP_SHOWN,
            "both": [(e, sides[p]) for e, p in found.both[:OVERLAP_SHOWN]],
            "list_only": found.list_only[:OVERLAP_SHOWN],
            "database_only": [(p, sides[p]) for p in found.database_only[:OVERLAP_SHOWN]],
            "parts": overlap.PART_LABELS,
        },
    )


def _csv_response(frame: pd.DataFrame, file_name: str) -> HttpResponse:
    """A CSV download for a spreadsheet: cells that would run as formulas made inert."""
    text = inert_frame(frame).to_csv(index=False, lineterminator="\r\n")
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "list"


@login_required
@require_GET
def overlap_csv(request: AuthenticatedHttpRequest, pk: int, part: str) -> HttpResponse:
    user = request.user
    victim_list = access.get_list_for_user(user, pk)
    if part not in overlap.PARTS:
        raise Http404("no such part")
    frame = overlap.overlap_frame(overlap.list_overlap(victim_list), part)
    audit(user, AuditAction.EXPORT, victim_list, part=part, rows=len(frame))
    return _csv_response(frame, f"list-{victim_list.pk}-{_slug(victim_list.name)}-{part}.csv")


@login_required
@require_GET
def histories_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    access.require_see(user)
    chosen: list[VictimList | int | str] = []
    for value in request.GET.getlist("list"):
        if not value.isdigit():
            return HttpResponse(_("A list is given by its number."), status=400)
        chosen.append(int(value))
    include_database = request.GET.get("database", "1") not in ("0", "")
    try:
        frame = overlap.capture_histories(chosen or None, include_database=include_database)
    except ValueError as exc:
        return HttpResponse(str(exc), status=400)
    audit(
        user,
        AuditAction.EXPORT,
        object_type="capture_histories",
        object_id="lists",
        lists=chosen,
        database=include_database,
        rows=len(frame),
    )
    return _csv_response(frame, "capture-histories.csv")
