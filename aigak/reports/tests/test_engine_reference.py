"""The columnar engine gives exactly the report of the record-by-record reference engine.

Both run on the same answer sets: the demo data, filtered subsets of it, zero records,
answers the questionnaire does not know, odd ages and dates, and a spec with the kinds
qantar2022 does not use (a cross table over a select_one with a total block, mean and sd
of a number field, a table restricted by `where`), in small and large chunks.
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from aigak.records.demo_victims import victim_answers
from aigak.reports import engine
from aigak.reports.spec import SPECS_DIR, check_against, load_spec, parse_spec
from aigak.reports.tests import reference_engine
from aigak.reports.tests.victim_form import victim_form

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

FORM = victim_form()
QANTAR = load_spec("qantar2022")
DEMO = victim_answers()


def both(spec, answers, chunk_size=engine.CHUNK, lang="en"):
    kwargs = {"lang": lang, "diagrams": True, "filters": {"scope": "test"}}
    fast = engine.compute(spec, FORM, copy.deepcopy(answers), chunk_size=chunk_size, **kwargs)
    slow = reference_engine.compute(spec, FORM, copy.deepcopy(answers), **kwargs)
    return fast, slow


def assert_same(spec, answers, chunk_size=engine.CHUNK, lang="en"):
    fast, slow = both(spec, answers, chunk_size, lang)
    assert [t["id"] for t in fast["tables"]] == [t["id"] for t in slow["tables"]]
    pairs = zip(fast["tables"] + fast["diagrams"], slow["tables"] + slow["diagrams"], strict=True)
    for mine, theirs in pairs:
        assert mine == theirs, mine["id"]
    assert fast == slow
    # the same through JSON (numpy integers would not serialise)
    assert json.loads(json.dumps(fast)) == fast
    return fast


def test_the_demo_data_gives_the_same_report():
    report = assert_same(QANTAR, DEMO)
    assert report["n_records"] == 579
    assert sum(len(t["comments"]) for t in report["tables"]) > 100


@pytest.mark.parametrize("chunk_size", [1, 7, 250])
def test_chunking_does_not_change_the_report(chunk_size):
    assert_same(QANTAR, DEMO[:300], chunk_size=chunk_size)


@pytest.mark.parametrize(
    "keep",
    [
        lambda a: a.get("region_residence") == "almaty",
        lambda a: a.get("vital_status") == "deceased",
        lambda a: "beaten" in (a.get("essence") or []),
        lambda a: a.get("gender") == "female",
        lambda a: (a.get("entry_date") or "") >= "2022-06-01",
        lambda a: False,
    ],
    ids=["region", "deceased", "ticked-beaten", "female", "entered-from-june", "nothing"],
)
def test_filtered_subsets_give_the_same_report(keep):
    subset = [a for a in DEMO if keep(a)]
    report = assert_same(QANTAR, subset)
    assert report["n_records"] == len(subset)


def test_zero_records_give_the_same_empty_tables():
    report = assert_same(QANTAR, [])
    assert all(t["denominator"].get("total", 0) == 0 for t in report["tables"])


def odd_answers():
    """Demo records bent out of shape in every way the engine must tolerate."""
    rng = random.Random(7)
    out = []
    for i, a in enumerate(DEMO[:200]):
        a = dict(a)
        case = i % 12
        if case == 0:
            a["gender"] = "unknown_gender"  # not a choice
        elif case == 1:
            a.pop("vital_status", None)  # outside the breakdown
        elif case == 2:
            a["vital_status"] = "missing_person"  # not a breakdown value
        elif case == 3:
            a["essence"] = ["beaten", "beaten", "not_a_choice"]  # a repeat and an unknown
        elif case == 4:
            a["essence"] = ["not_a_choice"]  # ticked, but nothing known
        elif case == 5:
            a["essence"] = []
            a["social_status"] = None
        elif case == 6:
            a.pop("birth_date", None)
            a["age_stated"] = rng.choice([40, "33", 12.7, -3, "", None, True, "many", 130])
        elif case == 7:
            a["birth_date"] = rng.choice(["1990-02-30", "not a date", "2030-01-01", 1990])
        elif case == 8:
            a["violation_start"] = rng.choice(["2022-01", "", None, "2022-01-05T10:00", 5])
            a["entry_date"] = rng.choice(["2022", "2022-04-04", None])
        elif case == 9:
            a["region_residence"] = None
            a["ethnicity"] = "martian"
        elif case == 10:
            a["facility_name"] = "SI-1" if i % 2 else ""
            a["facility_region"] = None
        out.append(a)
    return out


def test_odd_answers_give_the_same_report():
    assert_same(QANTAR, odd_answers(), chunk_size=13)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_labels_in_other_languages_are_the_same(lang):
    assert_same(QANTAR, DEMO[:50], lang=lang)


def custom_spec():
    raw = json.loads((SPECS_DIR / "qantar2022.json").read_text(encoding="utf-8"))
    raw["name"] = "custom"
    raw["tables"] = [
        {"id": "C1", "kind": "cross", "by": "vital_status", "field": "region_residence",
         "total_block": True, "comments": ["region_residence_other"], "title": "region x vital"},
        {"id": "C2", "kind": "mean_sd", "field": "gender", "value": "age_stated",
         "title": "stated age by gender"},
        {"id": "C3", "kind": "multiple", "field": "essence", "where": {"gender": "female"},
         "comments": ["essence_other"], "title": "essence of women"},
        {"id": "C4", "kind": "cross", "by": "region_residence", "field": "social_status",
         "total_block": True, "title": "social status by region"},
        {"id": "C5", "kind": "age_bracket", "where": {"vital_status": "deceased"},
         "title": "ages of the deceased"},
        {"id": "C6", "kind": "by_month", "field": "violation_start",
         "where": {"gender": "male", "vital_status": "alive"}, "title": "months"},
    ]  # fmt: skip
    raw.pop("diagrams", None)
    spec = parse_spec(raw)
    check_against(spec, FORM)
    return spec


def test_a_custom_spec_gives_the_same_report():
    answers = copy.deepcopy(DEMO)
    rng = random.Random(3)
    for a in answers:
        a["age_stated"] = rng.choice([None, 18, 25, 40, 61, 2.5])
    report = assert_same(custom_spec(), answers)
    assert next(t for t in report["tables"] if t["id"] == "C2")["total"]["n"] > 0
    assert_same(custom_spec(), odd_answers(), chunk_size=9)
