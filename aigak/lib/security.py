"""Response headers every page and download gets: no caching of personal data, a
Content-Security-Policy without inline scripts, and no body on HEAD.

- `Cache-Control: no-store` on every response that passes here. Static files never do:
  WhiteNoise answers them before this middleware (it sits after WhiteNoise), so they stay
  cacheable; everything else may hold names, answers or evidence. One exception, which
  a view asks for by setting `response.public_cache = True`: a public person's photo
  keeps `PUBLIC_CACHE` (stored, but asked again before every use).
- `Content-Security-Policy`: scripts, styles, images, media and forms from this site
  only; no inline script, no inline event handler, no `eval`, no plugins, no framing.
  A response that sets its own policy (evidence playback: `sandbox`) keeps it.
- HEAD: the headers of the GET, with the body dropped here, whatever the server does
  (waitress drops it too; Django's test client and other servers may not).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# A public photo: caches may store it, and must ask the server before each use (a 304
# while it is unchanged), so that a photo taken off the public pages is gone at once.
PUBLIC_CACHE = "public, no-cache"


def web_form_policy(inline_script: str) -> str:
    """The policy of the page that runs ODK Web Forms: the site's, loosened only where the
    engine needs it. `inline_script` (the page's import map, which cannot be a file) is
    allowed by its hash; WebAssembly (its XPath parser) may compile, which runs no script
    text; the engine and its component library insert their own <style> elements, which
    carry no nonce; photos the user picks are shown from `blob:` URLs. Scripts stay this
    site's files: no inline script but the import map, no `eval`."""
    digest = base64.b64encode(hashlib.sha256(inline_script.encode()).digest()).decode()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'sha256-{digest}' 'wasm-unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            "connect-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not (getattr(response, "public_cache", False) and request.path.startswith("/public/")):
            response["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        if request.method == "HEAD":
            _drop_body(response)
        return response


def _drop_body(response: HttpResponseBase) -> None:
    if getattr(response, "streaming", False):
        # The file or generator behind the stream stays among the response's closers.
        response.streaming_content = iter(())  # type: ignore[attr-defined]
        return
    assert isinstance(response, HttpResponse)
    length = len(response.content)
    response.content = b""
    response["Content-Length"] = str(length)
