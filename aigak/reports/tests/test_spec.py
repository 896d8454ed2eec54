"""Specs are checked: shape when parsed, fields and choices against the questionnaire."""

from __future__ import annotations

import copy
import json

import pytest

from aigak.questionnaires.ages import VICTIM_AGE_RULE
from aigak.reports.spec import (
    SPECS_DIR,
    ReportSpecError,
    UnknownReport,
    check_against,
    load_spec,
    parse_spec,
)
from aigak.reports.tests.victim_form import victim_form


def raw_spec():
    return json.loads((SPECS_DIR / "qantar2022.json").read_text(encoding="utf-8"))


def test_it_ships_qantar2022_with_31_tables():
    spec = load_spec("qantar2022")
    assert [t.id for t in spec.tables] == [f"T{i:02d}" for i in range(1, 32)]
    check_against(spec, victim_form())


def test_it_states_the_victims_questionnaires_age_rule():
    """The report and list matching count ages by one rule (aigak.questionnaires.ages)."""
    rule = load_spec("qantar2022").age
    assert rule is not None
    assert (rule.birth_date, rule.age_stated, rule.reference) == (
        VICTIM_AGE_RULE.birth_field,
        VICTIM_AGE_RULE.stated_field,
        VICTIM_AGE_RULE.reference,
    )


def test_it_refuses_an_unknown_report():
    with pytest.raises(UnknownReport, match="nosuch"):
        load_spec("nosuch")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["tables"][1].update(field="sex"), "field 'sex' is not in questionnaire"),
        (lambda s: s["tables"][10].update(where={"vital_status": "living"}),
         "choice 'living' is not a choice of field 'vital_status'"),
        (lambda s: s["breakdown"]["columns"].update(survivors="survived"),
         "choice 'survived' is not a choice of field 'vital_status'"),
        (lambda s: s["tables"][9].update(kind="single"), "social_status.*select_multiple"),
        (lambda s: s["tables"][6].update(comments=["region_note"]), "field 'region_note'"),
    ],
)  # fmt: skip
def test_it_refuses_fields_and_choices_the_questionnaire_lacks(change, message):
    raw = raw_spec()
    change(raw)
    with pytest.raises(ReportSpecError, match=message):
        check_against(parse_spec(raw), victim_form())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["tables"][0].update(kind="pivot"), "kind 'pivot'"),
        (lambda s: s["tables"].append(copy.deepcopy(s["tables"][0])), "used twice: T01"),
        (lambda s: s["tables"][1].update(columns=["dead"]), "columns"),
        (lambda s: s["tables"][1].update(chart={"type": "radar"}), "chart type"),
        (lambda s: s.pop("age"), "no age rule"),
    ],
)  # fmt: skip
def test_it_refuses_a_malformed_spec(change, message):
    raw = raw_spec()
    change(raw)
    with pytest.raises(ReportSpecError, match=message):
        parse_spec(raw)


def test_every_title_and_label_of_qantar2022_is_in_english_russian_and_kazakh():
    raw = raw_spec()
    texts = [("report", raw["title"])]
    texts += [(f"column {c}", label) for c, label in raw["breakdown"]["labels"].items()]
    texts += [(f"bracket {b['key']}", b["label"]) for b in raw["age"]["brackets"]]
    texts += [(t["id"], t["title"]) for t in raw["tables"] + raw["diagrams"]]
    for where, text in texts:
        assert {"en", "ru", "kk"} <= set(text), where
        assert all(text[lang].strip() for lang in ("en", "ru", "kk")), where
        assert text["kk"] != text["en"] or "Qantar" in text["en"], where
    spec = load_spec("qantar2022")
    assert spec.table("T02").title_in("kk") == "Зардап шегушінің гендерлік тиесілігі"
