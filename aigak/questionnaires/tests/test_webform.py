import pytest
from django.http import QueryDict

from aigak.questionnaires.record_display import display_sections
from aigak.questionnaires.validation import Problem
from aigak.questionnaires.webform import (
    build_form,
    errors_by_input,
    form_state,
    read_post,
    widget_kind,
)
from aigak.questionnaires.xlsform import load_xlsform
from aigak.records.tests.sample_forms import sample_victim_xlsform


@pytest.fixture(scope="module")
def definition():
    return load_xlsform(sample_victim_xlsform())


@pytest.fixture
def everything(definition):
    names = set(definition.fields) | set(definition.repeats())
    return names


def _widgets(block):
    for item in block.items:
        if item.is_block:
            yield from _widgets(item)
        else:
            yield item


def _blocks(block):
    for item in block.items:
        if item.is_block:
            yield item
            yield from _blocks(item)


def test_it_renders_groups_as_blocks_in_form_order(definition, everything):
    form = build_form(definition, {}, lang="en", visible=everything, editable=everything)
    assert [b.name for b in _blocks(form)] == ["documentation", "victim", "sources_list", "legal"]
    assert [b.label for b in _blocks(form)][:2] == ["Documentation", "The victim"]


@pytest.mark.parametrize(
    "name, kind",
    [
        ("full_name", "text"),
        ("narrative", "textarea"),
        ("birth_date", "date"),
        ("age_stated", "integer"),
        ("vital_status", "radio"),
        ("social_status", "checkboxes"),
        ("age_years", "calculate"),
    ],
)
def test_it_picks_a_widget_for_each_type(definition, name, kind):
    assert widget_kind(definition.fields[name]) == kind


def test_it_labels_in_the_chosen_language(definition, everything):
    form = build_form(definition, {}, lang="ru", visible=everything, editable=everything)
    widgets = {w.name: w for w in _widgets(form)}
    assert widgets["full_name"].label == "ФИО"
    assert [c.label for c in widgets["vital_status"].choices] == ["Погиб", "Жив"]
    kazakh = build_form(definition, {}, lang="kk", visible=everything, editable=everything)
    assert next(b for b in _blocks(kazakh)).label == "Құжаттау"


def test_it_marks_required_fields_and_keeps_hints(definition, everything):
    form = build_form(definition, {}, lang="en", visible=everything, editable=everything)
    widgets = {w.name: w for w in _widgets(form)}
    assert widgets["vital_status"].required
    assert not widgets["gender"].required
    assert widgets["record_id"].hint == "Leave empty to assign one"


def test_it_hides_irrelevant_fields_from_the_start(definition, everything):
    form = build_form(
        definition,
        {"vital_status": "deceased"},
        lang="en",
        visible=everything,
        editable=everything,
    )
    widgets = {w.name: w for w in _widgets(form)}
    assert widgets["death_date"].relevant
    assert not widgets["location_at_interview"].relevant
    assert not widgets["social_status_other"].relevant


def test_it_leaves_out_fields_the_reader_may_not_see(definition, everything):
    visible = everything - {"source_contact"}
    form = build_form(definition, {}, lang="en", visible=visible, editable=visible)
    assert "source_contact" not in {w.name for w in _widgets(form)}


def test_it_renders_write_only_fields_empty(definition, everything):
    visible = everything - {"source_contact"}
    form = build_form(
        definition,
        {"full_name": "A"},
        lang="en",
        visible=visible,
        editable=everything,
        write_only={"source_contact"},
        stored={"source_contact"},
    )
    widget = next(w for w in _widgets(form) if w.name == "source_contact")
    assert widget.write_only and widget.stored and widget.editable
    assert widget.value == "" and widget.display == ""


def test_it_shows_fields_outside_the_editable_set_read_only(definition, everything):
    editable = {"rights_violated", "legal_comment"}
    form = build_form(
        definition,
        {"gender": "female", "vital_status": "alive"},
        lang="en",
        visible=everything,
        editable=editable,
    )
    widgets = {w.name: w for w in _widgets(form)}
    assert not widgets["gender"].editable
    assert widgets["gender"].display == "Female"
    assert widgets["rights_violated"].editable


