"""Serving stored bytes with HTTP range requests, so video and audio play and seek in place.

>>> parse_range("bytes=0-99", 1000)
(0, 99)
>>> parse_range("bytes=900-", 1000)
(900, 999)
>>> parse_range("bytes=-100", 1000)
(900, 999)
>>> parse_range("bytes=0-5000", 1000)
(0, 999)
>>> parse_range("bytes=1000-", 1000) is UNSATISFIABLE
True
>>> parse_range("bytes=0-1,5-9", 1000) is None  # several ranges: the whole file is sent
True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from aigak.evidence.models import Evidence
from aigak.evidence.sniff import safe_name
from aigak.evidence.storage import store

BLOCK = 1024 * 1024
INLINE_TYPES = ("image/", "video/", "audio/", "application/pdf")
UNSATISFIABLE = (-1, -1)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range; None to send the whole file."""
    if not header or not header.startswith("bytes="):
        return None
    spec = header[len("bytes=") :].strip()
    if "," in spec:
        return None
    first_text, dash, last_text = spec.partition("-")
    if not dash:
        return None
    try:
        if first_text == "":
            suffix = int(last_text)
            if suffix <= 0:
                return UNSATISFIABLE
            return max(size - suffix, 0), size - 1
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first >= size:
        return UNSATISFIABLE
    if first > last:
        return None
    return first, min(last, size - 1)


def _stream(handle: BinaryIO, first: int, last: int) -> Iterator[bytes]:
    with handle:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            block = handle.read(min(BLOCK, remaining))
            if not block:
                return
            remaining -= len(block)
            yield block


def file_response(
    evidence: Evidence, range_header: str | None, *, attachment: bool
) -> HttpResponse | StreamingHttpResponse:
    size = evidence.size
    wanted = parse_range(range_header, size)
    if wanted == UNSATISFIABLE:
        refusal = HttpResponse(status=416)
        refusal["Content-Range"] = f"bytes */{size}"
        return refusal
    first, last = wanted or (0, size - 1)
    response = StreamingHttpResponse(
        _stream(store().open(evidence.sha256), first, last),
        status=206 if wanted else 200,
        content_type=evidence.content_type,
    )
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    # Only pictures, sound, video and PDF are shown in place; anything else (and anything
    # stored before names were checked) is a download under a name of its own type.
    inline = not attachment and evidence.content_type.startswith(INLINE_TYPES)
    name = safe_name(evidence.original_name or evidence.sha256, evidence.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    # Stored files are shown, never run as a page of this site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; media-src 'self'"
    response["ETag"] = f'"{evidence.sha256}"'
    response["Cache-Control"] = "private, no-transform"
    return response
