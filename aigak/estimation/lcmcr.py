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

The numerical work is compiled with numba (cached on disk after the first run). Each chain has its own random generator, spawned from the seed, so a chain's
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

from aigak.estimation.histories import CaptureTable
from aigak.estimation.results import ModelResult

RHAT_LIMIT = 1.05
MIN_EFFECTIVE_SIZE = 200
MIN_DRAWS = 20  # kept draws per chain below which a stopped run gives no estimate
CAP = 20  # n0 at most CAP * n, as the R package
ALPHA_FLOOR = 1e-10  # keeps a collapsing alpha (K = 2 or 3) from underflowing to zero
PAIR_TARGET, N0_TARGET = 0.3, 0.44  # acceptance rates the proposal scales adapt to
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


# -- compiled kernels: one chain's state, as plain arrays --------------------------------


@njit(cache=True)
def _log_gamma_draw(rng: Any, shape: float) -> float:
    """log of a Gamma(shape, 1) draw; for small shapes as log Gamma(shape + 1) + log U / shape."""
    if shape < 1.0:
        return math.log(rng.standard_gamma(shape + 1.0)) + math.log(1.0 - rng.random()) / shape
    return math.log(rng.standard_gamma(shape))


@njit(cache=True)
def _log_add(a: float, b: float) -> float:
    if a < b:
        a, b = b, a
    return a + math.log1p(math.exp(b - a))


@njit(cache=True)
def _multinomial(rng: Any, total: int, log_p: np.ndarray, out: np.ndarray) -> None:
    """out ~ Multinomial(total, softmax(log_p)), by conditional binomials."""
    K = log_p.shape[0]
    top = log_p.max()
    p = np.empty(K)
    for k in range(K):
        p[k] = math.exp(log_p[k] - top)
    rest = np.empty(K)  # rest[k] = p[k] + ... + p[K-1], summed from the small end
    acc = 0.0
    for k in range(K - 1, -1, -1):
        acc += p[k]
        rest[k] = acc
    left = total
    for k in range(K - 1):
        if left == 0:
            out[k] = 0
            continue
        q = p[k] / rest[k]
        if q >= 1.0:
            x = left
        elif q <= 0.0:
            x = 0
        else:
            x = rng.binomial(left, q)
        out[k] = x
        left -= x
    out[K - 1] = left


@njit(cache=True)
def _observed_classes(
    rng: Any,
    X: np.ndarray,
    freq: np.ndarray,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    m: np.ndarray,
    s: np.ndarray,
) -> None:
    """Class counts of the observed people: m[k] in class k, s[j, k] of them on list j."""
    M, J = X.shape
    K = log_nu.shape[0]
    log_p = np.empty(K)
    counts = np.empty(K, np.int64)
    m[:] = 0.0
    s[:, :] = 0.0
    for i in range(M):
        for k in range(K):
            v = log_nu[k]
            for j in range(J):
                v += log_lam1[j, k] if X[i, j] else log_lam0[j, k]
            log_p[k] = v
        _multinomial(rng, freq[i], log_p, counts)
        for k in range(K):
            c = counts[k]
            if c:
                m[k] += c
                for j in range(J):
                    if X[i, j]:
                        s[j, k] += c


@njit(cache=True)
def _move_unrecorded(
    rng: Any,
    n: int,
    m: np.ndarray,
    s: np.ndarray,
    alpha: float,
    n0: np.ndarray,
    log_step: np.ndarray,
    adapt: bool,
) -> int:
    """Metropolis moves of each class's unrecorded count, lambda and nu integrated out.

    Given the observed people's classes (m, s) and alpha, the log target of the unrecorded
    counts n0[k] is, up to a constant (n_k = m_k + n0_k, N = n + sum n0):
    log (N - 1)! - sum_k log n0_k! + sum_{j,k} log B(1 + s_jk, 1 + n_k - s_jk)
    + sum_{l < K} log B(1 + n_l, alpha + n_{>l}), the last two from integrating lambda
    (Beta) and the stick-breaking V (Beta) out. Moving class k by d changes the terms of N,
    n0_k, class k's Beta integrals and the stick-breaking integrals of l <= k.
    Returns the number of moves accepted.
    """
    J, K = s.shape
    lg = math.lgamma
    N = n + n0.sum()
    accepted = 0
    order = rng.permutation(K)
    for kk in range(K):
        k = order[kk]
        d = float(round(math.exp(log_step[k]) * rng.standard_normal()))
        if d == 0.0:
            d = 1.0 if rng.random() < 0.5 else -1.0
        taken = False
        if n0[k] + d >= 0.0 and N + d <= (CAP + 1) * n:
            nk = m[k] + n0[k]
            delta = lg(N + d) - lg(N) - lg(n0[k] + d + 1.0) + lg(n0[k] + 1.0)
            for j in range(J):
                delta += lg(1.0 + nk + d - s[j, k]) - lg(1.0 + nk - s[j, k])
            delta -= J * (lg(2.0 + nk + d) - lg(2.0 + nk))
            tail = 0.0  # n_{>l}
            for other in range(K - 1, -1, -1):
                nl = m[other] + n0[other]
                if other < K - 1 and other <= k:
                    a = 1.0 + nl
                    b = alpha + tail
                    if other == k:
                        delta += lg(a + d) - lg(a) - lg(a + b + d) + lg(a + b)
                    else:
                        delta += lg(b + d) - lg(b) - lg(a + b + d) + lg(a + b)
                tail += nl
            if math.log(1.0 - rng.random()) < delta:
                n0[k] += d
                N += d
                taken = True
                accepted += 1
        if adapt:  # Robbins-Monro towards the target acceptance, burn-in only
            log_step[k] += 0.05 * ((1.0 if taken else 0.0) - N0_TARGET)
    return accepted


