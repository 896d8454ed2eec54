"""Log-linear models for multiple systems estimation (Fienberg 1972; Cormack 1989).

The 2^k - 1 observable capture-history counts are fitted by Poisson regression on a design
with an intercept and one 0/1 column per model term; the intercept is the log of the
expected count in the unobservable all-zero cell, so N = n + exp(intercept). Standard error
by linearisation and AIC/BIC as in Rcapture (Baillargeon & Rivest 2007); 95% intervals from
the multinomial profile likelihood of Cormack (1992).

The fitting is a plain Newton (IRLS) loop in numpy rather than statsmodels' GLM, because the
model search and profile intervals need thousands of tiny fits and the per-fit overhead of a
general GLM class dominates at this size; the tests check the fits against statsmodels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from aigak.estimation import texts
from aigak.estimation.histories import CaptureTable
from aigak.estimation.results import ModelResult

Term = frozenset[int]
Model = frozenset[Term]  # the interaction terms (order >= 2) of a hierarchical model

CHI2_95 = float(stats.chi2.ppf(0.95, 1))
EXHAUSTIVE_MAX_LISTS = 4  # 5 lists have 6,893 hierarchical models: search stepwise instead
UNFIT = -1e12  # profile log-likelihood where the fit fails: far below any interval's cut


@dataclass
class PoissonFit:
    coef: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    loglik: float
    converged: bool
    last_step: np.ndarray


def fit_poisson(
    y: np.ndarray, X: np.ndarray, start: np.ndarray | None = None, max_iter: int = 60
) -> PoissonFit:
    """Maximum likelihood Poisson regression with log link, by Newton-Raphson.

    Does not converge (converged=False) when the estimate lies at infinity, e.g. when a
    term describes only empty cells: the Newton steps then stay near 1 in size forever.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _newton(y, X, start, max_iter)


def _newton(y: np.ndarray, X: np.ndarray, start: np.ndarray | None, max_iter: int) -> PoissonFit:
    coef = np.zeros(X.shape[1]) if start is None else start.copy()
    eta = np.log(y + 0.1) if start is None else X @ start
    mu = np.exp(eta)
    step = np.full(X.shape[1], np.inf)
    converged = False
    for _ in range(max_iter):
        weighted = X.T * mu
        try:
            new = np.linalg.solve(weighted @ X, weighted @ (eta + (y - mu) / mu))
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(new)):
            break
        step, coef = new - coef, new
        eta = np.clip(X @ coef, -700.0, 700.0)
        mu = np.exp(eta)
        if np.max(np.abs(step)) < 1e-9 * (1.0 + np.max(np.abs(coef))):
            converged = True
            break
    try:
        cov = np.linalg.inv((X.T * mu) @ X)
    except np.linalg.LinAlgError:
        cov = np.full((X.shape[1], X.shape[1]), np.nan)
        converged = False
    loglik = float(np.sum(special.xlogy(y, mu) - mu - special.gammaln(y + 1)))
    return PoissonFit(coef, cov, mu, loglik, converged, step)


def history_bits(k: int) -> np.ndarray:
    """Row h-1 holds history h: bit j set when on list j (matches CaptureTable.cell_vector)."""
    index = np.arange(1, 2**k)
    return ((index[:, None] >> np.arange(k)) & 1).astype(np.float64)


def term_column(bits: np.ndarray, term: Term) -> np.ndarray:
    return np.prod(bits[:, sorted(term)], axis=1)


def design(k: int, model: Model = frozenset()) -> tuple[np.ndarray, list[str]]:
    """Main effects plus the given interaction terms (no intercept column), with labels."""
    bits = history_bits(k)
    terms = [frozenset([j]) for j in range(k)] + sorted(model, key=lambda t: (len(t), sorted(t)))
    X = np.column_stack([term_column(bits, term) for term in terms])
    return X, [_term_label(term) for term in terms]


def _term_label(term: Term, lists: Sequence[str] | None = None) -> str:
    names = [lists[j] if lists else f"c{j + 1}" for j in sorted(term)]
    return "*".join(names)


def describe(model: Model, lists: Sequence[str]) -> str:
    """Terms at the top of the hierarchy, e.g. "A*B, A*C*D"; "main effects only" if none."""
    top = [t for t in model if not any(t < other for other in model)]
    if not top:
        return texts.INDEPENDENCE
    ordered = sorted(top, key=lambda t: (-len(t), sorted(t)))
    return ", ".join(_term_label(t, lists) for t in ordered)


