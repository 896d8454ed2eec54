"""Login is required everywhere except the login page, static files and public pages; a
second factor where the role needs one; sessions end when idle or revoked; every read and
every refusal is audited."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from aigak.accounts import auditjournal, auditlog, sessions, twofactor
from aigak.accounts.models import AuditAction, audit
from aigak.lib.log_privacy import hide_secrets

PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/reset/",
    "/static/",
    "/public/",
    "/i18n/",
    "/healthz",
)
# The API and the OpenRosa server (phones) authenticate with tokens or HTTP
# authentication themselves and answer 401 rather than redirecting.
API_PREFIX = ("/api/", "/openrosa/")
# Pages a signed-in user reaches before the second factor or a forced password change.
GATE_EXEMPT = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/password/",
    "/static/",
    "/i18n/",
)
# Reads of these are not audited: no personal data behind them.
UNAUDITED_PREFIXES = ("/static/", "/i18n/", "/healthz", "/favicon")
IDLE_KEY = sessions.IDLE_KEY


class LoginRequiredEverywhere:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.user.is_authenticated:
            ended = self._session_ended(request)
            if ended:
                logout(request)
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            gate = None if path.startswith(GATE_EXEMPT) else self._gate(request)
            return gate or self.get_response(request)
        if path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if path.startswith(API_PREFIX):
            # API views check tokens themselves; see aigak.accounts.tokens.
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            return JsonResponse({"detail": "login required"}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    def _session_ended(self, request: HttpRequest) -> str:
        """ "idle" or "revoked" when this session must end now, else ""."""
        now = time.time()
        last = request.session.get(IDLE_KEY)
        if last is not None and now - float(last) > settings.SESSION_IDLE_TIMEOUT:
            audit(request.user, AuditAction.LOGOUT, request.user, reason="idle")
            return "idle"
        if sessions.is_revoked(request):
            return "revoked"
        if last is None or now - float(last) > 60:
            request.session[IDLE_KEY] = now
        return ""

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        """Send the user to the second step, the enrolment or the password change first."""
        user = request.user
        step = twofactor.pending_step(request)
        if step:
            url = reverse("login-verify" if step == "verify" else "accounts:two-factor")
            return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        if getattr(user, "must_change_password", False):
            return HttpResponseRedirect(reverse("accounts:password"))
        return None


class AuditRequests:
    """Keeps the client's address for audit(), and audits every page read that its view
    did not audit itself, and every refusal (403). Query values are never recorded, only
    the parameter names, so a search for a confidential value leaves no trace of it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = auditlog.begin_request(request)
        try:
            response = self.get_response(request)
            self._record(request, response)
            return response
        finally:
            auditlog.end_request(token)

    def _record(self, request: HttpRequest, response: HttpResponse) -> None:
        path = request.path_info
        if path.startswith(UNAUDITED_PREFIXES):
            return
        user = request.user if request.user.is_authenticated else None
        if user is None and request.headers.get("Authorization"):
            from aigak.accounts.tokens import user_for_request

            user = user_for_request(request)  # an API client's token
        match = request.resolver_match
        view = match.view_name if match else ""
        what = {
            "path": hide_secrets(path)[:300],
            "method": request.method,
            "params": sorted(request.GET.keys())[:30],
        }
        if response.status_code == 403:
            audit(user, AuditAction.REFUSED, object_type="page", object_id=view, **what)
            return
        ctx = auditlog.current()
        wrote = ctx is not None and ctx.rows > 0
        if user and request.method in ("GET", "HEAD") and response.status_code == 200:
            # Under `aigak serve` the row goes to the process's journal (on disk before
            # the page is sent, in the table a moment later): see auditjournal.
            read: dict[str, Any] = {"object_type": "page", "object_id": view, **what}
            if not wrote and not auditjournal.journaled(user, AuditAction.READ, **read):
                audit(user, AuditAction.READ, **read)
