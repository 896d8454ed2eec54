"""The record page lists the record's evidence and the records it is linked to."""

import io

import pytest
from PIL import Image

from aigak.evidence.actions import attach_small_file
from aigak.questionnaires.registry import get_questionnaire
from aigak.records import actions


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path / "evidence")


@pytest.fixture
def victim_record(coordinator, questionnaires):
    return actions.create_record(
        coordinator, get_questionnaire("victim"), {"record_id": "V-000042", "vital_status": "alive"}
    )


def _png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    out.seek(0)
    return out


def test_it_lists_attached_evidence_for_those_who_may_see_it(
    client, coordinator, viewer, victim_record
):
    attach_small_file(coordinator, _png(), name="wound.png", record=victim_record)
    client.force_login(coordinator)
    page = client.get("/records/victim/V-000042/").content.decode()
    assert "wound.png" in page and "Attach evidence" in page
    client.force_login(viewer)
    page = client.get("/records/victim/V-000042/").content.decode()
    assert "wound.png" not in page and "Attach evidence" not in page


def test_it_shows_the_torture_record_about_this_victim(client, coordinator, victim_record):
    actions.create_record(
        coordinator,
        get_questionnaire("torture"),
        {"record_id": "T-000009", "victim_record_id": "V-000042"},
    )
    client.force_login(coordinator)
    page = client.get("/records/victim/V-000042/").content.decode()
    assert 'href="/records/torture/T-000009/"' in page
