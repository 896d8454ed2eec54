"""The engine on small hand-made answer sets (no database)."""

from __future__ import annotations

import pytest

from aigak.reports.engine import compute, mean_sd, percent
from aigak.reports.spec import load_spec
from aigak.reports.tests.victim_form import victim_form

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

SPEC = load_spec("qantar2022")
FORM = victim_form()


def table(answers, table_id, **kwargs):
    report = compute(SPEC, FORM, answers, **kwargs)
    return next(t for t in report["tables"] if t["id"] == table_id)


def row(t, key):
    return next(r for r in t["rows"] if r["key"] == key)


@pytest.mark.parametrize(
    ("count", "denominator", "expected"),
    [(18, 32, 56.3), (1, 32, 3.1), (1, 8, 12.5), (1, 3, 33.3), (2, 3, 66.7), (0, 5, 0.0),
     (5, 0, None), (1, 400, 0.3), (27, 401, 6.7), (579, 579, 100.0)],
)  # fmt: skip
def test_it_rounds_percentages_half_away_from_zero(count, denominator, expected):
    assert percent(count, denominator) == expected


@pytest.mark.parametrize(
    ("ages", "expected"),
    [([19, 50], (34.5, 21.9)), ([47], (47.0, None)), ([20, 20, 20], (20.0, 0.0)),
     ([21, 32, 40], (31.0, 9.5))],
)  # fmt: skip
def test_it_computes_mean_and_sample_sd(ages, expected):
    assert mean_sd(len(ages), sum(ages), sum(a * a for a in ages)) == expected


def test_it_gives_empty_tables_over_zero_records():
    report = compute(SPEC, FORM, [])
    assert report["n_records"] == 0
    assert [t["id"] for t in report["tables"]] == [f"T{i:02d}" for i in range(1, 32)]
    t02 = next(t for t in report["tables"] if t["id"] == "T02")
    assert t02["denominator"] == {"deceased": 0, "survivors": 0, "total": 0}
    assert row(t02, "female")["percent"] == {"deceased": None, "survivors": None, "total": None}
    assert next(t for t in report["tables"] if t["id"] == "T18")["rows"] == []
    t08 = next(t for t in report["tables"] if t["id"] == "T08")
    assert t08["total"] == {"mean": None, "n": 0, "sd": None}


DEAD = {"vital_status": "deceased"}
ALIVE = {"vital_status": "alive"}


@pytest.mark.parametrize(
    ("answers", "table_id", "key", "counts", "denominator", "missing"),
    [
        # single choice: denominators are those who answered; the rest are missing
        ([{**DEAD, "gender": "male"}, {**ALIVE, "gender": "female"}, ALIVE],
         "T02", "female", {"deceased": 0, "survivors": 1, "total": 1},
         {"deceased": 1, "survivors": 1, "total": 2}, {"deceased": 0, "survivors": 1, "total": 1}),
        # multiple choice: once per ticked row, denominator = ticked at least one
        ([{**DEAD, "essence": ["died", "gunshot"]}, {**DEAD, "essence": ["died"]}, DEAD],
         "T16", "died", {"deceased": 2, "survivors": 0, "total": 2},
         {"deceased": 2, "survivors": 0, "total": 2}, {"deceased": 1, "survivors": 0, "total": 1}),
        # age from birth date at 2022-01-05 (the day before the 16th birthday: 15)
        ([{**DEAD, "birth_date": "2006-01-06"}, {**DEAD, "birth_date": "2006-01-05"}],
         "T03", "under_16", {"deceased": 1, "survivors": 0, "total": 1},
         {"deceased": 2, "survivors": 0, "total": 2}, {"deceased": 0, "survivors": 0, "total": 0}),
        # age_stated where there is no birth date
        ([{**ALIVE, "age_stated": 66}, {**ALIVE, "age_stated": 65}],
         "T03", "66_plus", {"deceased": 0, "survivors": 1, "total": 1},
         {"deceased": 0, "survivors": 2, "total": 2}, {"deceased": 0, "survivors": 0, "total": 0}),
        # cross tables: "<gender>/<choice>"
        ([{**ALIVE, "gender": "male", "ethnicity": "kazakh"}, {**ALIVE, "gender": "male"}],
         "T05", "male/kazakh", {"deceased": 0, "survivors": 1, "total": 1},
         {"deceased": 0, "survivors": 1, "total": 1}, {"deceased": 0, "survivors": 1, "total": 1}),
        # T11 counts survivors only
        ([{**ALIVE, "location_at_interview": "prison"}, {**DEAD, "location_at_interview": "prison"}],
         "T11", "prison", {"total": 1}, {"total": 1}, {"total": 0}),
        # T01: month of the entry date, total only
        ([{**DEAD, "entry_date": "2022-04-04"}, {**ALIVE, "entry_date": "2022-04-30"}],
         "T01", "2022-04", {"total": 2}, {"total": 2}, {"total": 0}),
        # T18: by day
        ([{**DEAD, "violation_start": "2022-01-05"}, {**ALIVE, "violation_start": "2022-01-05"}],
         "T18", "2022-01-05", {"deceased": 1, "survivors": 1, "total": 2},
         {"deceased": 1, "survivors": 1, "total": 2}, {"deceased": 0, "survivors": 0, "total": 0}),
    ],
)  # fmt: skip
def test_it_counts(answers, table_id, key, counts, denominator, missing):
    t = table(answers, table_id)
    assert row(t, key)["counts"] == counts
    assert t["denominator"] == denominator
    assert t["missing"] == missing