def test_it_builds_repeat_entries_and_a_blank_to_copy(definition, everything):
    values = {"sources_list": [{"source_name": "KTK", "source_kind": "media"}]}
    form = build_form(definition, values, lang="en", visible=everything, editable=everything)
    repeat = next(b for b in _blocks(form) if b.kind == "repeat")
    assert repeat.entries[0].marker == "sources_list:0"
    assert [w.input_name for w in repeat.entries[0].widgets] == [
        "sources_list:0:source_name",
        "sources_list:0:source_kind",
    ]
    assert repeat.entries[0].widgets[0].value == "KTK"
    assert repeat.blank.marker == "sources_list:__index__"


def test_it_reads_a_post_back_into_raw_answers(definition, everything):
    data = QueryDict(mutable=True)
    data.update({"full_name": " Асель ", "vital_status": "alive"})
    data.setlist("social_status", ["student", "other"])
    data.update({"sources_list:3": "1", "sources_list:3:source_name": "KTK"})
    data.update({"sources_list:1": "1", "sources_list:1:source_kind": "person"})
    raw = read_post(definition, data, everything)
    assert raw["full_name"] == "Асель"
    assert raw["social_status"] == ["student", "other"]
    assert raw["sources_list"] == [
        {"source_name": "", "source_kind": "person"},
        {"source_name": "KTK", "source_kind": ""},
    ]
    assert raw["gender"] == ""  # absent means cleared
    assert "age_years" not in raw  # calculated, never posted


def test_it_reads_only_the_names_it_is_given(definition):
    data = QueryDict("full_name=x&rights_violated=life")
    assert read_post(definition, data, {"rights_violated"}) == {"rights_violated": ["life"]}


def test_it_keys_problems_by_input():
    problems = [
        Problem("age_stated", 200, "constraint", "too old"),
        Problem("sources_list[2]/source_kind", "x", "type select_one", "not a choice"),
    ]
    assert errors_by_input(problems) == {
        "age_stated": ["too old"],
        "sources_list:1:source_kind": ["not a choice"],
    }


def test_it_evaluates_relevance_calculations_and_problems(definition, everything):
    state = form_state(
        definition,
        {"vital_status": "alive", "age_stated": "130", "social_status": ["other"]},
        lang="en",
        visible=everything,
    )
    assert "location_at_interview" in state["relevant"]
    assert "death_date" not in state["relevant"]
    assert "social_status_other" in state["relevant"]
    assert state["problems"]["age_stated"] == ["Age must be between 0 and 120"]
    assert state["problems"]["full_name"] == ["an answer is required"]


def test_it_calculates_with_the_server_evaluator(definition, everything):
    state = form_state(
        definition,
        {"full_name": "A", "vital_status": "alive", "birth_date": "2000-01-06"},
        lang="en",
        visible=everything,
    )
    assert state["calculated"] == {"age_years": "21"}
    assert state["problems"] == {}


def test_it_keeps_invisible_fields_out_of_the_state(definition, everything):
    state = form_state(
        definition, {"vital_status": "alive"}, lang="en", visible=everything - {"source_contact"}
    )
    assert "source_contact" not in state["relevant"]


def test_it_groups_answers_for_display(definition, everything):
    answers = {
        "record_id": "V-000001",
        "full_name": "Асель",
        "vital_status": "alive",
        "social_status": ["student", "journalist"],
        "sources_list": [{"source_name": "KTK", "source_kind": "media"}],
    }
    sections = display_sections(definition, answers, lang="ru", visible=everything)
    assert [s.label for s in sections] == ["Документирование", "Пострадавший", "Другие источники"]
    victim = sections[1]
    assert [(r.label, r.value) for r in victim.rows] == [
        ("ФИО", "Асель"),
        ("Социальный статус", "Студент, Журналист"),
        ("Жив или погиб", "Жив"),
    ]


def test_it_shows_a_repeat_as_a_table(definition, everything):
    answers = {"sources_list": [{"source_name": "KTK", "source_kind": "media"}, {}]}
    sections = display_sections(definition, answers, lang="en", visible=everything)
    repeat = sections[0].repeats[0]
    assert repeat.columns == ["Name of the source", "Kind"]
    assert repeat.rows == [["KTK", "Media"], ["", ""]]


def test_it_keeps_form_order_when_stored_json_loses_key_order(definition):
    from aigak.questionnaires.xlsform import FormDefinition

    data = definition.to_dict()
    data["fields"] = dict(sorted(data["fields"].items()))  # as PostgreSQL's jsonb may
    assert list(FormDefinition.from_dict(data).fields) == list(definition.fields)
