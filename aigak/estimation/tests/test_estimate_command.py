"""`aigak estimate FILE.csv`: output shape, exit codes and messages of the contract."""

from __future__ import annotations

import json

import pytest

from aigak.cli import main
from aigak.estimation.tests.reference_data import HIV_ROWS, KOSOVO_ROWS

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

FAST = ["--burnin", "100", "--samples", "50", "--thinning", "2", "--chains", "2"]


def write_rows(tmp_path, lists, rows, name="lists.csv"):
    lines = [",".join([*lists, "count"])]
    lines += [",".join([*history, str(count)]) for history, count in rows]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(capsys, *args):
    code = main(["estimate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_the_contract_json_for_four_lists(tmp_path, capsys):
    path = write_rows(tmp_path, ["EXH", "ABA", "OSCE", "HRW"], KOSOVO_ROWS)
    code, out, err = run(capsys, path, "--format", "json", "--seed", "3", *FAST)
    assert code == 0, err
    result = json.loads(out)
    assert result["observed"] == 4400
    assert result["model"] == "lcmcr"
    assert isinstance(result["estimate"], float) and result["estimate"] > 4400
    low, high = result["ci95"]
    assert 4400 <= low <= result["estimate"] <= high
    names = [model["name"] for model in result["models"]]
    assert names[:2] == ["independence", "pair:EXH*ABA"]
    for name in ["all_two_way", "best_aic", "best_bic", "Mt", "Mth_chao", "Mth_poisson2"]:
        assert name in names
    assert names[-2:] == ["Mth_darroch", "lcmcr"]
    for model in result["models"]:
        assert set(model) >= {"name", "estimate", "ci95", "aic", "bic"}
    lcmcr = result["models"][-1]
    assert lcmcr["settings"]["seed"] == 3
    assert lcmcr["aic"] is None and "convergence" in lcmcr


def test_it_uses_lincoln_petersen_for_two_lists(tmp_path, capsys):
    path = write_rows(tmp_path, ["police", "ngo"], [("10", 150), ("01", 90), ("11", 30)])
    code, out, _ = run(capsys, path)
    result = json.loads(out)
    assert code == 0
    assert result["model"] == "independence"
    assert result["estimate"] == 720.0
    assert [m["name"] for m in result["models"]] == ["independence"]


def test_it_writes_text_and_skips_lcmcr_when_asked(tmp_path, capsys):
    path = write_rows(tmp_path, ["c1", "c2", "c3", "c4"], HIV_ROWS)
    code, out, _ = run(capsys, path, "--format", "text", "--no-lcmcr")
    assert code == 0
    assert "people recorded: 1,896" in out
    assert "Estimate (best_aic): 12,318" in out
    assert "lcmcr" not in out


def test_it_estimates_by_stratum_and_adds_up(tmp_path, capsys):
    path = tmp_path / "regions.csv"
    path.write_text(
        "A,B,region,count\n1,0,North,150\n0,1,North,90\n1,1,North,30\n"
        "1,0,South,40\n0,1,South,60\n1,1,South,20\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, path, "--strata", "region")
    assert code == 0, err
    result = json.loads(out)
    assert result["strata_column"] == "region"
    by_region = {s["stratum"]: s["estimate"] for s in result["strata"]}
    assert by_region == {"North": 720.0, "South": 240.0}
    assert result["estimate"] == 960.0
    assert result["observed"] == 390
    assert result["ci95"][0] >= 390


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("A,count\n1,5\n", "at least two list columns"),
        ("A,B,count\n1,0,5\n0,2,4\n", "row 3, column 'B'"),
        ("A,B,count\n1,0,5\n1,1,-4\n", "row 3, column 'count'"),
        ("A,B,count\n1,0,5\n0,0,4\n", "row 3: the history is all zeros"),
    ],
)
def test_it_exits_1_naming_the_file_row_and_column(tmp_path, capsys, text, where):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, path)
    assert code == 1
    assert out == ""
    assert str(path) in err
    assert where in err


def test_it_exits_1_when_the_lists_do_not_overlap(tmp_path, capsys):
    path = write_rows(tmp_path, ["A", "B", "C"], [("100", 5), ("010", 7), ("001", 3)])
    code, out, err = run(capsys, path)
    assert code == 1
    assert out == ""
    assert "cannot be estimated" in err and "more than one list" in err


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["lists.csv", "--format", "xml"],
        ["lists.csv", "--samples", "0"],
        ["lists.csv", "--seed", "abc"],
    ],
)
def test_it_exits_2_on_usage_errors(tmp_path, capsys, args):
    write_rows(tmp_path, ["A", "B"], [("10", 3), ("01", 4), ("11", 2)])
    code, _, _ = run(capsys, *[str(tmp_path / a) if a == "lists.csv" else a for a in args])
    assert code == 2
