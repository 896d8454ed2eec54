"""The models table of the estimation page in the reader's language: the engine keeps its
English descriptions and reasons (the command, the JSON), the page says them in words
(aigak/estimation/templatetags/estimation_words.py) with formulas and terms as code."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from aigak.estimation import runs, texts
from aigak.estimation.estimates import estimate_table
from aigak.estimation.histories import read_capture_bytes
from aigak.estimation.results import ModelResult
from aigak.estimation.templatetags.estimation_words import described, why_not
from aigak.estimation.tests.test_views import GOOD, QUICK, client_for, upload
from aigak.site.tests.test_translations import english_words

REASONS = [
    texts.NOT_IDENTIFIABLE,
    texts.UNBOUNDED,
    texts.INFINITE_TERM.format(term="official*database"),
    texts.INFINITE,
    texts.NO_MODEL_FITS,
    texts.LCMCR_LISTS,
    texts.LCMCR_STOPPED.format(seconds=12.345, draws=50),
]


def _models() -> list[ModelResult]:
    (table,) = read_capture_bytes(GOOD, "lists.csv").values()
    models = estimate_table(table, None).models
    return [*models, ModelResult(name="lcmcr", family="bayesian", description=texts.LCMCR)]


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&gt;", ">").replace("&#x27;", "'")


def test_in_english_the_page_says_what_the_engine_says():
    with translation.override("en"):
        for model in _models():
            assert _plain(described(model)) == model.description, model.name
        for reason in REASONS:
            assert _plain(why_not(reason)) == reason


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_description_and_reason_is_said_in_russian_and_kazakh(language):
    with translation.override(language):
        for model in _models():
            shown = described(model)
            assert not english_words(shown), (model.name, shown)
            assert shown != model.description
        for reason in REASONS:
            shown = why_not(reason)
            assert not english_words(shown), (reason, shown)
            assert shown != reason


def test_formulas_and_terms_stay_code_in_the_names_of_the_histories():
    model = ModelResult(name="pair:database*official", family="loglinear",
                        description="database*official, centre*official")  # fmt: skip
    with translation.override("ru"):
        assert described(model) == ("<code>database*official</code>, <code>centre*official</code>")
        assert "<code>official*database</code>" in why_not(REASONS[2])
        assert "12.3" in why_not(REASONS[6]) and "50" in why_not(REASONS[6])


def test_an_unknown_text_is_shown_as_it_is():
    model = ModelResult(name="x", family="heterogeneity", description="something new")
    with translation.override("ru"):
        assert described(model) == "something new"
        assert why_not("a reason of another day") == "a reason of another day"


def test_the_models_table_of_the_page_speaks_russian(coordinator, settings, monkeypatch):
    monkeypatch.setattr(runs, "RUN_LCMCR", QUICK)
    client = client_for(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = upload(client, GOOD).content.decode()
    table = re.search(r"<table class=\"models\".*?</table>", html, re.S)
    assert table is not None
    assert not english_words(table.group(0)) - {"AIC", "BIC", "df"}
    assert "неоднородность" in table.group(0)
