"""Evidence fixtures: a private evidence folder per test, records, tokens and sample files."""

from __future__ import annotations

import io

import pytest

from aigak.accounts.tokens import issue_token
from aigak.records.models import Record

# A real PNG (2x2) and the first bytes of an MP4, so content sniffing sees real types.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00"
    b"\xfd\xd4\x9as\x00\x00\x00\x16IDATx\x9cc\xf8\xcf\xc0\xc0\xf0\x9f\x81\x81\x81\x01\x00"
    b"\x1a\xfa\x03\xfd\x9a\xb4\x8e\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def mp4_bytes(size: int, seed: int = 1) -> bytes:
    """`size` bytes that sniff as video/mp4, with content varying by seed."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = bytearray()
    block = seed.to_bytes(4, "big")
    counter = 0
    while len(head) + len(body) < size:
        body += block + counter.to_bytes(4, "big") * 15
        counter += 1
    return (head + bytes(body))[:size]


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    root = tmp_path / "evidence"
    settings.EVIDENCE_ROOT = str(root)
    return root


@pytest.fixture
def record_of(questionnaires):
    """record_of(user): a victim record written by that user (in their team)."""
    from aigak.questionnaires.models import Questionnaire

    questionnaire = Questionnaire.objects.get(name="victim")
    made = []

    def make(user) -> Record:
        record = Record.objects.create(
            questionnaire=questionnaire,
            form_version=questionnaire.current,
            record_id=f"V-{len(made) + 1:06d}",
            author=user,
            team=user.team,
            answers={},
        )
        made.append(record)
        return record

    return make


@pytest.fixture
def token_of(db):
    return lambda user: issue_token(user)


@pytest.fixture
def png_image():
    """A 40x30 PNG made with Pillow (so thumbnails have something to shrink)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()
