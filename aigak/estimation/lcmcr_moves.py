"""Step 5 of the LCMCR sampler, compiled: Metropolis moves of the classes.

The moves run on the posterior with the people's classes and N summed out: the target
p(lambda, nu | alpha, data) is proportional to the stick-breaking prior of nu times
prod_x p_x^{n_x} (1 - p0)^(-n) P(n0 <= CAP n), p_x the probability of history x (summing
N out under its 1/N prior leaves the (1 - p0)^(-n)). Three kinds of move, each its own
function (see aigak.estimation.lcmcr for why they exist):

- `_pair_move`: a pair of classes (k, l). With T = nu_k + nu_l and w = nu_k / T,
  logit w' = logit w + eps, and per list, with mean mu = w lam_k + (1 - w) lam_l and
  difference d = lam_k - lam_l, d' = c d, c = sqrt(w (1 - w) / (w' (1 - w'))),
  lam_k' = mu + (1 - w') d', lam_l' = mu - w' d'. That keeps each list's mean and each
  pair of lists' covariance over the two classes. The move is its own inverse (eps ->
  -eps); its Jacobian is (w' (1 - w') / (w (1 - w)))^(1 - J / 2);
- `_label_swap`: an exchange of two classes' labels (lambda and nu together): the
  likelihood stays, so it is accepted on the stick-breaking prior of nu alone;
- `_class_move`: one class k: logit lam_jk' = logit lam_jk + eps for every list, and nu_k
  multiplied by r = (1 - pi0_k) / (1 - pi0_k') before the weights are renormalised, so
  that the class's share of the recorded people stays the same while its share of the
  unrecorded changes (pi0_k = prod_j (1 - lam_jk)). Its Jacobian is prod_j lam'(1 - lam')
  / (lam (1 - lam)) times r / S^K, S = 1 + nu_k (r - 1) the renormalisation.

The moves share the chain's state and what follows from it, kept up to date as moves are
accepted: f[i, k] the likelihood of history i in class k, nu, mix[i] the mixture per
history, pi0[k] each class's all-zero share, and `state` = [p0, log likelihood, log prior
of nu]. `Scratch` arrays are allocated once per call of `_move_classes`, not per move:
the moves run K times per iteration of every chain.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from aigak.estimation.lcmcr_gibbs import CAP, _log_add

PAIR_TARGET = 0.3  # acceptance rate the pair and class moves' proposal scales adapt to
P0, LOGLIK, PRIOR = 0, 1, 2  # the entries of `state`


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
    """`pair_moves` pair moves of classes drawn at random, `swaps` label swaps, then one
    move of each class. accepted[0], accepted[1] and accepted[2] count the accepted pair
    moves, swaps and class moves."""
    M, J = X.shape
    K = log_nu.shape[0]
    f = np.empty((M, K))
    nu = np.exp(log_nu)
    mix = np.zeros(M)
    pi0 = np.empty(K)
    state = np.empty(3)
    _class_state(X, freq, n, alpha, log_lam1, log_lam0, log_nu, f, nu, mix, pi0, state)
    # scratch: two classes' recording probabilities (or one class's new logs), their
    # likelihood per history, the new mixture, the new weights
    lam_k = np.empty(J)
    lam_l = np.empty(J)
    f_k = np.empty(M)
    f_l = np.empty(M)
    new_mix = np.empty(M)
    new_log_nu = log_nu.copy()
    for _ in range(pair_moves):
        taken_pair = _pair_move(
            rng, X, freq, n, alpha, log_lam1, log_lam0, log_nu, f, nu, mix, pi0, state,
            pair_step, adapt, lam_k, lam_l, f_k, f_l, new_mix, new_log_nu,
        )  # fmt: skip
        accepted[0] += taken_pair
    for _ in range(swaps):
        accepted[1] += _label_swap(
            rng, alpha, log_lam1, log_lam0, log_nu, f, nu, pi0, state, new_log_nu
        )
    for k in range(K):
        if nu[k] <= 0.0:
            continue
        accepted[2] += _class_move(
            rng, k, X, freq, n, alpha, log_lam1, log_lam0, log_nu, f, nu, mix, pi0, state,
            scale_step, adapt, lam_k, lam_l, f_k, new_mix, new_log_nu,
        )  # fmt: skip


@njit(cache=True)
def _class_state(
    X: np.ndarray,
    freq: np.ndarray,
    n: int,
    alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    f: np.ndarray,
    nu: np.ndarray,
    mix: np.ndarray,
    pi0: np.ndarray,
    state: np.ndarray,
) -> None:
    """Fill f, mix, pi0 and state from the chain's lambda and nu."""
    M, J = X.shape
    K = log_nu.shape[0]
    for i in range(M):
        for k in range(K):
            v = 0.0
            for j in range(J):
                v += log_lam1[j, k] if X[i, j] else log_lam0[j, k]
            f[i, k] = math.exp(v)
    for i in range(M):
        for k in range(K):
            mix[i] += nu[k] * f[i, k]
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
    state[P0], state[LOGLIK], state[PRIOR] = p0, loglik, _log_nu_prior(log_nu, alpha)


