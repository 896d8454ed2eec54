"""Grouping scored pairs into people, without chaining namesakes together.

Plain connected components join everything a chain of pairs touches: a record with only
a common name ("Айгерим Есахметова", no date) pairs with several namesakes and so pulls
them into one cluster. Here pairs are taken most probable first and two groups are
joined only when nothing in them contradicts: no two birth dates that differ (beyond a
swap of day and month or one typed digit), no two genders, no two years of birth (from
a date or an age) more than three years apart, and only when at least half the pairs
between them were scored as one person.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from aigak.linkage.model import dates_one_typo_apart

# Years of birth within a cluster may differ this much: an age is a year off in the
# lists, and an age without the date of the event gives the year only to within one.
MAX_YEAR_SPREAD = 3


def dates_agree(one: str, other: str) -> bool:
    """Whether two ISO dates can be one person's: equal, day and month swapped, or one
    digit or one adjacent transposition apart.

    >>> dates_agree("1990-05-03", "1990-03-05"), dates_agree("1990-05-03", "1990-05-08")
    (True, True)
    >>> dates_agree("1990-05-03", "1972-11-20")
    False
    """
    if one == other or one[:4] + one[7:] + one[4:7] == other:
        return True
    if len(one) != len(other):
        return False
    differ = [i for i, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
    if len(differ) == 1:
        return True
    i, j = (differ + [0, 0])[:2]
    return len(differ) == 2 and j == i + 1 and one[i] == other[j] and one[j] == other[i]


def clusters_from_pairs(
    ids: pd.Series,
    pairs: pd.DataFrame,
    birth_dates: pd.Series | None = None,
    genders: pd.Series | None = None,
    birth_years: pd.Series | None = None,
) -> pd.DataFrame:
    """`id`, `cluster_id` for every id. `pairs` (`left_id`, `right_id`, and
    `probability` when there is one) are joined most probable first, refusing a join
    that would put contradicting birth dates, genders or years of birth (aligned with
    `ids`; missing values contradict nothing) in one cluster. A cluster is named by its
    first row."""
    ids = ids.reset_index(drop=True)
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    parent = np.arange(len(ids))
    dates: dict[int, set[str]] = {}
    sexes: dict[int, set[str]] = {}
    for values, store in ((birth_dates, dates), (genders, sexes)):
        if values is not None:
            for i, value in enumerate(values.to_numpy()):
                if isinstance(value, str) and value:
                    store[i] = {value}
    # Only a cluster with an age in it checks years: two dates are checked as dates,
    # which forgives a mistyped digit of the year.
    years: dict[int, tuple[int, int]] = {}
    aged: set[int] = set()
    if birth_years is not None:
        for i, year in enumerate(pd.to_numeric(birth_years, errors="coerce").to_numpy()):
            if not np.isnan(year):
                years[i] = (int(year), int(year))
                if i not in dates:
                    aged.add(i)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if "probability" in pairs.columns:
        pairs = pairs.sort_values("probability", ascending=False, kind="stable")
    lefts = position.loc[pairs["left_id"].to_numpy()].to_numpy().tolist()
    rights = position.loc[pairs["right_id"].to_numpy()].to_numpy().tolist()
    linked = set(zip(lefts, rights, strict=True)) | set(zip(rights, lefts, strict=True))
    members: dict[int, list[int]] = {}
    for a, b in zip(lefts, rights, strict=True):
        ra, rb = root(a), root(b)
        if ra == rb or not _compatible(ra, rb, dates, sexes):
            continue
        if not _mostly_linked(members.get(ra, [ra]), members.get(rb, [rb]), linked):
            continue
        if ra in years and rb in years and (ra in aged or rb in aged):
            low, high = min(years[ra][0], years[rb][0]), max(years[ra][1], years[rb][1])
            if high - low > MAX_YEAR_SPREAD:
                continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        members[keep] = members.pop(keep, [keep]) + members.pop(gone, [gone])
        for store in (dates, sexes):
            if gone in store:
                store.setdefault(keep, set()).update(store.pop(gone))
        if gone in aged:
            aged.add(keep)
        if gone in years:
            span = years.pop(gone)
            mine = years.get(keep, span)
            years[keep] = (min(mine[0], span[0]), max(mine[1], span[1]))
    first = np.array([root(i) for i in range(len(ids))], dtype=np.int64)
    return pd.DataFrame({"id": ids.to_numpy(), "cluster_id": ids.to_numpy()[first]})


def _mostly_linked(one: list[int], other: list[int], linked: set[tuple[int, int]]) -> bool:
    """Whether two groups may join: at least half the pairs between them were scored as
    one person. One pair between two groups is not enough (two namesakes each already
    with a record of their own, bridged by an undated third): on the 1,000,000-row list
    44% of the false pairs were in clusters of four or more, which one pair had joined."""
    if len(one) + len(other) <= 2:
        return True
    found = sum((x, y) in linked for x in one for y in other)
    return 2 * found >= len(one) * len(other)


def _compatible(a: int, b: int, dates: dict[int, set[str]], sexes: dict[int, set[str]]) -> bool:
    if a in sexes and b in sexes and sexes[a] != sexes[b]:
        return False
    if a in dates and b in dates:
        return all(dates_agree(x, y) for x in dates[a] for y in dates[b])
    return True


# Two candidates of one record that cannot be one person: birth dates that do not agree
# (as `dates_agree`: equal, day and month swapped, one digit or two neighbouring digits
# apart), two genders, or years of birth more than `MAX_YEAR_SPREAD` apart.
_CONTRADICT = f"""
    b.gender <> c.gender
    OR CASE WHEN b.birth_date IS NOT NULL AND c.birth_date IS NOT NULL
        THEN NOT {dates_one_typo_apart("b.birth_date", "c.birth_date", "duckdb")}
             AND NOT (b.birth_year = c.birth_year AND b.birth_month = c.birth_day
                      AND b.birth_day = c.birth_month)
        ELSE abs(b.approx_birth_year - c.approx_birth_year) > {MAX_YEAR_SPREAD} END
