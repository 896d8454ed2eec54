"""The pages of the project itself, that belong to no one domain app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.records.access import listed_questionnaires
from aigak.site import dashboard

# The questionnaire a documentation centre opens first.
HOME_QUESTIONNAIRE = "victim"


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
