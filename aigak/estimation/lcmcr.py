"""Bayesian non-parametric latent-class capture-recapture, "LCMCR" (Manrique-Vallier 2016).

People fall into latent classes; within a class, the lists record a person independently,
list j with probability lambda[j, k]. Class weights nu follow a stick-breaking (Dirichlet
process) prior truncated at K classes, with concentration alpha ~ Gamma(a, b); each lambda
~ Beta(1, 1); the population size has the prior p(N) proportional to 1/N, N at most 21 n
(n0 at most 20 n, as the R package). The sampler augments the data with the n0 people no
list recorded. Each iteration, for each chain:

1. class counts of the observed people: one multinomial draw per distinct history;
2. a Metropolis move of each class's unrecorded count with lambda and nu integrated out
   (`_move_unrecorded`);
3. lambda[j, k] ~ Beta(1 + recorded, 1 + not recorded), the stick-breaking V_k ~ Beta(1 +
   n_k, alpha + n_{>k});
4. alpha ~ Gamma(a + K - 1, b - log nu_K);
5. Metropolis moves of the classes with the people's classes and N integrated out
   (`_move_classes`): pairs of classes, each class alone, and swaps of two classes' labels;
6. n0 ~ NegativeBinomial(n, 1 - p0), p0 = sum_k nu_k prod_j (1 - lambda[j, k]) the
   probability of the all-zero history, and the class counts of those n0 people.

Steps 1, 3, 4 and 6 are the Gibbs sampler of the paper and of the R package's C++ code
(`NPLCM_CR_Basic_Freq.cpp`, which also works on distinct histories with counts); steps 2
and 5 are ours and leave the same posterior invariant. They exist because the plain Gibbs
sampler moves slowly along two ridges of the posterior when the lists record people with
low probability and the classes differ little (see docs/performance.md for measurements):

- given the recording probabilities n0 is nearly fixed, and given n0 so are they; step 2
  moves n0 with them integrated out, so (n0, lambda, nu) move as a block;
- two classes can trade people while their recording probabilities move apart or together,
  fitting the recorded histories about equally well, and the Gibbs sampler crosses that
  ridge only by reassigning people a few at a time (an autocorrelation time of N of ~10,000
  iterations on simulated 5-list data). Step 5 proposes, for a pair of classes (k, l) with
  weights summing to T, a new share w' = nu_k / T on the logit scale and moves their
  recording probabilities so that every list's mean and every pair of lists' covariance over
  the two classes stay the same (lambda_k - lambda_l scales by sqrt(w (1 - w) / (w' (1 -
  w')))); it is accepted on the likelihood of the observed cell counts with N summed out,
  prod_x p_x^{n_x} (1 - p0)^(-n) times the cap's P(n0 <= 20 n). It cut the autocorrelation
  time of N about twentyfold. A move of one class's recording probabilities together (on
  the logit scale, its weight adjusted to keep its share of the recorded people) and swaps
  of two classes' labels go with it: the stick-breaking prior favours large first classes,
  and without the swaps a class stuck in a late, low-prior position held N back (the
  effective sample size of N fell from hundreds to 14-52 in runs of the same length).

The numerical work is compiled with numba (cached on disk after the first run): the Gibbs
steps in `aigak.estimation.lcmcr_gibbs`, the class moves of step 5 in
`aigak.estimation.lcmcr_moves`, the loop over iterations here (`_advance`). Each chain has
its own random generator, spawned from the seed, so a chain's
draws do not depend on how many chains run. Convergence is judged on N: split R-hat
(Gelman et al., BDA3) below 1.05 and an effective sample size of at least 200 over all
chains; Geweke's z for each chain is reported too.

This is an independent implementation of the model in the paper; it keeps the defaults of
the LCMCR R package where they bear on the answer (K = 10, a = b = 0.25, n0 at most 20 n).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numba import njit

from aigak.estimation import texts
from aigak.estimation.histories import CaptureTable
from aigak.estimation.lcmcr_gibbs import (
    _draw_alpha,
    _draw_unrecorded,
    _draw_weights,
    _move_unrecorded,
    _observed_classes,
)
from aigak.estimation.lcmcr_moves import _move_classes
from aigak.estimation.results import ModelResult

RHAT_LIMIT = 1.05
MIN_EFFECTIVE_SIZE = 200
MIN_DRAWS = 20  # kept draws per chain below which a stopped run gives no estimate
PAIR_MOVES = 1  # pair moves per iteration, per class
SWAPS = 1  # label swaps per iteration, per class


@dataclass(frozen=True)
class LcmcrSettings:
    """Sampler settings; every value is reported with the estimate."""

    max_classes: int = 10  # K, the truncation level of the stick-breaking prior
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    burnin: int = 5_000
    samples: int = 2_500  # kept draws per chain
    thinning: int = 15
    chains: int = 8
    seed: int = 1

    def check(self) -> None:
        for name in ("samples", "thinning", "chains"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_classes < 2:
            raise ValueError("max_classes must be at least 2")
        if self.burnin < 0:
            raise ValueError("burnin cannot be negative")
        if self.a_alpha <= 0 or self.b_alpha <= 0:
            raise ValueError("a_alpha and b_alpha must be positive")

    @property
    def iterations(self) -> int:
        return self.burnin + self.samples * self.thinning


@dataclass
class LcmcrRun:
    draws: np.ndarray  # (chains, samples) posterior draws of N
    k_star: np.ndarray  # (chains, samples) number of occupied classes
    seconds: float
    acceptance: dict[str, float]
    stopped: bool = False  # True when stopped early: draws holds the kept ones only


# -- the compiled loop of one chain ------------------------------------------------------


@njit(cache=True, nogil=True)
def _advance(
    rng: Any,
    X: np.ndarray,
    freq: np.ndarray,
    a_alpha: float,
    b_alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    alpha: np.ndarray,
    n0: np.ndarray,
    m: np.ndarray,
    s: np.ndarray,
    n0_step: np.ndarray,
    pair_step: np.ndarray,
    scale_step: np.ndarray,
    accepted: np.ndarray,
    start: int,
    stop: int,
    burnin: int,
    thinning: int,
    pair_moves: int,
    swaps: int,
    draws: np.ndarray,
    k_star: np.ndarray,
) -> None:
    """Iterations start..stop - 1 of one chain; keeps N after each thinning-th iteration."""
    n = int(freq.sum())
    K = log_nu.shape[0]
    for it in range(start, stop):
        adapt = it < burnin
        _observed_classes(rng, X, freq, log_lam1, log_lam0, log_nu, m, s)
        accepted[0] += _move_unrecorded(rng, n, m, s, alpha[0], n0, n0_step, adapt)
        _draw_weights(rng, m, s, n0, alpha[0], log_lam1, log_lam0, log_nu)
        alpha[0] = _draw_alpha(rng, a_alpha, b_alpha, log_nu)
        _move_classes(
            rng, X, freq, n, alpha[0], log_lam1, log_lam0, log_nu, pair_step,
            scale_step, pair_moves, swaps, adapt, accepted[1:],
        )  # fmt: skip
        _draw_unrecorded(rng, n, log_lam0, log_nu, n0)
        kept = it - burnin
        if kept >= 0 and (kept + 1) % thinning == 0:
            index = kept // thinning
            draws[index] = n + n0.sum()
            occupied = 0
            for k in range(K):
                if m[k] + n0[k] > 0:
                    occupied += 1
            k_star[index] = occupied


# -- the chains --------------------------------------------------------------------------


class _Chains:
    """The state of all chains: arrays with the chain as their first axis.

    Shapes: C chains, K classes, J lists, M distinct observed histories. The methods run
    one step of every chain (for tests); `advance` runs whole iterations, compiled.
    """

    def __init__(self, table: CaptureTable, settings: LcmcrSettings) -> None:
        keep = table.counts > 0
        self.X = np.ascontiguousarray(table.histories[keep], dtype=np.int8)  # (M, J)
        self.freq = table.counts[keep].astype(np.int64)
        self.n = int(self.freq.sum())
        self.C, self.K = settings.chains, settings.max_classes
        self.J = self.X.shape[1]
        self.a_alpha, self.b_alpha = settings.a_alpha, settings.b_alpha
        streams = np.random.SeedSequence(settings.seed).spawn(self.C)
        self.rngs = [np.random.default_rng(stream) for stream in streams]
        C, J, K = self.C, self.J, self.K
        # Start at the lists' recording rates, jittered so that chains start apart.
        rate = (self.X * self.freq[:, None]).sum(axis=0) / self.n
        lam = np.empty((C, J, K))
        self.log_nu = np.empty((C, K))
        for c, rng in enumerate(self.rngs):
            lam[c] = rng.beta(1 + 20 * rate[:, None], 1 + 20 * (1 - rate)[:, None], (J, K))
            self.log_nu[c] = np.log(rng.dirichlet(np.ones(K)))
        self.log_lam1, self.log_lam0 = np.log(lam), np.log1p(-lam)
        self.alpha = np.ones(C)
        self.n0 = np.zeros((C, K))  # unrecorded people by class
        self.m = np.zeros((C, K))  # observed people by class
        self.s = np.zeros((C, J, K))  # of whom recorded on list j
        self.n0_step = np.full((C, K), math.log(10.0))  # proposal scales, adapted in burn-in
        self.pair_step = np.full((C, K, K), math.log(0.5))
        self.scale_step = np.full((C, K), math.log(0.2))
        self.accepted = np.zeros((C, 4), dtype=np.int64)  # n0, pair, swap and class moves
        self.done = 0  # iterations run
        self.sample_unrecorded()

    @property
    def N(self) -> np.ndarray:
        return self.n + self.n0.sum(axis=1)

    def sample_observed_classes(self) -> None:
        for c, rng in enumerate(self.rngs):
            _observed_classes(
                rng, self.X, self.freq, self.log_lam1[c], self.log_lam0[c], self.log_nu[c],
                self.m[c], self.s[c],
            )  # fmt: skip

    def move_unrecorded(self, adapt: bool) -> None:
        for c, rng in enumerate(self.rngs):
            self.accepted[c, 0] += _move_unrecorded(
                rng, self.n, self.m[c], self.s[c], self.alpha[c], self.n0[c], self.n0_step[c],
                adapt,
            )  # fmt: skip

    def sample_weights(self) -> None:
        for c, rng in enumerate(self.rngs):
            _draw_weights(
                rng, self.m[c], self.s[c], self.n0[c], self.alpha[c], self.log_lam1[c],
                self.log_lam0[c], self.log_nu[c],
            )  # fmt: skip

    def sample_alpha(self) -> None:
        for c, rng in enumerate(self.rngs):
            self.alpha[c] = _draw_alpha(rng, self.a_alpha, self.b_alpha, self.log_nu[c])

    def move_classes(self, adapt: bool, pair_moves: int | None = None) -> None:
        for c, rng in enumerate(self.rngs):
            _move_classes(
                rng, self.X, self.freq, self.n, self.alpha[c], self.log_lam1[c],
                self.log_lam0[c], self.log_nu[c], self.pair_step[c], self.scale_step[c],
                PAIR_MOVES * self.K if pair_moves is None else pair_moves, SWAPS * self.K,
                adapt,
                self.accepted[c, 1:],
            )  # fmt: skip

    def sample_unrecorded(self) -> None:
        for c, rng in enumerate(self.rngs):
            _draw_unrecorded(rng, self.n, self.log_lam0[c], self.log_nu[c], self.n0[c])

    def advance(
        self,
        iterations: int,
        settings: LcmcrSettings,
        draws: np.ndarray,
        k_star: np.ndarray,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        """Run every chain `iterations` further, keeping draws after the burn-in.

        With a `pool` the chains run in its threads (the compiled loop releases the GIL);
        each chain has its own generator and arrays, so the draws are the same either way.
        """
        stop = self.done + iterations

        def run(c: int) -> None:
            rng = self.rngs[c]
            _advance(
                rng, self.X, self.freq, self.a_alpha, self.b_alpha, self.log_lam1[c],
                self.log_lam0[c], self.log_nu[c], self.alpha[c : c + 1], self.n0[c],
                self.m[c], self.s[c], self.n0_step[c], self.pair_step[c], self.scale_step[c],
                self.accepted[c],
                self.done, stop, settings.burnin, settings.thinning, PAIR_MOVES * self.K,
                SWAPS * self.K, draws[c], k_star[c],
            )  # fmt: skip

        if pool is None:
            for c in range(self.C):
                run(c)
        else:
            list(pool.map(run, range(self.C)))
        self.done = stop

    def acceptance(self, iterations: int) -> dict[str, float]:
        if iterations == 0:
            return {"unrecorded_moves": math.nan, "pair_moves": math.nan}
        per = self.accepted.sum(axis=0) / (self.C * iterations)
        return {
            "unrecorded_moves": round(float(per[0] / self.K), 3),
            "pair_moves": round(float(per[1] / (PAIR_MOVES * self.K)), 3),
            "swaps": round(float(per[2] / (SWAPS * self.K)), 3),
            "class_moves": round(float(per[3] / self.K), 3),
        }


def sample(
    table: CaptureTable,
    settings: LcmcrSettings = LcmcrSettings(),  # noqa: B008 - frozen, never mutated
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LcmcrRun:
    """Run the sampler; returns the kept draws of N for every chain.

    `progress(done, total)` is called about a hundred times; when `should_stop()` turns
    true the run ends early with the draws kept so far (`stopped` is then True).
    """
    settings.check()
    started = time.perf_counter()
    chains = _Chains(table, settings)
    total = settings.iterations
    draws = np.zeros((settings.chains, settings.samples))
    k_star = np.zeros((settings.chains, settings.samples))
    block = max(min(total // 100, 2_000), 1)
    stopped = False
    workers = min(settings.chains, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        while chains.done < total:
            if should_stop is not None and should_stop():
                stopped = True
                break
            chains.advance(min(block, total - chains.done), settings, draws, k_star, pool)
            if progress is not None:
                progress(chains.done, total)
    kept = max(chains.done - settings.burnin, 0) // settings.thinning
    return LcmcrRun(
        draws[:, :kept],
        k_star[:, :kept],
        time.perf_counter() - started,
        chains.acceptance(chains.done),
        stopped,
    )


# -- convergence ------------------------------------------------------------------------


def split_rhat(draws: np.ndarray) -> float:
    """Split R-hat (Gelman et al., BDA3 11.4) over chains of draws of one quantity."""
    half = draws.shape[1] // 2
    parts = np.concatenate([draws[:, :half], draws[:, half : 2 * half]], axis=0)
    m, length = parts.shape
    if length < 2:
        return math.nan
    within = parts.var(axis=1, ddof=1).mean()
    between = length * parts.mean(axis=1).var(ddof=1)
    if within == 0:
        return 1.0 if between == 0 else math.inf
    pooled = (length - 1) / length * within + between / length
    return float(math.sqrt(pooled / within))


def effective_size(draws: np.ndarray) -> float:
    """Effective sample size over chains, Geyer's initial positive sequence (BDA3 11.5)."""
    m, length = draws.shape
    if length < 4:
        return float(m * length)
    centred = draws - draws.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centred, n=2 * length, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), axis=1)[:, :length] / length
    within = draws.var(axis=1, ddof=1).mean()
    between = length * draws.mean(axis=1).var(ddof=1) if m > 1 else 0.0
    pooled = (length - 1) / length * within + between / length
    if pooled == 0:
        return float(m * length)
    rho = 1.0 - (within - acov.mean(axis=0)) / pooled
    total = 0.0
    for t in range(0, length - 1, 2):
        pair = rho[t] + rho[t + 1]
        if pair < 0:
            break
        total += pair
    tau = max(2.0 * total - 1.0, 1.0 / math.log10(m * length + 10))
    return float(m * length / tau)


