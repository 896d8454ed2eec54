"""What an estimate is: one model's answer, and the whole answer for a capture table.

Both carry `to_dict()` giving the JSON shape of the command-line contract:
`{"observed", "estimate", "ci95", "model", "models": [{"name", "estimate", "ci95", "aic",
"bic", ...}]}`. A model that cannot be estimated keeps its place in `models` with `null`
numbers and a `reason`, so no one mistakes a missing estimate for a valid one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def round_count(value: float | None, digits: int = 1) -> float | None:
    """Population sizes as floats with one decimal; None stays None."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


@dataclass
class ModelResult:
    """One model's estimate of the population size N (observed plus unrecorded)."""

    name: str
    family: str
    estimate: float | None = None
    ci95: tuple[float, float | None] | None = None
    se: float | None = None
    aic: float | None = None
    bic: float | None = None
    deviance: float | None = None
    df: int | None = None
    description: str = ""
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Posterior draws of N (Bayesian models only), kept to add strata draw by draw.
    draws: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.reason is None and self.estimate is not None

    @classmethod
    def failed(cls, name: str, family: str, reason: str, description: str = "") -> ModelResult:
        return cls(name=name, family=family, description=description, reason=reason)

    def to_dict(self) -> dict[str, Any]:
        ci = None
        if self.ci95 is not None:
            ci = [round_count(self.ci95[0]), round_count(self.ci95[1])]
        out: dict[str, Any] = {
            "name": self.name,
            "estimate": round_count(self.estimate),
            "ci95": ci,
            "aic": None if self.aic is None else round(self.aic, 3),
            "bic": None if self.bic is None else round(self.bic, 3),
            "family": self.family,
        }
        if self.se is not None:
            out["se"] = round(self.se, 2)
        if self.deviance is not None:
            out["deviance"] = round(self.deviance, 4)
        if self.df is not None:
            out["df"] = self.df
        if self.description:
            out["description"] = self.description
        if self.reason is not None:
            out["reason"] = self.reason
        out.update(self.details)
        return out


@dataclass
class StratumResult:
    stratum: str
    observed: int
    model: str | None
    estimate: float | None
    ci95: tuple[float, float | None] | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stratum": self.stratum,
            "observed": self.observed,
            "model": self.model,
            "estimate": round_count(self.estimate),
            "ci95": None
            if self.ci95 is None
            else [round_count(self.ci95[0]), round_count(self.ci95[1])],
            **({"reason": self.reason} if self.reason else {}),
        }


@dataclass
class EstimationResult:
    """The answer for a capture table: the headline model's estimate and every model fitted."""

    observed: int
    lists: tuple[str, ...]
    model: str
    models: list[ModelResult]
    strata_column: str | None = None
    strata: list[StratumResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def headline(self) -> ModelResult:
        return self.get(self.model)

    @property
    def estimate(self) -> float | None:
        return self.headline.estimate

    @property
    def ci95(self) -> tuple[float, float | None] | None:
        return self.headline.ci95

    def get(self, name: str) -> ModelResult:
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        headline = self.headline
        out: dict[str, Any] = {
            "observed": self.observed,
            "estimate": round_count(headline.estimate),
            "ci95": None
            if headline.ci95 is None
            else [round_count(headline.ci95[0]), round_count(headline.ci95[1])],
            "model": self.model,
            "models": [model.to_dict() for model in self.models],
            "lists": list(self.lists),
        }
        if self.strata_column is not None:
            out["strata_column"] = self.strata_column
            out["strata"] = [stratum.to_dict() for stratum in self.strata]
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
