"""Reading a report's fields in SQL (``answers -> 'f'``, ``json_extract``,
``jsonb_build_array``) gives the answers as stored: missing fields, nulls, lists,
numbers, text with quotes and non-Latin letters, answers the questionnaire does not know.
Runs on the database the tests run on (SQLite or PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from aigak.records.demo import load_demo
from aigak.records.models import Record
from aigak.reports import build, engine
from aigak.reports.filters import apply_sql, matches
from aigak.reports.tests import reference_engine

# Answers the record actions would not write today but a database can hold (records of
# older form versions, imports): written straight into the stored JSON.
ODD = [
    lambda a: a.pop("gender", None),
    lambda a: a.update(ethnicity=None, essence=[]),
    lambda a: a.update(social_status=["no_such_choice", "self_employed"]),
    lambda a: a.update(age_stated=41.0, birth_date=None),
    lambda a: a.update(age_stated="37", birth_date="1980-02-29T10:00:00"),
    lambda a: a.update(ethnicity="other", ethnicity_other='Ұйғыр "in quotes" \\ / \u2028 end'),
    lambda a: a.pop("record_id", None),
    lambda a: a.update(vital_status="Deceased", gender="", region_residence=7),
    lambda a: a.update(published=True, appealed=0, entry_date=None),
    lambda a: a.update(essence=["beaten", "beaten"], role_other="", facility_name=None),
]


@pytest.fixture
def stored(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    load_demo()
    spec, questionnaire, _, _ = build.prepare("qantar2022")
    records = list(Record.live.filter(questionnaire=questionnaire).order_by("pk")[:200])
    for i, change in enumerate(ODD):
        for record in records[i :: len(ODD)]:
            answers = dict(record.answers)
            change(answers)
            Record.objects.filter(pk=record.pk).update(answers=answers)
    return spec


def _canonical(answers: dict) -> str:
    """One record's answers as text that tells apart what JSON tells apart (41 and 41.0)."""
    return json.dumps(answers, sort_keys=True, ensure_ascii=False)


def _answers(where: tuple[str, ...] = ()) -> list[dict]:
    """The stored answers, read whole through the ORM's JSON field (the record's id
    where its answers have none)."""
    _, questionnaire, definition, conditions = build.prepare("qantar2022", where)
    records = Record.live.filter(questionnaire=questionnaire)
    records, in_python = apply_sql(records, conditions, definition)
    whole = []
    for record_id, answers in records.values_list("record_id", "answers").order_by():
        answers.setdefault("record_id", record_id)
        if matches(answers, in_python):
            whole.append(answers)
    return whole


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        ("record_id", "gender"),  # one field in the array (SQLite: json_array)
        ("record_id",),  # nothing in the array
        ("essence", "age_stated", "ethnicity_other", "vital_status", "gender", "published"),
        None,  # every field qantar2022 reads
    ],
)
def test_the_fields_come_out_as_stored(stored, fields):
    _, questionnaire, definition, conditions = build.prepare("qantar2022")
    if fields is None:
        fields = engine.Plan(stored, definition).raw_fields
    whole = _answers()
    got: list[dict] = []
    for texts, values, n in build.read_columns(
        questionnaire, definition, conditions, fields, chunk_size=97
    ):
        assert set(texts) | set(values) == set(fields)
        decoded = {k: [None if t is None else json.loads(t) for t in v] for k, v in texts.items()}
        decoded.update({k: list(v) for k, v in values.items()})
        got += [{f: decoded[f][i] for f in fields} for i in range(n)]
    assert len(got) == len(whole) > 500
    # Neither read asks for an order (a report does not need one), and PostgreSQL may
    # give the rows in another order to each plan: compared as lists of whole records.
    expected = [{f: answers.get(f) for f in fields} for answers in whole]
    assert sorted(map(_canonical, got)) == sorted(map(_canonical, expected))
    if "age_stated" in fields:  # a float stays a float
        assert any(isinstance(a["age_stated"], float) for a in got)
    assert not any("record_id" in g and g["record_id"] is None for g in got)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where",
    [(), ("region=almaty",), ("essence=beaten", "gender=male"), ("entry_date>=2022-06-01",)],
)
def test_the_report_read_in_sql_is_the_report_of_the_whole_answers(stored, where):
    built = build.build_report("qantar2022", where, workers=1, diagrams=True, use_coded=False)
    _, _, definition, _ = build.prepare("qantar2022", where)
    expected = reference_engine.compute(
        stored, definition, _answers(where), diagrams=True, filters=built.data["filters"]
    )
    assert built.data["n_records"] > 0
    assert built.data == expected