def geweke_z(chain: np.ndarray, first: float = 0.1, last: float = 0.5) -> float:
    """Geweke's z: means of the first 10% and last 50% of a chain, in standard errors."""
    a = chain[: int(len(chain) * first)]
    b = chain[int(len(chain) * (1 - last)) :]
    if len(a) < 4 or len(b) < 4:
        return math.nan
    var_a = a.var(ddof=1) / effective_size(a[None, :])
    var_b = b.var(ddof=1) / effective_size(b[None, :])
    if var_a + var_b == 0:
        return 0.0
    return float((a.mean() - b.mean()) / math.sqrt(var_a + var_b))


def convergence(draws: np.ndarray) -> dict[str, object]:
    rhat = split_rhat(draws)
    ess = effective_size(draws)
    converged = bool(rhat < RHAT_LIMIT and ess >= MIN_EFFECTIVE_SIZE)
    return {
        "split_rhat": round(rhat, 4),
        "effective_size": round(ess, 1),
        "geweke_z": [round(geweke_z(chain), 3) for chain in draws],
        "converged": converged,
        "rule": f"split R-hat of N < {RHAT_LIMIT} and effective sample size of N >= "
        f"{MIN_EFFECTIVE_SIZE}",
    }


def fit_lcmcr(
    table: CaptureTable,
    settings: LcmcrSettings = LcmcrSettings(),  # noqa: B008 - frozen, never mutated
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ModelResult:
    """The LCMCR estimate: posterior median of N and the 95% equal-tailed credible interval.

    When `should_stop()` turns true the run ends early; the estimate rests on the draws kept
    so far (`details["stopped_early"]`), or there is none when fewer than MIN_DRAWS were.
    """
    if table.k < 3:
        return ModelResult.failed("lcmcr", "bayesian", texts.LCMCR_LISTS)
    run = sample(table, settings, progress, should_stop)
    if run.draws.shape[1] < MIN_DRAWS:
        return ModelResult.failed(
            "lcmcr",
            "bayesian",
            texts.LCMCR_STOPPED.format(seconds=run.seconds, draws=MIN_DRAWS),
        )
    result = result_from_draws(run.draws, settings, run.k_star, run.seconds)
    result.details["acceptance"] = run.acceptance
    result.details["stopped_early"] = run.stopped
    return result


def result_from_draws(
    draws: np.ndarray,
    settings: LcmcrSettings | None,
    k_star: np.ndarray | None = None,
    seconds: float | None = None,
) -> ModelResult:
    flat = draws.ravel()
    low, median, high = np.quantile(flat, [0.025, 0.5, 0.975])
    details: dict[str, object] = {"convergence": convergence(draws)}
    if settings is not None:
        details["settings"] = {**asdict(settings), "iterations_per_chain": settings.iterations}
    if k_star is not None:
        details["mean_occupied_classes"] = round(float(k_star.mean()), 2)
    if seconds is not None:
        details["seconds"] = round(seconds, 2)
    return ModelResult(
        name="lcmcr",
        family="bayesian",
        estimate=float(median),
        ci95=(float(low), float(high)),
        se=float(flat.std(ddof=1)),
        description=texts.LCMCR,
        details=details,
        draws=draws,
    )