"""


# The comparisons that say something beyond the name itself. Gender is left out, as
# namesakes share it (it is mostly read from the given name); so is the event date: in
# one list a person is written once for an event, so two namesakes of one day are as
# likely two victims of it (on the tuning lists, namesake pairs with the same event date
# were right less often than those with different ones).
_BEYOND_THE_NAME = ["patronymic", "birth", "place"]
# Names carried by fewer rows are left to the model: two or three rows with one name are
# as often one person written two or three times as namesakes, and a bound shared
# among so few says nothing (it cost a tenth of the recall of the 2,000-person dedupes
# of the tuning seeds).
MIN_NAMESAKE_ROWS = 4


def namesake_keys(features: pd.DataFrame) -> pd.Series:
    """The two names of each row in an order-free key ("akhmetov|aidos"), indexed by
    `unique_id`; None where a row lacks a surname or a given name."""
    surname = features["surname_stem"].fillna("").astype(str).to_numpy()
    given = features["given"].fillna("").astype(str).to_numpy()
    key = pd.Series(
        np.where(surname < given, surname + "|" + given, given + "|" + surname),
        index=features["unique_id"].to_numpy(),
    )
    key[(surname == "") | (given == "")] = None
    return key


# Below this many pairs of namesakes born on one day the count says too little.
MIN_SAME_DAY_NAMESAKES = 50


def namesake_duplicates(features: pd.DataFrame, same_date_share: float) -> float | None:
    """How many other records of its own person a record has on average, read from
    the birth dates of namesakes (rows carrying the same two names, on at least
    `MIN_NAMESAKE_ROWS` rows): two namesakes both dated are born on one day almost
    only when they are one person, which they are in the share `same_date_share` of
    such true pairs. So the true pairs among the dated namesakes are the same-day
    pairs over that share, and the same share of all namesake pairs is true, whatever
    the list's length. None when too few namesakes share a birth date to tell.

    Unlike the pairs of `model.DETERMINISTIC_RULES`, which on a long list fill with
    namesakes of one surname, initial, year and town, this does not grow with the list
    (other records per record on the tuning lists, the truth in brackets: 0.94 (0.87)
    at 300,000 rows, where the rules gave 0.92)."""
    key = namesake_keys(features).to_numpy()
    frame = pd.DataFrame({"key": key, "date": features["birth_date"].to_numpy()})
    frame = frame[frame["key"].notna()]
    rows = frame.groupby("key")["key"].transform("size")
    frame = frame[rows >= MIN_NAMESAKE_ROWS]
    dated = frame[frame["date"].notna()]

    def pairs(sizes: pd.Series) -> float:
        return float((sizes * (sizes - 1) / 2).sum())

    same = pairs(dated.groupby(["key", "date"]).size())
    if same < MIN_SAME_DAY_NAMESAKES or frame.empty:
        return None
    true_share = same / same_date_share / pairs(dated.groupby("key").size())
    return 2 * true_share * pairs(frame.groupby("key").size()) / len(frame)


# Below this many namesake pairs sure by their patronymic the share says too little (a
# share of 0.95 read from 200 pairs is within 0.015 of it).
MIN_SURE_NAMESAKE_PAIRS = 200


def namesake_same_date_share(features: pd.DataFrame) -> float | None:
    """Of one person's two records both with a birth date, the share with the same
    date, read from the list: among namesakes (as `namesake_duplicates` counts them)
    that also carry the same patronymic, the pairs whose dates agree (the same day,
    day and month swapped, or one typo apart) are one person almost always (the
    patronymic and the two names say so whatever the date), and the share of those
    with the same day is the share sought. Dates further apart are left out: among
    such pairs they are mostly two people (sons of one father's name), and one
    person's records rarely carry them. None when fewer than `MIN_SURE_NAMESAKE_PAIRS`
    such pairs are found."""
    key = namesake_keys(features).to_numpy()
    frame = pd.DataFrame(
        {"key": key, "patronymic": features["patronymic_stem"].to_numpy(),
         "date": features["birth_date"].to_numpy()}
    )  # fmt: skip
    frame = frame[frame["key"].notna()]
    frame = frame[frame.groupby("key")["key"].transform("size") >= MIN_NAMESAKE_ROWS]
    frame = frame[frame["patronymic"].notna() & frame["date"].notna()]
    frame = frame.reset_index(drop=True).assign(row=lambda f: f.index)
    pairs = frame.merge(frame, on=["key", "patronymic"])
    pairs = pairs[pairs["row_x"] < pairs["row_y"]]
    dates = pd.DataFrame({"l": pairs["date_x"].astype(str), "r": pairs["date_y"].astype(str)})
    same, close = _same_and_close_dates(dates)
    if close < MIN_SURE_NAMESAKE_PAIRS:
        return None
    return same / close


def _same_and_close_dates(dates: pd.DataFrame) -> tuple[int, int]:
    """Of pairs of ISO dates (columns l and r), how many are the same day, and how many
    agree as the birth levels read them: the same day, day and month swapped, or one
    typo apart (`model.dates_one_typo_apart`)."""
    swapped = ("substr(l, 1, 4) = substr(r, 1, 4) AND substr(l, 6, 2) = substr(r, 9, 2)"
               " AND substr(l, 9, 2) = substr(r, 6, 2)")  # fmt: skip
    close = f"l = r OR ({swapped}) OR {dates_one_typo_apart('l', 'r', 'duckdb')}"
    with duckdb.connect() as con:
        con.register("dates", dates)
        row = con.execute(
            f"SELECT count(*) FILTER (WHERE l = r), count(*) FILTER (WHERE {close}) FROM dates"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def among_namesakes(pairs: pd.DataFrame, features: pd.DataFrame, match_rate: float) -> pd.Series:
    """Each pair's match weight (log2 odds) once the list's namesakes are counted.

    The model weighs a shared name by how common each word is on its own, and that
    under-counts namesakes: surname and given name go together (gender, Kazakh or
    Russian), and a pair of two given names written in either order ("Yevgeniy Ruslan",
    "Ruslan Yevgeniy") is read as a rare surname each time. Counting instead the rows
    that carry the same two names (in either order), K: a record has `match_rate` x
    (rows - 1) other records of its person on average, so a pair drawn from the K - 1
    others with its name is the same person with a chance of at most that over K - 1,
    before what the rest of the record says (patronymic, birth, place). A
    pair of such namesakes keeps the lower of that and the model's weight, so that the
    figure falls as the list fills with namesakes, whatever its length. Only names on
    `MIN_NAMESAKE_ROWS` rows or more are counted."""
    weights = pairs["match_weight"].to_numpy(dtype="float64")
    if pairs.empty:
        return pd.Series(weights, index=pairs.index, dtype="float64")
    key = namesake_keys(features)
    rows = key.map(key.value_counts()).astype("float64")
    left, right = pairs["left_id"].to_numpy(), pairs["right_id"].to_numpy()
    named = key.reindex(left).to_numpy(), key.reindex(right).to_numpy()
    carried = rows.reindex(left).to_numpy()
    namesakes = pd.notna(named[0]) & (named[0] == named[1]) & (carried >= MIN_NAMESAKE_ROWS)
    others = np.maximum(carried - 1, 1)
    expected = match_rate * max(len(features) - 1, 1)
    prior = np.clip(expected / others, 1e-9, 0.99)
    beyond = sum(
        pairs[f"weight_{name}"].to_numpy(dtype="float64")
        for name in _BEYOND_THE_NAME
        if f"weight_{name}" in pairs.columns
    )
    counted = np.log2(prior / (1 - prior)) + beyond
    adjusted = np.where(namesakes, np.minimum(weights, counted), weights)
    return pd.Series(adjusted, index=pairs.index, dtype="float64")


def among_rivals(pairs: pd.DataFrame, features: pd.DataFrame) -> pd.Series:
    """Each pair's probability once its records' other candidates are counted: a record
    with only a common name ("Vladimir Kasenov", Astana) pairs with several namesakes
    who cannot all be one person, and can be at most one of them. The odds of a pair
    (a, b) are divided by one plus the odds of a's candidates that contradict b and of
    b's candidates that contradict a, so that it joins a namesake only when its
    evidence outweighs theirs together. Between namesakes (`pairs` column `namesakes`,
    true where `among_namesakes` counted the pair) any other namesake candidate of a that
    is not itself paired with b is a rival too, whatever its dates: a record with several
    namesake candidates about as good, not all of them one person, joins none of them,
    as a careful reader would leave it. `pairs` has `left_id`, `right_id`,
    `match_weight` (log2 odds); `features` the columns of `features.FEATURE_COLUMNS`."""
    if pairs.empty:
        return pd.Series(dtype="float64")
    edges = pd.DataFrame(
        {
            "n": np.arange(len(pairs)),
            "a": pairs["left_id"].to_numpy(),
            "b": pairs["right_id"].to_numpy(),
            "w": pairs["match_weight"].to_numpy(dtype="float64"),
            "ns": pairs["namesakes"].to_numpy(dtype=bool)
            if "namesakes" in pairs.columns
            else np.zeros(len(pairs), dtype=bool),
        }
    )
    columns = ["unique_id", "gender", "birth_date", "birth_year", "birth_month", "birth_day",
               "approx_birth_year"]  # fmt: skip
    with duckdb.connect() as con:
        con.register("edges", edges)
        con.register("people", features[columns])
        adjusted = con.execute(
            f"""
            WITH d AS (SELECT n, a, b, ns, pow(2, least(w, 60)) AS odds FROM edges
                       UNION ALL SELECT n, b, a, ns, pow(2, least(w, 60)) FROM edges),
            rivals AS (
                SELECT x.n, sum(y.odds) AS odds
                FROM d x JOIN d y ON x.a = y.a AND x.b <> y.b
                JOIN people b ON b.unique_id = x.b JOIN people c ON c.unique_id = y.b
                WHERE ({_CONTRADICT})
                   OR (x.ns AND y.ns
                       AND NOT EXISTS (SELECT 1 FROM d z WHERE z.a = x.b AND z.b = y.b))
                GROUP BY x.n)
            SELECT e.n, pow(2, least(e.w, 60)) / (1 + coalesce(r.odds, 0)) AS odds
            FROM edges e LEFT JOIN (SELECT n, sum(odds) AS odds FROM rivals GROUP BY n) r
            USING (n) ORDER BY e.n
            """
        ).df()
    odds = adjusted["odds"].to_numpy()
    return pd.Series(odds / (1 + odds), index=pairs.index)