def test_it_keeps_zero_choice_rows_and_drops_zero_dates():
    t = table([{**DEAD, "gender": "male", "violation_start": "2022-01-06"}], "T02")
    assert [r["key"] for r in t["rows"]] == ["female", "male"]
    t18 = table([{**DEAD, "violation_start": "2022-01-06"}], "T18")
    assert [r["key"] for r in t18["rows"]] == ["2022-01-06"]


def test_it_computes_mean_tables_by_region():
    answers = [
        {**DEAD, "region_residence": "mangystau", "age_stated": 19},
        {**ALIVE, "region_residence": "mangystau", "age_stated": 50},
        {**ALIVE, "region_residence": "astana"},
    ]
    t08, t09 = table(answers, "T08"), table(answers, "T09")
    assert {k: row(t08, "mangystau")[k] for k in ("mean", "n", "sd")} == {
        "mean": 34.5,
        "n": 2,
        "sd": 21.9,
    }
    assert {k: row(t09, "mangystau")[k] for k in ("mean", "n", "sd")} == {
        "mean": 19.0,
        "n": 1,
        "sd": None,
    }
    assert t08["missing"] == {"total": 1}


def test_it_lists_comments_with_their_column():
    answers = [
        {"record_id": "V-1", **DEAD, "social_status": ["other"], "social_status_other": "Actor"},
        {"record_id": "V-2", **ALIVE, "facility_region": "almaty", "facility_name": "SI-18"},
    ]
    t10 = table(answers, "T10")
    assert t10["comments"] == [
        {"record_id": "V-1", "column": "deceased", "field": "social_status_other",
         "text": "Actor", "key": ["other"]}
    ]  # fmt: skip
    t12 = table(answers, "T12")
    assert row(t12, "almaty")["texts"] == ["SI-18"]
    assert t12["comments"][0]["column"] == "survivors"


def test_it_labels_in_the_asked_language():
    t = table([], "T02", lang="ru")
    assert t["title"].startswith("Гендерная")


def test_it_prints_the_filters_it_was_given():
    report = compute(SPEC, FORM, [], filters={"gender": "male"})
    assert report["filters"] == {"gender": "male"}


def test_plans_over_parts_merge_into_the_whole():
    from aigak.records.demo_victims import victim_answers
    from aigak.reports.engine import Plan, result

    answers = victim_answers()
    whole = compute(SPEC, FORM, answers)
    first, second = Plan(SPEC, FORM), Plan(SPEC, FORM)
    first.add(answers[:300])
    second.add(answers[300:])
    first.merge(second)
    assert result(first) == whole
