"""Link and dedupe tasks with ground truth, built from `generator`.

- `full_name_link`: two lists of full names, each in its own mix of styles, 60% of each
  list's people also on the other.
- `initials_link`: the second list writes initials and surname, age and town only, as
  the official list of August 2022 did.
- `dedupe`: one list in which 30% of the people are written two or three times.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from aigak.linkage.evaluation import standards
from aigak.linkage.evaluation.generator import (
    COLUMNS,
    FULL_STYLES,
    INITIAL_STYLES,
    TOWNS,
    Writer,
    population,
    typo,
)

Pairs = set[tuple[str, str]]
EVENT = pd.Timestamp("2022-01-05")
_DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"]


def _birth_fields(birth: pd.Timestamp, rng: np.random.Generator, age_only: bool) -> tuple[str, str]:
    age = EVENT.year - birth.year - ((EVENT.month, EVENT.day) < (birth.month, birth.day))
    if age_only:
        return "", str(age + (int(rng.choice([-1, 1])) if rng.random() < 0.1 else 0))
    draw = rng.random()
    if draw < 0.15:
        return "", ""
    if draw < 0.35:
        return "", str(age)
    day, month, year = birth.day, birth.month, birth.year
    if day <= 12 and rng.random() < 0.03:
        day, month = month, day
    text = pd.Timestamp(year=year, month=month, day=day).strftime(
        _DATE_FORMATS[int(rng.integers(3))]
    )
    if rng.random() < 0.03:
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        at = digits[int(rng.integers(len(digits)))]
        text = text[:at] + str(int(rng.integers(10))) + text[at + 1 :]
    return text, ""


def _town(index: int, style: str, rng: np.random.Generator) -> str:
    kazakh, russian, former, _ = TOWNS[index]
    if rng.random() < 0.1:  # the town of death, not of residence
        kazakh, russian, former, _ = TOWNS[int(rng.integers(len(TOWNS)))]
    name = kazakh if style in ("kz_doc", "kz_after", "latin2021", "bgn_kz", "icao") else russian
    if former and style in ("ru_doc", "ru_after", "gost") and rng.random() < 0.15:
        name = former[int(rng.integers(len(former)))]
    latin = {"icao": "icao", "latin2021": "latin2021", "gost": "gost", "bgn_ru": "bgn_ru",
             "bgn_kz": "bgn_kz", "informal": "bgn_ru", "latin_before": "bgn_ru"}.get(style)  # fmt: skip
    return standards.romanise(name, latin) if latin else name


def render(people: pd.DataFrame, styles: list[str], seed: int, prefix: str,
           initials: bool = False) -> pd.DataFrame:  # fmt: skip
    """One list: a row per person in `people`, names in `styles` (drawn per row)."""
    rng = np.random.default_rng(seed)
    writer = Writer(rng)
    rows = []
    for n, (_, person) in enumerate(people.iterrows()):
        style = styles[int(rng.integers(len(styles)))]
        name = writer.initials(person, style) if initials else writer.full(person, style)
        if rng.random() < 0.08:
            name = typo(name, rng)
        birth_date, age = _birth_fields(person["birth"], rng, age_only=initials)
        event = EVENT + pd.Timedelta(days=int(rng.integers(-2, 4)))
        rows.append({
            "id": f"{prefix}{n + 1}",
            "full_name": name,
            "birth_date": birth_date,
            "age": age,
            "gender": person["gender"] if not initials and rng.random() < 0.4 else "",
            "region": "",
            "locality": _town(int(person["town"]), style, rng) if rng.random() < 0.85 else "",
            "event_date": event.strftime("%Y-%m-%d") if rng.random() < 0.5 else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _overlap(n: int, seed: int, share: float = 0.6) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    people = population(n, seed)
    rng = np.random.default_rng(seed + 7)
    side = rng.random(n)
    both = side < share
    left = both | (side < share + (1 - share) / 2)
    right = both | ~left
    return people, left, right


def _link(n: int, seed: int, right_styles: list[str], initials: bool):
    people, in_left, in_right = _overlap(n, seed)
    left_people, right_people = people[in_left], people[in_right]
    left = render(left_people, ["ru_doc", "kz_doc", "gost", "latin2021", "bgn_kz"], seed + 1, "L")
    right = render(right_people, right_styles, seed + 2, "R", initials=initials)
    left_ids = dict(zip(left_people["person"], left["id"], strict=True))
    truth = {(left_ids[p], r) for p, r in zip(right_people["person"], right["id"], strict=True)
             if p in left_ids}  # fmt: skip
    return left, right, truth


def full_name_link(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Pairs]:
    return _link(n, seed, ["icao", "bgn_ru", "informal", "latin2021", "ru_doc", "bgn_kz"], False)


def initials_link(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, Pairs]:
    return _link(n, seed, INITIAL_STYLES, True)


def dedupe(n: int, seed: int) -> tuple[pd.DataFrame, Pairs]:
    """One list of `n` people, 30% of them written 2 or 3 times; the true pairs."""
    frame = dedupe_list(n, seed)
    truth: Pairs = set()
    for _, ids in frame.groupby("person")["id"]:
        truth.update(tuple(sorted(p)) for p in itertools.combinations(ids, 2))
    return frame.drop(columns="person"), truth


def dedupe_list(n: int, seed: int) -> pd.DataFrame:
    """The list of `dedupe`, with a column `person` saying who each row is (for lists
    too long to hold their true pairs as a set)."""
    people = population(n, seed)
    rng = np.random.default_rng(seed + 5)
    copies = np.where(rng.random(n) < 0.3, rng.integers(2, 4, n), 1)
    rows = people.loc[people.index.repeat(copies)].sample(frac=1, random_state=seed)
    frame = render(rows, FULL_STYLES, seed + 3, "D")
    frame["person"] = rows["person"].to_numpy()
    return frame
