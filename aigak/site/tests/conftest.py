"""Fixtures of the site's tests."""

import pytest

from aigak.records.tests.sample_forms import install_sample_victim_form


@pytest.fixture
def victim(db):
    """The sample Victims questionnaire: a small form with every kind of field."""
    return install_sample_victim_form()
