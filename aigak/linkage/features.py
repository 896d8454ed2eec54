"""The columns the matching model compares, derived from a list of people.

Names are taken apart and folded once per distinct spelling (lists repeat names a lot),
dates split into year, month and day, ages turned into an approximate year of birth
using the event date (January 2022 when the row has none), places into keys.
"""

from __future__ import annotations

import pandas as pd

from aigak.lib.names import parse_name, place_key, region_key, region_of_place, skeleton
from aigak.linkage.people import parse_dates

# The year ages in the lists refer to when a row gives no event date.
DEFAULT_EVENT_YEAR = 2022

# Columns of the frame handed to Splink, all but unique_id nullable.
FEATURE_COLUMNS = [
    "unique_id",
    "surname_stem",
    "surname_skel",
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
]


def _name_parts(full_name: str) -> tuple[str, ...]:
    name = parse_name(full_name)
    stem = name.surname_stem
    return (
        stem,
        skeleton(stem),
        name.given,
        skeleton(name.given),
        name.given_initial,
        name.patronymic_stem,
        name.patronymic_initial,
        name.gender,
    )


def name_columns(full_names: pd.Series) -> pd.DataFrame:
    """The parsed name parts of each full name, one column per part."""
    distinct = pd.unique(full_names.to_numpy())
    parsed = pd.DataFrame([_name_parts(str(n)) for n in distinct], columns=_NAME_PARTS)
    parsed.index = distinct
    out = parsed.reindex(full_names.to_numpy())
    out.index = full_names.index
    return out


def _gender(values: pd.Series) -> pd.Series:
    first = values.str.lower().str.strip().str[:1]
    mapping = {"m": "m", "м": "m", "e": "m", "f": "f", "ж": "f", "w": "f", "ә": "f", "k": "f"}
    return first.map(mapping).fillna("")


def _map_distinct(values: pd.Series, func) -> pd.Series:
    distinct = pd.unique(values.to_numpy())
    table = {v: func(v) for v in distinct}
    return values.map(table)


def feature_frame(people: pd.DataFrame, id_prefix: str = "") -> pd.DataFrame:
    """The comparison columns for a frame with the columns of `people.COLUMNS`.

    `unique_id` is the row's id, prefixed with `id_prefix` (to keep two lists apart).
    Empty values become nulls, so Splink scores them as "no information".
    """
    out = pd.DataFrame(index=people.index)
    out["unique_id"] = id_prefix + people["id"].astype(str)
    names = name_columns(people["full_name"])
    for part in _NAME_PARTS:
        out[part] = names[part]
    stated = _gender(people["gender"])
    out["gender"] = stated.where(stated != "", out.pop("name_gender"))

    birth = parse_dates(people["birth_date"])
    event = parse_dates(people["event_date"])
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

    out["place"] = _map_distinct(people["locality"], place_key)
    region = _map_distinct(people["region"], region_key)
    from_place = out["place"].map(region_of_place).fillna("")
    out["region"] = region.where(region != "", from_place)
    out = out[FEATURE_COLUMNS]
    text = [c for c in FEATURE_COLUMNS if out[c].dtype == object or str(out[c].dtype) == "str"]
    for column in text:
        out[column] = out[column].astype("string").replace("", pd.NA)
    return out.reset_index(drop=True)
