"""Log-linear models checked against Rcapture's published HIV example and statsmodels.

Published figures: Baillargeon & Rivest (2007), "Rcapture: Loglinear models for
capture-recapture in R", Journal of Statistical Software 19(5), section 2.2 (HIV example),
output of closedp.mX and profileCI as printed in the paper.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from aigak.estimation import loglinear
from aigak.estimation.histories import CaptureTable
from aigak.estimation.loglinear import (
    ModelSearch,
    design,
    fit_design,
    fit_loglinear_models,
    fit_poisson,
    hierarchical_models,
)
from aigak.estimation.tests.reference_data import hiv, kosovo

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

ALL_PAIRS_4 = frozenset(frozenset(c) for c in itertools.combinations(range(4), 2))


def by_name(results):
    return {result.name: result for result in results}


@pytest.mark.parametrize(("k", "count"), [(2, 1), (3, 8), (4, 113)])
def test_it_enumerates_the_hierarchical_models_rcapture_does(k, count):
    # Rcapture's getAllModels(4) lists 113 models; three lists have 2^3 = 8.
    assert sum(1 for _ in hierarchical_models(k)) == count


def test_it_fits_poisson_regression_as_statsmodels_does():
    table = hiv()
    X, _ = design(4, ALL_PAIRS_4)
    Xi = np.column_stack([np.ones(15), X])
    y = table.cell_vector()
    ours = fit_poisson(y, Xi)
    theirs = sm.GLM(y, Xi, family=sm.families.Poisson()).fit(tol=1e-12)
    assert ours.converged
    assert np.allclose(ours.coef, theirs.params, atol=1e-6)
    assert np.allclose(ours.cov, theirs.cov_params(), rtol=1e-5)
    assert ours.loglik == pytest.approx(theirs.llf, abs=1e-6)


@pytest.mark.parametrize(
    ("name", "estimate", "se", "deviance", "df", "aic"),
    [
        # "Mt double interactions": mX = all six pairwise interactions
        ("all_two_way", 23443.54, 9594.879, 3.036804, 4, 92.07266),
        # "Mt interaction 1,2", the model the paper retains
        ("pair:c1*c2", 12318.47, 1188.722, 7.613759, 9, 86.64962),
    ],
)
def test_it_reproduces_rcapture_on_the_hiv_data(name, estimate, se, deviance, df, aic):
    result = by_name(fit_loglinear_models(hiv()))[name]
    assert result.estimate == pytest.approx(estimate, abs=0.01)
    assert result.se == pytest.approx(se, abs=0.001)
    assert result.deviance == pytest.approx(deviance, abs=1e-5)
    assert result.df == df
    assert result.aic == pytest.approx(aic, abs=1e-4)


def test_it_reproduces_the_profile_interval_of_the_hiv_example():
    # The paper: abundance 12308 (the multinomial maximum), interval 10286.85 - 14977.69.
    # Its profileCI interpolated linearly between points of a coarse grid, which puts the
    # ends slightly inside the exact roots computed here (the log-likelihood is concave),
    # so ours lie just outside, within 0.3%.
    low, high = by_name(fit_loglinear_models(hiv()))["pair:c1*c2"].ci95
    assert 10286.85 * 0.997 < low <= 10286.85
    assert 14977.69 <= high < 14977.69 * 1.003


def test_it_keeps_only_the_c1_c2_interaction_when_eliminating_stepwise():
    # The paper: "Eliminating the non-significant interactions stepwise shows that only the
    # [1,2] interaction is important."
    y, terms = hiv().cell_vector(), set(ALL_PAIRS_4)
    while True:
        X, labels = design(4, frozenset(terms))
        fit = fit_poisson(y, np.column_stack([np.ones(15), X]))
        z = fit.coef[5:] / np.sqrt(np.diag(fit.cov)[5:])
        p = 2 * stats.norm.sf(np.abs(z))
        if p.max() < 0.05:
            break
        ordered = sorted(terms, key=lambda t: (len(t), sorted(t)))
        terms.remove(ordered[int(np.argmax(p))])
    assert terms == {frozenset({0, 1})}


def test_it_matches_the_paper_coefficients_of_the_all_two_way_model():
    result = by_name(fit_loglinear_models(hiv()))["all_two_way"]
    coefficients = list(result.details["coefficients"].values())
    published = [9.9780167, -3.9758604, -3.6785194, -3.5469201, -4.6582017, 1.1545857]
    assert np.allclose(coefficients[:6], published, atol=1e-5)


def test_it_selects_models_by_aic_and_bic():
    results = by_name(fit_loglinear_models(hiv()))
    assert results["best_aic"].description == "c1*c2"
    assert results["best_aic"].estimate == pytest.approx(results["pair:c1*c2"].estimate)
    assert results["best_bic"].description.startswith("main effects only")
    assert "113" in results["best_aic"].details["search"]


def test_it_finds_the_exhaustive_optimum_when_searching_stepwise(monkeypatch):
    exhaustive, _ = ModelSearch(hiv()).best("aic")
    monkeypatch.setattr(loglinear, "EXHAUSTIVE_MAX_LISTS", 3)
    stepwise, how = ModelSearch(hiv()).best("aic")
    assert stepwise == exhaustive
    assert how.startswith("stepwise")


def test_it_gives_lincoln_petersen_for_two_lists():
    table = CaptureTable.from_rows(["A", "B"], [((1, 0), 150), ((0, 1), 90), ((1, 1), 30)])
    (independence,) = fit_loglinear_models(table)
    assert independence.estimate == pytest.approx(180 * 120 / 30)
    low, high = independence.ci95
    assert table.observed < low < independence.estimate < high


def test_it_refuses_a_pair_model_for_lists_that_share_no_one():
    rows = [
        ((1, 0, 0), 50),
        ((0, 1, 0), 40),
        ((0, 0, 1), 60),
        ((1, 0, 1), 10),
        ((0, 1, 1), 12),
    ]
    results = by_name(fit_loglinear_models(CaptureTable.from_rows(["A", "B", "C"], rows)))
    assert results["independence"].ok
    refused = results["pair:A*B"]
    assert refused.estimate is None and refused.ci95 is None
    assert "does not exist" in refused.reason


def test_it_says_when_the_estimate_is_unbounded():
    # Two lists sharing no one: N = n1 * n2 / 0.
    table = CaptureTable.from_rows(["A", "B"], [((1, 0), 5), ((0, 1), 5), ((1, 1), 0)])
    (independence,) = fit_loglinear_models(table)
    assert not independence.ok
    assert "unbounded" in independence.reason


def test_it_keeps_a_custom_design_as_rcapture_mx():
    table = hiv()
    X, labels = design(4, frozenset({frozenset({0, 1})}))
    result = fit_design(table.cell_vector(), X, table.observed, "custom", labels=labels)
    assert result.estimate == pytest.approx(12318.47, abs=0.01)


def test_it_reproduces_the_published_kosovo_estimate_with_the_bic_model():
    # Ball et al. (2002), report to the ICTY: 10,356 killings, 95% interval 9,002-12,122,
    # from log-linear models of these four lists. Our BIC-selected model (terms
    # EXH*ABA*OSCE, EXH*HRW, OSCE*HRW) gives the same estimate; its profile interval is
    # within 0.2% of the published one.
    best = by_name(fit_loglinear_models(kosovo()))["best_bic"]
    assert best.description == "EXH*ABA*OSCE, EXH*HRW, OSCE*HRW"
    assert best.estimate == pytest.approx(10356, abs=2)
    low, high = best.ci95
    assert low == pytest.approx(9002, rel=0.002)
    assert high == pytest.approx(12122, rel=0.002)