@njit(cache=True)
def _pair_proposal(
    rng: Any,
    nu: np.ndarray,
    log_lam1: np.ndarray,
    pair_step: np.ndarray,
    lam_k: np.ndarray,
    lam_l: np.ndarray,
) -> tuple[int, int, float, float, bool]:
    """Draw a pair k < l and the new share w' of k; lam_k and lam_l get the pair's new
    recording probabilities. Returns k, l, w, w' and whether the proposal is valid."""
    K = nu.shape[0]
    J = log_lam1.shape[0]
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
    return k, other, w, w2, ok


@njit(cache=True)
def _pair_move(
    rng: Any,
    X: np.ndarray,
    freq: np.ndarray,
    n: int,
    alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    f: np.ndarray,
    nu: np.ndarray,
    mix: np.ndarray,
    pi0: np.ndarray,
    state: np.ndarray,
    pair_step: np.ndarray,
    adapt: bool,
    lam_k: np.ndarray,
    lam_l: np.ndarray,
    f_k: np.ndarray,
    f_l: np.ndarray,
    new_mix: np.ndarray,
    new_log_nu: np.ndarray,
) -> int:
    """One pair move; returns 1 when it was accepted."""
    M, J = X.shape
    k, other, w, w2, ok = _pair_proposal(rng, nu, log_lam1, pair_step, lam_k, lam_l)
    taken = False
    if ok:
        total = nu[k] + nu[other]
        nu_k, nu_l = total * w2, total * (1.0 - w2)
        pi0_k, pi0_l = 1.0, 1.0
        for j in range(J):
            pi0_k *= 1.0 - lam_k[j]
            pi0_l *= 1.0 - lam_l[j]
        p0 = state[P0]
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
            v = max(mix[i] - nu[k] * f[i, k] - nu[other] * f[i, other], 0.0) + nu_k * a + nu_l * b
            new_mix[i] = v
            if freq[i]:
                new_loglik += freq[i] * math.log(v)
        new_loglik += -n * math.log1p(-new_p0) + _log_cap(n, new_p0)
        new_log_nu[k] = math.log(nu_k)
        new_log_nu[other] = math.log(nu_l)
        new_prior = _log_nu_prior(new_log_nu, alpha)
        log_jacobian = (1.0 - J / 2.0) * (math.log(w2 * (1.0 - w2)) - math.log(w * (1.0 - w)))
        ratio = new_loglik + new_prior - state[LOGLIK] - state[PRIOR] + log_jacobian
        if math.log(1.0 - rng.random()) < ratio:
            taken = True
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
            state[P0], state[LOGLIK], state[PRIOR] = new_p0, new_loglik, new_prior
        else:
            new_log_nu[k], new_log_nu[other] = log_nu[k], log_nu[other]
    if adapt:
        step = pair_step[k, other] + 0.05 * ((1.0 if taken else 0.0) - PAIR_TARGET)
        pair_step[k, other] = min(step, 3.0)
    return 1 if taken else 0