def fit_design(
    y: np.ndarray,
    X: np.ndarray,
    observed: int,
    name: str,
    *,
    family: str = "loglinear",
    labels: Sequence[str] | None = None,
    description: str = "",
    interval: bool = True,
) -> ModelResult:
    """Fit one model given its design matrix (without intercept) over the 2^k-1 cells."""
    Xi = np.column_stack([np.ones(len(y)), X])
    labels = ["(intercept)", *(labels or [f"x{i + 1}" for i in range(X.shape[1])])]
    if np.linalg.matrix_rank(Xi) < Xi.shape[1]:
        return ModelResult.failed(name, family, texts.NOT_IDENTIFIABLE, description)
    fit = fit_poisson(y, Xi)
    if not fit.converged:
        return ModelResult.failed(name, family, _why_not(fit, labels), description)
    hidden = math.exp(fit.coef[0])
    estimate = observed + hidden
    se = math.sqrt(hidden + hidden**2 * fit.cov[0, 0])
    p = Xi.shape[1]
    deviance = float(2 * np.sum(special.xlogy(y, y / fit.fitted) - (y - fit.fitted)))
    result = ModelResult(
        name=name,
        family=family,
        estimate=estimate,
        se=se,
        aic=-2 * fit.loglik + 2 * p,
        bic=-2 * fit.loglik + math.log(observed) * p,
        deviance=deviance,
        df=len(y) - p,
        description=description,
    )
    result.details["coefficients"] = {
        label: round(float(c), 6) for label, c in zip(labels, fit.coef, strict=True)
    }
    if interval:
        result.ci95 = profile_interval(y, Xi, observed, estimate, fit.coef)
    return result


def _why_not(fit: PoissonFit, labels: Sequence[str]) -> str:
    if np.all(np.isfinite(fit.last_step)) and fit.last_step[0] > 0.5:
        return texts.UNBOUNDED
    stuck = [labels[i] for i in np.argsort(-np.abs(fit.last_step)) if i > 0][:1]
    return texts.INFINITE_TERM.format(term=stuck[0]) if stuck else texts.INFINITE


