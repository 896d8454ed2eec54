"""Administration for administrators: users, teams and the audit log."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from aigak.accounts import actions, tokens
from aigak.accounts.forms import AuditFilterForm, NewUserForm, TeamForm, UserForm
from aigak.accounts.models import AuditAction, AuditEvent, Team, User, UserSession, audit
from aigak.accounts.permissions import can_administer, can_read_audit, require
from aigak.lib.spreadsheet import inert_row

AUDIT_COLUMNS = ["id", "at", "user", "action", "object_type", "object_id", "ip", "metadata"]


def locked_names() -> set[str]:
    """User names locked out now (django-axes' failures within the cool-off time)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    # One row per name, address and browser: a name's failures are their sum.
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["username"] for row in rows}


def users(request: HttpRequest) -> HttpResponse:
    require(can_administer(request.user), "administer users")
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = actions.temporary_password()
        try:
            user = actions.create_user(
                request.user,  # type: ignore[arg-type]
                data["username"],
                data["role"],
                password,
                team=data["team"].name if data["team"] else None,
                email=data["email"],
                must_change_password=True,
            )
        except actions.UserRefused as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request, "account/admin_shown_once.html", {"who": user, "password": password}
            )
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    context = {
        "form": form,
        "users": User.objects.select_related("team").order_by("username"),
        "enrolled": enrolled,
        "locked": locked_names(),
    }
    return render(request, "account/admin_users.html", context)


USER_OPERATIONS = {"temporary_password", "reset_link", "unlock", "reset_2fa", "revoke_tokens"}


def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One user: role, team, whether active; and the one-click administrative actions."""
    require(can_administer(request.user), "administer users")
    actor: Any = request.user
    user = get_object_or_404(User.objects.select_related("team"), pk=pk)
    initial = {"role": user.role, "team": user.team, "is_active": user.is_active}
    form = UserForm(request.POST if request.POST.get("op") == "update" else None, initial=initial)
    op = request.POST.get("op", "")
    if request.method == "POST" and op == "update" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_user(
                actor, user, role=data["role"], team=data["team"], is_active=data["is_active"]
            )
        except actions.UserRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:admin-user", pk=user.pk)
    elif request.method == "POST" and op in USER_OPERATIONS:
        return _operate(request, actor, user, op)
    context = {
        "who": user,
        "form": form,
        "locked": user.username in locked_names(),
        "enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "tokens": tokens.live_tokens(user).count(),
        "sessions": UserSession.objects.filter(user=user, ended_at__isnull=True).count(),
        "ops": [
            ("temporary_password", _("Set a temporary password")),
            ("reset_link", _("Make a one-time password link")),
            ("unlock", _("Lift the lockout")),
            ("reset_2fa", _("Remove the second factor")),
            ("revoke_tokens", _("Revoke every token")),
        ],
    }
    return render(request, "account/admin_user.html", context)


def _operate(request: HttpRequest, actor: Any, user: User, op: str) -> HttpResponse:
    if op == "temporary_password":
        password = actions.set_temporary_password(actor, user)
        return render(request, "account/admin_shown_once.html", {"who": user, "password": password})
    if op == "reset_link":
        key = actions.make_reset_link(actor, user)
        link = request.build_absolute_uri(reverse("accounts:reset", args=[key]))
        return render(request, "account/admin_shown_once.html", {"who": user, "link": link})
    if op == "unlock":
        actions.lift_lockout(actor, user)
        messages.success(request, _("The lockout has been lifted."))
    elif op == "reset_2fa":
        actions.reset_second_factor(actor, user)
        messages.success(request, _("The second factor has been removed; the user enrols again."))
    elif op == "revoke_tokens":
        tokens.revoke_all_tokens(actor, user)
        messages.success(request, _("Every token of the user has been revoked."))
    return redirect("accounts:admin-user", pk=user.pk)


def teams(request: HttpRequest) -> HttpResponse:
    require(can_administer(request.user), "administer teams")
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_team(request.user, form.cleaned_data["name"])  # type: ignore[arg-type]
        except actions.UserRefused as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("The team has been created."))
            return redirect("accounts:admin-teams")
    rows = Team.objects.order_by("name")
    return render(request, "account/admin_teams.html", {"form": form, "teams": rows})


def _filtered_events(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-id")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        zone = timezone.get_current_timezone()
        if data["user"]:
            events = events.filter(actor=data["user"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time(), zone))
        if data["until"]:
            end = datetime.combine(data["until"], time(), zone) + timedelta(days=1)
            events = events.filter(at__lt=end)
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"])
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"])
    elif form.is_bound:
        events = events.none()
    return form, events


def audit_log(request: HttpRequest) -> HttpResponse:
    require(can_read_audit(request.user), "read the audit log")
    form, events = _filtered_events(request)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "account/admin_audit.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered audit rows as CSV; cells that a spreadsheet would run are made inert."""
    require(can_read_audit(request.user), "read the audit log")
    form, events = _filtered_events(request)
    audit(request.user, AuditAction.EXPORT, object_type="audit", filters=sorted(request.GET))

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(AUDIT_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(inert_row(_csv_cells(event)))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aigak-audit.csv"'
    return response


def _csv_cells(event: AuditEvent) -> list[Any]:
    import json

    who = event.actor.username if event.actor else ""
    when = event.at.isoformat()
    meta = json.dumps(event.metadata, ensure_ascii=False, sort_keys=True)
    return [event.pk, when, who, event.action, event.object_type, event.object_id, event.ip, meta]
