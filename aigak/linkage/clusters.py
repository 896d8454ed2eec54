"""Grouping scored pairs into people, without chaining namesakes together.

Plain connected components join everything a chain of pairs touches: a record with only
a common name ("Айгерим Есахметова", no date) pairs with several namesakes and so pulls
them into one cluster. Here pairs are taken most probable first and two groups are
joined only when nothing in them contradicts: no two birth dates that differ (beyond a
swap of day and month or one typed digit), no two genders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
) -> pd.DataFrame:
    """`id`, `cluster_id` for every id. `pairs` (`left_id`, `right_id`, and
    `probability` when there is one) are joined most probable first, refusing a join
    that would put contradicting birth dates or genders (aligned with `ids`; missing
    values contradict nothing) in one cluster. A cluster is named by its first row."""
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

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if "probability" in pairs.columns:
        pairs = pairs.sort_values("probability", ascending=False, kind="stable")
    lefts = position.loc[pairs["left_id"].to_numpy()].to_numpy()
    rights = position.loc[pairs["right_id"].to_numpy()].to_numpy()
    for a, b in zip(lefts, rights, strict=True):
        ra, rb = root(int(a)), root(int(b))
        if ra == rb or not _compatible(ra, rb, dates, sexes):
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        parent[gone] = keep
        for store in (dates, sexes):
            if gone in store:
                store.setdefault(keep, set()).update(store.pop(gone))
    first = np.array([root(i) for i in range(len(ids))], dtype=np.int64)
    return pd.DataFrame({"id": ids.to_numpy(), "cluster_id": ids.to_numpy()[first]})


def _compatible(a: int, b: int, dates: dict[int, set[str]], sexes: dict[int, set[str]]) -> bool:
    if a in sexes and b in sexes and sexes[a] != sexes[b]:
        return False
    if a in dates and b in dates:
        return all(dates_agree(x, y) for x in dates[a] for y in dates[b])
    return True
