"""Training the matching model on the lists at hand, without labels.

Splink estimates u (how often two different people agree) by sampling random pairs, and
m (how often the same person agrees) by expectation maximisation over pairs picked by
`model.TRAINING_RULES`. When the lists are too small to learn from, the priors of
`model.py` stay, and the `Training` record says so.

A short list against a register of a million is trained on a reduced register: the
rows that could pair with the short list, plus a random sample (u is estimated on the
sample alone, so agreement is not overcounted). Splink's EM joins the two lists as one
table with itself, which on a million rows would cost billions of row pairs.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
from splink import Linker

from aigak.linkage import model
from aigak.linkage.clusters import namesake_duplicates, namesake_same_date_share

logger = logging.getLogger(__name__)

# Fewer comparisons or records than these and EM has too little to learn from.
MIN_PAIRS_TO_TRAIN = 5_000
MIN_RECORDS_TO_TRAIN = 60
# Pairs sampled to estimate u, and the cap on pairs per EM session.
U_SAMPLE_PAIRS = 500_000
EM_MAX_PAIRS = 1_000_000
# A list longer than this is trained on a reduced copy when linking.
TRAIN_ROWS = 100_000
# The share of true matches the deterministic rules are assumed to find.
DETERMINISTIC_RECALL = 0.7
# EM learns m for "different surname", "different given name" and "different birth"
# (`model.Level.fixed_m`) only when at least this share of the pairs in each training
# block are expected to be true matches: on a list of a million, namesakes fill the
# blocks and EM takes them for one person with different dates. (FEBRL4: 43% and 98%;
# the independent evaluation's lists of 2,000 people: 13-36%, where learning them or
# not gives the same F1.)
MIN_TRAINING_PURITY = 0.25

Progress = Callable[[str], None]


@dataclass
class Training:
    """How the model got its parameters, in words for the person running the match."""

    trained: bool
    messages: list[str] = field(default_factory=list)
    probability_two_random_records_match: float = 0.0


def train_model(
    db,
    link_type: model.LinkType,
    frames: list[pd.DataFrame],
    tables: list,
    step: Progress,
    *,
    totals: tuple[int, int] | None = None,
    samples: list[set[str] | None] | None = None,
    paired: list[set[str] | None] | None = None,
) -> tuple[dict[str, Any], Training]:
    """A Splink model (settings with m, u and the match rate) for `frames` - two for a
    link, one for a deduplication - already registered on the engine `db` as `tables`.

    When a frame was cut down to the rows that could pair (`register.py`), `totals`
    gives the whole lists' lengths, `samples` the ids of each frame's random sample, on
    which u is then estimated, and `paired` the ids of the rows that could pair with the
    other list, on which m is estimated."""
    n_left, n_right = totals or (len(frames[0]), len(frames[1]) if len(frames) > 1 else 0)
    prior = model.prior_match_probability(link_type, n_left, n_right)
    pairs = model.possible_pairs(link_type, n_left, n_right)
    searched = any(s is not None for s in samples or [])
    settings = model.settings_dict(link_type, db.dialect, prior, pairs=pairs, register=searched)
    smaller = min(n_left, n_right) if link_type == "link_only" else n_left
    if pairs < MIN_PAIRS_TO_TRAIN or smaller < MIN_RECORDS_TO_TRAIN:
        sizes = f"{n_left} x {n_right}" if link_type == "link_only" else f"{n_left}"
        message = f"too few records to train the model ({sizes} records); using fixed m/u priors"
        return settings, Training(False, [message], prior)
    messages: list[str] = []
    step("training: how often two records match")
    probability = _match_probability(link_type, frames, prior, messages, pairs)
    if _may_learn_differences(link_type, frames, probability * pairs, messages):
        settings = model.settings_dict(
            link_type, db.dialect, prior, pairs=pairs, register=searched, fix_m=False
        )
    step("training: u by random sampling")
    reduced = True
    if samples and any(s is not None for s in samples):
        u_frames = _only(frames, samples)
        em_frames = _only(frames, paired or [None] * len(frames))
    elif link_type == "link_only" and max(n_left, n_right) > TRAIN_ROWS:
        u_frames, em_frames = _reduced_link_frames(frames[0], frames[1])
    else:
        reduced = False
    if reduced:
        linker = _linker(db, u_frames, settings, "u")
    else:
        linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)
    try:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=min(U_SAMPLE_PAIRS, max(pairs, 10_000)), seed=42
        )
    except Exception as exc:  # noqa: BLE001 - Splink raises bare exceptions on odd data
        messages.append(f"could not estimate u from the data ({exc}); using priors")
    names = ["left_list", "right_list"]
    if reduced:
        linker = _linker(db, em_frames, linker.misc.save_model_to_json(), "em")
        names = [f"em_{name}" for name in names]
    trained_any = False
    for rule in model.TRAINING_RULES:
        step("training: m by expectation maximisation")
        if link_type == "link_only":
            # Splink joins the two lists as one table with itself; saying which side is
            # which lets DuckDB join only across the lists.
            rule += f" AND l.source_dataset = '{names[0]}' AND r.source_dataset = '{names[1]}'"
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
            )
            trained_any = True
        except Exception as exc:  # noqa: BLE001
            messages.append(f"EM on {rule!r} did not run ({exc}); keeping priors there")
    _restore_unlearnt_levels(linker, db.dialect)
    if not trained_any:
        messages.append("EM could not train on these lists; using fixed m priors")
    trained = linker.misc.save_model_to_json()
    trained["probability_two_random_records_match"] = probability
    return trained, Training(trained_any, messages, probability)


def _only(frames: list[pd.DataFrame], ids: list[set[str] | None]) -> list[pd.DataFrame]:
    """Each frame cut down to the given ids (None: the whole frame)."""
    return [
        f if keep is None else f[f["unique_id"].isin(keep)]
        for f, keep in zip(frames, ids, strict=True)
    ]


def _linker(db, frames: list[pd.DataFrame], settings: dict[str, Any], purpose: str) -> Linker:
    names = ["left_list", "right_list"] if len(frames) == 2 else ["people_list"]
    tables = [
        db.register(frame, dataset_display_name=f"{purpose}_{name}")
        for frame, name in zip(frames, names, strict=True)
    ]
    return Linker(tables if len(tables) > 1 else tables[0], settings, log_level=None)


def _reduced_link_frames(
    left: pd.DataFrame, right: pd.DataFrame
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Frames for u (random samples of any long list) and for EM (the samples plus the
    rows of the long list that the blocking rules pair with the other list)."""
    samples = [f.sample(n=min(len(f), TRAIN_ROWS), random_state=42) for f in (left, right)]
    with duckdb.connect() as con:
        con.register("l", samples[0])
        con.register("r", samples[1])
        con.register("l_all", left)
        con.register("r_all", right)
        rules = model.blocking_rules(len(left) * len(right))
        # A short list is whole in its "sample"; the long one is searched in full.
        short_is_left = len(left) <= len(right)
        join = "l JOIN r_all AS r" if short_is_left else "l_all AS l JOIN r"
        side = "r" if short_is_left else "l"
        sql = " UNION ".join(f"SELECT {side}.unique_id FROM {join} ON {rule}" for rule in rules)
        paired = set(con.execute(sql).df()["unique_id"])
    long_frame, long_sample = (right, samples[1]) if short_is_left else (left, samples[0])
    extended = long_frame[
        long_frame["unique_id"].isin(paired) | long_frame.index.isin(long_sample.index)
    ]
    em_frames = [samples[0], extended] if short_is_left else [extended, samples[1]]
    return samples, em_frames


