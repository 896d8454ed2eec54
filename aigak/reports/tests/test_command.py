"""`aigak report`: formats, filters, and exit 2 on an unknown report or field."""

from __future__ import annotations

import json

import pytest

from aigak.cli import main


@pytest.fixture
def cli_db(questionnaires, transactional_db):
    """The CLI runs its own connection work; a transactional database lets it see data."""


def test_it_prints_the_contract_json(cli_db, capsysbinary):
    assert main(["report", "qantar2022"]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    assert data["report"] == "qantar2022"
    assert data["n_records"] == 0
    assert [t["id"] for t in data["tables"]][:2] == ["T01", "T02"]
    assert "diagrams" not in data


@pytest.mark.parametrize(
    ("args", "named"),
    [(["report", "nosuch"], "nosuch"), (["report", "qantar2022", "--where", "sex=male"], "sex"),
     (["report", "qantar2022", "--where", "gender=unknown"], "unknown"),
     (["report", "qantar2022", "--where", "gender"], "gender")],
)  # fmt: skip
def test_it_exits_2_naming_the_unknown(cli_db, capsys, args, named):
    assert main(args) == 2
    assert named in capsys.readouterr().err


def test_it_writes_xlsx_to_a_file(cli_db, tmp_path):
    out = tmp_path / "report.xlsx"
    assert main(["report", "qantar2022", "--format", "xlsx", "--out", str(out)]) == 0
    from openpyxl import load_workbook

    book = load_workbook(out)
    assert {"T01", "T31", "D01"} <= set(book.sheetnames)


def test_it_rebuilds_the_coded_form(cli_db, capsys, settings, tmp_path):
    from aigak.records.demo import load_demo
    from aigak.reports.models import CodedRecord

    settings.DATA_DIR = tmp_path
    load_demo()
    total = CodedRecord.objects.count()
    CodedRecord.objects.filter(pk__in=CodedRecord.objects.values("pk")[:40]).delete()
    assert main(["report", "--rebuild-index"]) == 0
    assert "victim: 40 records coded" in capsys.readouterr().err
    assert CodedRecord.objects.count() == total


def test_it_asks_for_a_report_or_a_rebuild(cli_db, capsys):
    assert main(["report"]) == 2
    assert "--rebuild-index" in capsys.readouterr().err
