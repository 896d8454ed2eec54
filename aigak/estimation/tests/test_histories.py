"""Reading capture histories: every bad input is refused with its file, row and column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aigak.estimation.histories import (
    CannotEstimate,
    CaptureTable,
    HistoryError,
    read_capture_csv,
)

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

GOOD = "A,B,C,count\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,1,0,8\n1,0,1,6\n0,1,1,5\n1,1,1,2\n"


def write(tmp_path, text, name="lists.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_reads_histories_and_counts(tmp_path):
    (table,) = read_capture_csv(write(tmp_path, GOOD)).values()
    assert table.lists == ("A", "B", "C")
    assert table.observed == 111
    assert table.list_totals() == {"A": 56, "B": 45, "C": 33}


def test_it_adds_up_repeated_histories(tmp_path):
    (table,) = read_capture_csv(write(tmp_path, "A,B,count\n1,0,3\n1,0,2\n1,1,1\n0,1,4\n")).values()
    assert table.observed == 10
    assert table.cell_vector().tolist() == [5.0, 4.0, 1.0]


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        ("A,count\n1,5\n", None, None, "at least two list columns"),
        ("A,B,C,D,E,F,G,H,I,count\n1,0,0,0,0,0,0,0,0,5\n", None, None, "at most 8 lists"),
        ("A,B,count\n1,2,5\n", 2, "B", "must hold 0 or 1, not '2'"),
        ("A,B,count\n1,yes,5\n", 2, "B", "must hold 0 or 1"),
        ("A,B,count\n1,,5\n", 2, "B", "not empty"),
        ("A,B,count\n1,0,5\n1,1,-3\n", 3, "count", "negative"),
        ("A,B,count\n1,0,2.5\n", 2, "count", "whole number"),
        ("A,B,count\n1,0,many\n", 2, "count", "whole number"),
        ("A,B,count\n1,0,5\n0,0,7\n", 3, None, "all zeros"),
        ("A,B,count\n1,0,5\n0,1\n", 3, None, "fields"),
        ("A,B\n1,0\n", 1, None, "no 'count' column"),
        ("A,A,count\n1,0,1\n", 1, "A", "appears twice"),
        ("", None, None, "empty"),
        ("A,B,count\n", None, None, "no rows"),
    ],
)
def test_it_refuses_bad_input_naming_where(tmp_path, text, row, column, words):
    path = write(tmp_path, text)
    with pytest.raises(HistoryError) as caught:
        read_capture_csv(path)
    error = caught.value
    assert error.source == str(path)
    assert error.row == row
    assert error.column == column
    assert words in str(error)
    assert str(path) in str(error)


def test_it_names_a_missing_file(tmp_path):
    with pytest.raises(HistoryError, match="no such file"):
        read_capture_csv(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([((1, 0), 5), ((0, 1), 7)], "no person is on more than one list"),
        ([((1, 0, 0), 5), ((0, 1, 0), 7), ((0, 0, 1), 4), ((1, 1, 0), 3)], "list 'C' shares"),
        ([((1, 0), 0), ((0, 1), 0), ((1, 1), 0)], "no one is recorded"),
        ([((1, 0, 0), 5), ((1, 1, 0), 2), ((1, 0, 0), 0)], "list 'C' records no one"),
    ],
)
def test_it_says_when_lists_without_overlap_cannot_be_estimated(rows, words):
    lists = ["A", "B", "C"][: len(rows[0][0])]
    table = CaptureTable.from_rows(lists, rows)
    with pytest.raises(CannotEstimate, match=words):
        table.check_estimable()


def test_it_reads_a_dataframe_with_numpy_values():
    frame = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": np.array([30, 20, 10])})
    table = CaptureTable.from_frame(frame)
    assert table.lists == ("A", "B")
    assert table.observed == 60


def test_it_refuses_a_dataframe_cell_that_is_not_0_or_1():
    frame = pd.DataFrame({"A": [1, 0.5], "B": [0, 1], "count": [3, 4]})
    with pytest.raises(HistoryError) as caught:
        CaptureTable.from_frame(frame, source="upload")
    assert (caught.value.row, caught.value.column) == (2, "A")


def test_it_splits_strata(tmp_path):
    text = "A,B,region,count\n1,0,North,5\n0,1,North,4\n1,1,North,2\n1,0,South,7\n1,1,South,1\n"
    tables = read_capture_csv(write(tmp_path, text), strata_column="region")
    assert sorted(tables) == ["North", "South"]
    assert tables["North"].observed == 11
    assert tables["South"].lists == ("A", "B")


def test_it_refuses_an_empty_stratum(tmp_path):
    path = write(tmp_path, "A,B,region,count\n1,0,North,5\n0,1,,4\n")
    with pytest.raises(HistoryError) as caught:
        read_capture_csv(path, strata_column="region")
    assert (caught.value.row, caught.value.column) == (3, "region")
