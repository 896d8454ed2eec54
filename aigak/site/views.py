"""The pages of the project itself, that belong to no one domain app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

# The questionnaire a documentation centre opens first.
HOME_QUESTIONNAIRE = "victim"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("records:list", HOME_QUESTIONNAIRE)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
