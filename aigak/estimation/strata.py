"""Stratified estimates: estimate each stratum (e.g. region) on its own and add them up.

Capture probabilities differ between regions; pooling them biases the estimate, so HRDAG
estimates within strata and sums. For the latent-class model the posterior draws of the
strata are added draw by draw (the strata are independent a posteriori), which gives the
exact posterior of the total. For the log-linear models the estimates add up, variances add
up, and the 95% interval is the log-normal one of Chao (1987) on the unrecorded total f0:
n + f0 / C .. n + f0 * C with C = exp(1.96 sqrt(log(1 + var / f0^2))), which never goes
below the number observed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from aigak.estimation.lcmcr import result_from_draws
from aigak.estimation.results import EstimationResult, ModelResult, StratumResult


def combine_strata(results: Mapping[str, EstimationResult], column: str) -> EstimationResult:
    """Add up per-stratum results into one result for the whole table."""
    if not results:
        raise ValueError("no strata to combine")
    first = next(iter(results.values()))
    names = [model.name for model in first.models]
    combined = [_combine_model(name, results) for name in names]
    observed = sum(result.observed for result in results.values())
    strata = [
        StratumResult(
            stratum=name,
            observed=result.observed,
            model=result.model,
            estimate=result.headline.estimate,
            ci95=result.headline.ci95,
            reason=result.headline.reason,
        )
        for name, result in results.items()
    ]
    warnings = [f"stratum {name}: {text}" for name, r in results.items() for text in r.warnings]
    return EstimationResult(
        observed=observed,
        lists=first.lists,
        model=first.model,
        models=combined,
        strata_column=column,
        strata=strata,
        warnings=warnings,
    )


def _combine_model(name: str, results: Mapping[str, EstimationResult]) -> ModelResult:
    parts = {stratum: result.get(name) for stratum, result in results.items()}
    family = next(iter(parts.values())).family
    failed = {stratum: part for stratum, part in parts.items() if not part.ok}
    if failed:
        stratum, part = next(iter(failed.items()))
        return ModelResult.failed(
            name, family, f"cannot be estimated in stratum {stratum}: {part.reason}"
        )
    if all(part.draws is not None for part in parts.values()):
        return _add_draws(name, parts)
    observed = {stratum: result.observed for stratum, result in results.items()}
    return _add_estimates(name, family, parts, observed)


def _add_draws(name: str, parts: Mapping[str, ModelResult]) -> ModelResult:
    draws = sum(np.asarray(part.draws, dtype=np.float64) for part in parts.values())
    assert isinstance(draws, np.ndarray)
    result = result_from_draws(draws, settings=None)
    result.name = name
    settings = next(iter(parts.values())).details.get("settings")
    if settings is not None:
        result.details["settings"] = {
            **settings,
            "seed": "per stratum, see strata",
        }
    convergence = result.details["convergence"]
    assert isinstance(convergence, dict)
    by_stratum = {
        stratum: bool(part.details["convergence"]["converged"]) for stratum, part in parts.items()
    }
    convergence["strata_converged"] = by_stratum
    convergence["converged"] = bool(convergence["converged"] and all(by_stratum.values()))
    result.details["strata_seeds"] = {
        stratum: part.details.get("settings", {}).get("seed") for stratum, part in parts.items()
    }
    result.description = "sum over strata of " + next(iter(parts.values())).description
    return result


def _add_estimates(
    name: str, family: str, parts: Mapping[str, ModelResult], observed_by: Mapping[str, int]
) -> ModelResult:
    estimate = sum(float(part.estimate or 0.0) for part in parts.values())
    observed = float(sum(observed_by.values()))
    hidden = estimate - observed
    variance = sum(float(part.se or 0.0) ** 2 for part in parts.values())
    if hidden > 0 and variance > 0:
        spread = math.exp(1.959964 * math.sqrt(math.log(1.0 + variance / hidden**2)))
        ci95: tuple[float, float | None] = (observed + hidden / spread, observed + hidden * spread)
    else:
        ci95 = (estimate, estimate)

    def total(attribute: str) -> float | None:
        values = [getattr(part, attribute) for part in parts.values()]
        return None if any(v is None for v in values) else float(sum(values))

    df = total("df")
    return ModelResult(
        name=name,
        family=family,
        estimate=estimate,
        ci95=ci95,
        se=math.sqrt(variance),
        aic=total("aic"),
        bic=total("bic"),
        deviance=total("deviance"),
        df=None if df is None else int(df),
        description=f"sum over {len(parts)} strata; interval log-normal (Chao 1987)",
        details={"strata_models": {s: part.description for s, part in parts.items()}},
    )
