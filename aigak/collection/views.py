"""The OpenRosa server: form list, XForm, manifest, media and submission endpoints, under
`/openrosa/key/<token>/` and `/openrosa/` (HTTP Basic, or the session of a page that
sends `X-OpenRosa-Version`). Thin: aigak.collection.receiving does the work."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from aigak.accounts import permissions as perms
from aigak.accounts.models import User
from aigak.collection import openrosa, served
from aigak.collection.auth import basic_user, challenge, token_user
from aigak.collection.models import FormMedia
from aigak.collection.receiving import (
    SubmissionRefused,
    file_name,
    read_meta,
    receive,
    store_parts,
)

XML_PART = "xml_submission_file"
INCOMPLETE = "*isIncomplete*"
MAX_XML = 10 * 1024 * 1024

View = Callable[..., HttpResponse]


def _user(request: HttpRequest, token: str | None) -> User | None:
    if token is not None:
        return token_user(token)
    if request.user.is_authenticated and request.headers.get("X-OpenRosa-Version"):
        # A page's own script (a web form): the custom header cannot be sent cross-site
        # without the site's consent, so the session cookie alone opens nothing here.
        return request.user  # type: ignore[return-value]
    return basic_user(request)


def openrosa_view(*, submission: bool = False) -> Callable[[View], View]:
    """Find the user (401 with a Basic challenge when none) and pass it to the view."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, token: str | None = None, **kwargs: Any):
            user = _user(request, token)
            if user is None:
                response = openrosa.envelope(
                    _("Not signed in: the server address or the login is wrong or revoked."),
                    401,
                    submission=submission,
                )
                response["WWW-Authenticate"] = challenge()
                return response
            return view(request, user, *args, **kwargs)

        return wrapper

    return decorate


def _url(request: HttpRequest, view_name: str, **kwargs: Any) -> str:
    """An absolute URL under the same base (token or not) as this request."""
    match = request.resolver_match
    namespace = match.namespace if match else "openrosa"
    if match and "token" in match.kwargs:
        kwargs["token"] = match.kwargs["token"]
    return request.build_absolute_uri(reverse(f"{namespace}:{view_name}", kwargs=kwargs))


def _unknown_form() -> HttpResponse:
    return openrosa.envelope(_("No such form, or it is closed to you."), 404)


@openrosa_view()
def form_list(request: HttpRequest, user: User) -> HttpResponse:
    wanted = request.GET.get("formID")
    listed = []
    for questionnaire in served.collectable_forms(user):
        if wanted and questionnaire.name != wanted:
            continue
        xform = served.xform_bytes(questionnaire)
        listed.append(
            openrosa.ListedForm(
                form_id=questionnaire.name,
                name=questionnaire.title or questionnaire.name,
                version=questionnaire.definition.version,
                md5=served.md5(xform),
                download_url=_url(request, "form", name=questionnaire.name),
                manifest_url=_url(request, "manifest", name=questionnaire.name),
            )
        )
    return openrosa.form_list(listed)


@openrosa_view()
def form_xml(request: HttpRequest, user: User, name: str) -> HttpResponse:
    questionnaire = served.collectable_form(user, name)
    if questionnaire is None:
        return _unknown_form()
    response = HttpResponse(served.xform_bytes(questionnaire), content_type=openrosa.XML_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{questionnaire.name}.xml"'
    return openrosa.headers(response)


@openrosa_view()
def manifest(request: HttpRequest, user: User, name: str) -> HttpResponse:
    questionnaire = served.collectable_form(user, name)
    if questionnaire is None:
        return _unknown_form()
    files = [
        openrosa.MediaFile(
            m.filename, m.md5, _url(request, "media", name=name, filename=m.filename)
        )
        for m in served.media_files(questionnaire)
    ]
    return openrosa.manifest(files)


@openrosa_view()
def media(request: HttpRequest, user: User, name: str, filename: str) -> HttpResponse:
    questionnaire = served.collectable_form(user, name)
    item = (
        FormMedia.objects.filter(questionnaire=questionnaire, filename=filename).first()
        if questionnaire is not None
        else None
    )
    if item is None:
        return _unknown_form()
    response = HttpResponse(bytes(item.data), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    return openrosa.headers(response)


@openrosa_view(submission=True)
def submission(request: HttpRequest, user: User) -> HttpResponse:
    if request.method == "HEAD":
        return openrosa.headers(HttpResponse(status=204), submission=True)
    if request.method != "POST":
        response = openrosa.envelope(_("Send submissions with POST."), 405, submission=True)
        response["Allow"] = "HEAD, POST"
        return response
    if not perms.can_create_records(user):
        return openrosa.envelope(_("You may not send records."), 403, submission=True)
    try:
        return _submit(request, user)
    except SubmissionRefused as exc:
        return openrosa.envelope(str(exc), exc.status, submission=True)


def _submit(request: HttpRequest, user: User) -> HttpResponse:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.COLLECTION_MAX_SIZE:
        raise SubmissionRefused(413, _("The submission is larger than this server takes."))
    try:
        files, fields = request.FILES, request.POST
    except (RequestDataTooBig, TooManyFilesSent):
        raise SubmissionRefused(
            413, _("The submission is larger than this server takes.")
        ) from None
    except MultiPartParserError as exc:
        raise SubmissionRefused(400, _("Not a multipart submission: %s") % exc) from None
    xml = _xml_part(files, fields)
    meta = read_meta(xml)
    questionnaire = served.collectable_form(user, meta.form_id)
    if questionnaire is None:
        raise SubmissionRefused(404, _("No such form, or it is closed to you."))
    uploads = [
        (file_name(upload.name or key), upload)
        for key in files
        if key != XML_PART
        for upload in files.getlist(key)
    ]
    parts = store_parts(uploads, encrypted=meta.encrypted)
    received = receive(
        user,
        questionnaire,
        xml,
        meta,
        parts,
        incomplete=fields.get(INCOMPLETE, "").lower() in ("yes", "true", "1"),
        device_hint=request.GET.get("deviceID", ""),
    )
    return openrosa.envelope(
        received.message, received.status, nature="submit_success", submission=True
    )


def _xml_part(files: Any, fields: Any) -> bytes:
    upload = files.get(XML_PART)
    if upload is not None:
        if upload.size > MAX_XML:
            raise SubmissionRefused(413, _("The submission XML is too large."))
        return upload.read()
    text = fields.get(XML_PART)
    if text:
        return str(text).encode("utf-8")
    raise SubmissionRefused(400, _("The POST has no xml_submission_file part."))
