"""Evidence settings come from the environment (AIGAK_*), as the README lists them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from aigak.evidence import sniff
from aigak.evidence.models import Upload
from aigak.evidence.tests.conftest import PNG, mp4_bytes
from aigak.evidence.tests.test_tus import Tus

READ = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.EVIDENCE_ALLOWED_TYPES, s.EVIDENCE_UPLOAD_EXPIRY.total_seconds(), "
    "s.EVIDENCE_MAX_SIZE]))"
)


def settings_under(tmp_path, **environment: str) -> list:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGAK_")}
    env.update(AIGAK_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="aigak.settings", **environment)
    done = subprocess.run(
        [sys.executable, "-c", READ], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_defaults_without_the_environment(tmp_path):
    assert settings_under(tmp_path) == [[], 7 * 24 * 3600, 20 * 1024**3]


def test_the_environment_sets_types_expiry_and_size(tmp_path):
    assert settings_under(
        tmp_path,
        AIGAK_EVIDENCE_ALLOWED_TYPES="video/*, application/pdf",
        AIGAK_EVIDENCE_UPLOAD_EXPIRY="3600",
        AIGAK_EVIDENCE_MAX_SIZE="1000000",
    ) == [["video/*", "application/pdf"], 3600, 1000000]


def test_an_empty_allowlist_means_the_shipped_one(settings):
    settings.EVIDENCE_ALLOWED_TYPES = []
    assert sniff.allowed_types() == sniff.DEFAULT_ALLOWED_TYPES


@pytest.fixture
def tus(client, documenter, token_of):
    return Tus(client, token_of(documenter))


def test_an_allowlist_refuses_what_it_does_not_name(tus, settings, evidence_root):
    settings.EVIDENCE_ALLOWED_TYPES = ["video/*"]
    assert tus.upload(PNG, filename="photo.png")[1].status_code == 415
    assert tus.upload(mp4_bytes(9000), filename="clip.mp4")[1].status_code == 204


def test_the_expiry_setting_dates_new_uploads(tus, settings):
    settings.EVIDENCE_UPLOAD_EXPIRY = timedelta(seconds=3600)
    created = tus.create(1000, filename="a.mp4")
    left = Upload.objects.get().expires_at - timezone.now()
    assert created.status_code == 201
    assert timedelta(seconds=3500) < left <= timedelta(seconds=3600)
