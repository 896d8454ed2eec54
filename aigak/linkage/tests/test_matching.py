"""The matching library: link, dedupe, one-to-one links, training and its fallback."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aigak.linkage.matching import clusters_from_pairs, dedupe_list, link_lists
from aigak.linkage.people import COLUMNS
from aigak.linkage.synthetic import dedupe_benchmark, link_benchmark

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it


def people(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{c: row.get(c, "") for c in COLUMNS} for row in rows])


# The example: one man written six ways, beside his sister and a namesake.
KUDAIBERGENOV = [
    {"id": "1", "full_name": "Құдайбергенов Қазыбек Серікұлы", "birth_date": "1990-05-03",
     "locality": "Алматы"},
    {"id": "2", "full_name": "Кудайбергенов Казыбек Серикович", "birth_date": "03.05.1990"},
    {"id": "3", "full_name": "Kazybek Kudaibergenov", "age": "31", "locality": "Alma-Ata"},
    {"id": "4", "full_name": "Qazybek Qudaibergenuly", "birth_date": "1990-05-03"},
    {"id": "5", "full_name": "К. Кудайбергенов", "age": "31", "locality": "Алматы"},
    {"id": "6", "full_name": "Kazbek Kudaibergen", "birth_date": "1990-03-05",
     "locality": "Almaty"},
    {"id": "7", "full_name": "Кудайбергенова Айгерим Сериковна", "birth_date": "1993-11-20",
     "locality": "Алматы"},
    {"id": "8", "full_name": "Кудайбергенов Канат Ерланович", "birth_date": "1972-02-14",
     "locality": "Тараз"},
    {"id": "9", "full_name": "", "birth_date": "1990-05-03"},
]  # fmt: skip


def test_it_gathers_the_six_spellings_of_one_man_and_keeps_his_relatives_apart():
    result = dedupe_list(people(KUDAIBERGENOV))
    cluster = dict(zip(result.clusters["id"], result.clusters["cluster_id"], strict=True))
    assert {cluster[i] for i in "123456"} == {"1"}
    assert len({cluster["1"], cluster["7"], cluster["8"], cluster["9"]}) == 4


def test_it_falls_back_to_priors_on_a_tiny_list_and_says_so():
    result = dedupe_list(people(KUDAIBERGENOV[:3]))
    assert not result.training.trained
    assert any("fixed m/u priors" in m for m in result.training.messages)
    assert set(result.clusters["cluster_id"]) == {"1"}


def test_it_keeps_every_row_in_the_clusters_even_without_a_name():
    result = dedupe_list(people([{"id": "a", "full_name": ""}, {"id": "b", "full_name": " "}]))
    assert list(result.clusters["id"]) == ["a", "b"]
    assert list(result.clusters["cluster_id"]) == ["a", "b"]


def test_it_counts_a_surname_in_the_other_lists_given_name_and_a_mistyped_town():
    left = people([
        {"id": "a", "full_name": "Emily Stronach", "birth_date": "1983-04-23", "locality": "Dapto"},
        {"id": "b", "full_name": "Kyle Irons", "birth_date": "1906-05-19", "locality": "Bundaberg"},
    ])  # fmt: skip
    right = people([
        {"id": "x", "full_name": "Stronach Ethan", "birth_date": "1983-04-23", "locality": "Dapto"},
        {"id": "y", "full_name": "Kyle Irons", "birth_date": "1906-05-19", "locality": "Bundzberg"},
    ])  # fmt: skip
    pairs = link_lists(left, right).candidates.set_index(["left_id", "right_id"])
    assert pairs.loc[("a", "x"), "weight_surname"] > 0
    assert pairs.loc[("b", "y"), "weight_place"] > 0


@pytest.fixture(scope="module")
def benchmark_link():
    left, right, truth = link_benchmark(500, seed=11)
    return left, right, truth, link_lists(left, right, threshold=0.5)


def test_it_links_synthetic_lists_with_high_precision_and_recall(benchmark_link):
    _, _, truth, result = benchmark_link
    found = set(result.links[["left_id", "right_id"]].itertuples(index=False, name=None))
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert result.training.trained
    assert precision >= 0.95
    assert recall >= 0.9


def test_it_links_each_id_at_most_once_and_above_the_threshold(benchmark_link):
    _, _, _, result = benchmark_link
    links = result.links
    assert list(links.columns) == ["left_id", "right_id", "probability"]
    assert links["left_id"].is_unique and links["right_id"].is_unique
    assert (links["probability"] >= 0.5).all() and (links["probability"] <= 1).all()


def test_it_puts_left_ids_on_the_left(benchmark_link):
    left, right, _, result = benchmark_link
    assert set(result.links["left_id"]) <= set(left["id"])
    assert set(result.links["right_id"]) <= set(right["id"])
    assert {"weight_surname", "weight_birth"} <= set(result.candidates.columns)


def test_it_links_the_same_ids_in_two_lists_that_share_id_values():
    left = people(
        [
            {"id": "1", "full_name": "Оспанов Ерлан", "birth_date": "1980-01-02"},
            {"id": "2", "full_name": "Ким Олег", "birth_date": "1975-06-07"},
        ]
    )
    right = people(
        [
            {"id": "1", "full_name": "Oleg Kim", "birth_date": "1975-06-07"},
            {"id": "2", "full_name": "Yerlan Ospanov", "birth_date": "1980-01-02"},
        ]
    )
    result = link_lists(left, right)
    assert sorted(result.links[["left_id", "right_id"]].itertuples(index=False, name=None)) == [
        ("1", "2"), ("2", "1")]  # fmt: skip


def test_it_dedupes_a_synthetic_list_into_about_the_right_number_of_people():
    frame, truth = dedupe_benchmark(300, seed=4)
    result = dedupe_list(frame)
    assert len(result.clusters) == len(frame)
    found = result.clusters["cluster_id"].nunique()
    assert abs(found - truth.nunique()) <= 0.05 * truth.nunique()


CLUSTERS = [
    ([], ["a", "b", "c", "d"]),
    ([("a", "b")], ["a", "a", "c", "d"]),
    ([("c", "b"), ("d", "c")], ["a", "b", "b", "b"]),
]


@pytest.mark.parametrize(("pairs", "expected"), CLUSTERS)
def test_it_names_each_cluster_by_its_first_row(pairs, expected):
    frame = pd.DataFrame(pairs, columns=["left_id", "right_id"])
    clusters = clusters_from_pairs(pd.Series(["a", "b", "c", "d"]), frame)
    assert list(clusters["cluster_id"]) == expected


def test_it_keeps_every_register_row_a_blocking_rule_would_pair(monkeypatch):
    import duckdb

    from aigak.linkage import model, register
    from aigak.linkage.features import feature_frame
    from aigak.linkage.synthetic import INITIALS_STYLES, STYLES, population, render_list

    people = population(3000, seed=5)
    long = render_list(people, STYLES, 6, "R").drop(columns="person")
    short = render_list(people.sample(60, random_state=1), INITIALS_STYLES, 7, "O",
                        official=True).drop(columns="person")  # fmt: skip
    short_features = feature_frame(short)
    monkeypatch.setattr(register, "SAMPLE_ROWS", 10)
    reduced = register.reduce_register(short_features, long)
    full = feature_frame(long)
    with duckdb.connect() as con:
        con.register("l", short_features)
        con.register("r", full)
        rules = model.blocking_rules(len(short) * len(long), register=True)
        sql = " UNION ".join(f"SELECT r.unique_id FROM l JOIN r ON {rule}" for rule in rules)
        paired = set(con.execute(sql).df()["unique_id"])
    kept = set(reduced.features["unique_id"])
    assert paired and paired <= kept
    assert len(kept) < len(long) / 2
    assert len(reduced.sample_ids) == 10 and reduced.sample_ids <= kept


def test_it_has_a_register_search_for_every_blocking_rule():
    from aigak.linkage import model, register

    assert set(model.blocking_rules(0, register=True)) == set(register.SUPERSETS)


def test_a_dateless_record_shares_its_odds_among_namesakes_who_cannot_be_one_person():
    from aigak.linkage.clusters import among_rivals
    from aigak.linkage.features import feature_frame

    features = feature_frame(people([
        {"id": "a", "full_name": "Vladimir Kasenov", "locality": "Astana"},
        {"id": "b", "full_name": "Vladimir Kasenov", "birth_date": "1962-02-12"},
        {"id": "c", "full_name": "Vladimir Kasenov", "birth_date": "1975-08-30"},
        {"id": "d", "full_name": "Aigerim Sarsenova", "locality": "Astana"},
        {"id": "e", "full_name": "Aigerim Sarsenova", "birth_date": "1990-01-01"},
        {"id": "f", "full_name": "Aigerim Sarsenova", "birth_date": "01.01.1990"},
    ]))  # fmt: skip
    # Odds of 3 (probability 0.75) for each pair alone.
    pairs = pd.DataFrame({"left_id": ["a", "a", "d", "d", "e"], "right_id": ["b", "c", "e", "f", "f"],
                          "match_weight": [1.585] * 5})  # fmt: skip
    keys = zip(pairs["left_id"], pairs["right_id"], strict=True)
    joined = dict(zip(keys, among_rivals(pairs, features), strict=True))
    # b and c were born 13 years apart: a is one of them at most.
    assert joined[("a", "b")] < 0.5 and joined[("a", "c")] < 0.5
    # e and f can be one person (and are paired): no rivals.
    assert joined[("d", "e")] == pytest.approx(0.75, abs=0.01)
    assert joined[("e", "f")] == pytest.approx(0.75, abs=0.01)


def test_a_pair_of_namesakes_weighs_as_much_as_the_rows_with_its_name_allow():
    from aigak.linkage.clusters import MIN_NAMESAKE_ROWS, among_namesakes
    from aigak.linkage.features import feature_frame

    # Eight rows read "Ruslan Yevgeniy" in either order; two read "Aigerim Sarsenova".
    rows = [{"id": f"r{i}", "full_name": "Yevgeniy Ruslan" if i % 2 else "RUSLAN YEVGENIY"}
            for i in range(8)]  # fmt: skip
    rows += [{"id": "s1", "full_name": "Aigerim Sarsenova"},
             {"id": "s2", "full_name": "Sarsenova Aigerim"}]  # fmt: skip
    features = feature_frame(people(rows))
    assert MIN_NAMESAKE_ROWS <= 8
    pairs = pd.DataFrame({"left_id": ["r0", "r0", "s1"], "right_id": ["r1", "r2", "s2"],
                          "match_weight": [12.0, -3.0, 12.0], "weight_place": [2.0, 0, 0]})  # fmt: skip
    # One other record of the same person per record, on average: a chance of 1 in 7
    # for each of the seven namesakes, before the same place (+2).
    rate = 1 / (len(features) - 1)
    counted = list(among_namesakes(pairs, features, rate))
    assert counted[0] == pytest.approx(math.log2((1 / 7) / (6 / 7)) + 2.0)
    # Already below the bound: kept. A name on two rows only: left to the model.
    assert counted[1:] == [-3.0, 12.0]


def test_a_record_with_several_namesake_candidates_joins_none_of_them():
    from aigak.linkage.clusters import among_rivals
    from aigak.linkage.features import feature_frame

    features = feature_frame(people([
        {"id": "a", "full_name": "Ruslan Dautov", "age": "58"},
        {"id": "b", "full_name": "Ruslan Dautov", "age": "57", "locality": "Almaty"},
        {"id": "c", "full_name": "Ruslan Dautov", "age": "59", "locality": "Taraz"},
    ]))  # fmt: skip
    # a pairs with b and with c (odds 3 each); b and c were not paired: two people.
    pairs = pd.DataFrame({"left_id": ["a", "a"], "right_id": ["b", "c"],
                          "match_weight": [1.585, 1.585]})  # fmt: skip
    alone = among_rivals(pairs, features)
    assert list(alone.round(2)) == [0.75, 0.75]  # their ages do not contradict
    counted = among_rivals(pairs.assign(namesakes=True), features)
    assert list(counted.round(2)) == [0.43, 0.43]  # odds 3 / (1 + 3)


def test_it_does_not_chain_namesakes_with_different_birth_dates_into_one_cluster():
    # b has no date and pairs with both a and c, born 18 years apart.
    ids = pd.Series(["a", "b", "c"])
    pairs = pd.DataFrame({"left_id": ["a", "b"], "right_id": ["b", "c"], "probability": [0.9, 0.8]})
    dates = pd.Series(["1972-02-14", None, "1990-05-03"])
    clusters = clusters_from_pairs(ids, pairs, birth_dates=dates)
    assert list(clusters["cluster_id"]) == ["a", "a", "c"]


def test_two_pairs_are_not_joined_by_one_bridge_between_them():
    # a-b and c-d are pairs; b-c alone would bridge them: one pair of the four between.
    ids = pd.Series(["a", "b", "c", "d"])
    pairs = pd.DataFrame({"left_id": ["a", "c", "b"], "right_id": ["b", "d", "c"],
                          "probability": [0.99, 0.98, 0.9]})  # fmt: skip
    assert list(clusters_from_pairs(ids, pairs)["cluster_id"]) == ["a", "a", "c", "c"]
    # With a-c and b-d too, half the pairs between them are linked: one person.
    more = pd.concat([pairs, pd.DataFrame({"left_id": ["a"], "right_id": ["c"],
                                           "probability": [0.8]})])  # fmt: skip
    assert list(clusters_from_pairs(ids, more)["cluster_id"]) == ["a", "a", "a", "a"]


@pytest.mark.parametrize(
    ("one", "other", "joined"),
    [("1990-05-03", "1990-03-05", True), ("1990-05-03", "1990-05-08", True),
     ("1990-05-03", "1909-05-03", True), ("1990-05-03", "1991-06-03", False)],
)  # fmt: skip
def test_it_joins_dates_a_swap_or_a_typo_apart(one, other, joined):
    pairs = pd.DataFrame({"left_id": ["a"], "right_id": ["b"]})
    clusters = clusters_from_pairs(pd.Series(["a", "b"]), pairs, pd.Series([one, other]))
    assert (clusters["cluster_id"].nunique() == 1) == joined


def test_it_keeps_a_man_and_a_woman_apart():
    pairs = pd.DataFrame({"left_id": ["a"], "right_id": ["b"]})
    clusters = clusters_from_pairs(pd.Series(["a", "b"]), pairs, genders=pd.Series(["m", "f"]))
    assert list(clusters["cluster_id"]) == ["a", "b"]


def test_dates_one_typo_apart_on_duckdb_is_the_damerau_levenshtein_test():
    # Every pair among dates one or two edits from one another, and some far apart.
    import duckdb

    from aigak.linkage.model import dates_one_typo_apart

    base = ["1990-05-03", "1990-03-05", "1909-05-03", "1990-05-30", "1990-50-03",
            "1991-05-03", "1990-05-04", "1999-05-03", "2001-12-11", "1990-06-03"]  # fmt: skip
    pairs = pd.DataFrame([(a, b) for a in base for b in base], columns=["a", "b"])
    fast = dates_one_typo_apart("a", "b", "duckdb")
    with duckdb.connect() as con:
        con.register("pairs", pairs)
        rows = con.execute(
            f"SELECT a, b, {fast}, damerau_levenshtein(a, b) <= 1 FROM pairs"
        ).fetchall()
    assert [r[:3] for r in rows] == [(r[0], r[1], r[3]) for r in rows]
    assert sum(r[2] for r in rows) > len(base)  # some pairs are one typo apart


def test_a_long_list_scored_in_chunks_gives_the_same_pairs(monkeypatch):
    from aigak.linkage import matching

    frame, _ = dedupe_benchmark(400, seed=5)
    whole = dedupe_list(frame)
    monkeypatch.setattr(matching, "PREDICT_CHUNK_ROWS", len(frame) // 3)
    chunked = dedupe_list(frame)
    key = ["left_id", "right_id", "probability"]
    assert len(whole.pairs) > 50
    assert sorted(map(tuple, chunked.pairs[key].round(9).to_numpy())) == sorted(
        map(tuple, whole.pairs[key].round(9).to_numpy())
    )


def _namesakes_of_one_year() -> pd.DataFrame:
    """30 names on 8 rows each: four people a name, each written twice (so one other
    record of one's person per record), all born in 1970 and living in Taraz."""
    rows = []
    for s, surname in enumerate(["Kasenov", "Dautov", "Omarov", "Sarsenov", "Temirov", "Zhakupov"]):
        for g, given in enumerate(["Aidos", "Ruslan", "Serik", "Daulet", "Nurlan"]):
            for person in range(4):
                date = f"1970-{person + 1:02d}-{s * 5 + g + 1:02d}"
                for copy in range(2):
                    rows.append({"id": f"{s}-{g}-{person}-{copy}", "birth_date": date,
                                 "full_name": f"{surname} {given}", "locality": "Taraz"})  # fmt: skip
    return people(rows)


def test_it_counts_other_records_of_ones_person_from_namesakes_born_on_one_day():
    from aigak.linkage.clusters import namesake_duplicates
    from aigak.linkage.features import feature_frame

    features = feature_frame(_namesakes_of_one_year())
    # Of the 28 pairs of each name, 4 were born on one day: 1 in 7 is one person.
    assert namesake_duplicates(features, same_date_share=1.0) == pytest.approx(1.0)
    # If only half of one person's records kept the same date, twice as many are.
    assert namesake_duplicates(features, same_date_share=0.5) == pytest.approx(2.0)
    # Too few namesakes born on one day to tell.
    assert namesake_duplicates(features.head(40), same_date_share=1.0) is None


def test_a_long_list_of_namesakes_does_not_raise_the_match_rate():
    from aigak.linkage import training
    from aigak.linkage.features import feature_frame

    features = feature_frame(_namesakes_of_one_year())
    total = len(features) * (len(features) - 1) // 2
    rate = training._match_probability("dedupe_only", [features], 0.01, [], total)
    # The deterministic rules take all 28 pairs of a name (one surname, initial, year
    # and town) for matches: ten other records per record after their assumed recall.
    # The namesakes' birth dates say one (over the priors' share of one person's
    # records with the same date, as one person's records here always have).
    assert rate * (len(features) - 1) == pytest.approx(1.0 / training._same_date_share())


def _namesakes_with_patronymics() -> pd.DataFrame:
    """50 names on 7 rows each: two people a name with different patronymics, each
    written three times, the third copy of one name in five with day and month swapped
    and of one in five a typo away; and a brother of the first with his patronymic,
    born 20 years later."""
    rows = []
    surnames = ["Kasenov", "Dautov", "Omarov", "Sarsenov", "Temirov", "Zhakupov", "Abenov",
                "Beisenov", "Ermekov", "Nurov"]  # fmt: skip
    for s, surname in enumerate(surnames):
        for g, given in enumerate(["Aidos", "Ruslan", "Serik", "Daulet", "Arman"]):
            n, year = s * 5 + g, 1940 + s * 5 + g
            for person, (father, day) in enumerate(
                [("Muratovich", "03-07"), ("Nurlanovich", "05-09")]
            ):
                third = {0: day[3:] + "-" + day[:2], 1: day[:3] + "0" + str(int(day[4]) - 1)}
                for copy in range(3):
                    date = f"{year}-{third.get(n % 5, day) if copy == 2 else day}"
                    rows.append({"id": f"{n}-{person}-{copy}", "birth_date": date,
                                 "full_name": f"{surname} {given} {father}"})  # fmt: skip
            rows.append({"id": f"{n}-brother", "birth_date": f"{year + 20}-11-21",
                         "full_name": f"{surname} {given} Muratovich"})  # fmt: skip
    return people(rows)


def test_it_reads_the_share_of_one_persons_records_with_one_date_from_the_list():
    from aigak.linkage import training
    from aigak.linkage.clusters import namesake_duplicates, namesake_same_date_share
    from aigak.linkage.features import feature_frame

    features = feature_frame(_namesakes_with_patronymics())
    # 300 pairs of one name and patronymic with dates that agree (the brother's are
    # 20 years off and left out): 3 same-day pairs a person, but 1 where the third
    # copy was swapped or mistyped (two names in five).
    assert namesake_same_date_share(features) == pytest.approx((3 * 3 + 2 * 1) / 15)
    # The match rate counts the same-day namesakes over that share, not the priors'.
    rate = training._namesake_match_rate(features)
    others = namesake_duplicates(features, (3 * 3 + 2 * 1) / 15)
    assert rate * (len(features) - 1) == pytest.approx(others)
    assert others != pytest.approx(namesake_duplicates(features, training._same_date_share()))
    # Too few such pairs to tell: the priors' share stands.
    assert namesake_same_date_share(features.head(140)) is None
