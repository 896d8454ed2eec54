"""Heterogeneous-catchability models of Rcapture's `closedp.t` (Rivest & Baillargeon 2007).

People differ in how likely any list is to record them. These models keep a list effect
for each list (model Mt) and add columns that depend only on how many lists recorded a
history, f = 1..k:

- Mth Chao (Chao's lower bound; Rivest 2011): columns max(f - j + 1, 0) for j = 3..k, whose
  negative coefficients are set to zero one at a time, first to last, as Rcapture does;
- Mth Poisson2: 2^f - 1;
- Mth Darroch: f^2 / 2.

They need three lists or more: with two there are three cells and Mt already uses them.
"""

from __future__ import annotations

import numpy as np

from aigak.estimation import texts
from aigak.estimation.histories import CaptureTable
from aigak.estimation.loglinear import design, fit_design, history_bits
from aigak.estimation.results import ModelResult

FAMILY = "heterogeneity"


def heterogeneity_columns(k: int, kind: str) -> tuple[np.ndarray, list[str]]:
    """Columns of the heterogeneity part for `kind` in chao, poisson2, darroch."""
    f = history_bits(k).sum(axis=1)
    if kind == "chao":
        columns = [np.maximum(f - j + 1, 0) for j in range(3, k + 1)]
        return np.column_stack(columns), [f"eta{j}" for j in range(3, k + 1)]
    if kind == "poisson2":
        return (2.0**f - 1)[:, None], ["tau"]
    if kind == "darroch":
        return (f**2 / 2)[:, None], ["tau"]
    raise ValueError(f"unknown heterogeneity {kind!r}")


def fit_heterogeneity_models(table: CaptureTable) -> list[ModelResult]:
    """Mt, Mth_chao, Mth_poisson2 and Mth_darroch; an empty list for fewer than 3 lists."""
    if table.k < 3:
        return []
    y, n = table.cell_vector(), table.observed
    X_t, labels_t = design(table.k)
    labels_t = list(table.lists)
    results = [
        fit_design(
            y,
            X_t,
            n,
            "Mt",
            family=FAMILY,
            labels=labels_t,
            description=texts.MT,
        )
    ]
    results.append(_fit_chao(y, n, X_t, labels_t, table.k))
    for kind, name, text in (
        ("poisson2", "Mth_poisson2", texts.MTH_POISSON2),
        ("darroch", "Mth_darroch", texts.MTH_DARROCH),
    ):
        X_h, labels_h = heterogeneity_columns(table.k, kind)
        results.append(
            fit_design(
                y,
                np.column_stack([X_t, X_h]),
                n,
                name,
                family=FAMILY,
                labels=labels_t + labels_h,
                description=text,
            )
        )
    return results


def _fit_chao(y: np.ndarray, n: int, X_t: np.ndarray, labels_t: list[str], k: int) -> ModelResult:
    X_h, labels_h = heterogeneity_columns(k, "chao")
    removed: list[str] = []
    text = texts.MTH_CHAO
    while True:
        X = np.column_stack([X_t, X_h]) if X_h.shape[1] else X_t
        result = fit_design(
            y,
            X,
            n,
            "Mth_chao",
            family=FAMILY,
            labels=labels_t + labels_h,
            description=text,
            interval=False,
        )
        etas = result.details.get("coefficients", {})
        negative = [label for label in labels_h if etas.get(label, 0.0) < 0]
        if result.ok and negative:
            drop = labels_h.index(negative[0])
        elif not result.ok and labels_h:
            # A coefficient at minus infinity (no one recorded f >= j times) is a negative
            # eta too: drop the last one still in, where the counts are thinnest.
            drop = len(labels_h) - 1
        else:
            break
        removed.append(labels_h.pop(drop))
        X_h = np.delete(X_h, drop, axis=1)
    if result.ok:
        X = np.column_stack([X_t, X_h]) if X_h.shape[1] else X_t
        result = fit_design(
            y, X, n, "Mth_chao", family=FAMILY, labels=labels_t + labels_h, description=text
        )
    if removed:
        result.details["eta_set_to_zero"] = removed
    return result
