"""Estimate how many people no list recorded: the entry point for commands and views.

>>> import pandas as pd
>>> frame = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": [30, 20, 10]})
>>> result = estimate(frame)
>>> result.model, result.observed, round(result.estimate)
('independence', 60, 120)

`estimate()` takes a pandas DataFrame, a list of dicts, a CaptureTable, or a mapping of
stratum name to any of those; it returns an EstimationResult whose `to_dict()` is the JSON of
the command-line contract. The headline model is the latent-class model `lcmcr` for three
lists or more (as HRDAG reports) and the independence (Lincoln-Petersen) model for two.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from aigak.estimation.heterogeneity import fit_heterogeneity_models
from aigak.estimation.histories import COUNT_COLUMN, CaptureTable, HistoryError
from aigak.estimation.lcmcr import LcmcrSettings, fit_lcmcr
from aigak.estimation.loglinear import fit_loglinear_models
from aigak.estimation.results import EstimationResult
from aigak.estimation.strata import combine_strata

Progress = Callable[[str, int, int], None]


def estimate(
    data: Any,
    *,
    lists: Sequence[str] | None = None,
    count_column: str = COUNT_COLUMN,
    strata: str | None = None,
    lcmcr: LcmcrSettings | None = LcmcrSettings(),  # noqa: B008 - frozen, never mutated
    progress: Progress | None = None,
) -> EstimationResult:
    """Fit every model to a table of capture histories and pick the headline estimate.

    `strata` names a column to estimate within and add up; `lcmcr=None` skips the
    latent-class model (then the headline for three lists or more is `best_aic`).
    Raises HistoryError for malformed input and CannotEstimate when the lists' overlap
    does not determine a population size.
    """
    tables = _tables(data, lists, count_column, strata)
    if strata is None and None in tables:
        return estimate_table(tables[None], lcmcr, progress)
    results = {}
    for index, (name, table) in enumerate(tables.items()):
        settings = lcmcr
        if settings is not None:
            seed = int(np.random.SeedSequence([settings.seed, index]).generate_state(1)[0])
            settings = replace(settings, seed=seed)
        results[str(name)] = estimate_table(table, settings, progress, label=str(name))
    return combine_strata(results, strata or "stratum")


def estimate_table(
    table: CaptureTable,
    lcmcr: LcmcrSettings | None = LcmcrSettings(),  # noqa: B008 - frozen, never mutated
    progress: Progress | None = None,
    label: str = "",
    should_stop: Callable[[], bool] | None = None,
) -> EstimationResult:
    """All models for one table (one stratum).

    `should_stop()` turning true ends the LCMCR run early (a time limit for a web request);
    the estimate then rests on the draws kept so far and says so.
    """
    table.check_estimable()
    models = fit_loglinear_models(table)
    models += fit_heterogeneity_models(table)
    warnings = []
    if table.k >= 3 and lcmcr is not None:
        step = None
        if progress is not None:
            step = lambda done, total: progress(label or "lcmcr", done, total)  # noqa: E731
        result = fit_lcmcr(table, lcmcr, step, should_stop)
        models.append(result)
        if not result.ok:
            warnings.append(f"lcmcr: {result.reason}")
        elif result.details.get("stopped_early"):
            warnings.append(
                "the lcmcr sampler was stopped at its time limit before the planned number "
                "of iterations; the estimate rests on the draws kept until then"
            )
        if result.ok and not result.details["convergence"]["converged"]:
            warnings.append(
                "the lcmcr sampler did not pass its convergence check; run it longer "
                "(more --samples or --thinning) before relying on the estimate"
            )
    if table.k == 2:
        headline = "independence"
    elif lcmcr is not None:
        headline = "lcmcr"
    else:
        headline = "best_aic"
    if table.k == 2:
        warnings.append(
            "two lists: only the independence (Lincoln-Petersen) model can be fitted, and "
            "it cannot be checked against the data"
        )
    return EstimationResult(
        observed=table.observed,
        lists=table.lists,
        model=headline,
        models=models,
        warnings=warnings,
    )


def _tables(
    data: Any, lists: Sequence[str] | None, count_column: str, strata: str | None
) -> dict[str | None, CaptureTable]:
    if isinstance(data, CaptureTable):
        return {None: data}
    if (
        isinstance(data, Mapping)
        and data
        and all(isinstance(v, CaptureTable) for v in data.values())
    ):
        return dict(data)
    records = _records(data)
    if strata is None:
        return {None: CaptureTable.from_records(records, lists, count_column=count_column)}
    if lists is None:
        lists = [
            key for key in (records[0] if records else {}) if key not in (count_column, strata)
        ]
    key = lambda record: str(record.get(strata, "")).strip()  # noqa: E731
    groups: dict[str | None, CaptureTable] = {}
    for name, group in itertools.groupby(sorted(records, key=key), key=key):
        if not name:
            raise HistoryError("a row has no stratum", column=strata)
        groups[name] = CaptureTable.from_records(
            list(group), lists, count_column=count_column, source=f"{strata}={name}"
        )
    return groups


def _records(data: Any) -> list[dict[str, Any]]:
    if hasattr(data, "to_dict") and hasattr(data, "columns"):
        return list(data.to_dict("records"))
    return [dict(row) for row in data]
