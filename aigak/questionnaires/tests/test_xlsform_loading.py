import pytest

from aigak.questionnaires.tests.xlsform_factory import mini_form, xlsform
from aigak.questionnaires.xlsform import FormDefinition, XLSFormError, load_xlsform


def test_it_reads_fields_groups_repeats_and_languages():
    form = load_xlsform(mini_form())
    assert form.form_id == "mini"
    assert form.languages == ["en", "ru"]
    assert form.fields["vital_status"].choice_names() == ["deceased", "alive"]
    assert form.fields["full_name"].group == "victim"
    assert form.fields["source_url"].repeat == "sources"
    assert form.fields["witness_phone"].confidential
    assert form.fields["rights_violated"].legal_analysis  # inherited from the group
    assert not form.fields["full_name"].legal_analysis
    assert form.fields["age_stated"].constraint_message == {"en": "Age 0-120"}
    assert form.repeats() == ["sources"]


def test_it_survives_a_round_trip_through_json():
    form = load_xlsform(mini_form())
    again = FormDefinition.from_dict(form.to_dict())
    assert again == form


def test_it_adds_an_other_text_for_or_other():
    form = load_xlsform(
        xlsform([["select_one yn or_other", "q", "Q", "Q"]], [["yn", "yes", "Yes", "Да"]])
    )
    assert "other" in form.fields["q"].choice_names()
    assert form.fields["q_other"].relevant == "selected(${q}, 'other')"


@pytest.mark.parametrize(
    ("survey", "choices", "message"),
    [
        ([["rank foo", "q", "Q"]], [["yn", "y", "Y"]], "survey sheet, row 2"),
        ([["select_one nolist", "q", "Q"]], [["yn", "y", "Y"]], "survey sheet, row 2"),
        (
            [["text", "q", "Q"], ["text", "q", "Q"]],
            [],
            "survey sheet, row 3, column 'name': On the 'survey' sheet, the 'name' value 'q'",
        ),
        (
            [["text", "q", "Q", "", "", "${missing} = 1"]],
            [],
            "survey sheet, row 2, column 'relevant': On the 'survey' sheet, the 'relevant' value",
        ),
        ([["text", "q", "Q", "", "", "", ". >"]], [], "row 2, column 'constraint': unexpected end"),
        ([["begin group", "g", "G"], ["text", "q", "Q"]], [], "row 2: Unmatched 'begin_group'"),
        ([["end group"]], [], "row 2: Unmatched 'end_group'"),
        ([["text", "bad name", "Q"]], [], "row 2, column 'name'"),
        ([["select_one yn", "q", "Q"]], [["yn", "a", "A"], ["yn", "a", "A"]], "choices sheet"),
    ],
)
def test_it_refuses_what_it_cannot_honour_naming_sheet_and_row(survey, choices, message):
    with pytest.raises(XLSFormError) as caught:
        load_xlsform(xlsform(survey, choices))
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_it_refuses_a_file_that_is_not_a_workbook():
    with pytest.raises(XLSFormError, match="not a readable XLSForm workbook"):
        load_xlsform(b"this is not a spreadsheet")


def test_the_same_workbook_read_again_gives_an_equal_form_of_its_own(monkeypatch):
    from aigak.questionnaires import xlsform as module

    data = mini_form()
    first = load_xlsform(data)
    first.fields["full_name"].label["en"] = "changed by its reader"
    calls = []
    monkeypatch.setattr(module, "_convert", lambda *a: calls.append(a) or pytest.fail("read"))
    again = load_xlsform(data)  # pyxform's reading kept, the form made anew
    assert calls == [] and again.fields["full_name"].label["en"] != "changed by its reader"
    assert again == load_xlsform(mini_form())


def test_a_refused_workbook_says_its_problems_every_time():
    data = xlsform([["rank foo", "q", "Q"]], [["yn", "y", "Y"]])
    for _ in range(2):
        with pytest.raises(XLSFormError, match="survey sheet, row 2"):
            load_xlsform(data)
