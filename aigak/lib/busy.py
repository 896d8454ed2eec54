"""A write the server turned away (it waited past its turn, `aigak.site.server`): 503,
nothing saved. Views that keep what was typed (the record forms) answer it themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

BUSY_KEY = "aigak.turned_away"  # set in the WSGI environ of a write turned away


def answers_busy(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that answers a turned-away write itself (`turned_away`)."""
    view.answers_busy = True  # type: ignore[attr-defined]
    return view


def turned_away(request: HttpRequest) -> bool:
    """Whether this write waited past its turn: answer 503 and save nothing."""
    return bool(request.META.get(BUSY_KEY))


def busy_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "busy.html", status=503)
    response["Retry-After"] = "5"
    return response


class TurnAwayLateWrites:
    """Answers 503 to a write the server turned away, unless its view does it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if turned_away(request) and not getattr(view, "answers_busy", False):
            return busy_page(request)
        return None