def _may_learn_differences(
    link_type: model.LinkType, frames: list[pd.DataFrame], matches: float, messages: list[str]
) -> bool:
    """Whether EM may learn the m of the levels marked `fixed_m` (see
    `MIN_TRAINING_PURITY`); says so in `messages` when it may."""
    purity = _training_purity(link_type, frames, matches)
    if purity < MIN_TRAINING_PURITY:
        return False
    messages.append(
        f"{purity:.0%} or more of the training pairs are expected to be true matches:"
        " how often one person's names or birth date differ is learnt from the lists"
    )
    return True


def _training_purity(
    link_type: model.LinkType, frames: list[pd.DataFrame], matches: float
) -> float:
    """The share of true matches expected among the pairs of an EM training block, for
    the block with the lowest share: `matches` (expected in all) over its pairs."""
    left = frames[0]
    right = frames[1] if link_type == "link_only" else frames[0]
    worst = 1.0
    with duckdb.connect() as con:
        con.register("l", left)
        con.register("r", right)
        for keys in model.TRAINING_KEYS:
            key = ", ".join(keys)
            known = " AND ".join(f"{c} IS NOT NULL" for c in keys)
            sql = (
                f"SELECT sum(a.n * b.n) FROM (SELECT {key}, count(*) AS n FROM l WHERE {known}"
                f" GROUP BY ALL) a JOIN (SELECT {key}, count(*) AS n FROM r GROUP BY ALL) b"
                f" USING ({key})"
            )
            row = con.execute(sql).fetchone()
            pairs = float(row[0] or 0) if row else 0.0
            if link_type == "dedupe_only":
                # Each row pairs with itself, and each pair is counted twice.
                pairs = (pairs - _count_known(con, keys)) / 2
            if pairs > 0:
                worst = min(worst, matches / pairs)
    return worst


