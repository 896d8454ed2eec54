"""ODK behaviour that depends on the definition, on forms read through pyxform."""

from __future__ import annotations

import io

import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.questionnaires import semantics
from aigak.questionnaires.validation import calculate
from aigak.questionnaires.xlsform import load_xlsform

FORM = """
| survey |
| | type | name | label | label::Français (fr) | choice_filter | repeat_count | calculation | default | read_only | trigger |
| | start | start | | | | | | | | |
| | today | today | | | | | | | | |
| | username | username | | | | | | | | |
| | select_one country | country | Country | Pays | | | | | | |
| | select_one city | city | City in ${country} | Ville | country=${country} or name='other' | | | | | |
| | integer | n | N | N | | | | | | |
| | begin repeat | kids | Kids | Enfants | | ${n} + 1 | | | | |
| | text | kid | Kid | Enfant | | | | | | |
| | end repeat | | | | | | | | | |
| | calculate | first | | | | | ${second} * 2 | | | |
| | calculate | second | | | | | ${n} + 1 | | | |
| | date | seen | Seen | Vu | | | | today() | | |
| | integer | fixed | Fixed | Fixe | | | | 7 | yes | |
| | text | stamp | Stamp | Tampon | | | concat('n=', ${n}) | | | ${n} |
| choices |
| | list_name | name | label | label::Français (fr) | country |
| | country | kz | Kazakhstan | Kazakhstan | |
| | country | kg | Kyrgyzstan | Kirghizistan | |
| | city | almaty | Almaty | Almaty | kz |
| | city | bishkek | Bishkek | Bichkek | kg |
| | city | other | Other | Autre | |
| settings |
| | form_id | default_language |
| | sem | English (en) |
"""


@pytest.fixture(scope="module")
def form():
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    return load_xlsform(out.getvalue())


@pytest.mark.parametrize(
    ("answers", "offered"),
    [
        ({"country": "kz"}, ["almaty", "other"]),
        ({"country": "kg"}, ["bishkek", "other"]),
        ({}, ["other"]),
    ],
)
def test_it_offers_the_choices_a_cascading_select_allows(form, answers, offered):
    assert semantics.allowed_choices(form.fields["city"], answers) == offered


@pytest.mark.parametrize(("n", "entries"), [(2, 3), (0, 1), (None, 0)])
def test_it_counts_repeat_entries_from_the_form(form, n, entries):
    # pyxform turns `${n} + 1` into a calculation of its own (kids_count) the count names.
    answers = {"n": n} if n is not None else {}
    scope = {**answers, **calculate(form, answers)}
    assert semantics.repeat_counts(form, scope) == {"kids": entries}


def test_it_calculates_in_dependency_order(form):
    assert calculate(form, {"n": 4}) == {
        "kids_count": 5, "second": 5, "first": 10, "stamp": "n=4"
    }  # fmt: skip


def test_it_evaluates_expression_defaults_and_keeps_plain_ones(form):
    values = semantics.initial_answers(form, set(form.fields))
    assert values["fixed"] == "7"
    assert len(values["seen"]) == 10 and values["seen"][4] == "-"


def test_it_fills_answers_into_labels(form):
    assert semantics.dynamic_labels(form, {"country": "kg"}, "en", {"city", "n"}) == {
        "city": "City in Kyrgyzstan"
    }


def test_it_sets_a_triggered_value_only_when_its_trigger_changes(form):
    assert semantics.triggered(form, "n", {"n": 3}) == {"stamp": "n=3"}
    assert semantics.triggered(form, "country", {"n": 3}) == {}


def test_it_fills_metadata_and_keeps_the_start_of_an_edited_record(form, django_user_model):
    user = django_user_model(username="aru")
    new = semantics.metadata_answers(form, user, {})
    assert new["username"] == "aru" and new["start"] and new["today"]
    edited = semantics.metadata_answers(form, user, {"start": "2024-01-01T00:00:00"})
    assert "start" not in edited


