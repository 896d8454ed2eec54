"""The latent-class model (LCMCR): a known population, the Kosovo data, convergence checks."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy import special

from aigak.estimation.histories import CaptureTable
from aigak.estimation.lcmcr import (
    LcmcrSettings,
    _Chains,
    effective_size,
    fit_lcmcr,
    geweke_z,
    sample,
    split_rhat,
)
from aigak.estimation.tests.reference_data import kosovo

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

SHORT = LcmcrSettings(burnin=300, samples=100, thinning=3, chains=4, seed=7)


def simulated(size=1500, seed=3):
    """Two groups of people, one harder to record; lists independent within a group."""
    rng = np.random.default_rng(seed)
    hard = rng.random(size) < 0.4
    p = np.where(hard[:, None], [0.15, 0.2, 0.1], [0.5, 0.45, 0.55])
    seen = (rng.random((size, 3)) < p).astype(int)
    seen = seen[seen.sum(axis=1) > 0]
    return CaptureTable.from_rows(["A", "B", "C"], list(Counter(map(tuple, seen)).items()))


@pytest.fixture(scope="module")
def short_fit():
    return fit_lcmcr(simulated(), SHORT)


def test_it_covers_a_known_population_size(short_fit):
    low, high = short_fit.ci95
    assert low < 1500 < high
    assert simulated().observed < low


def test_it_reports_its_settings_and_convergence_check(short_fit):
    result = short_fit
    settings = result.details["settings"]
    assert settings["max_classes"] == 10
    assert (settings["burnin"], settings["samples"], settings["thinning"]) == (300, 100, 3)
    assert settings["chains"] == 4 and settings["seed"] == 7
    assert settings["iterations_per_chain"] == 600
    check = result.details["convergence"]
    assert set(check) >= {"split_rhat", "effective_size", "geweke_z", "converged", "rule"}
    assert len(check["geweke_z"]) == 4
    assert result.draws.shape == (4, 100)


def test_it_repeats_itself_with_the_same_seed(monkeypatch):
    tiny = LcmcrSettings(burnin=20, samples=20, thinning=1, chains=2, seed=7)
    first = sample(simulated(), tiny).draws
    again = sample(simulated(), tiny).draws
    other = sample(simulated(), LcmcrSettings(**{**tiny.__dict__, "seed": 8})).draws
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    # chains in threads (one per core) or one after the other: the same draws
    monkeypatch.setattr("aigak.estimation.lcmcr.os.cpu_count", lambda: 1)
    assert np.array_equal(first, sample(simulated(), tiny).draws)
    monkeypatch.setattr("aigak.estimation.lcmcr.os.cpu_count", lambda: 2)
    assert np.array_equal(first, sample(simulated(), tiny).draws)


def test_it_refuses_two_lists():
    table = CaptureTable.from_rows(["A", "B"], [((1, 0), 10), ((0, 1), 9), ((1, 1), 4)])
    result = fit_lcmcr(table, SHORT)
    assert not result.ok
    assert "three lists" in result.reason


@pytest.mark.parametrize(
    ("field", "value"), [("samples", 0), ("chains", 0), ("max_classes", 1), ("burnin", -1)]
)
def test_it_refuses_settings_that_cannot_run(field, value):
    with pytest.raises(ValueError, match=field):
        LcmcrSettings(**{field: value}).check()


def test_it_lands_near_the_published_kosovo_estimate():
    # Ball et al. (2002), report to the ICTY: 10,356 killings (95% interval 9,002 to
    # 12,122) from these four lists of 4,400 people. LCMCR's posterior has a minor mode
    # near 7,500 besides the main one, so the interval is wider than that log-linear one.
    settings = LcmcrSettings(burnin=1000, samples=300, thinning=10, chains=8, seed=2016)
    result = fit_lcmcr(kosovo(), settings)
    low, high = result.ci95
    assert 9000 < result.estimate < 12000
    assert 4400 < low < 9002 and 12122 < high < 20000
    assert result.details["convergence"]["split_rhat"] < 1.2


def test_it_measures_convergence_on_chains_that_agree_or_not():
    rng = np.random.default_rng(0)
    agree = rng.normal(size=(4, 1000))
    apart = agree + np.arange(4)[:, None]
    assert split_rhat(agree) == pytest.approx(1.0, abs=0.01)
    assert split_rhat(apart) > 1.5
    assert 3000 < effective_size(agree) < 5000
    sticky = np.cumsum(rng.normal(size=(4, 1000)), axis=1)
    assert effective_size(sticky) < 100
    assert abs(geweke_z(agree[0])) < 3
    assert abs(geweke_z(np.linspace(0, 10, 1000) + agree[0])) > 3


def exact_mean_n(m, s, alpha, n, grid=400):
    """E[N | observed classes, alpha] for two classes, by summing the collapsed target."""
    n0 = np.stack(np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij"), -1) * 1.0
    n_k = m + n0
    total = n + n0.sum(-1)
    log_p = special.gammaln(total) - special.gammaln(n0 + 1).sum(-1)
    log_p += special.betaln(1 + n_k[..., 0], alpha + n_k[..., 1])
    log_p += special.betaln(1 + s[None, None], 1 + n_k[..., None, :] - s[None, None]).sum((-1, -2))
    weight = np.exp(log_p - log_p.max())
    return float((weight * total).sum() / weight.sum())


@pytest.mark.parametrize("move", ["gibbs", "metropolis"])
def test_it_samples_the_unrecorded_from_their_exact_conditional(move):
    # Given the observed people's classes and alpha, both ways of moving the unrecorded
    # (the paper's Gibbs steps; our Metropolis move with lambda and nu integrated out) must
    # agree with the exact conditional mean of N, summed over a grid.
    settings = LcmcrSettings(max_classes=2, chains=16, seed=11)
    chains = _Chains(simulated(600, seed=5), settings)
    chains.sample_observed_classes()
    chains.m[:], chains.s[:], chains.alpha[:] = chains.m[0], chains.s[0], 0.7
    kept = []
    for it in range(1500):
        if move == "gibbs":
            chains.sample_weights()
            chains.sample_unrecorded()
        else:
            chains.move_unrecorded(adapt=it < 300)
            chains.sample_weights()
        if it >= 300:
            kept.append(chains.N.copy())
    exact = exact_mean_n(chains.m[0], chains.s[0], 0.7, chains.n)
    assert np.mean(kept) == pytest.approx(exact, abs=2.0)


def test_the_class_moves_keep_the_posterior_of_n():
    # The pair moves, label swaps and class moves change only how fast the chains mix, not
    # where they go: the posterior of N with them must agree with the paper's Gibbs steps
    # alone (which mix slowly but are exact), within the Monte Carlo error of both.
    table = simulated(800, seed=9)

    def posterior_n(class_moves: bool) -> tuple[float, float]:
        chains = _Chains(table, LcmcrSettings(max_classes=3, chains=8, seed=21))
        kept = []
        for it in range(4000):
            chains.sample_observed_classes()
            chains.move_unrecorded(adapt=it < 500)
            chains.sample_weights()
            chains.sample_alpha()
            if class_moves:
                chains.move_classes(adapt=it < 500)
            chains.sample_unrecorded()
            if it >= 500:
                kept.append(chains.N.copy())
        draws = np.array(kept).T
        return float(draws.mean()), float(draws.std() / np.sqrt(effective_size(draws)))

    plain, plain_se = posterior_n(False)
    moved, moved_se = posterior_n(True)
    assert abs(plain - moved) < 4 * np.hypot(plain_se, moved_se)
    assert np.hypot(plain_se, moved_se) < 0.01 * plain  # precise enough to catch a bias
