"""The public pages: memorial list, one person's page, the published statistics.

No login, no cookie: the language comes from `?lang=` (links carry it) or the browser's
Accept-Language, never from a session; no form posts here, so no CSRF cookie either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from aigak.lib.security import PUBLIC_CACHE
from aigak.publishing import memorial, statistics_runs
from aigak.publishing.photo_actions import public_photo
from aigak.publishing.photos import CONTENT_TYPE

LANGS = [code for code, _ in settings.LANGUAGES]
PublicView = Callable[..., HttpResponse]


def public_page(view: PublicView) -> PublicView:
    """Serve in the language asked by `?lang=` (else the browser's), set no cookie."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lang = request.GET.get("lang", "")
        if lang not in LANGS:
            lang = translation.get_language_from_request(request)
            lang = lang if lang in LANGS else settings.LANGUAGE_CODE
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = view(request, *args, lang=lang, **kwargs)
            response.headers["Content-Language"] = lang
        response.cookies.clear()
        return response

    return wrapped


def _switch(request: HttpRequest) -> list[dict[str, str]]:
    """Links to this page in each language (the language switch)."""
    params = {k: v for k, v in request.GET.items() if k != "lang"}
    return [
        {"code": code, "name": name, "href": f"?{urlencode({**params, 'lang': code})}"}
        for code, name in settings.LANGUAGES
    ]


def _context(request: HttpRequest, lang: str, **values: Any) -> dict[str, Any]:
    return {"lang": lang, "languages": _switch(request), "lang_query": f"lang={lang}", **values}


@require_safe
@public_page
def memorial_list(request: HttpRequest, lang: str) -> HttpResponse:
    book = memorial.memorial()
    # The page depends on the language and the query string alone (the language links
    # carry every parameter): drawn once per index, served while its names stay public.
    key = (lang, request.GET.urlencode())
    content = memorial.kept_page(book, key)
    if content is not None:
        return HttpResponse(content)
    q = request.GET.get("q", "").strip()[:200]
    region = request.GET.get("region", "")
    vital = request.GET.get("vital", "")
    found = memorial.search(book, q, region, vital)
    page = Paginator(found, memorial.PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    page.object_list = memorial.still_public(listed)
    params = {k: v for k, v in (("q", q), ("region", region), ("vital", vital)) if v}
    paging = urlencode({**params, "lang": lang})
    response = render(
        request,
        "publishing/memorial.html",
        _context(
            request, lang, page=page, q=q, region=region, vital=vital, total=len(found),
            regions=memorial.choice_options(book, book.region_field, lang),
            vitals=memorial.choice_options(book, memorial.VITAL_FIELD, lang)
            if book.vital_filter else [],
            paging=paging, book=book,
        ),
    )  # fmt: skip
    if len(page.object_list) == len(listed):  # a page short of a name is not kept
        memorial.keep_page(book, key, response.content, [e.public_id for e in listed])
    return response


@require_safe
@public_page
def person(request: HttpRequest, public_id: str, lang: str) -> HttpResponse:
    found = memorial.public_entry(public_id)
    if found is None:
        raise Http404("no such page")
    book, entry = found
    photo = public_photo(public_id)
    return render(
        request,
        "publishing/person.html",
        _context(request, lang, entry=entry, shown=memorial.display(book, entry, lang),
                 photo=photo),
    )  # fmt: skip


@require_safe
@public_page
def photo(request: HttpRequest, public_id: str, lang: str) -> HttpResponse:
    """The person's photo (the public copy), while the page and the photo are public;
    otherwise 404, as for a page that never existed. Caches may keep it but must ask
    again before each use (`no-cache`): an unmarked photo or an unpublished person is
    gone on the next request; an unchanged photo costs a 304."""
    found = public_photo(public_id)
    if found is None:
        raise Http404("no such photo")
    etag = f'"{found.image_sha256}"'
    asked = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in asked or f"W/{etag}" in asked:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(found.image), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["ETag"] = etag
    response["Cache-Control"] = PUBLIC_CACHE
    # lib.security keeps this Cache-Control instead of its no-store.
    response.public_cache = True  # type: ignore[attr-defined]
    return response


# How long a script that found no statistics yet should wait before asking again.
RETRY_SECONDS = 60


@require_safe
@public_page
def statistics(request: HttpRequest, lang: str) -> HttpResponse:
    """The last statistics built (in the background, never here), with their time."""
    found = statistics_runs.served(lang)
    as_json = request.GET.get("format") == "json"
    if found is None:  # none built yet: being prepared (`served` asked for a build)
        if as_json:
            response = JsonResponse({"status": "preparing"}, status=503)
            response["Retry-After"] = str(RETRY_SECONDS)
            return response
        return render(request, "publishing/statistics.html", _context(request, lang, report=None))
    build, data = found
    if as_json:
        data = {**data, "as_of": build.as_of.isoformat() if build.as_of else None}
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return render(request, "publishing/statistics.html",
                  _context(request, lang, report=data, as_of=build.as_of))  # fmt: skip
