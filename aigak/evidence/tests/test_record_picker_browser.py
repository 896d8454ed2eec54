"""The record picker in a real Chromium: a Latin name lists the Cyrillic record, and
picking it links the evidence by the record's visible id."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aigak.evidence.actions import attach_small_file
from aigak.questionnaires.models import Questionnaire
from aigak.records.actions import create_record

pytestmark = pytest.mark.browser


def test_typing_a_latin_name_offers_the_cyrillic_record_and_links_it(
    live_server, chromium, questionnaires, documenter, evidence_root
):
    victim = Questionnaire.objects.get(name="victim")
    record = create_record(
        documenter, victim, {"full_name": "Ермеков Нұрлан", "vital_status": "alive"},
        status="draft",
    )  # fmt: skip
    notes = attach_small_file(
        documenter, SimpleUploadedFile("notes.txt", b"notes\n"), name="notes.txt"
    )
    client = Client()
    client.force_login(documenter)
    context = chromium.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    page.goto(f"{live_server.url}/evidence/{notes.pk}/")
    field = page.locator("input[data-record-picker]")
    field.press_sequentially("Ermekov", delay=30)
    option = page.locator("#record-choices option")
    option.first.wait_for(state="attached")
    assert option.first.get_attribute("value") == f"victim/{record.record_id}"
    assert "Ермеков Нұрлан" in (option.first.get_attribute("label") or "")
    field.fill(f"victim/{record.record_id}")
    page.locator("form[action$='/link'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/evidence/{notes.pk}/$"))
    assert list(notes.records.all()) == [record]
    context.close()