def _count_known(con, keys: tuple[str, ...]) -> float:
    known = " AND ".join(f"{c} IS NOT NULL" for c in keys)
    row = con.execute(f"SELECT count(*) FROM l WHERE {known}").fetchone()
    return float(row[0]) if row else 0.0


def _match_probability(
    link_type: model.LinkType,
    frames: list[pd.DataFrame],
    prior: float,
    messages: list[str],
    total: int,
) -> float:
    """The chance that two records picked at random match: pairs found by the
    deterministic rules over all pairs, scaled up for the matches they miss."""
    left = frames[0]
    right = frames[1] if link_type == "link_only" else frames[0]
    condition = "" if link_type == "link_only" else "AND l.unique_id < r.unique_id"
    with duckdb.connect() as con:
        con.register("l", left)
        con.register("r", right)
        sql = " UNION ".join(
            f"SELECT l.unique_id AS a, r.unique_id AS b FROM l JOIN r ON {rule} {condition}"
            for rule in model.DETERMINISTIC_RULES
        )
        found = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()
    observed = int(found[0]) if found else 0
    if observed == 0 or total == 0:
        messages.append(f"no sure matches to estimate the match rate from; using {prior:.2g}")
        return prior
    rate = min(observed / DETERMINISTIC_RECALL / total, 0.5)
    if link_type == "dedupe_only":
        rate = min(rate, _namesake_match_rate(left) or rate)
    return rate


def _namesake_match_rate(frame: pd.DataFrame) -> float | None:
    """The match rate read from namesakes' birth dates (`clusters.namesake_duplicates`).
    The deterministic rules count namesakes with one surname, initial, year and town
    as matches, more of them the longer the list (other records of one's person per
    record: 0.75 at 145,000 rows, 0.92 at 300,000, against a true 0.83 for both), and
    the match rate sets the odds of every pair; the lower of the two is kept. The
    share of one person's dated records with the same date is read from the list
    (`clusters.namesake_same_date_share`) where it holds enough namesakes sure by their
    patronymic, else from the priors (0.87; 0.95 on the tuning lists' generator)."""
    share = namesake_same_date_share(frame) or _same_date_share()
    others = namesake_duplicates(frame, share)
    if others is None or len(frame) < 2:
        return None
    return others / (len(frame) - 1)


def _same_date_share() -> float:
    """Of one person's two records both with a full birth date, the share with the
    same date, by the priors of the birth levels (`model._birth_levels`)."""
    levels = model.comparison_levels("duckdb")["birth"]
    both_dated = [lv for lv in levels if not lv.is_null and "age" not in lv.label]
    same = next(lv for lv in levels if lv.label == "same birth date")
    return same.m / sum(lv.m for lv in both_dated)


def _restore_unlearnt_levels(linker: Linker, dialect: str) -> None:
    """Put the prior back where training left a level without a usable estimate, or
    with agreement scored as evidence against a match (EM can do that on lists where a
    level is rare)."""
    priors = model.comparison_levels(dialect)
    for comparison in linker._settings_obj.comparisons:
        levels = [lv for lv in priors[comparison.output_column_name] if not lv.is_null]
        non_null = [cl for cl in comparison.comparison_levels if not cl.is_null_level]
        for position, (level, prior) in enumerate(zip(non_null, levels, strict=True)):
            m = _usable(level._m_probability) or prior.m
            u = _usable(level._u_probability) or prior.u
            if position == 0 and m < u:
                m, u = prior.m, prior.u
            level._m_probability, level._u_probability = m, u


def _usable(probability: object) -> float | None:
    """A trained probability, or None when training left none (missing, NaN, zero)."""
    if isinstance(probability, float) and not math.isnan(probability) and probability > 0:
        return probability
    return None
