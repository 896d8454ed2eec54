"""Filling a form in the browser with no app: ODK Web Forms, served by Aigak itself.

`/collect/web/<questionnaire>/` loads the XForm that ODK Collect downloads for the form
(aigak.collection.served) into ODK's own web form engine (`@getodk/web-forms`, vendored
under static/vendor/ by scripts/vendor_odkcrypto.sh) and sends the filled instance, with
its photos and other files, to the OpenRosa submission endpoint with the user's session:
the same endpoint, rules, audit and evidence handling as a phone's submission. The
engine needs a looser Content-Security-Policy than other pages
(aigak.lib.security.web_form_policy). An encrypted form is not offered: the engine does
not encrypt, and its answers must not leave the device readable.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from aigak.accounts import permissions as perms
from aigak.accounts.http import AuthenticatedHttpRequest
from aigak.collection import served
from aigak.lib.security import web_form_policy


def import_map() -> str:
    """The page's import map: the engine imports `vue` by its bare name."""
    return json.dumps({"imports": {"vue": static("vendor/vue/vue.runtime.esm-browser.prod.js")}})


@login_required
@require_GET
def web_form(request: AuthenticatedHttpRequest, questionnaire: str) -> HttpResponse:
    perms.require(perms.can_create_records(request.user), "create records")
    form = served.collectable_form(request.user, questionnaire)
    if form is None:
        raise Http404("no such form, or it is closed to you")
    definition = form.definition
    encrypted = bool(definition.public_key)
    script = import_map()
    context = {
        "questionnaire": form,
        "definition": definition,
        "encrypted": encrypted,
        "import_map": script,
        "xform": "" if encrypted else served.xform_bytes(form).decode("utf-8"),
        "submit_url": reverse("openrosa:submission"),
        "media_url": reverse("openrosa:media", args=[form.name, "_"])[:-1],
    }
    response = render(request, "collection/web_form.html", context)
    response["Content-Security-Policy"] = web_form_policy(script)
    return response
