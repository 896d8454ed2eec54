"""Real name frequencies for Kazakhstan, read from `data/` (see
`bench/linkage_names_extract.py` for where they come from: the `names-dataset`
package's ranks for KZ).

Given names keep their rank, gender and, where the data has one, the spelling with the
Kazakh letters (Нұрлан for Нурлан). Surnames are in the masculine form.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Name:
    rank: int
    russian: str  # as Russian-language documents write it
    kazakh: str  # with the Kazakh letters, or the same as `russian`
    gender: str = ""


def _read(filename: str) -> list[dict[str, str]]:
    with open(DATA / filename, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def given_names() -> tuple[Name, ...]:
    return tuple(
        Name(int(r["rank"]), r["name"], r["kazakh_spelling"] or r["name"], r["gender"])
        for r in _read("kz_given_names.csv")
    )


@cache
def surnames() -> tuple[Name, ...]:
    return tuple(
        Name(int(r["rank"]), r["surname"], r["kazakh_spelling"] or r["surname"])
        for r in _read("kz_surnames.csv")
    )
