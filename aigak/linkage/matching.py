"""Linking two lists of people, and finding the same person twice in one list.

`link_lists` and `dedupe_list` take pandas frames with the columns of
`people.COLUMNS` (or `PeopleList`s) and return dataclasses; they touch no database and
can be called from a view, a command or a notebook. Each run trains the model on the
lists at hand (Splink: u by random sampling, m by expectation maximisation, no labels)
and falls back to the priors of `model.py` when the lists are too small to learn from.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from aigak.linkage import engines, model
from aigak.linkage.features import feature_frame
from aigak.linkage.people import PeopleList

# Fewer comparisons than this and EM has too little to learn from.
MIN_PAIRS_TO_TRAIN = 5_000
MIN_RECORDS_TO_TRAIN = 60
# Pairs sampled to estimate u, and the cap on pairs per EM session.
U_SAMPLE_PAIRS = 2_000_000
EM_MAX_PAIRS = 2_000_000

Progress = Callable[[str], None]


@dataclass
class Training:
    """How the model got its parameters, in words for the person running the match."""

    trained: bool
    messages: list[str] = field(default_factory=list)
    probability_two_random_records_match: float = 0.0


@dataclass
class LinkResult:
    """One-to-one links (`left_id`, `right_id`, `probability`) at or above the
    threshold; every scored candidate pair in `candidates`, with `match_weight` and one
    `weight_<comparison>` column per comparison (log2 of its Bayes factor: above 0 the
    field agreed, below 0 it disagreed, 0 it was missing) for a reviewer to read; and
    the warnings about the lists."""

    links: pd.DataFrame
    candidates: pd.DataFrame
    training: Training
    warnings: list[str] = field(default_factory=list)


@dataclass
class DedupeResult:
    """`clusters`: `id`, `cluster_id` for every input row (a person alone is a cluster
    of one); `pairs`: scored pairs at or above the threshold, with the columns of
    `LinkResult.candidates`."""

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    training: Training
    warnings: list[str] = field(default_factory=list)


def _frame(people: PeopleList | pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    if isinstance(people, PeopleList):
        return people.frame, list(people.warnings)
    return people.fillna("").astype(str), []


def _matchable(features: pd.DataFrame) -> pd.Series:
    return features["surname_stem"].notna() | features["given"].notna()


def link_lists(
    left: PeopleList | pd.DataFrame,
    right: PeopleList | pd.DataFrame,
    threshold: float = 0.5,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> LinkResult:
    """Link two lists: who on the left list is who on the right one."""
    step = progress or (lambda _: None)
    left_frame, warnings = _frame(left)
    right_frame, more = _frame(right)
    warnings += more
    step("normalising names")
    left_features = feature_frame(left_frame)
    right_features = feature_frame(right_frame)
    left_ok = left_features[_matchable(left_features)]
    right_ok = right_features[_matchable(right_features)]
    empty = _empty_candidates()
    if left_ok.empty or right_ok.empty:
        training = Training(False, ["a list has no usable names; nothing to link"])
        return LinkResult(_links_from(empty, threshold), empty, training, warnings)
    with engines.open_engine(engine) as db:
        tables = [
            db.register(left_ok, dataset_display_name="left_list"),
            db.register(right_ok, dataset_display_name="right_list"),
        ]
        linker, training = train(tables, "link_only", db.dialect, len(left_ok), len(right_ok), step)
        step("scoring candidate pairs")
        candidates = _predict(linker, threshold_floor=min(threshold, 0.01))
    candidates = _orient(candidates)
    step("choosing one-to-one links")
    return LinkResult(_links_from(candidates, threshold), candidates, training, warnings)


def dedupe_list(
    people: PeopleList | pd.DataFrame,
    threshold: float = 0.5,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> DedupeResult:
    """Group the rows of one list that are the same person."""
    step = progress or (lambda _: None)
    frame, warnings = _frame(people)
    step("normalising names")
    features = feature_frame(frame)
    usable = features[_matchable(features)]
    pairs = _empty_candidates()
    training = Training(False, ["fewer than two usable names; nothing to compare"])
    if len(usable) >= 2:
        with engines.open_engine(engine) as db:
            table = db.register(usable, dataset_display_name="people_list")
            linker, training = train([table], "dedupe_only", db.dialect, len(usable), 0, step)
            step("scoring candidate pairs")
            pairs = _predict(linker, threshold_floor=threshold)
    step("forming clusters")
    pairs = pairs[pairs["probability"] >= threshold].reset_index(drop=True)
    clusters = clusters_from_pairs(features["unique_id"], pairs)
    return DedupeResult(clusters, pairs, training, warnings)


def train(
    tables: list,
    link_type: model.LinkType,
    dialect: str,
    n_left: int,
    n_right: int,
    step: Progress,
):
    """A Splink linker over `tables` with parameters learnt from them when they are
    big enough, else the model's priors. Returns (linker, Training)."""
    from splink import Linker

    prior = model.prior_match_probability(link_type, n_left, n_right)
    pairs = model.possible_pairs(link_type, n_left, n_right)
    settings = model.settings_dict(link_type, dialect, prior, pairs=pairs)
    linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)
    smaller = min(n_left, n_right) if link_type == "link_only" else n_left
    if pairs < MIN_PAIRS_TO_TRAIN or smaller < MIN_RECORDS_TO_TRAIN:
        return linker, Training(
            False,
            [
                f"too few records to train the model ({n_left}"
                + (f" x {n_right}" if link_type == "link_only" else "")
                + " records); using fixed m/u priors"
            ],
            prior,
        )
    messages: list[str] = []
    step("training: how often two records match")
    try:
        linker.training.estimate_probability_two_random_records_match(
            list[str | BlockingRuleCreator](model.DETERMINISTIC_RULES), recall=0.7
        )
    except Exception as exc:  # noqa: BLE001 - Splink raises bare exceptions on odd data
        messages.append(f"could not estimate the match rate ({exc}); using {prior:.2g}")
        linker._settings_obj._probability_two_random_records_match = prior
    step("training: u by random sampling")
    try:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(U_SAMPLE_PAIRS, max(pairs, 10_000)), seed=42
        )
    except Exception as exc:  # noqa: BLE001
        messages.append(f"could not estimate u from the data ({exc}); using priors")
    trained_any = False
    for rule in model.TRAINING_RULES:
        step("training: m by expectation maximisation")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
            )
            trained_any = True
        except Exception as exc:  # noqa: BLE001
            messages.append(f"EM on {rule!r} did not run ({exc}); keeping priors there")
    _restore_unlearnt_levels(linker, dialect)
    if not trained_any:
        messages.append("EM could not train on these lists; using fixed m priors")
    probability = float(linker._settings_obj._probability_two_random_records_match)
    return linker, Training(trained_any, messages, probability)


