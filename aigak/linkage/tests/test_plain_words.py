"""Notes the matching writes for experts are shown to staff as plain sentences, with the
note itself behind a "details" toggle."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from aigak.linkage.templatetags.linkage_words import plain

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

TECHNICAL = "too few records to train the model (12 records); using fixed m/u priors"


def test_a_technical_note_becomes_a_sentence():
    assert plain(TECHNICAL).startswith("The lists are too small for the matching to learn")
    assert "m/u" not in plain(TECHNICAL)
    assert plain("3 entries have no name the model can read; not matched").startswith(
        "3 entries have no readable name"
    )
    assert plain("a note nobody planned") == "a note nobody planned"
    learnt = "43% or more of the training pairs are expected to be true matches: ..."
    assert plain(learnt).startswith("Many candidate pairs in these lists are clear matches")


def test_the_sentence_is_translated_and_the_note_kept_in_details():
    page = Template(
        "{% load i18n linkage_words %}{% for n in notes %}<li>{{ n|plain }}{% if n|plain != n %}"
        '<details><summary>{% translate "details" %}</summary><code>{{ n }}</code></details>'
        "{% endif %}</li>{% endfor %}"
    )
    with translation.override("ru"):
        html = page.render(Context({"notes": [TECHNICAL]}))
    assert "Списки слишком малы" in html
    assert "<summary>подробности</summary><code>too few records" in html
