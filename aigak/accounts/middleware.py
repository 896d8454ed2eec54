"""Login is required everywhere except the login page, static files and public pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/public/", "/i18n/", "/healthz")
# The API authenticates with tokens itself and answers 401 rather than redirecting.
API_PREFIX = "/api/"


class LoginRequiredEverywhere:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.user.is_authenticated or path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if path.startswith(API_PREFIX):
            # API views check tokens themselves; see aigak.accounts.tokens.
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            return JsonResponse({"detail": "login required"}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
