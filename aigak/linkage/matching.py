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
from splink import Linker

from aigak.linkage import engines, model, register
from aigak.linkage.clusters import among_namesakes, among_rivals, clusters_from_pairs
from aigak.linkage.features import feature_frame
from aigak.linkage.people import PeopleList
from aigak.linkage.training import Training, train_model

Progress = Callable[[str], None]


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
    step("normalising names")
    sides = [_raw(left), _raw(right)]
    warnings = sides[0][2] + sides[1][2]
    totals = (len(sides[0][0]), len(sides[1][0]))
    samples: list[set[str] | None] = [None, None]
    paired: list[set[str] | None] = [None, None]
    long_at = 1 if totals[1] >= totals[0] else 0
    if register.is_lopsided(totals[1 - long_at], totals[long_at]):
        short = feature_frame(sides[1 - long_at][0], dates=sides[1 - long_at][1])
        reduced = register.reduce_register(
            short[_matchable(short)], sides[long_at][0], sides[long_at][1]
        )
        features = [short, reduced.features] if long_at == 1 else [reduced.features, short]
        samples[long_at] = reduced.sample_ids
        paired[long_at] = reduced.paired_ids
    else:
        features = [feature_frame(frame, dates=dates) for frame, dates, _ in sides]
    left_ok, right_ok = (f[_matchable(f)] for f in features)
    empty = _empty_candidates()
    if left_ok.empty or right_ok.empty:
        training = Training(False, ["a list has no usable names; nothing to link"])
        return LinkResult(_links_from(empty, threshold), empty, training, warnings)
    with engines.open_engine(engine) as db:
        tables = [
            db.register(left_ok, dataset_display_name="left_list"),
            db.register(right_ok, dataset_display_name="right_list"),
        ]
        trained, training = train_model(
            db,
            "link_only",
            [left_ok, right_ok],
            tables,
            step,
            totals=totals,
            samples=samples,
            paired=paired,
        )
        linker = _prediction_linker(db, tables, trained, [left_ok, right_ok], samples)
        step("scoring candidate pairs")
        candidates = _predict(linker, threshold_floor=min(threshold, 0.01))
    candidates = _orient(candidates)
    step("choosing one-to-one links")
    return LinkResult(_links_from(candidates, threshold), candidates, training, warnings)


def _raw(people: PeopleList | pd.DataFrame) -> tuple[pd.DataFrame, dict, list[str]]:
    if isinstance(people, PeopleList):
        return people.frame, people.dates, list(people.warnings)
    return people.fillna("").astype(str), {}, []


def _prediction_linker(db, tables, trained, frames, samples=None, fresh: bool = True) -> Linker:
    """A linker over the whole lists with the trained model. Term frequencies are
    counted afresh (`fresh`): training may have cached them from reduced lists; for a
    register cut down to the rows that could pair they come from its random sample."""
    linker = Linker(tables if len(tables) > 1 else tables[0], trained, log_level=None)
    if fresh:
        linker.table_management.invalidate_cache()
    if samples and any(s is not None for s in samples):
        counted = [
            f if ids is None else f[f["unique_id"].isin(ids)]
            for f, ids in zip(frames, samples, strict=True)
        ]
        for column, lookup in register.term_frequencies(counted).items():
            table = db.register(lookup, dataset_display_name=f"tf_lookup_{column}")
            linker.table_management.register_term_frequency_lookup(table, column)
    return linker


def dedupe_list(
    people: PeopleList | pd.DataFrame,
    threshold: float = 0.5,
    engine: str = "duckdb",
    progress: Progress | None = None,
) -> DedupeResult:
    """Group the rows of one list that are the same person (see `clusters.py`)."""
    step = progress or (lambda _: None)
    step("normalising names")
    frame, dates, warnings = _raw(people)
    features = feature_frame(frame, dates=dates)
    usable = features[_matchable(features)]
    pairs = _empty_candidates()
    training = Training(False, ["fewer than two usable names; nothing to compare"])
    if len(usable) >= 2:
        with engines.open_engine(engine) as db:
            table = db.register(usable, dataset_display_name="people_list")
            trained, training = train_model(db, "dedupe_only", [usable], [table], step)
            linker = _prediction_linker(db, [table], trained, [usable], fresh=False)
            step("scoring candidate pairs")
            pairs = _predict(linker, threshold_floor=threshold, rows=len(usable))
    step("forming clusters")
    pairs = pairs[pairs["probability"] >= threshold].reset_index(drop=True)
    counted = among_namesakes(pairs, usable, training.probability_two_random_records_match)
    joined = pairs.assign(match_weight=counted, namesakes=counted < pairs["match_weight"])
    joined = joined.assign(probability=among_rivals(joined, features))
    clusters = clusters_from_pairs(
        features["unique_id"],
        joined[joined["probability"] >= threshold],
        features["birth_date"],
        features["gender"],
        features["approx_birth_year"],
    )
    return DedupeResult(clusters, pairs, training, warnings)


# A list longer than this is scored in slices (Splink's chunks: each side of a pair
# split by a hash of its id, every pair scored in exactly one slice): the candidate
# pairs of a list grow with the square of its length, and a million rows gives some
# 120 million, which held at once took DuckDB past its memory limit (4.4 GB in all).
PREDICT_CHUNK_ROWS = 500_000


def _predict(linker, threshold_floor: float, rows: int = 0) -> pd.DataFrame:
    """The scored pairs at or above `threshold_floor`; a list of `rows` rows is scored
    slice by slice (`PREDICT_CHUNK_ROWS`), each slice's pairs taken out of DuckDB and
    dropped there before the next."""
    chunks = max(1, math.ceil(rows / PREDICT_CHUNK_ROWS))
    if chunks == 1:
        result = linker.inference.predict(
            threshold_match_probability=threshold_floor, warning_mode="never"
        )
        return _scored_pairs(result)
    parts = [
        _scored_pairs(
            linker.inference.predict_chunk(
                left_chunk=(left, chunks),
                right_chunk=(right, chunks),
                threshold_match_probability=threshold_floor,
                warning_mode="never",
            )
        )
        for left in range(1, chunks + 1)
        for right in range(1, chunks + 1)
    ]
    return pd.concat(parts, ignore_index=True)


def _scored_pairs(result) -> pd.DataFrame:
    """Splink's scored pairs as `LinkResult.candidates`; the table is dropped."""
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


logging.getLogger("splink").setLevel(logging.ERROR)
