import pytest

from aigak.questionnaires.answer_types import coerce
from aigak.questionnaires.tests.xlsform_factory import mini_form, xlsform
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


REPEAT_FORM = load_xlsform(
    xlsform(
        [
            ["text", "record_id", "Record id", "Номер", "yes"],
            ["select_one yn", "detained", "Detained", "Задержан"],
            ["begin repeat", "detentions", "Detentions", "Задержания", "", "${detained} = 'yes'"],
            ["text", "place", "Place", "Место", "yes"],
            ["integer", "days", "Days", "Дней", "", "", ". >= 0 and . <= 3650", "0 to 3650 days"],
            ["select_one yn", "beaten", "Beaten", "Избит"],
            ["text", "injuries", "Injuries", "Травмы", "${beaten} = 'yes'", "${beaten} = 'yes'"],
            ["end repeat"],
        ],
        [["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]],
    )
)


def clean_detentions(entries, keep_irrelevant=False, detained="yes"):
    return clean_answers(
        REPEAT_FORM,
        {"record_id": "T-1", "detained": detained, "detentions": entries},
        keep_irrelevant=keep_irrelevant,
    )


def test_fields_inside_a_repeat_are_required_and_constrained_per_entry():
    _, problems = clean_detentions(
        [
            {"place": "ИВС Алматы", "days": "3"},
            {"place": "", "days": "5"},
            {"place": "СИЗО", "days": "9000"},
            {"place": "СИЗО", "beaten": "yes"},
        ]
    )
    assert [(p.field, p.rule) for p in problems] == [
        ("detentions[2]/place", "required"),
        ("detentions[3]/days", "constraint . >= 0 and . <= 3650"),
        ("detentions[4]/injuries", "required"),
    ]
    assert "0 to 3650 days" in str(problems[1])
    assert "detentions[3]/days" in str(problems[1]) and "9000" in str(problems[1])


def test_types_inside_a_repeat_are_checked_per_entry():
    _, problems = clean_detentions([{"place": "x", "days": "many"}, {"place": "y", "beaten": "?"}])
    assert [(p.field, p.rule) for p in problems] == [
        ("detentions[1]/days", "type integer"),
        ("detentions[2]/beaten", "type select_one"),
    ]


def test_relevance_inside_a_repeat_depends_on_the_entry():
    entries = [{"place": "x", "beaten": "no", "injuries": "bruises"}, {"place": "y"}]
    answers, problems = clean_detentions(entries)
    assert problems == []
    assert answers["detentions"][0] == {"place": "x", "beaten": "no"}  # not asked: dropped
    kept, problems = clean_detentions(entries, keep_irrelevant=True)
    assert problems == []
    assert kept["detentions"][0]["injuries"] == "bruises"


def test_a_repeat_that_is_not_asked_is_not_checked():
    answers, problems = clean_detentions([{"place": ""}, {"days": "5"}], detained="no")
    assert problems == []
    assert "detentions" not in answers


def test_entries_are_named_by_their_place_among_those_given():
    _, problems = clean_detentions([{"place": "x"}, {}, {"place": "", "days": "2"}])
    assert [p.field for p in problems] == ["detentions[3]/place"]


ODK_FORM = load_xlsform(
    xlsform(
        [
            ["text", "record_id", "Record id", "Номер", "yes"],
            ["integer", "age", "Age", "Возраст"],
            ["text", "adult_note", "Adult detail", "Деталь", "", "${age} >= 18"],
            ["date", "arrested", "Arrested", "Задержан"],
            ["text", "future_note", "Note", "Заметка", "", "${arrested} > today()"],
            ["calculate", "total", "", "", "", "", "", "", "${doubled} + 1"],
            ["calculate", "doubled", "", "", "", "", "", "", "${base} * 2"],
            ["calculate", "base", "", "", "", "", "", "", "${age} + 0"],
            ["calculate", "stamp", "", "", "", "", "", "", "if(now() > ${arrested}, 'past', '')"],
            ["select_one yn", "hurt", "Hurt", "Ранен"],
            [
                "calculate",
                "hurt_label",
                "",
                "",
                "",
                "",
                "",
                "",
                "jr:choice-name(${hurt}, '${hurt}')",
            ],
        ],
        [["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]],
    )
)


def test_an_unanswered_number_makes_a_comparison_false_as_in_odk():
    assert "adult_note" not in relevant_fields(ODK_FORM, {"record_id": "V-1"})
    assert "adult_note" in relevant_fields(ODK_FORM, {"record_id": "V-1", "age": 18})
    assert "adult_note" not in relevant_fields(ODK_FORM, {"record_id": "V-1", "age": 17})


def test_a_calculation_may_use_a_later_calculation():
    answers, problems = clean_answers(ODK_FORM, {"record_id": "V-1", "age": "20"})
    assert problems == []
    assert (answers["base"], answers["doubled"], answers["total"]) == (20, 40, 41)


def test_now_and_today_compare_with_dates_without_an_error():
    answers, problems = clean_answers(
        ODK_FORM, {"record_id": "V-1", "arrested": "2020-01-02", "future_note": "x"}
    )
    assert problems == []
    assert answers["stamp"] == "past"
    assert "future_note" not in answers  # 2020 is not after today(): not relevant


def test_a_reference_inside_an_entry_means_the_entrys_own_field():
    # The second entry says beaten=yes; the first must not borrow it.
    _, problems = clean_detentions([{"place": "a"}, {"place": "b", "beaten": "yes"}])
    assert [(p.field, p.rule) for p in problems] == [("detentions[2]/injuries", "required")]


def test_a_calculation_reads_a_choice_label():
    answers, problems = clean_answers(ODK_FORM, {"record_id": "V-1", "hurt": "yes"})
    assert problems == []
    assert answers["hurt_label"] == "Yes"


@pytest.mark.parametrize(
    ("arrested", "relevant", "stamp"),
    [("2020-01-02", False, "past"), ("", False, ""), ("2999-01-01", True, "")],
)
def test_the_live_form_state_compares_now_and_today_with_dates(arrested, relevant, stamp):
    from aigak.questionnaires.webform import form_state

    state = form_state(
        ODK_FORM,
        {"record_id": "V-1", "arrested": arrested},
        lang="en",
        visible=set(ODK_FORM.fields),
    )
    assert ("future_note" in state["relevant"]) is relevant
    assert state["calculated"]["stamp"] == stamp
    assert state["problems"] == {}


@pytest.mark.parametrize(
    ("raw", "english", "russian"),
    [
        ({"age_stated": "abc"}, "expected a whole number", "ожидается целое число"),
        ({"vital_status": ""}, "an answer is required", "нужен ответ"),
        ({"vital_status": "dead"}, "'dead' is not one of the choices of vital",
         "'dead' нет среди вариантов списка vital"),
        ({"essence": "gunshot flying"}, "flying not among the choices of essence",
         "flying нет среди вариантов списка essence"),
        ({"nonsense": "x"}, "not a field of this questionnaire", "в этой анкете нет такого поля"),
    ],
)  # fmt: skip
def test_it_says_its_own_messages_in_the_active_language(raw, english, russian):
    from django.utils import translation

    with translation.override("en"):
        (problem,) = clean(**raw)[1]
    assert problem.message == english
    with translation.override("ru"):
        (in_russian,) = clean(**raw)[1]
        assert problem.in_words() == russian  # said again in the reader's language
    assert in_russian.message == russian
    assert in_russian.template == problem.template and in_russian.params == problem.params
    assert (problem.template % problem.params if problem.params else problem.template) == english


def test_a_questionnaires_own_message_is_kept_as_it_is():
    from django.utils import translation

    with translation.override("ru"):
        (problem,) = clean(age_stated="130")[1]
        assert problem.template == "" and problem.texts == {"en": "Age 0-120"}
        assert problem.message == problem.in_words() == "Age 0-120"  # no Russian in the form


GROUP_FORM = load_xlsform(
    xlsform(
        [
            ["text", "record_id", "Record id", "Номер", "yes"],
            ["select_one yn", "harmed", "Harmed", "Пострадал"],
            ["begin group", "harm", "Harm", "Вред", "", "${harmed} = 'yes'"],
            ["integer", "days", "Days", "Дней", "yes", "", ". >= 0 and . <= 3650", "0 to 3650"],
            ["text", "injuries", "Injuries", "Травмы", "yes", "${days} > 1"],
            ["end group"],
        ],
        [["yn", "yes", "Yes", "Да"], ["yn", "no", "No", "Нет"]],
    )
)


@pytest.mark.parametrize(
    ("raw", "keep", "failed", "kept"),
    [
        ({"harmed": "yes"}, True, ["days"], []),
        ({"harmed": "yes", "days": "5000"}, True, ["days", "injuries"], ["days"]),
        ({"harmed": "yes", "days": "1"}, True, [], ["days"]),
        ({"harmed": "no", "days": "5000"}, True, [], ["days"]),  # not asked: no rule
        ({"harmed": "no", "days": "5000", "injuries": "x"}, False, [], []),  # dropped
        ({"harmed": "yes", "days": "1", "injuries": "x"}, False, [], ["days"]),
        ({"days": "-1"}, False, [], []),
    ],
)
def test_rules_apply_to_the_fields_their_groups_ask(raw, keep, failed, kept):
    answers, problems = clean_answers(GROUP_FORM, {"record_id": "G-1", **raw}, keep_irrelevant=keep)
    assert [p.field for p in problems] == failed
    assert [name for name in ("days", "injuries") if name in answers] == (
        kept if not keep else [n for n in ("days", "injuries") if n in raw]
    )


def test_a_remembered_answer_is_given_to_each_record_as_its_own():
    first, _ = clean(essence="detained gunshot")
    second, _ = clean(essence="detained gunshot")
    assert first["essence"] == second["essence"] == ["gunshot", "detained"]
    first["essence"].append("changed")
    assert second["essence"] == ["gunshot", "detained"]
    assert clean(essence="detained gunshot")[0]["essence"] == ["gunshot", "detained"]
    _, problems = clean(essence="detained flying")  # a refused text is refused each time
    assert [p.rule for p in problems] == ["type select_multiple"]
    _, problems = clean(essence="detained flying")
    assert [p.rule for p in problems] == ["type select_multiple"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("full_name", "Айгуль"), ("full_name", " padded "), ("full_name", "   "),
        ("full_name", "\u00a0\t"), ("full_name", ""), ("age_stated", " 34 "),
        ("age_stated", "  "), ("height", "1,75"), ("essence", "detained gunshot"),
        ("essence", " \n "), ("entry_date", "2022-04-03"), ("vital_status", " alive "),
    ],
)  # fmt: skip
def test_a_cell_is_given_what_coerce_gives_it_every_time(name, value):
    expected = coerce(FORM.fields[name], value)
    for _ in range(3):  # then from the texts remembered
        answers, problems = clean(**{name: value})
        assert problems == [] or name == "vital_status" and expected is None
        assert answers.get(name) == expected
        assert type(answers.get(name)) is type(expected)
