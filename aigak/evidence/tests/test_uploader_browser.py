"""The upload page's own tus client in a real Chromium: a dropped chunk is resumed."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from aigak.evidence.models import Evidence
from aigak.evidence.tests.conftest import mp4_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def page_as(live_server, chromium):
    """page_as(user): a Chromium page logged in as that user."""

    def make(user):
        client = Client()
        client.force_login(user)
        context = chromium.new_context()
        context.set_default_timeout(60_000)
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
        context.add_cookies([{**cookie, "url": live_server.url}])
        return context.new_page()

    return make


def test_the_page_uploads_in_chunks_and_resumes_a_dropped_one(
    live_server, page_as, documenter, record_of, tmp_path
):
    record = record_of(documenter)
    data = mp4_bytes(20 * 1024 * 1024 + 777)
    video = tmp_path / "interview.mp4"
    video.write_bytes(data)
    page = page_as(documenter)
    patches: list[str] = []

    def drop_the_second_chunk(route, request):
        if request.method == "PATCH":
            patches.append(request.headers.get("upload-offset", ""))
            if len(patches) == 2:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route(re.compile(r".*/api/v1/uploads/.*"), drop_the_second_chunk)
    page.goto(f"{live_server.url}/evidence/upload/?record={record.pk}")
    page.fill("input[name=captured_where]", "Almaty")
    page.set_input_files("#tus-file", str(video))
    page.click("#tus-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/evidence/\d+/$"))

    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert (evidence.original_name, evidence.captured_where) == ("interview.mp4", "Almaty")
    assert list(evidence.records.all()) == [record]
    chunk = str(8 * 1024 * 1024)
    assert patches == ["0", chunk, chunk, str(2 * int(chunk))]  # the dropped one, sent again
    assert evidence.sha256 in page.content()
