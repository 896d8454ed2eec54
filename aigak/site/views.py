"""The pages of the project itself, that belong to no one domain app."""

import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET

from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.lib.disk import disk_full
from aigak.records.access import listed_questionnaires
from aigak.site import dashboard
from aigak.site.menu import HOME_QUESTIONNAIRE


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard: counts and work waiting, of the records this user may open."""
    questionnaires = listed_questionnaires()
    return render(
        request,
        "site/home.html",
        {
            "board": dashboard.build(request.user),
            "questionnaires": questionnaires,
            "first": questionnaires[0].name if questionnaires else HOME_QUESTIONNAIRE,
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """An error no view handled (handler500). A full disk, wherever it stopped the request
    (a view, the audit of a page read, the session), is said as such: 507, nothing was
    saved; the request's transaction rolled back. Anything else is Django's plain 500."""
    if not disk_full(sys.exc_info()[1]):
        return defaults.server_error(request)
    message = _(
        "The server's disk is full: nothing was saved. Ask the administrator to free "
        "space, then try again."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=507)
    # No request context: the session and the database may not be usable now.
    page = loader.get_template("507.html").render({"message": message, "lang": get_language()})
    return HttpResponse(page, status=507)
