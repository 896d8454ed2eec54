"""Extract the small name-frequency tables of the independent linkage evaluation.

Source: the `names-dataset` package 3.3.1 (Philippe Remy, Apache-2.0,
https://github.com/philipperemy/name-dataset), whose v3 tables rank first and last
names by how often they occur per country. Only the ranks for Kazakhstan (KZ) are kept:
the 400 most common Cyrillic given names with their gender, the 1,000 most common
Cyrillic surnames folded to the masculine form, and where the same tables also hold a
spelling with the Kazakh letters (Нұрлан beside Нурлан), that spelling. Nothing in
`aigak.lib.names` is used, so the evaluation does not repeat the matcher's tables.

    pip download names-dataset==3.3.1 --no-deps -d /tmp/nd && unzip /tmp/nd/*.whl -d /tmp/nd
    python bench/linkage_names_extract.py /tmp/nd/names_dataset/v3
"""

from __future__ import annotations

import csv
import gzip
import pickle
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "aigak/linkage/evaluation/data"
RUSSIFY = str.maketrans("әғқңөұүһі", "агкноуухи")
CYRILLIC = re.compile(r"^[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі]+$")
KAZAKH_LETTER = re.compile(r"[әғқңөұүһі]")
# Some people put their father's name in the surname field: not surnames.
PATRONYMIC = re.compile(r"(ович|евич|ич|овна|евна|ична|ұлы|улы|қызы|кызы)$")
NOT_NAMES = {"Мектебі", "Балабақшасы", "Кітапханасы", "Қазақ", "Казахстан", "Казах"}


def kz_ranked(path: Path) -> list[tuple[int, str, dict]]:
    with gzip.open(path) as handle:
        table = pickle.load(handle)  # noqa: S301 - a package's own data file
    rows = [(a["rank"]["KZ"], n, a.get("gender") or {}) for n, a in table.items()
            if "KZ" in a.get("rank", {}) and CYRILLIC.match(n) and n not in NOT_NAMES]  # fmt: skip
    return sorted(rows, key=lambda row: row[0])


def kazakh_forms(rows: list[tuple[int, str, dict]]) -> dict[str, str]:
    forms: dict[str, str] = {}
    for _, name, _ in rows:
        if KAZAKH_LETTER.search(name):
            forms.setdefault(name.translate(RUSSIFY), name)
    return forms


def masculine(surname: str) -> str:
    for f, m in (("ова", "ов"), ("ева", "ев"), ("ёва", "ёв"), ("ина", "ин"), ("ская", "ский")):
        if surname.endswith(f) and len(surname) > len(f) + 2:
            return surname[: -len(f)] + m
    return surname


def main(folder: Path) -> None:
    given = kz_ranked(folder / "first_names.pkl.gz")
    forms = kazakh_forms(given)
    with open(OUT / "kz_given_names.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["rank", "name", "gender", "kazakh_spelling"])
        kept = 0
        for rank, name, gender in given:
            if KAZAKH_LETTER.search(name) or not gender:
                continue
            sex = "m" if gender.get("M", 0) >= 0.8 else "f" if gender.get("F", 0) >= 0.8 else ""
            if sex:
                writer.writerow([rank, name, sex, forms.get(name, "")])
                kept += 1
            if kept == 400:
                break
    surnames = kz_ranked(folder / "last_names.pkl.gz")
    forms = {masculine(k): masculine(v) for k, v in kazakh_forms(surnames).items()}
    seen: dict[str, int] = {}
    for rank, name, _ in surnames:
        if not KAZAKH_LETTER.search(name) and not PATRONYMIC.search(name):
            seen.setdefault(masculine(name), rank)
    with open(OUT / "kz_surnames.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["rank", "surname", "kazakh_spelling"])
        for name, rank in list(seen.items())[:1000]:
            writer.writerow([rank, name, forms.get(name, "")])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
