"""The library entry point a view calls: `estimate(table)` -> result with `to_dict()`."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from aigak.estimation.estimates import estimate
from aigak.estimation.histories import CannotEstimate, HistoryError
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.tests.reference_data import HIV_ROWS, hiv

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

TINY = LcmcrSettings(burnin=100, samples=50, thinning=2, chains=2, seed=5)


def hiv_frame():
    rows = [dict(zip(["c1", "c2", "c3", "c4"], map(int, h), strict=True)) for h, _ in HIV_ROWS]
    return pd.DataFrame([{**row, "count": c} for row, (_, c) in zip(rows, HIV_ROWS, strict=True)])


def test_it_takes_a_dataframe_and_gives_json_ready_numbers():
    result = estimate(hiv_frame(), lcmcr=None)
    out = result.to_dict()
    json.dumps(out)  # plain types only
    assert out["observed"] == 1896
    assert out["model"] == "best_aic"
    assert out["estimate"] == 12318.5
    assert all(isinstance(x, float) for x in out["ci95"])
    assert len(out["models"]) == 1 + 6 + 1 + 2 + 4


def test_it_takes_a_list_of_dicts_too():
    records = hiv_frame().to_dict("records")
    assert estimate(records, lcmcr=None).estimate == estimate(hiv(), lcmcr=None).estimate


def test_it_makes_lcmcr_the_headline_for_three_lists_or_more():
    result = estimate(hiv(), lcmcr=TINY)
    assert result.model == "lcmcr"
    assert result.headline.details["settings"]["chains"] == 2


def test_it_keeps_failed_models_with_a_reason_and_no_number():
    frame = pd.DataFrame(
        {
            "A": [1, 0, 0, 1, 0],
            "B": [0, 1, 0, 0, 1],
            "C": [0, 0, 1, 1, 1],
            "count": [50, 40, 60, 10, 12],
        }
    )
    out = estimate(frame, lcmcr=None).to_dict()
    refused = next(m for m in out["models"] if m["name"] == "pair:A*B")
    assert refused["estimate"] is None and refused["ci95"] is None and refused["aic"] is None
    assert refused["reason"]


def test_it_adds_strata_up_with_an_interval_that_covers_the_parts():
    frame = pd.concat(
        [hiv_frame().assign(region="Rome"), hiv_frame().assign(region="Lazio")],
        ignore_index=True,
    )
    result = estimate(frame, strata="region", lcmcr=TINY)
    assert [s.stratum for s in result.strata] == ["Lazio", "Rome"]
    assert result.observed == 2 * 1896
    independence = result.get("independence")
    single = estimate(hiv(), lcmcr=None).get("independence")
    assert independence.estimate == pytest.approx(2 * single.estimate)
    assert independence.se == pytest.approx(math.sqrt(2) * single.se)
    low, high = independence.ci95
    assert 2 * 1896 < low < independence.estimate < high
    lcmcr = result.get("lcmcr")  # the strata's posterior draws, added draw by draw
    assert lcmcr.draws.shape == (2, 50)
    assert np.all(lcmcr.draws >= 2 * 1896)
    assert set(lcmcr.details["convergence"]["strata_converged"]) == {"Lazio", "Rome"}


def test_it_names_the_stratum_that_cannot_be_estimated():
    frame = pd.DataFrame(
        {
            "A": [1, 0, 1, 1, 0],
            "B": [0, 1, 1, 0, 1],
            "region": ["N", "N", "N", "S", "S"],
            "count": [10, 8, 3, 4, 5],
        }
    )
    with pytest.raises(CannotEstimate, match="region=S"):
        estimate(frame, strata="region", lcmcr=None)


def test_it_refuses_bad_rows_from_a_dataframe():
    frame = pd.DataFrame({"A": [1, 0], "B": [0, 1], "count": [3, -1]})
    with pytest.raises(HistoryError, match="row 2"):
        estimate(frame, lcmcr=None)