def profile_loglik(
    y: np.ndarray, Xi: np.ndarray, N: float, start: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Multinomial log-likelihood of N, maximised over the other parameters (Cormack 1992).

    The Poisson fit with the all-zero cell set to N - n has fitted values summing to N, so
    they give the multinomial cell probabilities; terms constant in N are dropped.
    """
    observed = float(y.sum())
    hidden = max(N - observed, 0.0)
    y_full = np.append(y, hidden)
    X_full = np.vstack([Xi, np.eye(1, Xi.shape[1])])
    fit = fit_poisson(y_full, X_full, start)
    if not fit.converged and start is not None:
        fit = fit_poisson(y_full, X_full)
    if not fit.converged:
        return UNFIT, np.zeros(Xi.shape[1]) if start is None else start
    value = (
        special.gammaln(N + 1)
        - special.gammaln(hidden + 1)
        + float(np.sum(special.xlogy(y_full, fit.fitted / N)))
    )
    return float(value), fit.coef


def profile_interval(
    y: np.ndarray,
    Xi: np.ndarray,
    observed: int,
    estimate: float,
    coef: np.ndarray,
    level_drop: float = CHI2_95 / 2,
) -> tuple[float, float | None]:
    """95% profile likelihood interval for N; the upper end is None if it is unbounded."""
    warm = [coef.copy()]

    def loglik(N: float) -> float:
        value, warm[0] = profile_loglik(y, Xi, N, warm[0])
        return value

    low_end = observed + 1e-6
    best = optimize.minimize_scalar(
        lambda N: -loglik(N),
        bounds=(low_end, max(1.5 * estimate, observed + 10.0)),
        method="bounded",
        options={"xatol": 1e-4 * max(1.0, estimate - observed)},
    )
    n_max, l_max = float(best.x), -float(best.fun)
    target = l_max - level_drop
    if loglik(low_end) >= target:
        lower = float(observed)
    else:
        lower = optimize.brentq(lambda N: loglik(N) - target, low_end, n_max, xtol=1e-4)
    warm[0] = coef.copy()
    high = n_max + max(2.0 * (estimate - observed), 10.0)
    while loglik(high) >= target:
        if high > 1e4 * estimate:
            return lower, None
        high = n_max + 2 * (high - n_max)
    upper = optimize.brentq(lambda N: loglik(N) - target, n_max, high, xtol=1e-4)
    return lower, float(upper)


# -- the hierarchical models --------------------------------------------------------------


def hierarchical_models(k: int, max_order: int | None = None) -> Iterator[Model]:
    """Every hierarchical model with all main effects and terms of order up to max_order.

    Hierarchical: each term's sub-terms are in the model too. The default max_order k - 1
    leaves out the k-way term, which the observable cells cannot identify. For k = 4 this
    gives the 113 models of Rcapture's closedpMS.t.
    """
    max_order = k - 1 if max_order is None else max_order
    by_order = {
        r: [frozenset(c) for c in itertools.combinations(range(k), r)]
        for r in range(2, max_order + 1)
    }

    def extend(order: int, previous: frozenset[Term], chosen: frozenset[Term]) -> Iterator[Model]:
        if order > max_order:
            yield chosen
            return
        eligible = [t for t in by_order[order] if order == 2 or all(t - {j} in previous for j in t)]
        for size in range(len(eligible) + 1):
            for subset in itertools.combinations(eligible, size):
                level = frozenset(subset)
                if not level:
                    yield chosen
                else:
                    yield from extend(order + 1, level, chosen | level)

    yield from extend(2, frozenset(), frozenset())


def _neighbours(model: Model, k: int, max_order: int) -> Iterator[Model]:
    for r in range(2, max_order + 1):
        for combo in itertools.combinations(range(k), r):
            term = frozenset(combo)
            if term in model:
                continue
            if r == 2 or all(term - {j} in model for j in term):
                yield model | {term}
    for term in model:
        if not any(term < other for other in model):
            yield model - {term}


class ModelSearch:
    """Fits hierarchical models on one table, remembering each fit, and picks the best."""

    def __init__(self, table: CaptureTable) -> None:
        self.table = table
        self.k = table.k
        self.y = table.cell_vector()
        self.n = table.observed
        self.bits = history_bits(self.k)
        self.fits: dict[Model, ModelResult] = {}

    def fit(self, model: Model, name: str | None = None, interval: bool = False) -> ModelResult:
        cached = self.fits.get(model)
        if cached is None or (interval and cached.ok and cached.ci95 is None):
            X, labels = design(self.k, model)
            cached = fit_design(
                self.y,
                X,
                self.n,
                name or describe(model, self.table.lists),
                labels=[_label_with_names(lb, self.table.lists) for lb in labels],
                description=describe(model, self.table.lists),
                interval=interval,
            )
            self.fits[model] = cached
        if name is not None and cached.name != name:
            cached = _renamed(cached, name)
        return cached

    def best(self, criterion: str) -> tuple[Model | None, str]:
        """The model with the lowest AIC or BIC, and how the search went."""
        # Beyond 7 lists the higher-order terms make the search slow (minutes): pairs only.
        max_order = self.k - 1 if self.k <= 7 else 2
        if self.k <= EXHAUSTIVE_MAX_LISTS:
            candidates = list(hierarchical_models(self.k))
            for model in candidates:
                self.fit(model)
            how = f"exhaustive over {len(candidates)} hierarchical models"
            return self._lowest(candidates, criterion), how
        starts = [
            frozenset(),
            frozenset(frozenset(c) for c in itertools.combinations(range(self.k), 2)),
        ]
        found = []
        for start in starts:
            current = start
            self.fit(current)
            while True:
                options = list(_neighbours(current, self.k, max_order))
                for option in options:
                    self.fit(option)
                better = self._lowest([current, *options], criterion)
                if better is None or better == current:
                    break
                current = better
            found.append(current)
        how = (
            f"stepwise (adding and removing terms, from independence and from all two-way) "
            f"over hierarchical models with terms of up to {max_order} lists; "
            f"{len(self.fits)} models fitted"
        )
        return self._lowest(found, criterion), how

    def _lowest(self, models: Sequence[Model], criterion: str) -> Model | None:
        scored = [
            (getattr(self.fits[m], criterion), i, m)
            for i, m in enumerate(models)
            if self.fits[m].ok
        ]
        return min(scored)[2] if scored else None


def _label_with_names(label: str, lists: Sequence[str]) -> str:
    return "*".join(lists[int(part[1:]) - 1] for part in label.split("*"))


def _renamed(result: ModelResult, name: str) -> ModelResult:
    copy = ModelResult(**{**result.__dict__, "name": name, "details": dict(result.details)})
    return copy


def fit_loglinear_models(table: CaptureTable) -> list[ModelResult]:
    """independence, pair:A*B for each pair, all_two_way, best_aic and best_bic."""
    search = ModelSearch(table)
    results = [search.fit(frozenset(), "independence", interval=True)]
    if table.k < 3:
        return results
    pairs = [frozenset(c) for c in itertools.combinations(range(table.k), 2)]
    for pair in pairs:
        a, b = (table.lists[j] for j in sorted(pair))
        results.append(search.fit(frozenset([pair]), f"pair:{a}*{b}", interval=True))
    results.append(search.fit(frozenset(pairs), "all_two_way", interval=True))
    for criterion in ("aic", "bic"):
        best, how = search.best(criterion)
        name = f"best_{criterion}"
        if best is None:
            results.append(ModelResult.failed(name, "loglinear", texts.NO_MODEL_FITS))
            continue
        chosen = search.fit(best, name, interval=True)
        chosen.details["search"] = how
        results.append(chosen)
    return results