@njit(cache=True)
def _label_swap(
    rng: Any,
    alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    f: np.ndarray,
    nu: np.ndarray,
    pi0: np.ndarray,
    state: np.ndarray,
    new_log_nu: np.ndarray,
) -> int:
    """Relabel two classes: the likelihood stays, only the prior of nu changes. Returns 1
    when it was accepted."""
    M = f.shape[0]
    J, K = log_lam1.shape
    k = rng.integers(0, K)
    other = rng.integers(0, K - 1)
    if other >= k:
        other += 1
    new_log_nu[k], new_log_nu[other] = log_nu[other], log_nu[k]
    new_prior = _log_nu_prior(new_log_nu, alpha)
    if math.log(1.0 - rng.random()) < new_prior - state[PRIOR]:
        state[PRIOR] = new_prior
        log_nu[k], log_nu[other] = new_log_nu[k], new_log_nu[other]
        nu[k], nu[other] = nu[other], nu[k]
        pi0[k], pi0[other] = pi0[other], pi0[k]
        for j in range(J):
            log_lam1[j, k], log_lam1[j, other] = log_lam1[j, other], log_lam1[j, k]
            log_lam0[j, k], log_lam0[j, other] = log_lam0[j, other], log_lam0[j, k]
        for i in range(M):
            f[i, k], f[i, other] = f[i, other], f[i, k]
        return 1
    new_log_nu[k], new_log_nu[other] = log_nu[k], log_nu[other]
    return 0


@njit(cache=True)
def _class_move(
    rng: Any,
    k: int,
    X: np.ndarray,
    freq: np.ndarray,
    n: int,
    alpha: float,
    log_lam1: np.ndarray,
    log_lam0: np.ndarray,
    log_nu: np.ndarray,
    f: np.ndarray,
    nu: np.ndarray,
    mix: np.ndarray,
    pi0: np.ndarray,
    state: np.ndarray,
    scale_step: np.ndarray,
    adapt: bool,
    new1: np.ndarray,
    new0: np.ndarray,
    f_k: np.ndarray,
    new_mix: np.ndarray,
    new_log_nu: np.ndarray,
) -> int:
    """Move class k's recording probabilities together; returns 1 when accepted."""
    M, J = X.shape
    K = log_nu.shape[0]
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
        new_p0 = (state[P0] - nu[k] * pi0[k] + nu[k] * r * new_pi0) / S
        new_p0 = min(max(new_p0, 0.0), 1.0)
        if new_p0 < 1.0:
            new_loglik = _class_loglik(
                X, freq, n, k, r, S, new_p0, new1, new0, f, nu, mix, f_k, new_mix
            )
            for other in range(K):
                new_log_nu[other] = log_nu[other] - log_S
            new_log_nu[k] += log_r
            new_prior = _log_nu_prior(new_log_nu, alpha)
            log_jacobian += log_r - K * log_S
            ratio = new_loglik + new_prior - state[LOGLIK] - state[PRIOR] + log_jacobian
            if math.log(1.0 - rng.random()) < ratio:
                taken = True
                for j in range(J):
                    log_lam1[j, k], log_lam0[j, k] = new1[j], new0[j]
                for i in range(M):
                    f[i, k], mix[i] = f_k[i], new_mix[i]
                for other in range(K):
                    log_nu[other] = new_log_nu[other]
                    nu[other] = math.exp(new_log_nu[other])
                pi0[k] = new_pi0
                state[P0], state[LOGLIK], state[PRIOR] = new_p0, new_loglik, new_prior
            else:
                for other in range(K):
                    new_log_nu[other] = log_nu[other]
    if adapt:
        step = scale_step[k] + 0.05 * ((1.0 if taken else 0.0) - PAIR_TARGET)
        scale_step[k] = min(step, 3.0)
    return 1 if taken else 0


@njit(cache=True)
def _class_loglik(
    X: np.ndarray,
    freq: np.ndarray,
    n: int,
    k: int,
    r: float,
    S: float,
    new_p0: float,
    new1: np.ndarray,
    new0: np.ndarray,
    f: np.ndarray,
    nu: np.ndarray,
    mix: np.ndarray,
    f_k: np.ndarray,
    new_mix: np.ndarray,
) -> float:
    """The log likelihood after a class move (f_k and new_mix get the moved class's
    likelihood and the new mixture per history)."""
    M, J = X.shape
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
    # added as one term, as the other moves add it (the same rounding)
    return new_loglik + (-n * math.log1p(-new_p0) + _log_cap(n, new_p0))
