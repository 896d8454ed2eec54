"""The OpenRosa 1.0 documents and headers: the form list, the manifest, the response
envelope (docs.getodk.org/openrosa-form-list, openrosa-form-submission, openrosa-http).

Every response carries `X-OpenRosa-Version: 1.0` and a `Date`; those of the submission
endpoint also `X-OpenRosa-Accept-Content-Length`, the POST size a device should split at.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import http_date

VERSION = "1.0"
RESPONSE_NS = "http://openrosa.org/http/response"
LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
XML_TYPE = "text/xml; charset=utf-8"


def accept_length() -> int:
    """The POST body a device should stay under: it splits larger submissions."""
    return int(settings.COLLECTION_ACCEPT_LENGTH)


def headers(response: HttpResponse, *, submission: bool = False) -> HttpResponse:
    response["X-OpenRosa-Version"] = VERSION
    response["Date"] = http_date()
    if submission:
        response["X-OpenRosa-Accept-Content-Length"] = str(accept_length())
    return response


def envelope(
    message: str, status: int, *, nature: str = "", submission: bool = False
) -> HttpResponse:
    """An OpenRosa response: the message a device shows, with the HTTP status."""
    attribute = f' nature="{escape(nature)}"' if nature else ""
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        f'<OpenRosaResponse xmlns="{RESPONSE_NS}">'
        f"<message{attribute}>{escape(message)}</message></OpenRosaResponse>"
    )
    return headers(HttpResponse(body, status=status, content_type=XML_TYPE), submission=submission)


@dataclass
class ListedForm:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str


def form_list(forms: list[ListedForm]) -> HttpResponse:
    items = []
    for form in forms:
        items.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form.name)}</name>"
            f"<version>{escape(form.version)}</version>"
            f"<hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{escape(form.download_url)}</downloadUrl>"
            f"<manifestUrl>{escape(form.manifest_url)}</manifestUrl>"
            "</xform>"
        )
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        f'<xforms xmlns="{LIST_NS}">{"".join(items)}</xforms>'
    )
    return headers(HttpResponse(body, content_type=XML_TYPE))


@dataclass
class MediaFile:
    filename: str
    md5: str
    download_url: str


def manifest(files: list[MediaFile]) -> HttpResponse:
    items = "".join(
        "<mediaFile>"
        f"<filename>{escape(f.filename)}</filename>"
        f"<hash>md5:{f.md5}</hash>"
        f"<downloadUrl>{escape(f.download_url)}</downloadUrl>"
        "</mediaFile>"
        for f in files
    )
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        f'<manifest xmlns="{MANIFEST_NS}">{items}</manifest>'
    )
    return headers(HttpResponse(body, content_type=XML_TYPE))
