"""The tus 1.0.0 HTTP endpoint at /api/v1/uploads/ (core, creation, checksum, termination,
expiration). Authenticated by API token or session; a session request must also carry
the CSRF token in `X-CSRFToken`, since a browser sends the session cookie on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from aigak.accounts.tokens import user_for_request
from aigak.evidence import access, sniff
from aigak.evidence.models import Upload
from aigak.evidence.receive import OFFSET_TYPE, TUS_VERSION, DirectBody
from aigak.evidence.uploads import (
    CHECKSUM_ALGORITHMS,
    TusError,
    append,
    create_upload,
    discard,
    finish_stranded,
    max_size,
    parse_checksum,
    reconcile,
)
from aigak.lib.disk import disk_full

EXTENSIONS = "creation,checksum,termination,expiration"


def _tus_headers(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message + "\n", status=status, content_type="text/plain")
    if status == 412:
        response["Tus-Version"] = TUS_VERSION
    if status == 401:
        response["WWW-Authenticate"] = 'Token realm="aigak"'
    return _tus_headers(response)


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    checker = CsrfViewMiddleware(lambda r: HttpResponse())
    return checker.process_view(request, None, (), {})  # type: ignore[arg-type]


def tus_endpoint(view: Callable) -> Callable:
    """Version check, authentication, CSRF for sessions, and TusError -> response."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return checked(request, *args, **kwargs)
        finally:
            body = request.META.get("wsgi.input")
            if isinstance(body, DirectBody):
                # Before the answer goes out: a refused body is cut off the file, and
                # the lock is free for the client's next chunk.
                body.close()

    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return options(request)
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return _error(412, f"this server speaks tus {TUS_VERSION} (Tus-Resumable header)")
        session_user = request.user.is_authenticated
        user = user_for_request(request)
        if user is None:
            return _error(401, "authentication required: session or 'Authorization: Token ...'")
        if session_user and request.method not in ("GET", "HEAD"):
            refusal = _csrf_refusal(request)
            if refusal is not None:
                return _error(403, "session requests need the CSRF token in X-CSRFToken")
        request.tus_user = user  # type: ignore[attr-defined]
        try:
            return _tus_headers(view(request, *args, **kwargs))
        except TusError as problem:
            # A refused file says why in the reader's language; the protocol's own
            # complaints stay English.
            message = problem.message
            return _error(
                problem.status, sniff.reason_in_words(message) if problem.status == 415 else message
            )
        except Http404:
            return _error(404, "no such upload")
        except Exception as problem:
            if not disk_full(problem):
                raise
            # The request's transaction rolled back; the client resumes from HEAD later.
            return _error(507, "the server's disk is full; nothing was stored, try again later")

    return wrapped


def options(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = EXTENSIONS
    response["Tus-Max-Size"] = str(max_size())
    response["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
    return _tus_headers(response)


def _state_headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    if upload.is_complete and upload.evidence_id:
        response["Aigak-Evidence-Url"] = reverse("evidence:detail", args=[upload.evidence_id])
        response["Aigak-Evidence-Sha256"] = upload.evidence.sha256  # type: ignore[union-attr]
    elif not upload.is_complete:
        response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    return response


@tus_endpoint
def uploads(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(405, "POST creates an upload")
    upload = create_upload(
        request.tus_user,  # type: ignore[attr-defined]
        request.headers.get("Upload-Length"),
        request.headers.get("Upload-Metadata", ""),
    )
    response = HttpResponse(status=201)
    response["Location"] = request.build_absolute_uri(reverse("tus:upload", args=[upload.pk]))
    response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    return response


@tus_endpoint
def upload(request: HttpRequest, upload_id) -> HttpResponse:
    found = access.get_upload_for_user(request.tus_user, upload_id)  # type: ignore[attr-defined]
    if request.method == "HEAD":
        if found.is_expired:
            discard(found)
            raise TusError(410, "this upload expired; start a new one")
        found = finish_stranded(found)
        reconcile(found)
        response = HttpResponse(status=200)
        if found.raw_metadata:
            response["Upload-Metadata"] = found.raw_metadata
        return _state_headers(response, found)
    if request.method == "PATCH":
        return _patch(request, found)
    if request.method == "DELETE":
        # A finished upload is evidence already: only its tus state is forgotten here;
        # deleting evidence is an admin's act with a reason.
        discard(found)
        return HttpResponse(status=204)
    if request.method == "GET":
        return JsonResponse(
            {"offset": found.offset, "length": found.length, "complete": found.is_complete}
        )
    return _error(405, "use HEAD, PATCH or DELETE")


def _patch(request: HttpRequest, found: Upload) -> HttpResponse:
    if request.content_type != OFFSET_TYPE:
        raise TusError(415, f"PATCH needs Content-Type: {OFFSET_TYPE}")
    try:
        offset = int(request.headers["Upload-Offset"])
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except (KeyError, ValueError):
        raise TusError(400, "Upload-Offset and Content-Length must be whole numbers") from None
    checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    # The raw WSGI input, read with readinto (no copy per block); `append` never reads
    # past Content-Length, which is what Django's own wrapper would guard against.
    body = request.META["wsgi.input"]
    found = finish_stranded(found)
    found = append(found, body, offset=offset, content_length=length, checksum=checksum)  # type: ignore[arg-type]
    return _state_headers(HttpResponse(status=204), found)