@pytest.mark.parametrize(
    ("wanted", "interface", "shown"),
    [("fr", "ru", "fr"), ("", "en", "en"), ("", "kk", "en"), ("de", "kk", "en")],
)
def test_it_shows_the_form_in_its_own_languages(form, wanted, interface, shown):
    assert form.languages == ["en", "fr"]
    assert semantics.form_language(form, wanted, interface) == shown


def test_it_keeps_read_only_and_metadata_fields_out_of_the_editable_ones(form, admin_user):
    from aigak.accounts.permissions import editable_fields

    editable = editable_fields(admin_user, form, None)
    assert "fixed" not in editable and "start" not in editable and "country" in editable


@pytest.mark.django_db
def test_it_enforces_read_only_and_fills_metadata_on_a_web_save(client, coordinator):
    from aigak.questionnaires.registry import install_form
    from aigak.records.models import Record

    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    install_form(coordinator, out.getvalue(), "sem")
    client.force_login(coordinator)
    posted = {"country": "kz", "city": "almaty", "n": "1", "fixed": "99", "username": "forged"}
    response = client.post("/records/sem/new/", {**posted, "kids:0": "1", "kids:0:kid": "Aru"})
    assert response.status_code == 302, response.content.decode()[:2000]
    answers = Record.objects.get(questionnaire__name="sem").answers
    assert answers["fixed"] == 7
    assert answers["username"] == coordinator.username
    assert answers["start"] and answers["today"]
    assert answers["first"] == 4


NESTED = """
| survey |
| | type | name | label |
| | begin repeat | kids | Kids |
| | text | kid | Kid |
| | begin repeat | toys | Toys |
| | text | toy | Toy |
| | end repeat | | |
| | end repeat | | |
| | begin group | g | G |
| | text | kid | Kid in a group |
| | end group | | |
"""


@pytest.mark.django_db
def test_it_keeps_the_answers_of_a_repeat_inside_a_repeat(client, coordinator):
    from aigak.questionnaires.registry import install_form
    from aigak.records.models import Record

    out = io.BytesIO()
    md_table_to_workbook(NESTED).save(out)
    definition = install_form(coordinator, out.getvalue(), "nested").version.definition
    assert definition.repeat_parent("toys") == "kids"
    assert {"kids/kid", "g/kid", "toy"} <= set(definition.fields)
    client.force_login(coordinator)
    page = client.get("/records/nested/new/").content.decode()
    assert 'data-repeat="kids"' in page and 'data-repeat="toys"' in page
    # The blank kid carries a blank toy that names it, with indexes of their own.
    assert 'data-placeholder="__index_toys__"' in page
    assert 'name="toys:__index_toys__:_parent" value="__index__"' in page
    # Two kids (input indexes 0 and 3), each with toys of their own.
    posted = {"kids:0": "1", "kids:0:kids/kid": "Aru", "kids:3": "1", "kids:3:kids/kid": "Dias",
              "toys:0": "1", "toys:0:toy": "ball", "toys:0:_parent": "3",
              "toys:1": "1", "toys:1:toy": "kite", "toys:1:_parent": "0",
              "toys:2": "1", "toys:2:toy": "drum", "toys:2:_parent": "3",
              "g/kid": "Timur"}  # fmt: skip
    assert client.post("/records/nested/new/", posted).status_code == 302
    record = Record.objects.get(questionnaire__name="nested")
    assert record.answers == {
        "kids": [{"kids/kid": "Aru"}, {"kids/kid": "Dias"}],
        "toys": [{"toy": "ball", "_parent": 2}, {"toy": "kite", "_parent": 1},
                 {"toy": "drum", "_parent": 2}],
        "g/kid": "Timur",
    }  # fmt: skip
    # The edit page shows each toy inside its kid's entry.
    page = client.get(f"/records/nested/{record.record_id}/edit/").content.decode()
    first, second = page.index('value="Aru"'), page.index('value="Dias"')
    assert first < page.index('value="kite"') < second < page.index('value="ball"')
    assert page.index('value="ball"') < page.index('value="drum"')
    assert 'name="toys:1:_parent" value="0"' in page and 'name="toys:0:_parent" value="1"' in page