@njit(cache=True)
def _draw_weights(
    rng: Any,
    m: np.ndarray,
    s: np.ndarray,
    n0: np.ndarray,
    alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
) -> None:
    """lambda ~ Beta(1 + recorded, 1 + not recorded) and the stick-breaking weights nu."""
    J, K = s.shape
    for j in range(J):
        for k in range(K):
            g1 = _log_gamma_draw(rng, 1.0 + s[j, k])
            g0 = _log_gamma_draw(rng, 1.0 + m[k] + n0[k] - s[j, k])
            both = _log_add(g1, g0)
            log_lam1[j, k] = g1 - both
            log_lam0[j, k] = g0 - both
    total = m.sum() + n0.sum()
    before = 0.0  # n_1 + ... + n_k
    log_rest = 0.0  # log prod_{l < k} (1 - V_l)
    for k in range(K - 1):
        nk = m[k] + n0[k]
        before += nk
        g1 = _log_gamma_draw(rng, 1.0 + nk)
        g2 = _log_gamma_draw(rng, alpha + (total - before))
        both = _log_add(g1, g2)
        log_nu[k] = g1 - both + log_rest
        log_rest += g2 - both
    log_nu[K - 1] = log_rest


@njit(cache=True)
def _draw_alpha(rng: Any, a: float, b: float, log_nu: np.ndarray) -> float:
    K = log_nu.shape[0]
    alpha = rng.standard_gamma(a + K - 1.0) / (b - log_nu[K - 1])
    return max(alpha, ALPHA_FLOOR)


@njit(cache=True)
def _log_cap(n: int, p0: float) -> float:
    """log P(n0 <= CAP n) for n0 ~ NegativeBinomial(n, 1 - p0): the cap's share of the sum.

    n0 > CAP n exactly when fewer than n of the first (CAP + 1) n people are recorded, so
    this is log P(Binomial((CAP + 1) n, 1 - p0) >= n); zero to double precision unless p0
    is near 1 (Chernoff's bound decides), else summed term by term from the n-th.
    """
    if n <= 0:
        return 0.0
    q = 1.0 - p0
    trials = (CAP + 1) * n
    frac = n / trials
    if q <= 0.0:
        return -np.inf
    if q > frac:  # Chernoff: P(Bin <= n) <= exp(-trials KL(frac || q))
        kl = frac * math.log(frac / q) + (1 - frac) * math.log((1 - frac) / (1 - q))
        if trials * kl > 40.0:  # below 4e-18: log(1 - tail) is 0 in double precision
            return 0.0
    log_q, log_1q = math.log(q), math.log1p(-q)
    base = math.lgamma(trials + 1.0)
    mean = trials * q
    if mean >= n:  # the lower tail P(Bin <= n - 1) is the smaller: sum it down from n - 1
        i, direction, end = n - 1, -1, -1
    else:  # the upper tail is the smaller: sum it up from n
        i, direction, end = n, 1, trials + 1
    total = -np.inf
    while i != end:
        term = (
            base - math.lgamma(i + 1.0) - math.lgamma(trials - i + 1.0)
            + i * log_q + (trials - i) * log_1q
        )  # fmt: skip
        total = _log_add(total, term)
        if term < total - 40.0 and (i - mean) * direction > 0:
            break
        i += direction
    if direction < 0:
        return math.log1p(-min(math.exp(total), 1.0))
    return total


