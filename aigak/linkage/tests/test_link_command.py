"""`aigak link LEFT.csv RIGHT.csv`: output, options, exit codes and bad input."""

from __future__ import annotations

import csv
import io

import pytest

from aigak.cli import main

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

HEADER = "id,full_name,birth_date,age,gender,region,locality,event_date\n"
LEFT = HEADER + (
    "a1,Құдайбергенов Қазыбек Серікұлы,1990-05-03,,,,Алматы,2022-01-05\n"
    "a2,Оспанова Мадина Ерлановна,12.07.1985,,,,Талдыкорган,\n"
    "a3,Ким Олег,,44,,,Тараз,\n"
)
RIGHT = HEADER + (
    "b1,Madina Ospanova,1985-07-12,,f,,Taldyqorgan,\n"
    "b2,K. Kudaibergen,,31,,,Alma-Ata,\n"
    "b3,Serik Nurbayev,1961-01-01,,,,Semey,\n"
)


@pytest.fixture
def lists(tmp_path):
    left, right = tmp_path / "left.csv", tmp_path / "right.csv"
    left.write_text(LEFT, encoding="utf-8")
    right.write_text(RIGHT, encoding="utf-8")
    return left, right


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["link", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_one_to_one_links_as_csv(lists, capsys):
    code, out, err = run(capsys, *lists)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [list(r) for r in rows[:1]] == [["left_id", "right_id", "probability"]]
    assert {(r["left_id"], r["right_id"]) for r in rows} == {("a1", "b2"), ("a2", "b1")}
    assert all(0.5 <= float(r["probability"]) <= 1 for r in rows)
    assert "fixed m/u priors" in err


def test_it_writes_the_links_to_a_file_with_out(lists, tmp_path, capsys):
    target = tmp_path / "links.csv"
    code, out, _ = run(capsys, *lists, "--out", target)
    assert code == 0
    assert out == ""
    assert target.read_text().startswith("left_id,right_id,probability\n")


def test_it_reports_fewer_links_above_a_higher_threshold(lists, capsys):
    code, out, _ = run(capsys, *lists, "--threshold", "0.99999999")
    assert code == 0
    assert len(out.strip().splitlines()) < 3


def test_it_shows_no_progress_bar_off_a_terminal(lists, capsys):
    code, _, err = run(capsys, *lists)
    assert code == 0
    assert "\r" not in err and "%|" not in err


@pytest.mark.parametrize("threshold", ["1.5", "-0.1", "half"])
def test_it_refuses_a_threshold_outside_zero_to_one_as_a_usage_error(lists, capsys, threshold):
    code, out, err = run(capsys, *lists, "--threshold", threshold)
    assert code == 2
    assert "--threshold" in err and out == ""


def test_it_refuses_a_missing_argument_as_a_usage_error(lists, capsys):
    code, _, _ = run(capsys, lists[0])
    assert code == 2


def test_it_names_file_row_and_column_of_a_duplicate_id(lists, capsys):
    left, right = lists
    right.write_text(RIGHT + "b2,Ли Анна,,,,,,\n", encoding="utf-8")
    code, out, err = run(capsys, left, right, "--out", right.parent / "never.csv")
    assert code == 1
    assert f"{right}: row 5, column id: duplicate id 'b2'" in err
    assert not (right.parent / "never.csv").exists()


def test_it_names_a_missing_column(lists, capsys):
    left, right = lists
    left.write_text("id,name\n1,Оспанов Ерлан\n", encoding="utf-8")
    code, _, err = run(capsys, left, right)
    assert code == 1
    assert f"{left}: row 1: missing column full_name" in err


def test_it_reads_a_cp1251_list_and_warns(lists, capsys):
    left, right = lists
    left.write_bytes(LEFT.replace("Құдайбергенов Қазыбек Серікұлы", "Кудайбергенов Казыбек")
                     .encode("cp1251"))  # fmt: skip
    code, out, err = run(capsys, left, right)
    assert code == 0
    assert "not UTF-8" in err and "cp1251" in err
    assert "a1,b2," in out


def test_it_warns_about_rows_without_a_name_and_still_links_the_rest(lists, capsys):
    left, right = lists
    left.write_text(LEFT + "a4,,1990-01-01,,,,,\n", encoding="utf-8")
    code, out, err = run(capsys, left, right)
    assert code == 0
    assert "row 5, column full_name: empty name" in err
    assert "a2,b1," in out


def test_it_says_what_is_missing_for_spark_or_runs_on_it(lists, capsys):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        code, _, err = run(capsys, *lists, "--engine", "spark")
        assert code == 1 and "pyspark" in err
    else:
        pytest.skip("pyspark is installed; test_spark.py runs the Spark engine")
