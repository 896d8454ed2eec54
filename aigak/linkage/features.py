"""The columns the matching model compares, derived from a list of people.

Names are taken apart and folded once per distinct spelling (lists repeat names a lot),
dates split into year, month and day, ages turned into an approximate year of birth
using the event date (January 2022 when the row has none), places into keys.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd

from aigak.lib.names import name_keys, place_key, region_key, region_of_place
from aigak.linkage.people import parse_dates

# The year ages in the lists refer to when a row gives no event date.
DEFAULT_EVENT_YEAR = 2022

# Columns of the frame handed to Splink, all but unique_id nullable.
FEATURE_COLUMNS = [
    "unique_id",
    "surname_stem",
    "surname_skel",
    "surname_suffixed",
    "given",
    "given_skel",
    "given_initial",
    "patronymic_stem",
    "patronymic_initial",
    "gender",
    "birth_date",
    "birth_year",
    "birth_month",
    "birth_day",
    "approx_birth_year",
    "dates_exact",
    "place",
    "region",
    "event_day",
]

_NAME_PARTS = [
    "surname_stem",
    "surname_skel",
    "given",
    "given_skel",
    "given_initial",
    "patronymic_stem",
    "patronymic_initial",
    "name_gender",
    "surname_suffixed",
]


def name_columns(full_names: pd.Series) -> pd.DataFrame:
    """The parsed name parts of each full name, one column per part."""
    distinct = pd.unique(full_names.to_numpy())
    parsed = pd.DataFrame(_keys_of(distinct), columns=_NAME_PARTS)
    parsed.index = distinct
    out = parsed.reindex(full_names.to_numpy())
    out.index = full_names.index
    return out


# From this many distinct names on, names are taken apart in several processes.
PARALLEL_FROM = 150_000


def _keys_chunk(names: list[str]) -> list[tuple[str, ...]]:
    return [name_keys(str(n)) for n in names]


def _keys_of(names) -> list[tuple[str, ...]]:
    workers = min(os.cpu_count() or 1, 4)
    if len(names) < PARALLEL_FROM or workers < 2:
        return _keys_chunk(list(names))
    chunks = [list(c) for c in np.array_split(np.asarray(names, dtype=object), workers * 4)]
    # "spawn": a forked copy of a process that runs DuckDB threads is not safe.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return [keys for part in pool.map(_keys_chunk, chunks) for keys in part]
    except (BrokenProcessPool, OSError):
        # No worker processes here (an interactive session, a locked-down host).
        return _keys_chunk(list(names))


def _gender(values: pd.Series) -> pd.Series:
    first = values.str.lower().str.strip().str[:1]
    mapping = {"m": "m", "м": "m", "e": "m", "f": "f", "ж": "f", "w": "f", "ә": "f", "k": "f"}
    return first.map(mapping).fillna("")


def _map_distinct(values: pd.Series, func) -> pd.Series:
    distinct = pd.unique(values.to_numpy())
    table = {v: func(v) for v in distinct}
    return values.map(table)


def birth_columns(people: pd.DataFrame, dates: dict[str, pd.DataFrame] | None) -> pd.DataFrame:
    """Birth date (ISO), year, month, day, approximate year of birth (from an age when
    there is no date), whether the date is exact, and the event day (days since 1970)."""
    dates = dates or {}
    birth = dates.get("birth_date", None)
    birth = parse_dates(people["birth_date"]) if birth is None else birth
    event = dates.get("event_date", None)
    event = parse_dates(people["event_date"]) if event is None else event
    out = pd.DataFrame(index=people.index)
    full_date = birth["year"].notna() & birth["month"].notna() & birth["day"].notna()
    out["birth_year"] = birth["year"]
    out["birth_month"] = birth["month"].where(full_date)
    out["birth_day"] = birth["day"].where(full_date)
    out["birth_date"] = (
        birth["year"].astype("string").str.zfill(4)
        + "-"
        + birth["month"].astype("string").str.zfill(2)
        + "-"
        + birth["day"].astype("string").str.zfill(2)
    ).where(full_date)
    age = pd.to_numeric(people["age"].str.replace(",", "."), errors="coerce")
    age = age.where((age >= 0) & (age <= 120)).round().astype("Int64")
    event_year = event["year"].fillna(DEFAULT_EVENT_YEAR)
    # Someone aged 30 in January 2022 was born in 1991 or (mostly) 1992 - 1 = 1991.
    out["approx_birth_year"] = birth["year"].fillna(event_year - age - 1).astype("Int64")
    out["dates_exact"] = full_date.astype("Int64")
    event_full = event["year"].notna() & event["month"].notna() & event["day"].notna()
    event_dates = pd.to_datetime(
        pd.DataFrame(
            {
                "year": event["year"].where(event_full, 1970),
                "month": event["month"].where(event_full, 1),
                "day": event["day"].where(event_full, 1),
            }
        ).astype("int64"),
        errors="coerce",
    )
    days = (event_dates - pd.Timestamp("1970-01-01")).dt.days.astype("Int64")
    out["event_day"] = days.where(event_full)
    return out


def place_keys(localities: pd.Series) -> pd.Series:
    """`names.place_key` of each locality, computed once per distinct spelling."""
    return _map_distinct(localities, place_key)


def feature_frame(
    people: pd.DataFrame,
    id_prefix: str = "",
    dates: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The comparison columns for a frame with the columns of `people.COLUMNS`.

    `unique_id` is the row's id, prefixed with `id_prefix` (to keep two lists apart).
    Empty values become nulls, so Splink scores them as "no information". `dates` may
    hold the dates `people.read_people_csv` has already parsed.
    """
    out = pd.DataFrame(index=people.index)
    out["unique_id"] = id_prefix + people["id"].astype(str)
    names = name_columns(people["full_name"])
    for part in _NAME_PARTS:
        out[part] = names[part]
    stated = _gender(people["gender"])
    out["gender"] = stated.where(stated != "", out.pop("name_gender"))

    for column, values in birth_columns(people, dates).items():
        out[column] = values
    out["place"] = place_keys(people["locality"])
    region = _map_distinct(people["region"], region_key)
    from_place = out["place"].map(region_of_place).fillna("")
    out["region"] = region.where(region != "", from_place)
    out = out[FEATURE_COLUMNS]
    text = [c for c in FEATURE_COLUMNS if out[c].dtype == object or str(out[c].dtype) == "str"]
    for column in text:
        out[column] = out[column].astype("string").replace("", pd.NA)
    return out.reset_index(drop=True)