@njit(cache=True)
def _log_nu_prior(log_nu: np.ndarray, alpha: float) -> float:
    """log density of the stick-breaking weights (K - 1 free coordinates), up to a constant.

    With R_k = nu_k + ... + nu_K, V_k = nu_k / R_k, and prod_k (1 - V_k)^(alpha - 1)
    = nu_K^(alpha - 1); the Jacobian from V to nu is prod_{k=2}^{K-1} R_k.
    """
    K = log_nu.shape[0]
    total = (alpha - 1.0) * log_nu[K - 1]
    log_rest = log_nu[K - 1]
    for k in range(K - 2, 0, -1):
        log_rest = _log_add(log_rest, log_nu[k])
        total -= log_rest
    return total


@njit(cache=True)
def _log_sigmoid(x: float) -> float:
    if x > 0:
        return -math.log1p(math.exp(-x))
    return x - math.log1p(math.exp(x))


@njit(cache=True)
def _move_classes(
    rng: Any,
    X: np.ndarray,
    freq: np.ndarray,
    n: int,
    alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    pair_step: np.ndarray,
    scale_step: np.ndarray,
    pair_moves: int,
    swaps: int,
    adapt: bool,
    accepted: np.ndarray,
) -> None:
    """Metropolis moves of the classes on the posterior with the people's classes and N summed out.

    The target is p(lambda, nu | alpha, data), proportional to the stick-breaking prior of
    nu times prod_x p_x^{n_x} (1 - p0)^(-n) P(n0 <= CAP n), p_x the probability of history
    x (summing N out under its 1/N prior leaves the (1 - p0)^(-n)). Three kinds of move:

    - pairs (k, l), `pair_moves` of them drawn at random: with T = nu_k + nu_l and w =
      nu_k / T, logit w' = logit w + eps, and per list, with mean mu = w lam_k + (1 - w)
      lam_l and difference d = lam_k - lam_l, d' = c d, c = sqrt(w (1 - w) / (w' (1 - w'))),
      lam_k' = mu + (1 - w') d', lam_l' = mu - w' d'. That keeps each list's mean and each
      pair of lists' covariance over the two classes. The move is its own inverse (eps ->
      -eps); its Jacobian is (w' (1 - w') / (w (1 - w)))^(1 - J / 2);
    - each class k once: logit lam_jk' = logit lam_jk + eps for every list, and nu_k
      multiplied by r = (1 - pi0_k) / (1 - pi0_k') before the weights are renormalised, so
      that the class's share of the recorded people stays the same while its share of the
      unrecorded changes (pi0_k = prod_j (1 - lam_jk)). Its Jacobian is prod_j lam'(1 -
      lam') / (lam (1 - lam)) times r / S^K, S = 1 + nu_k (r - 1) the renormalisation;
    - `swaps` exchanges of two classes' labels (lambda and nu together): the likelihood
      stays, so they are accepted on the stick-breaking prior of nu alone.

    accepted[0], accepted[1] and accepted[2] count the accepted pair moves, swaps and
    class moves.
    """
    M, J = X.shape
    K = log_nu.shape[0]
    # Class likelihood of each history, the mixture per history and the all-zero share.
    f = np.empty((M, K))
    for i in range(M):
        for k in range(K):
            v = 0.0
            for j in range(J):
                v += log_lam1[j, k] if X[i, j] else log_lam0[j, k]
            f[i, k] = math.exp(v)
    nu = np.exp(log_nu)
    mix = np.zeros(M)
    for i in range(M):
        for k in range(K):
            mix[i] += nu[k] * f[i, k]
    pi0 = np.empty(K)
    p0 = 0.0
    for k in range(K):
        v = 0.0
        for j in range(J):
            v += log_lam0[j, k]
        pi0[k] = math.exp(v)
        p0 += nu[k] * pi0[k]
    loglik = 0.0
    for i in range(M):
        if freq[i]:
            loglik += freq[i] * math.log(mix[i])
    loglik += -n * math.log1p(-p0) + _log_cap(n, p0)
    prior = _log_nu_prior(log_nu, alpha)

    lam_k = np.empty(J)
    lam_l = np.empty(J)
    new1 = np.empty(J)
    new0 = np.empty(J)
    f_k = np.empty(M)
    f_l = np.empty(M)
    new_mix = np.empty(M)
    new_log_nu = log_nu.copy()
    for _ in range(pair_moves):
        k = rng.integers(0, K)
        other = rng.integers(0, K - 1)
        if other >= k:
            other += 1
        if other < k:
            k, other = other, k
        total = nu[k] + nu[other]
        ok = total > 0.0
        w = nu[k] / total if ok else 0.5
        ok = ok and 0.0 < w < 1.0
        eps = math.exp(pair_step[k, other]) * rng.standard_normal()
        taken = False
        w2 = 0.5
        if ok:
            w2 = 1.0 / (1.0 + math.exp(-(math.log(w) - math.log1p(-w) + eps)))
            ok = 0.0 < w2 < 1.0
        if ok:
            c = math.sqrt(w * (1.0 - w) / (w2 * (1.0 - w2)))
            for j in range(J):
                a = math.exp(log_lam1[j, k])
                b = math.exp(log_lam1[j, other])
                mu = w * a + (1.0 - w) * b
                d = (a - b) * c
                lam_k[j] = mu + (1.0 - w2) * d
                lam_l[j] = mu - w2 * d
                if not (0.0 < lam_k[j] < 1.0 and 0.0 < lam_l[j] < 1.0):
                    ok = False
                    break
        if ok:
            nu_k, nu_l = total * w2, total * (1.0 - w2)
            pi0_k, pi0_l = 1.0, 1.0
            for j in range(J):
                pi0_k *= 1.0 - lam_k[j]
                pi0_l *= 1.0 - lam_l[j]
            new_p0 = p0 - nu[k] * pi0[k] - nu[other] * pi0[other] + nu_k * pi0_k + nu_l * pi0_l
            new_p0 = max(new_p0, 0.0)
            ok = new_p0 < 1.0 and nu_k > 0.0 and nu_l > 0.0
        if ok:
            new_loglik = 0.0
            for i in range(M):
                a, b = 1.0, 1.0
                for j in range(J):
                    if X[i, j]:
                        a *= lam_k[j]
                        b *= lam_l[j]
                    else:
                        a *= 1.0 - lam_k[j]
                        b *= 1.0 - lam_l[j]
                f_k[i], f_l[i] = a, b
                v = (
                    max(mix[i] - nu[k] * f[i, k] - nu[other] * f[i, other], 0.0)
                    + nu_k * a
                    + nu_l * b
                )
                new_mix[i] = v
                if freq[i]:
                    new_loglik += freq[i] * math.log(v)
            new_loglik += -n * math.log1p(-new_p0) + _log_cap(n, new_p0)
            new_log_nu[k] = math.log(nu_k)
            new_log_nu[other] = math.log(nu_l)
            new_prior = _log_nu_prior(new_log_nu, alpha)
            log_jacobian = (1.0 - J / 2.0) * (math.log(w2 * (1.0 - w2)) - math.log(w * (1.0 - w)))
            ratio = new_loglik + new_prior - loglik - prior + log_jacobian
            if math.log(1.0 - rng.random()) < ratio:
                taken = True
                accepted[0] += 1
                for j in range(J):
                    log_lam1[j, k] = math.log(lam_k[j])
                    log_lam0[j, k] = math.log1p(-lam_k[j])
                    log_lam1[j, other] = math.log(lam_l[j])
                    log_lam0[j, other] = math.log1p(-lam_l[j])
                for i in range(M):
                    f[i, k], f[i, other], mix[i] = f_k[i], f_l[i], new_mix[i]
                nu[k], nu[other] = nu_k, nu_l
                log_nu[k], log_nu[other] = new_log_nu[k], new_log_nu[other]
                pi0[k], pi0[other] = pi0_k, pi0_l
                p0, loglik, prior = new_p0, new_loglik, new_prior
            else:
                new_log_nu[k], new_log_nu[other] = log_nu[k], log_nu[other]
        if adapt:
            step = pair_step[k, other] + 0.05 * ((1.0 if taken else 0.0) - PAIR_TARGET)
            pair_step[k, other] = min(step, 3.0)

    for _ in range(swaps):  # relabel: the likelihood stays, only the prior of nu changes
        k = rng.integers(0, K)
        other = rng.integers(0, K - 1)
        if other >= k:
            other += 1
        new_log_nu[k], new_log_nu[other] = log_nu[other], log_nu[k]
        new_prior = _log_nu_prior(new_log_nu, alpha)
        if math.log(1.0 - rng.random()) < new_prior - prior:
            accepted[1] += 1
            prior = new_prior
            log_nu[k], log_nu[other] = new_log_nu[k], new_log_nu[other]
            nu[k], nu[other] = nu[other], nu[k]
            pi0[k], pi0[other] = pi0[other], pi0[k]
            for j in range(J):
                log_lam1[j, k], log_lam1[j, other] = log_lam1[j, other], log_lam1[j, k]
                log_lam0[j, k], log_lam0[j, other] = log_lam0[j, other], log_lam0[j, k]
            for i in range(M):
                f[i, k], f[i, other] = f[i, other], f[i, k]
        else:
            new_log_nu[k], new_log_nu[other] = log_nu[k], log_nu[other]

    for k in range(K):
        if nu[k] <= 0.0:
            continue
        eps = math.exp(scale_step[k]) * rng.standard_normal()
        log_jacobian = 0.0
        log_pi0 = 0.0
        for j in range(J):
            x = log_lam1[j, k] - log_lam0[j, k] + eps
            new1[j] = _log_sigmoid(x)
            new0[j] = _log_sigmoid(-x)
            log_jacobian += new1[j] + new0[j] - log_lam1[j, k] - log_lam0[j, k]
            log_pi0 += new0[j]
        new_pi0 = math.exp(log_pi0)
        taken = False
        if new_pi0 < 1.0 and pi0[k] < 1.0:
            log_r = math.log1p(-pi0[k]) - math.log1p(-new_pi0)
            r = math.exp(log_r)
            S = 1.0 + nu[k] * (r - 1.0)
            log_S = math.log(S)
            new_p0 = (p0 - nu[k] * pi0[k] + nu[k] * r * new_pi0) / S
            new_p0 = min(max(new_p0, 0.0), 1.0)
            if new_p0 < 1.0:
                new_loglik = 0.0
                for i in range(M):
                    v = 0.0
                    for j in range(J):
                        v += new1[j] if X[i, j] else new0[j]
                    a = math.exp(v)
                    f_k[i] = a
                    v = (max(mix[i] - nu[k] * f[i, k], 0.0) + nu[k] * r * a) / S
                    new_mix[i] = v
                    if freq[i]:
                        new_loglik += freq[i] * math.log(v)
                new_loglik += -n * math.log1p(-new_p0) + _log_cap(n, new_p0)
                for other in range(K):
                    new_log_nu[other] = log_nu[other] - log_S
                new_log_nu[k] += log_r
                new_prior = _log_nu_prior(new_log_nu, alpha)
                log_jacobian += log_r - K * log_S
                ratio = new_loglik + new_prior - loglik - prior + log_jacobian
                if math.log(1.0 - rng.random()) < ratio:
                    taken = True
                    accepted[2] += 1
                    for j in range(J):
                        log_lam1[j, k], log_lam0[j, k] = new1[j], new0[j]
                    for i in range(M):
                        f[i, k], mix[i] = f_k[i], new_mix[i]
                    for other in range(K):
                        log_nu[other] = new_log_nu[other]
                        nu[other] = math.exp(new_log_nu[other])
                    pi0[k] = new_pi0
                    p0, loglik, prior = new_p0, new_loglik, new_prior
                else:
                    for other in range(K):
                        new_log_nu[other] = log_nu[other]
        if adapt:
            step = scale_step[k] + 0.05 * ((1.0 if taken else 0.0) - PAIR_TARGET)
            scale_step[k] = min(step, 3.0)


