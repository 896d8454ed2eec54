"""`aigak dedupe FILE.csv`: a cluster for every row, options, and bad input."""

from __future__ import annotations

import csv
import io

import pytest

from aigak.cli import main
from aigak.linkage.synthetic import dedupe_benchmark

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

HEADER = "id,full_name,birth_date,age,gender,region,locality,event_date\n"
ROWS = HEADER + (
    "1,Құдайбергенов Қазыбек Серікұлы,1990-05-03,,,,Алматы,\n"
    "2,Kazybek Kudaibergenov,03.05.1990,,m,,Alma-Ata,\n"
    "3,Ким Олег,,44,,,Тараз,\n"
    "4,,1990-05-03,,,,,\n"
)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["dedupe", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_gives_every_row_a_cluster(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text(ROWS, encoding="utf-8")
    code, out, err = run(capsys, path)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    cluster = {r["id"]: r["cluster_id"] for r in rows}
    assert cluster == {"1": "1", "2": "1", "3": "3", "4": "4"}
    assert "fixed m/u priors" in err
    assert "row 5, column full_name: empty name" in err


def test_it_trains_on_a_longer_list_and_writes_to_a_file(tmp_path, capsys):
    frame, truth = dedupe_benchmark(200, seed=8)
    path, target = tmp_path / "list.csv", tmp_path / "clusters.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(capsys, path, "--out", target, "--threshold", "0.9")
    assert code == 0 and out == ""
    assert "priors" not in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == len(frame)
    assert abs(len({r["cluster_id"] for r in rows}) - truth.nunique()) <= 0.06 * truth.nunique()


def test_it_refuses_an_empty_id_naming_the_row(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "1,Ким Олег,,,,,,\n,Ли Анна,,,,,,\n", encoding="utf-8")
    code, out, err = run(capsys, path)
    assert code == 1 and out == ""
    assert f"{path}: row 3, column id: the id is empty" in err


def test_it_refuses_an_unknown_engine_as_a_usage_error(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text(ROWS, encoding="utf-8")
    code, _, _ = run(capsys, path, "--engine", "oracle")
    assert code == 2
