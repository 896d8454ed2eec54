"""Cells a spreadsheet would run as formulas are made inert in downloads."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from aigak.lib.spreadsheet import inert_cell, inert_frame, inert_row, looks_like_formula


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")', "-", "+7 701"],
)
def test_formula_starts_are_prefixed_with_an_apostrophe(value):
    assert looks_like_formula(value)
    assert inert_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ахметов", "-3", "+7.5", "1e-3", "-.5", "", " =1", "a=b"])
def test_plain_text_and_numbers_are_left_alone(value):
    assert not looks_like_formula(value)
    assert inert_cell(value) == value


def test_non_text_values_pass_through():
    assert inert_row([None, 3, -2.5, "=2"]) == [None, 3, -2.5, "'=2"]


def test_a_frame_is_copied_with_cells_and_column_names_made_inert():
    frame = pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "Оспанов", None],
            "=list": ["@x", "-2", "+"],
            "n": [-1, 2, 3],
        }
    )
    frame["typed"] = pd.Series(["-x+1", "ok", None], dtype="string")
    out = inert_frame(frame)
    assert list(out.columns) == ["name", "'=list", "n", "typed"]
    assert list(out["name"][:2]) == ["'=cmd|' /C calc'!A0", "Оспанов"]
    assert pd.isna(out["name"][2])
    assert list(out["'=list"]) == ["'@x", "-2", "'+"]
    assert list(out["n"]) == [-1, 2, 3] and out["n"].dtype == np.int64
    assert out["typed"][0] == "'-x+1" and pd.isna(out["typed"][2])
    assert frame["name"][0].startswith("=")  # the original is not changed
    read = pd.read_csv(io.StringIO(out.to_csv(index=False)), dtype=str, keep_default_na=False)
    assert not any(looks_like_formula(c) for c in [*read.columns, *read.to_numpy().ravel()])
