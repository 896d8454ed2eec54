import pytest

from aigak.questionnaires.tests.xlsform_factory import mini_form
from aigak.questionnaires.validation import clean_answers, relevant_fields
from aigak.questionnaires.xlsform import load_xlsform

FORM = load_xlsform(mini_form())
BASE = {"record_id": "V-000001", "vital_status": "alive"}


def clean(**raw):
    return clean_answers(FORM, {**BASE, **raw})


def test_it_stores_answers_in_their_typed_shape():
    answers, problems = clean(
        age_stated="34", height="1,75", essence="detained gunshot", entry_date="2022-04-03"
    )
    assert problems == []
    assert answers["age_stated"] == 34
    assert answers["height"] == 1.75
    assert answers["essence"] == ["gunshot", "detained"]  # questionnaire order
    assert answers["entry_date"] == "2022-04-03"
    assert answers["age_next_year"] == 35  # calculate


@pytest.mark.parametrize(
    ("raw", "field", "rule"),
    [
        ({"age_stated": "abc"}, "age_stated", "type integer"),
        ({"age_stated": "130"}, "age_stated", "constraint . >= 0 and . <= 120"),
        ({"entry_date": "05.01.2022"}, "entry_date", "type date"),
        ({"entry_date": "2022-02-30"}, "entry_date", "type date"),
        ({"vital_status": "dead"}, "vital_status", "type select_one"),
        ({"vital_status": ""}, "vital_status", "required"),
        ({"essence": "gunshot flying"}, "essence", "type select_multiple"),
        ({"nonsense": "x"}, "nonsense", "unknown field"),
    ],
)
def test_it_names_the_field_and_rule_that_failed(raw, field, rule):
    _, problems = clean(**raw)
    assert [(p.field, p.rule) for p in problems] == [(field, rule)]


def test_it_explains_constraints_in_the_forms_words():
    _, problems = clean(age_stated="130")
    assert "Age 0-120" in str(problems[0])


def test_it_drops_answers_of_fields_that_are_not_relevant():
    answers, problems = clean(vital_status="deceased", location_at_interview="prison")
    assert problems == []
    assert "location_at_interview" not in answers


def test_an_import_may_keep_answers_of_fields_that_are_not_relevant():
    answers, _ = clean_answers(
        FORM,
        {**BASE, "vital_status": "deceased", "location_at_interview": "prison"},
        keep_irrelevant=True,
    )
    assert answers["location_at_interview"] == "prison"


def test_it_knows_which_fields_are_relevant():
    assert "location_at_interview" in relevant_fields(FORM, {"vital_status": "alive"})
    assert "location_at_interview" not in relevant_fields(FORM, {"vital_status": "deceased"})
    assert "essence_other" in relevant_fields(FORM, {"essence": ["other"]})


def test_it_cleans_repeats():
    answers, problems = clean(sources=[{"source_url": "https://example.org/a"}, {"source_url": ""}])
    assert problems == []
    assert answers["sources"] == [{"source_url": "https://example.org/a"}]
