"""Collection fixtures: a private evidence folder, a field form with media questions and
repeats, real image bytes, and tokens."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.accounts.tokens import issue_token
from aigak.evidence.tests.conftest import evidence_root  # noqa: F401 - a private evidence folder

FIELD_FORM = """
| survey |
| | type | name | label | required |
| | text | name | Name | yes |
| | integer | age | Age | |
| | geopoint | where | Where | |
| | image | photo | Photo | |
| | audio | voice | Voice | |
| | begin repeat | kids | Kids | |
| | text | kid | Kid | |
| | end repeat | | | |
| | select_one harm | harm | Harm | |
| choices |
| | list name | name | label | image |
| | harm | beaten | Beaten | beaten.png |
| | harm | detained | Detained | |
| settings |
| | form_id | form_title | version |
| | field_kit | Field kit | 2024010101 |
"""


def field_form_bytes() -> bytes:
    out = io.BytesIO()
    md_table_to_workbook(FIELD_FORM).save(out)
    return out.getvalue()


@pytest.fixture
def field_form(questionnaires):
    from aigak.questionnaires.models import Questionnaire
    from aigak.questionnaires.registry import install_questionnaire

    install_questionnaire("field_kit", field_form_bytes())
    return Questionnaire.objects.get(name="field_kit")


@pytest.fixture
def token_of(db):
    return lambda user: issue_token(user)


def image_bytes(seed: int = 0, size: tuple[int, int] = (40, 30)) -> bytes:
    """A real JPEG (so evidence sniffing sees an image), different for each seed."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, 30)).save(out, "JPEG")
    return out.getvalue()


def wav_bytes(seconds: float = 0.1) -> bytes:
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * int(8000 * seconds))
    return out.getvalue()
