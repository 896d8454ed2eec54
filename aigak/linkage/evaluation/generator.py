"""Lists of people for the independent evaluation, with the truth known.

Written from `standards` (how each standard writes a name) and `names` (real given names
and surnames of Kazakhstan with their frequency ranks), not from `aigak.lib.names` or
`aigak.linkage.synthetic`. A population has families (siblings share the surname, the
father and mostly the town), and namesakes, because names are drawn by their real rank.
Each list writes names in its own ways:

| style | example |
|---|---|
| `ru_doc` | Жумабаев Нурлан Серикович (Russian-language document) |
| `kz_doc` | Жұмабаев Нұрлан Серікұлы, or Серік ұлы written apart |
| `icao` | ZHUMABAEV NURLAN (passport, ICAO 9303) |
| `latin2021` | Nūrlan Jūmabaev, or Nūrlan Jūmabaūly (2021 alphabet, -ұлы surname) |
| `gost` | Zhumabaev Nurlan Serikovich (GOST 7.79 system B: Xasen, Czoj, Aj...) |
| `bgn_ru`, `bgn_kz` | Nurlan Zhumabayev, Nūrlan Zhūmabayev (BGN/PCGN) |
| `informal` | Nurlan Jumabayeff (press and social networks: J, H, -off, Ye/E, ss) |
| initials | Жумабаев Н.С., Н. Жумабаев, N. Zhumabayev, Жұмабаев Н. |

Noise: typos in 8% of names, birth dates in three formats or an age instead, day and
month swapped, a digit mistyped, towns under Kazakh, Russian or former names (or where
the person died), empty fields.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aigak.linkage.evaluation import names, standards

# Seeds: the model may be adjusted on TUNING_SEEDS; EVALUATION_SEEDS only measure it.
TUNING_SEEDS = (11, 12)
EVALUATION_SEEDS = (1001, 1002, 1003)

COLUMNS = ["id", "full_name", "birth_date", "age", "gender", "region", "locality", "event_date"]

# Towns: Kazakh name, Russian name, former or other names, share of people.
TOWNS = [
    ("Алматы", "Алматы", ["Алма-Ата"], 0.40),
    ("Шымкент", "Шымкент", ["Чимкент"], 0.05),
    ("Тараз", "Тараз", ["Джамбул"], 0.04),
    ("Қызылорда", "Кызылорда", ["Кзыл-Орда"], 0.04),
    ("Ақтөбе", "Актобе", ["Актюбинск"], 0.04),
    ("Жаңаөзен", "Жанаозен", ["Новый Узень"], 0.04),
    ("Ақтау", "Актау", ["Шевченко"], 0.03),
    ("Өскемен", "Усть-Каменогорск", [], 0.03),
    ("Семей", "Семей", ["Семипалатинск"], 0.03),
    ("Талдықорған", "Талдыкорган", [], 0.04),
    ("Қонаев", "Конаев", ["Капчагай"], 0.03),
    ("Талғар", "Талгар", [], 0.03),
    ("Есік", "Есик", ["Иссык"], 0.02),
    ("Қаскелең", "Каскелен", [], 0.02),
    ("Астана", "Астана", ["Нур-Султан", "Целиноград"], 0.04),
    ("Қарағанды", "Караганда", [], 0.04),
    ("Павлодар", "Павлодар", [], 0.02),
    ("Атырау", "Атырау", ["Гурьев"], 0.02),
    ("Орал", "Уральск", [], 0.02),
    ("Түркістан", "Туркестан", [], 0.02),
]

FULL_STYLES = ["ru_doc", "kz_doc", "icao", "latin2021", "gost", "bgn_ru", "bgn_kz", "informal"]
INITIAL_STYLES = ["ru_after", "ru_before", "latin_before", "kz_after"]
_LATIN = {"icao": "icao", "latin2021": "latin2021", "gost": "gost", "bgn_ru": "bgn_ru",
          "bgn_kz": "bgn_kz", "informal": "bgn_ru", "latin_before": "bgn_ru"}  # fmt: skip
_KAZAKH_SOURCE = {"kz_doc", "icao", "latin2021", "bgn_kz", "kz_after"}


def _weights(items: tuple[names.Name, ...]) -> np.ndarray:
    """Shares from the real ranks by a Zipf-Mandelbrot law, 1 / (rank + 20): the data
    gives ranks, not counts, and the offset (an assumption) keeps the commonest surname
    (Ахметов) near 2% of families and the commonest given name near 2% of people."""
    w = np.array([1.0 / (item.rank + 20) for item in items])
    return w / w.sum()


def population(n: int, seed: int, family_share: float = 0.3) -> pd.DataFrame:
    """`n` people with gender, given name, surname, father (indices into `names`),
    birth date, town and family."""
    rng = np.random.default_rng(seed)
    given, surnames = names.given_names(), names.surnames()
    male = [i for i, g in enumerate(given) if g.gender == "m"]
    female = [i for i, g in enumerate(given) if g.gender == "f"]
    gw = _weights(given)
    n_families = max(1, int(n * (1 - family_share)))
    f_surname = rng.choice(len(surnames), n_families, p=_weights(surnames))
    f_father = rng.choice(male, n_families, p=gw[male] / gw[male].sum())
    f_town = rng.choice(len(TOWNS), n_families, p=_town_weights())
    family = np.concatenate([np.arange(n_families), rng.integers(0, n_families, n - n_families)])
    gender = np.where(rng.random(n) < 0.75, "m", "f")
    first = np.where(
        gender == "m",
        rng.choice(male, n, p=gw[male] / gw[male].sum()),
        rng.choice(female, n, p=gw[female] / gw[female].sum()),
    )
    birth = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 54, n), unit="D")
    moved = rng.random(n) < 0.1
    town = np.where(moved, rng.choice(len(TOWNS), n, p=_town_weights()), f_town[family])
    return pd.DataFrame({"person": np.arange(n), "family": family, "gender": gender,
                         "given": first, "surname": f_surname[family],
                         "father": f_father[family], "birth": birth, "town": town})  # fmt: skip


def _town_weights() -> np.ndarray:
    w = np.array([t[3] for t in TOWNS])
    return w / w.sum()


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    return surname


def _uly(surname: str, gender: str) -> str | None:
    """Жұмабаев -> Жұмабайұлы style surname, for a surname with a Kazakh spelling."""
    for ending in ("ов", "ев", "ин"):
        if surname.endswith(ending) and len(surname) > 5:
            stem = surname[: -len(ending)]
            stem = stem[:-1] + "й" if stem.endswith("а") and ending == "ев" else stem
            return stem + ("ұлы" if gender == "m" else "қызы")
    return None


def _patronymic_ru(father: str, gender: str) -> str:
    if father.endswith(("й", "ь")):
        return father[:-1] + ("евич" if gender == "m" else "евна")
    if father[-1] in "аяео":
        return ""
    return father + ("ович" if gender == "m" else "овна")


class Writer:
    """Writes one person's name in a style, with the list's random generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.given, self.surnames = names.given_names(), names.surnames()

    def parts(self, person: pd.Series, kazakh: bool) -> tuple[str, str, str]:
        g = person["gender"]
        given, sur = self.given[person["given"]], self.surnames[person["surname"]]
        father = self.given[person["father"]]
        surname = sur.kazakh if kazakh else sur.russian
        if g == "f":
            surname = _feminine(surname)
        if kazakh:
            patronymic = father.kazakh + ("ұлы" if g == "m" else "қызы")
            if self.rng.random() < 0.2:
                patronymic = father.kazakh + (" ұлы" if g == "m" else " қызы")
        else:
            patronymic = _patronymic_ru(father.russian, g)
        uly = _uly(sur.kazakh, g) if sur.kazakh != sur.russian else None
        if kazakh and uly and self.rng.random() < 0.4:
            surname = uly
        return surname, (given.kazakh if kazakh else given.russian), patronymic

    def full(self, person: pd.Series, style: str) -> str:
        surname, given, patronymic = self.parts(person, style in _KAZAKH_SOURCE)
        with_patronymic = bool(patronymic) and self.rng.random() < 0.6
        if style in ("ru_doc", "kz_doc"):
            return " ".join([surname, given] + ([patronymic] if with_patronymic else []))
        latin = _LATIN[style]
        sur, giv = standards.romanise(surname, latin), standards.romanise(given, latin)
        if style == "icao":
            return f"{sur} {giv}".upper()
        if style == "gost":
            pat = standards.romanise(patronymic, latin) if with_patronymic else ""
            return f"{sur} {giv} {pat}".strip()
        text = f"{giv} {sur}"
        if style == "informal":
            habits = self.rng.choice(len(standards.INFORMAL_HABITS), 2, replace=False)
            text = standards.informal(text, sorted(int(h) for h in habits))
        return text

    def initials(self, person: pd.Series, style: str) -> str:
        surname, given, patronymic = self.parts(person, style in _KAZAKH_SOURCE)
        surname = surname if " " not in surname else surname.split()[0]
        father = self.given[person["father"]].russian
        if style == "ru_after":
            return f"{surname} {given[0]}.{father[0]}."
        if style == "ru_before":
            return f"{given[0]}. {surname}"
        if style == "kz_after":
            return f"{surname} {given[0]}."
        latin = standards.romanise(given, "bgn_ru")
        return f"{latin[0]}. {standards.romanise(surname, 'bgn_ru')}"


_KEYS = "йцукенгшщзхфывапролджэячсмитьбю"


def typo(text: str, rng: np.random.Generator) -> str:
    """One typing error in one word of `text` longer than three letters."""
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if len(w) > 3 and "." not in w]
    if not spots:
        return text
    i = spots[int(rng.integers(len(spots)))]
    w = words[i]
    at = int(rng.integers(1, len(w) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        w = w[:at] + w[at + 1 :]
    elif kind == 1:
        w = w[:at] + w[at + 1] + w[at] + w[at + 2 :]
    elif kind == 2:
        w = w[:at] + w[at] + w[at:]
    else:
        alphabet = _KEYS if not w.isascii() else "abcdefghiklmnoprstuvyz"
        w = w[:at] + alphabet[int(rng.integers(len(alphabet)))] + w[at + 1 :]
    words[i] = w
    return " ".join(words)
