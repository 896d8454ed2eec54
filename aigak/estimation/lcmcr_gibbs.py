"""The Gibbs steps of the LCMCR sampler, compiled: one chain's state as plain arrays.

Steps 1-4 and 6 of the sampler (see aigak.estimation.lcmcr): the observed people's
classes, a Metropolis move of each class's unrecorded count, the recording probabilities
and the stick-breaking weights, alpha, and the unrecorded people. The class moves of step
5 are in aigak.estimation.lcmcr_moves.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

CAP = 20  # n0 at most CAP * n, as the R package
ALPHA_FLOOR = 1e-10  # keeps a collapsing alpha (K = 2 or 3) from underflowing to zero
N0_TARGET = 0.44  # acceptance rate the unrecorded moves' proposal scales adapt to


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
