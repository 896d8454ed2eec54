"""The matching model: a Fellegi-Sunter model in Splink's terms.

Seven comparisons, each a ladder of levels from "agrees exactly" to "disagrees", over
the columns of `features.FEATURE_COLUMNS`. Every level carries a prior m and u
probability (m: how often a true match lands on the level; u: how often two different
people do). Training (`matching.train`) replaces them with estimates from the list
itself; when a list is too small to learn from, the priors are the model. They were
set from the synthetic Kazakh benchmark (`bench/linkage_quality.py`) and rounded.

SQL conditions are written once and take the dialect's string-similarity function, so
the same model runs on DuckDB and on Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

LinkType = Literal["link_only", "dedupe_only"]


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    m: float
    u: float
    tf_column: str | None = None
    is_null: bool = False
    # Kept at the prior in training unless the training pairs are mostly true matches
    # (`training.MIN_TRAINING_PURITY`): on big lists EM takes namesakes, or people born
    # on one day with one given name, for matches, and would learn that the same person
    # often has a wholly different birth date or surname.
    fixed_m: bool = False


def _null(*columns: str) -> str:
    return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)


def comparison_levels(dialect: str) -> dict[str, list[Level]]:
    """The comparisons, keyed by name, in the SQL of `dialect` ("duckdb" or "spark")."""
    jw = jaro_winkler_function(dialect)
    return {**_name_levels(jw), **_birth_levels(dialect), **_circumstance_levels(jw)}


def _name_levels(jw: str) -> dict[str, list[Level]]:
    """Surname, given name and patronymic; `jw` names the Jaro-Winkler function."""
    # Names can be crossed only where the order was a guess on one side at least: two
    # surnames with endings ("Daulet Kuanyshev", "Kuanysh Dauletov") are two people.
    guessed = "(surname_suffixed_l IS NULL OR surname_suffixed_r IS NULL) AND "
    crossed = guessed + "surname_stem_l = given_r AND given_l = surname_stem_r"
    # Crossed with a typing error on one side ("capurso aleihsha" / "alesha capurso").
    crossed_alike = guessed + (
        f"greatest({jw}(surname_stem_l, given_r), {jw}(given_l, surname_stem_r)) >= 0.95"
        f" AND least({jw}(surname_stem_l, given_r), {jw}(given_l, surname_stem_r)) >= 0.85"
    )
    # The surname written where the other list has the given name, whose own given name
    # differs ("emily stronach" / "stronach ethan").
    half_crossed = guessed + "(surname_stem_l = given_r OR given_l = surname_stem_r)"
    return {
        "surname": [
            Level("surname missing", _null("surname_stem"), 0, 0, is_null=True),
            Level("same surname stem", "surname_stem_l = surname_stem_r", 0.86, 0.003,
                  tf_column="surname_stem"),
            # Term frequencies here and in the given name's crossed level: "Vlad Kim" and
            # "KIM VLAD" are as often namesakes as two "Kim Vlad".
            Level("surname and given name crossed", crossed, 0.01, 0.00002,
                  tf_column="surname_stem"),
            Level("surname and given name crossed, alike", crossed_alike, 0.005, 0.00002),
            Level("surname in the other's given name", half_crossed, 0.01, 0.0005),
            Level("same surname skeleton", "surname_skel_l = surname_skel_r", 0.06, 0.0006),
            Level("surname stems alike (JW >= 0.92)",
                  f"{jw}(surname_stem_l, surname_stem_r) >= 0.92", 0.05, 0.002),
            Level("surname stems close (JW >= 0.85)",
                  f"{jw}(surname_stem_l, surname_stem_r) >= 0.85", 0.01, 0.01),
            Level("different surname", "ELSE", 0.02, 0.985, fixed_m=True),
        ],
        "given": [
            Level("given name missing", _null("given_initial"), 0, 0, is_null=True),
            Level("same given name", "given_l = given_r", 0.80, 0.01, tf_column="given"),
            Level("same given name skeleton", "given_skel_l = given_skel_r", 0.07, 0.002),
            Level("given name and surname crossed", crossed, 0.01, 0.00002, tf_column="given"),
            Level("given name and surname crossed, alike", crossed_alike, 0.005, 0.00002),
            Level("given names alike (JW >= 0.9)", f"{jw}(given_l, given_r) >= 0.9", 0.04, 0.01),
            Level("same initial, one side initial only",
                  "(given_l IS NULL OR given_r IS NULL) AND given_initial_l = given_initial_r",
                  0.06, 0.07),
            Level("different given name", "ELSE", 0.02, 0.90, fixed_m=True),
        ],
        "patronymic": [
            Level("patronymic missing", _null("patronymic_initial"), 0, 0, is_null=True),
            Level("same patronymic", "patronymic_stem_l = patronymic_stem_r", 0.80, 0.01,
                  tf_column="patronymic_stem"),
            Level("patronymics alike (JW >= 0.9)",
                  f"{jw}(patronymic_stem_l, patronymic_stem_r) >= 0.9", 0.06, 0.01),
            Level("same initial, one side initial only",
                  "(patronymic_stem_l IS NULL OR patronymic_stem_r IS NULL)"
                  " AND patronymic_initial_l = patronymic_initial_r", 0.10, 0.07),
            Level("different patronymic", "ELSE", 0.04, 0.91),
        ],
    }  # fmt: skip


def dates_one_typo_apart(left: str, right: str, dialect: str) -> str:
    """SQL: two ISO dates at most one typo apart (Damerau-Levenshtein distance <= 1).

    On DuckDB the distance is computed only for dates two characters apart: the dates
    are all ten characters (`features.birth_columns`), so a distance of one is one
    character changed (a Hamming distance of one) or two neighbours swapped (two). The
    distance costs some 20 times the Hamming distance, and a million-row list compares
    dates some 50 million times."""
    distance = f"damerau_levenshtein({left}, {right}) <= 1"
    if dialect != "duckdb":
        return distance
    return f"(hamming({left}, {right}) <= 1 OR (hamming({left}, {right}) = 2 AND {distance}))"


def _birth_levels(dialect: str) -> dict[str, list[Level]]:
    """Birth date, or the age when only an age is known."""
    one_exact = "(dates_exact_l = 0 OR dates_exact_r = 0)"
    one_typo = dates_one_typo_apart("birth_date_l", "birth_date_r", dialect)
    return {
        "birth": [
            Level("birth date and age missing", _null("approx_birth_year"), 0, 0, is_null=True),
            Level("same birth date", "birth_date_l = birth_date_r", 0.80, 0.0001),
            Level("day and month swapped",
                  "birth_year_l = birth_year_r AND birth_month_l = birth_day_r"
                  " AND birth_day_l = birth_month_r", 0.03, 0.00001),
            Level("birth dates one typo apart", one_typo, 0.06, 0.001),
            Level("same birth year, different day",
                  "birth_year_l = birth_year_r AND dates_exact_l = 1 AND dates_exact_r = 1",
                  0.02, 0.016),
            Level("age agrees within a year",
                  f"{one_exact} AND abs(approx_birth_year_l - approx_birth_year_r) <= 1",
                  0.80, 0.05),
            Level("age agrees within three years",
                  f"{one_exact} AND abs(approx_birth_year_l - approx_birth_year_r) <= 3",
                  0.05, 0.06),
            Level("different birth", "ELSE", 0.01, 0.88, fixed_m=True),
        ],
    }  # fmt: skip


def _circumstance_levels(jw: str) -> dict[str, list[Level]]:
    """Place, event date and gender."""
    return {
        "place": [
            Level("place missing",
                  "(place_l IS NULL AND region_l IS NULL) OR (place_r IS NULL AND region_r IS NULL)",
                  0, 0, is_null=True),
            Level("same town", "place_l = place_r", 0.85, 0.10, tf_column="place"),
            # A town mistyped in one list ("bundzberg"); Kazakh towns' keys are far apart.
            Level("towns alike (JW >= 0.9)", f"{jw}(place_l, place_r) >= 0.9", 0.05, 0.005),
            Level("same region", "region_l = region_r", 0.08, 0.10),
            Level("different place", "ELSE", 0.07, 0.80),
        ],
        "event": [
            Level("event date missing", _null("event_day"), 0, 0, is_null=True),
            Level("same event date", "event_day_l = event_day_r", 0.80, 0.15),
            Level("event dates within 3 days", "abs(event_day_l - event_day_r) <= 3", 0.15, 0.45),
            Level("different event date", "ELSE", 0.05, 0.40),
        ],
        "gender": [
            Level("gender missing", _null("gender"), 0, 0, is_null=True),
            Level("same gender", "gender_l = gender_r", 0.98, 0.5),
            Level("different gender", "ELSE", 0.02, 0.5),
        ],
    }  # fmt: skip


COMPARISONS = ["surname", "given", "patronymic", "birth", "place", "event", "gender"]

# Pairs worth scoring. Each rule is cheap on its own; together they catch a person whose
# surname, given name or birth date was written differently in the two lists.
BLOCKING_RULES = [
    # Same surname and initial: a common surname with a common initial is a big block,
    # so two full given names must also share a skeleton or a birth year, unless a side
    # has no birth year at all (a mistyped given name with nothing else to go on).
    "l.surname_stem = r.surname_stem AND l.given_initial = r.given_initial"
    " AND (l.given IS NULL OR r.given IS NULL OR l.given_skel = r.given_skel"
    " OR l.approx_birth_year = r.approx_birth_year"
    " OR l.approx_birth_year IS NULL OR r.approx_birth_year IS NULL)",
    "l.surname_skel = r.surname_skel AND l.approx_birth_year = r.approx_birth_year",
    "l.given_skel = r.given_skel AND l.birth_date = r.birth_date",
    "l.surname_stem = r.given AND l.given = r.surname_stem",
    "l.given_skel = r.given_skel AND l.approx_birth_year = r.approx_birth_year"
    " AND substr(l.surname_skel, 1, 1) = substr(r.surname_skel, 1, 1)",
    # A birth date is nearly an identifier: with the town or the initial it finds the
    # person whose name was written quite differently.
    "l.birth_date = r.birth_date AND l.place = r.place",
    "l.birth_date = r.birth_date AND l.given_initial = r.given_initial",
]

# Rules that also catch a mistyped surname against an initial, each affordable up to a
# number of possible pairs (an official list of 240 against a million is 2.4e8).
GENEROUS_RULES = [
    (
        "l.given_initial = r.given_initial AND l.approx_birth_year = r.approx_birth_year"
        " AND substr(l.surname_skel, 1, 3) = substr(r.surname_skel, 1, 3)",
        1e9,
    ),
    (
        "l.given_initial = r.given_initial AND l.approx_birth_year = r.approx_birth_year"
        " AND l.place = r.place",
        1e8,
    ),
    # Without a birth date: the same town and given name finds a surname mistyped on
    # one side ("aidan broughn"/"aidan broughan", both in Smithfield).
    ("l.place = r.place AND l.given_skel = r.given_skel", 3e7),
    # Without a birth date or the given name: the same town and first letter of the
    # surname ("bianca cobbett"/"biana cbobett", both in Woodend).
    ("l.place = r.place AND substr(l.surname_skel, 1, 1) = substr(r.surname_skel, 1, 1)", 3e7),
]

# Rules for the EM training sessions: each leaves some comparisons free to estimate.
TRAINING_KEYS = [("surname_stem", "given_initial"), ("approx_birth_year", "place")]
TRAINING_RULES = [" AND ".join(f"l.{c} = r.{c}" for c in keys) for keys in TRAINING_KEYS]

# Rules nearly free of false matches, to estimate how often two records match.
DETERMINISTIC_RULES = [
    "l.surname_stem = r.surname_stem AND l.given = r.given AND l.birth_date = r.birth_date",
    "l.surname_stem = r.surname_stem AND l.given_initial = r.given_initial"
    " AND l.approx_birth_year = r.approx_birth_year AND l.place = r.place",
]


def jaro_winkler_function(dialect: str) -> str:
    return "jaro_winkler" if dialect == "spark" else "jaro_winkler_similarity"


# Too broad to search a register with: a short list's towns and letters cover much of it.
NOT_FOR_REGISTER = {GENEROUS_RULES[3][0]}


def blocking_rules(possible_pairs: float, register: bool = False) -> list[str]:
    """The rules that pick the pairs to score, given how many pairs there could be, and
    whether a short list is searched against a register (`register.py`)."""
    generous = [
        rule
        for rule, up_to in GENEROUS_RULES
        if possible_pairs <= up_to and not (register and rule in NOT_FOR_REGISTER)
    ]
    return BLOCKING_RULES + generous


def possible_pairs(link_type: LinkType, n_left: int, n_right: int) -> int:
    if link_type == "link_only":
        return n_left * n_right
    return n_left * (n_left - 1) // 2


def settings_dict(
    link_type: LinkType,
    dialect: str,
    probability_two_random_records_match: float,
    pairs: float = 0,
    use_priors: bool = True,
    register: bool = False,
    fix_m: bool = True,
) -> dict[str, Any]:
    """A Splink settings dictionary for the model, with the priors as m and u values;
    `pairs` and `register` as for `blocking_rules`; with `fix_m` the levels marked
    `fixed_m` keep their m in training."""
    comparisons = []
    for name, levels in comparison_levels(dialect).items():
        level_dicts = []
        for level in levels:
            entry: dict[str, Any] = {
                "sql_condition": level.sql,
                "label_for_charts": level.label,
            }
            if level.is_null:
                entry["is_null_level"] = True
            elif use_priors:
                entry["m_probability"] = level.m
                entry["u_probability"] = level.u
            if level.fixed_m and fix_m:
                entry["fix_m_probability"] = True
            if level.tf_column:
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = 1.0
            level_dicts.append(entry)
        comparisons.append(
            {
                "output_column_name": name,
                "comparison_description": name,
                "comparison_levels": level_dicts,
            }
        )
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": blocking_rules(pairs, register),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "em_convergence": 0.001,
        "max_iterations": 12,
    }


def prior_match_probability(link_type: LinkType, n_left: int, n_right: int) -> float:
    """A prior for the chance that two records picked at random are the same person:
    for a link, half the shorter list is assumed to appear in the other; for a
    deduplication, one record in five to have a duplicate."""
    pairs = max(possible_pairs(link_type, n_left, n_right), 1)
    if link_type == "link_only":
        expected = 0.5 * max(min(n_left, n_right), 1)
    else:
        expected = 0.2 * max(n_left, 1)
    return min(expected / pairs, 0.5)
