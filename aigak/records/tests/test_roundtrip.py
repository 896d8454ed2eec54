"""Export, import into an empty database, export again: nothing is lost or changed."""

from __future__ import annotations

import json
import random

import pytest

from aigak.questionnaires.registry import FORMS_DIR
from aigak.records.models import Person, Record, RecordVersion
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.victim_fixture import run_cli

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


REPEATS = [
    [{"evidence_kind": "photo", "evidence_note": "снимок, «двор»", "evidence_pages": 1}],
    [{"evidence_kind": "document", "evidence_pages": 12}, {"evidence_note": 'a "quoted" note'}],
]


def _empty_database() -> None:
    """What a fresh database holds of records: nothing (the form stays installed)."""
    RecordVersion.objects.all().delete()
    Record.objects.all().delete()
    Person.objects.all().delete()


def _seed(tmp_path, capsys, count: int) -> None:
    rng = random.Random(11)
    rows = [vf.random_row(rng, number) for number in range(1, count + 1)]
    source = tmp_path / "seed.json"
    for row, items in zip(rows, REPEATS, strict=False):
        row["evidence_items"] = items  # type: ignore[assignment]
    source.write_text(json.dumps(rows, ensure_ascii=False))
    code, _, err = run_cli(capsys, "import", "victim", str(source))
    assert code == 0, err


@pytest.fixture
def victim(db):
    return vf.install("victim")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_round_trip_gives_back_the_same_csv_byte_for_byte(victim, tmp_path, capsys, fmt):
    _seed(tmp_path, capsys, 300)
    first = tmp_path / "first.csv"
    middle = tmp_path / f"middle.{fmt}"
    second = tmp_path / "second.csv"
    assert run_cli(capsys, "export", "victim", "--out", str(first))[0] == 0
    assert run_cli(capsys, "export", "victim", "--out", str(middle))[0] == 0
    answers = dict(Record.objects.values_list("record_id", "answers"))

    _empty_database()
    code, out, err = run_cli(capsys, "import", "victim", str(middle))
    assert (code, out, err) == (0, "created 300, updated 0\n", "")
    assert run_cli(capsys, "export", "victim", "--out", str(second))[0] == 0

    assert dict(Record.objects.values_list("record_id", "answers")) == answers
    assert second.read_bytes() == first.read_bytes()


def test_csv_round_trip_through_stdout_is_byte_identical(victim, tmp_path, capsys):
    _seed(tmp_path, capsys, 50)
    code, first, _ = run_cli(capsys, "export", "victim")
    assert code == 0
    path = tmp_path / "piped.csv"
    path.write_text(first, newline="")

    _empty_database()
    assert run_cli(capsys, "import", "victim", str(path))[0] == 0

    assert run_cli(capsys, "export", "victim")[1] == first


@pytest.mark.skipif(
    not (FORMS_DIR / "victim.xlsx").exists(), reason="the shipped Victims form is not there yet"
)
def test_the_shipped_victims_form_takes_rows_written_from_the_contract(
    questionnaires, tmp_path, capsys
):
    rng = random.Random(5)
    rows = [vf.random_row(rng, number) for number in range(1, 201)]
    source = tmp_path / "contract.csv"
    vf.write_csv(source, rows)

    code, out, err = run_cli(capsys, "import", "victim", str(source))
    assert (code, out) == (0, "created 200, updated 0\n"), err

    target = tmp_path / "out.csv"
    assert run_cli(capsys, "export", "victim", "--out", str(target))[0] == 0
    exported = {row["record_id"]: row for row in vf.read_csv(target)}
    for row in rows:
        for column, value in row.items():
            if column in exported[row["record_id"]]:
                assert exported[row["record_id"]][column] == value, (row["record_id"], column)
