"""Heterogeneity models checked against Rcapture's published snowshoe hare results.

Published figures: Baillargeon & Rivest (2007), Journal of Statistical Software 19(5),
section 2.1, the table printed by `closedp(hare)` and the output of
`closedp.mX(hare, mX = cbind(mat, col), mname = "Mt without 111111")` and `profileCI`.
The Rcapture help page for `hare` quotes the same: "The best fitting model Mth Poisson2
(N = 81.1, s.e. = 5.7) has an AIC of 146" and "Mt without 111111 ... N = 76.8 (s.e. = 3.9)".
"""

from __future__ import annotations

import numpy as np
import pytest

from aigak.estimation.heterogeneity import fit_heterogeneity_models
from aigak.estimation.loglinear import design, fit_design, history_bits
from aigak.estimation.tests.reference_data import hare, hiv

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it


def by_name(results):
    return {result.name: result for result in results}


@pytest.mark.parametrize(
    ("name", "estimate", "se", "deviance", "df", "aic"),
    [
        ("Mt", 75.1, 3.4, 58.314, 56, 154.505),
        ("Mth_chao", 79.6, 6.3, 47.115, 52, 151.305),
        ("Mth_poisson2", 81.1, 5.6, 48.137, 55, 146.327),
        ("Mth_darroch", 90.5, 11.7, 50.706, 55, 148.896),
    ],
)
def test_it_reproduces_closedp_on_the_hare_data(name, estimate, se, deviance, df, aic):
    result = by_name(fit_heterogeneity_models(hare()))[name]
    assert round(result.estimate, 1) == estimate
    # The paper's table prints 5.6 for Mth Poisson2, the help page 5.7; we get 5.57.
    assert result.se == pytest.approx(se, abs=0.15)
    assert round(result.deviance, 3) == deviance
    assert result.df == df
    assert round(result.aic, 3) == aic


def test_it_picks_mth_poisson2_as_the_best_by_aic_on_the_hare_data():
    results = fit_heterogeneity_models(hare())
    assert min(results, key=lambda r: r.aic).name == "Mth_poisson2"


def test_it_reproduces_mt_without_the_111111_history():
    table = hare()
    X, _ = design(6)
    all_six = (history_bits(6).sum(axis=1) == 6).astype(float)
    result = fit_design(table.cell_vector(), np.column_stack([X, all_six]), 68, "Mt without 111111")
    # Paper: abundance 76.77761, stderr 3.911153, deviance 47.89417, df 55, AIC 146.0846.
    assert result.estimate == pytest.approx(76.77761, abs=1e-4)
    assert result.se == pytest.approx(3.911153, abs=1e-4)
    assert result.deviance == pytest.approx(47.89417, abs=1e-4)
    assert result.df == 55
    assert result.aic == pytest.approx(146.0846, abs=1e-4)
    # profileCI: 70.08663 - 85.41181, by linear interpolation on a grid (see test_loglinear)
    low, high = result.ci95
    assert low == pytest.approx(70.08663, abs=0.05)
    assert high == pytest.approx(85.41181, abs=0.05)


def test_it_reproduces_the_profile_interval_of_mth_poisson2():
    # Paper: profileCI(hare, m = "Mth", h = "Poisson", a = 2): 71.84073 - 93.84254
    low, high = by_name(fit_heterogeneity_models(hare()))["Mth_poisson2"].ci95
    assert low == pytest.approx(71.84073, abs=0.05)
    assert high == pytest.approx(93.84254, abs=0.05)


def test_it_sets_the_chao_eta_to_zero_where_no_one_was_on_every_list():
    # No one in the HIV data is on all four lists: the eta4 column describes empty cells.
    chao = by_name(fit_heterogeneity_models(hiv()))["Mth_chao"]
    assert chao.ok
    assert chao.details["eta_set_to_zero"] == ["eta4"]


def test_it_fits_no_heterogeneity_model_for_two_lists():
    from aigak.estimation.histories import CaptureTable

    table = CaptureTable.from_rows(["A", "B"], [((1, 0), 10), ((0, 1), 9), ((1, 1), 4)])
    assert fit_heterogeneity_models(table) == []
