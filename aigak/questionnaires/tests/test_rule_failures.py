"""A rule whose expression cannot be evaluated with an answer: the problem says so in
the reader's language, the engine's reason too, as a stored import problem says it again."""

from __future__ import annotations

import pytest
from django.utils import translation

from aigak.questionnaires.tests.xlsform_factory import xlsform
from aigak.questionnaires.validation import clean_answers
from aigak.questionnaires.xlsform import load_xlsform

FORM = load_xlsform(
    xlsform(
        [
            ["text", "record_id", "Record id", "Номер", "yes"],
            ["text", "seen_on", "Seen on", "Когда", "", "", "date(.) > date('2022-01-01')"],
            ["text", "where", "Where", "Где", "", "", "geofence(., '40 70;40 80;50 80;50 70')"],
        ]
    )
)

SAID = [
    ("seen_on", "вчера", "en", "the rule cannot be checked: date(): 'вчера' is not a date"),
    ("seen_on", "вчера", "ru", "правило нельзя проверить: date(): 'вчера' — не дата"),
    ("seen_on", "вчера", "kk", "ережені тексеру мүмкін емес: date(): 'вчера' — күн емес"),
    ("where", "43.2", "ru", "правило нельзя проверить: geofence(): '43.2' — не точка (широта долгота)"),
]  # fmt: skip


def _problem(field: str, answer: str):
    problems = clean_answers(FORM, {"record_id": "V-1", field: answer})[1]
    assert [p.field for p in problems] == [field]
    return problems[0]


@pytest.mark.parametrize(("field", "answer", "language", "said"), SAID)
def test_a_rule_that_cannot_be_checked_says_why_in_the_language(field, answer, language, said):
    with translation.override(language):
        problem = _problem(field, answer)
        assert problem.message == said
    with translation.override("en"):
        english = problem.in_words()
    with translation.override(language):
        assert problem.in_words() == said  # said again from its template, as a page does
    assert english.startswith("the rule cannot be checked: ")


def test_a_stored_import_problem_says_it_in_the_readers_language():
    from aigak.site.imports import _problem as stored
    from aigak.site.models import RecordImport

    with translation.override("en"):
        row = stored(3, _problem("seen_on", "вчера"))
    assert row["message"] == "the rule cannot be checked: date(): 'вчера' is not a date"
    with translation.override("ru"):
        shown = RecordImport(problems=[row]).problems_in_words[0]["message"]
    assert shown == "правило нельзя проверить: date(): 'вчера' — не дата"