def _restore_unlearnt_levels(linker, dialect: str) -> None:
    """Put the prior back where training left a level without a usable estimate, or
    with agreement scored as evidence against a match (EM can do that on lists where a
    level is rare)."""
    priors = model.comparison_levels(model.jaro_winkler_function(dialect))
    for comparison in linker._settings_obj.comparisons:
        levels = [lv for lv in priors[comparison.output_column_name] if not lv.is_null]
        non_null = [cl for cl in comparison.comparison_levels if not cl.is_null_level]
        for position, (level, prior) in enumerate(zip(non_null, levels, strict=True)):
            m, u = level._m_probability, level._u_probability
            bad = [not isinstance(v, float) or math.isnan(v) or v <= 0 for v in (m, u)]
            if bad[0]:
                level._m_probability = prior.m
            if bad[1]:
                level._u_probability = prior.u
            is_top = position == 0
            if is_top and level._m_probability < level._u_probability:
                level._m_probability, level._u_probability = prior.m, prior.u


def _predict(linker, threshold_floor: float) -> pd.DataFrame:
    result = linker.inference.predict(
        threshold_match_probability=threshold_floor, warning_mode="never"
    )
    frame = result.as_pandas_dataframe()
    result.drop_table_from_database_and_remove_from_cache()
    out = pd.DataFrame(
        {
            "left_id": frame["unique_id_l"].astype("string"),
            "right_id": frame["unique_id_r"].astype("string"),
            "probability": frame["match_probability"].astype(float),
            "match_weight": frame["match_weight"].astype(float),
        }
    )
    for name in model.COMPARISONS:
        weight = frame[f"mw_{name}"].astype(float)
        if f"mw_tf_adj_{name}" in frame.columns:
            weight = weight + frame[f"mw_tf_adj_{name}"].astype(float)
        out[f"weight_{name}"] = weight.round(3)
    for column in ("source_dataset_l", "source_dataset_r"):
        if column in frame.columns:
            out[column] = frame[column]
    return out


def _empty_candidates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "left_id": pd.Series(dtype="string"),
            "right_id": pd.Series(dtype="string"),
            "probability": pd.Series(dtype="float64"),
            "match_weight": pd.Series(dtype="float64"),
        }
    )


def _orient(pairs: pd.DataFrame) -> pd.DataFrame:
    """Put the left list's id in `left_id` whatever order Splink returned the pair in."""
    if "source_dataset_l" in pairs.columns:
        flipped = (pairs["source_dataset_l"] != "left_list").to_numpy()
        left = np.where(flipped, pairs["right_id"], pairs["left_id"])
        right = np.where(flipped, pairs["left_id"], pairs["right_id"])
        pairs = pairs.drop(columns=["source_dataset_l", "source_dataset_r"])
        pairs["left_id"], pairs["right_id"] = left, right
    return pairs.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)


def _links_from(candidates: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One-to-one links: greedy, most probable pair first, each id used once."""
    above = candidates[candidates["probability"] >= threshold]
    above = above.sort_values(
        ["probability", "left_id", "right_id"], ascending=[False, True, True], kind="stable"
    )
    used_left: set[str] = set()
    used_right: set[str] = set()
    chosen = []
    for left_id, right_id, probability in above[["left_id", "right_id", "probability"]].itertuples(
        index=False
    ):
        if left_id in used_left or right_id in used_right:
            continue
        used_left.add(left_id)
        used_right.add(right_id)
        chosen.append((left_id, right_id, probability))
    return pd.DataFrame(chosen, columns=["left_id", "right_id", "probability"])


def clusters_from_pairs(ids: pd.Series, pairs: pd.DataFrame) -> pd.DataFrame:
    """`id`, `cluster_id` for every id: connected components of the pairs. A cluster
    is named by the id of its first row in the list."""
    ids = ids.reset_index(drop=True)
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    if len(pairs):
        a = position.loc[pairs["left_id"].to_numpy()].to_numpy()
        b = position.loc[pairs["right_id"].to_numpy()].to_numpy()
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ids), len(ids)))
        _, labels = connected_components(graph, directed=False)
    else:
        labels = np.arange(len(ids))
    first = pd.Series(np.arange(len(ids))).groupby(labels).transform("min").to_numpy()
    return pd.DataFrame({"id": ids.to_numpy(), "cluster_id": ids.to_numpy()[first]})


logging.getLogger("splink").setLevel(logging.ERROR)
