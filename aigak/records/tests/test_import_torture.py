"""Importing into the shipped Torture form: repeats in one column, and links to victims."""

from __future__ import annotations

import csv
import json

import pytest

from aigak.questionnaires.registry import FORMS_DIR
from aigak.records.models import Record, RecordLink
from aigak.records.tests.victim_fixture import run_cli

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (FORMS_DIR / "torture.xlsx").exists(), reason="the shipped forms are not there yet"
    ),
]

PLACES = [
    {
        "place_type": "police_station",
        "place_name": "РУВД Алмалинского района, каб. 12",
        "place_from": "2022-01-06",
        "place_to": "2022-01-08",
        "place_ill_treatment": "yes",
    },
    {"place_type": "pretrial_detention", "place_name": "СИЗО-18", "place_from": "2022-01-08"},
]


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_a_torture_record_links_to_its_victim_and_keeps_its_repeats(
    questionnaires, tmp_path, capsys
):
    victims = tmp_path / "victims.csv"
    _write(victims, ["record_id", "full_name", "vital_status"], [["V-1", "Ким Сергей", "alive"]])
    assert run_cli(capsys, "import", "victim", str(victims))[0] == 0
    torture = tmp_path / "torture.csv"
    _write(
        torture,
        ["record_id", "victim_record_id", "full_name", "places"],
        [["T-1", "V-1", "Ким Сергей", json.dumps(PLACES, ensure_ascii=False)]],
    )

    code, out, err = run_cli(capsys, "import", "torture", str(torture))

    assert (code, out) == (0, "created 1, updated 0\n"), err
    record = Record.objects.get(record_id="T-1")
    victim = Record.objects.get(record_id="V-1")
    assert record.answers["places"] == PLACES
    assert RecordLink.objects.filter(source=record, target=victim).exists()
    assert record.person_id == victim.person_id

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert run_cli(capsys, "export", "torture", "--out", str(first))[0] == 0
    Record.objects.filter(record_id="T-1").update(answers={})  # spoil it; import restores
    assert run_cli(capsys, "import", "torture", str(first))[1] == "created 0, updated 1\n"
    assert run_cli(capsys, "export", "torture", "--out", str(second))[0] == 0
    assert second.read_bytes() == first.read_bytes()


def test_a_bad_value_inside_a_repeat_names_the_entry(questionnaires, tmp_path, capsys):
    path = tmp_path / "torture.csv"
    places = [{"place_type": "police_station"}, {"place_type": "basement", "place_from": "x"}]
    _write(path, ["record_id", "places"], [["T-1", json.dumps(places)]])

    code, _, err = run_cli(capsys, "import", "torture", str(path))

    assert code == 1
    assert "row 2: field 'places[2]/place_type', value 'basement'" in err
    assert "row 2: field 'places[2]/place_from', value 'x'" in err
    assert Record.objects.count() == 0
