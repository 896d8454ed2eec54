"""A short list against a long register: only the register rows that could pair.

Linking an official list of 240 names against a register of a million people, almost
every register row is ruled out by the blocking rules. Taking every register name apart
costs far more than matching, so the register is first searched word by word: a row
stays if one of its words could give the surname stem, surname skeleton, given name or
initial that a blocking rule would pair with some row of the short list. That search is
a superset of the blocking, so the scored pairs are exactly those of the full register.

A random sample of the register is kept too: the model learns u (how often different
people agree) and the term frequencies of surnames from it, not from the pre-selected
rows, which agree with the short list more often than chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd

from aigak.lib.names import fold, initial_of, skeleton, surname_stem
from aigak.linkage import model
from aigak.linkage.features import birth_columns, feature_frame, place_keys

# The long side must have this many rows, and this many times the short side's.
LOPSIDED_FROM_ROWS = 100_000
LOPSIDED_RATIO = 20
SAMPLE_ROWS = 20_000
# Columns whose term frequencies adjust the model (see model.comparison_levels).
TF_COLUMNS = ["surname_stem", "given", "patronymic_stem", "place"]


@dataclass
class ReducedRegister:
    """The register rows worth matching (`features`: those a blocking rule could pair,
    whose ids are `paired_ids`, and the random sample, `sample_ids`), and how many rows
    the register has in all."""

    features: pd.DataFrame
    sample_ids: set[str]
    paired_ids: set[str]
    total_rows: int


def is_lopsided(n_short: int, n_long: int) -> bool:
    return n_long >= LOPSIDED_FROM_ROWS and n_long >= LOPSIDED_RATIO * max(n_short, 1)


@lru_cache(maxsize=400_000)
def _word_keys(word: str) -> tuple[str, str, str, str, str]:
    """What one word could become in a parsed name: surname stem, its skeleton, given
    name skeleton, initial, the word folded (a given name)."""
    stem = surname_stem(word)
    folded = fold(word)
    return stem, skeleton(stem), skeleton(folded), initial_of(word), folded


def reduce_register(
    short: pd.DataFrame,
    long_people: pd.DataFrame,
    long_dates: dict[str, pd.DataFrame] | None = None,
    seed: int = 42,
) -> ReducedRegister:
    """The rows of `long_people` (raw columns) that the blocking rules could pair with
    `short` (feature columns), plus a random sample, as feature columns."""
    total = len(long_people)
    birth = birth_columns(long_people, long_dates)
    rows = pd.DataFrame(
        {
            "row": np.arange(total),
            "full_name": long_people["full_name"].to_numpy(),
            "year": birth["approx_birth_year"].to_numpy(),
            "birth_date": birth["birth_date"].to_numpy(),
            "place": place_keys(long_people["locality"]).replace("", None).to_numpy(),
        }
    )
    rules = model.blocking_rules(len(short) * total, register=True)
    with duckdb.connect() as con:
        con.register("rows_in", rows)
        con.register("short", short)
        con.execute(
            "CREATE TEMP TABLE words AS SELECT row, unnest(parts) AS word,"
            " generate_subscripts(parts, 1) AS pos FROM (SELECT row,"
            r" string_split_regex(full_name, '[\s,;_/.]+') AS parts FROM rows_in)"
        )
        distinct = con.execute("SELECT DISTINCT word FROM words WHERE word <> ''").df()["word"]
        keys = pd.DataFrame(
            [(w, *_word_keys(str(w))) for w in distinct],
            columns=["word", "stem", "skel", "given_skel", "initial", "folded"],
        )
        con.register("word_keys", keys)
        con.execute(
            "CREATE TEMP TABLE t AS SELECT w.row, w.pos, k.*"
            " FROM words w JOIN word_keys k USING (word)"
        )
        sql = " UNION ".join(SUPERSETS[rule] for rule in rules)
        paired = con.execute(sql).df()["row"].to_numpy()
    keep_rows = np.zeros(total, dtype=bool)
    keep_rows[paired.astype(np.int64)] = True
    rng = np.random.default_rng(seed)
    sample_rows = rng.choice(total, size=min(SAMPLE_ROWS, total), replace=False)
    keep_rows[sample_rows] = True
    chosen = np.flatnonzero(keep_rows)
    dates = {c: d.iloc[chosen] for c, d in (long_dates or {}).items()}
    features = feature_frame(long_people.iloc[chosen], dates=dates)
    ids = long_people["id"].astype(str)
    sample_ids = set(ids.iloc[sample_rows])
    paired_ids = set(ids.iloc[np.unique(paired.astype(np.int64))])
    return ReducedRegister(features, sample_ids, paired_ids, total)


# Each blocking rule of `model.py`, loosened to the words of a register row: "a" and
# "b" are two different words of the row (a surname and a given name or initial are
# different words), "r" the row, "s" the short list.
_GENEROUS = [rule for rule, _ in model.GENEROUS_RULES]
SUPERSETS = {
    model.BLOCKING_RULES[0]: (  # surname stem and initial
        "SELECT a.row FROM t a JOIN t b ON a.row = b.row AND a.pos <> b.pos JOIN short s"
        " ON a.stem = s.surname_stem AND b.initial = s.given_initial"
    ),
    model.BLOCKING_RULES[1]: (  # surname skeleton and year of birth
        "SELECT a.row FROM t a JOIN rows_in r ON a.row = r.row JOIN short s"
        " ON a.skel = s.surname_skel AND r.year = s.approx_birth_year"
    ),
    model.BLOCKING_RULES[2]: (  # given name skeleton and birth date
        "SELECT a.row FROM t a JOIN rows_in r ON a.row = r.row JOIN short s"
        " ON a.given_skel = s.given_skel AND r.birth_date = s.birth_date"
    ),
    model.BLOCKING_RULES[3]: (  # surname and given name crossed
        "SELECT a.row FROM t a JOIN t b ON a.row = b.row AND a.pos <> b.pos JOIN short s"
        " ON a.stem = s.given AND b.folded = s.surname_stem"
    ),
    model.BLOCKING_RULES[4]: (  # given name skeleton, year, first letter of the surname
        "SELECT a.row FROM t a JOIN t b ON a.row = b.row AND a.pos <> b.pos JOIN rows_in r ON a.row = r.row"
        " JOIN short s ON a.given_skel = s.given_skel AND r.year = s.approx_birth_year"
        " AND left(b.skel, 1) = left(s.surname_skel, 1)"
    ),
    model.BLOCKING_RULES[5]: (  # birth date and town
        "SELECT r.row FROM rows_in r JOIN short s"
        " ON r.birth_date = s.birth_date AND r.place = s.place"
    ),
    model.BLOCKING_RULES[6]: (  # birth date and initial
        "SELECT a.row FROM t a JOIN rows_in r ON a.row = r.row JOIN short s"
        " ON r.birth_date = s.birth_date AND a.initial = s.given_initial"
    ),
    _GENEROUS[0]: (  # initial, year, first three letters of the surname skeleton
        "SELECT a.row FROM t a JOIN t b ON a.row = b.row AND a.pos <> b.pos JOIN rows_in r ON a.row = r.row"
        " JOIN short s ON a.initial = s.given_initial AND r.year = s.approx_birth_year"
        " AND left(b.skel, 3) = left(s.surname_skel, 3)"
    ),
    _GENEROUS[1]: (  # initial, year of birth and town
        "SELECT a.row FROM t a JOIN rows_in r ON a.row = r.row JOIN short s"
        " ON a.initial = s.given_initial AND r.year = s.approx_birth_year AND r.place = s.place"
    ),
    _GENEROUS[2]: (  # town and given name skeleton
        "SELECT a.row FROM t a JOIN rows_in r ON a.row = r.row JOIN short s"
        " ON a.given_skel = s.given_skel AND r.place = s.place"
    ),
}


def term_frequencies(frames: list[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Term frequency tables (value, tf_value) for Splink, over the given frames."""
    joined = pd.concat([f[TF_COLUMNS] for f in frames], ignore_index=True)
    out = {}
    for column in TF_COLUMNS:
        counts = joined[column].dropna().value_counts(normalize=True)
        out[column] = pd.DataFrame(
            {column: counts.index.astype(str), f"tf_{column}": counts.values}
        )
    return out