@njit(cache=True)
def _draw_unrecorded(
    rng: Any, n: int, log_lam0: np.ndarray, log_nu: np.ndarray, n0: np.ndarray
) -> None:
    """n0 ~ NegBin(n, 1 - p0) given lambda and nu, at most CAP n; then its split over classes."""
    J, K = log_lam0.shape
    log_zero = np.empty(K)
    for k in range(K):
        v = log_nu[k]
        for j in range(J):
            v += log_lam0[j, k]
        log_zero[k] = v
    top = log_zero.max()
    p0 = 0.0
    for k in range(K):
        p0 += math.exp(log_zero[k] - top)
    p0 = min(math.exp(top) * p0, 1.0 - 1e-12)
    odds = p0 / (1.0 - p0)
    total = 0
    for _ in range(1000):  # failures before n successes: a Poisson-Gamma mixture
        total = rng.poisson(rng.standard_gamma(float(n)) * odds)
        if total <= CAP * n:
            break
    total = min(total, CAP * n)
    counts = np.empty(K, np.int64)
    _multinomial(rng, total, log_zero, counts)
    for k in range(K):
        n0[k] = counts[k]


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
        return ModelResult.failed(
            "lcmcr", "bayesian", "the latent-class model needs three lists or more"
        )
    run = sample(table, settings, progress, should_stop)
    if run.draws.shape[1] < MIN_DRAWS:
        return ModelResult.failed(
            "lcmcr",
            "bayesian",
            f"the sampler was stopped after {run.seconds:.1f} s, before it had kept "
            f"{MIN_DRAWS} draws per chain",
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
        description="Bayesian non-parametric latent-class model (Manrique-Vallier 2016); "
        "posterior median and 95% credible interval",
        details=details,
        draws=draws,
    )
