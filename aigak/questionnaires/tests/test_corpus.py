"""Real third-party XLSForms (see corpus/README.md): install them as a centre would."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from aigak.questionnaires.registry import install_form
from aigak.questionnaires.xlsform import XLSFormError

CORPUS = sorted(
    p for p in (Path(__file__).parent / "corpus").iterdir() if p.suffix in (".xlsx", ".xls")
)


def _pyxform_accepts(data: bytes) -> bool:
    try:
        convert(xlsform=data, validate=False)
    except Exception:  # whatever pyxform raises, ODK would not take the form
        return False
    return True


@pytest.mark.django_db
def test_it_installs_at_least_95_percent_of_the_forms_pyxform_accepts(admin_user):
    assert len(CORPUS) >= 45
    accepted, installed, refused = 0, 0, []
    for number, path in enumerate(CORPUS):
        data = path.read_bytes()
        ok = _pyxform_accepts(data)
        accepted += ok
        try:
            install_form(admin_user, data, f"corpus{number}")
        except XLSFormError as exc:  # anything else is a crash and fails the test
            assert exc.problems and all("sheet" in p or p.startswith("file") for p in exc.problems)
            refused.append(path.name)
            continue
        assert ok, f"{path.name}: installed although pyxform refuses it"
        installed += 1
    assert accepted >= 40
    assert installed / accepted >= 0.95, refused
