"""Synthetic lists of people in Kazakhstan, for tests and benchmarks. No real person.

A population of families (siblings share a surname and a father's name, so a patronymic),
namesakes (common surnames and given names drawn often), written the ways lists write
them: Russian-language official order in Cyrillic with the Kazakh letters dropped,
Kazakh Cyrillic with -ұлы/-қызы, passport upper case (ICAO), English-language media,
the 2021 Kazakh Latin alphabet; with typos, dropped vowels (Бауржан), missing fields,
ages for birth dates, day and month swapped, old and new place names.

The spellings here are produced by their own tables, written apart from
`aigak.lib.names`, so a benchmark does not merely invert the normaliser.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aigak.linkage.people import COLUMNS

_MALE = """Қазыбек Бауыржан Нұрлан Ерлан Серік Асқар Ермек Дәулет Айдос Нұрсұлтан Бейбіт Жанболат
Қанат Мұрат Талғат Айбек Әлібек Ержан Бақыт Ғалым Төлеген Жұмабек Қайрат Руслан Тимур Дамир
Санжар Мейрам Олжас Ербол Алмас Нұржан Айдар Болат Азамат Дархан Ернар Ілияс Абылай Мұхтар
Сәкен Қуаныш Досжан Жандос Асхат Арман Самат Әділет Шыңғыс Еркін Мирас Жасұлан Марат Бекзат
Ырысбек Темірлан Алихан Нұрбол Сұлтан Ғабит Мақсат Сабит Жомарт Оспан Ақжол Дидар Іңкәр
Александр Сергей Андрей Дмитрий Виктор Владимир Евгений Юрий""".split()
_FEMALE = """Айгерім Әйгерім Гүлнар Ботагөз Жанар Сәуле Динара Мадина Аружан Назерке Гүлмира Салтанат
Жұлдыз Ақмарал Айжан Әсел Меруерт Дана Индира Ләззат Күләш Баян Раушан Молдір Айнұр Гаухар
Перизат Қарлығаш Зарина Жансая Ұлжан Томирис Анель Айсұлу Әлия Шынар Елена Ольга Татьяна
Наталья Ирина""".split()
_ROOTS = """Құдайберген Жұмабай Нұрбай Әбен Сейіт Төлеген Ахмет Омар Ысқақ Сәрсен Қасым Байжан
Тұрсын Ермек Мұхамед Әбдірахман Ибрагим Исмаил Жақып Сұлтанбек Қожахмет Есенгелді Әміржан
Оспан Бекмұхамбет Ілияс Смағұл Дүйсен Әлжан Жүніс Рақым Тоқтар Қалиақпар Шәріп Мақсұт Бейсен
Дәурен Серікбай Қуаныш Алтынбек Әмір Жантөре Ордабай Садық Кенжебек Мыңбай Сатыбалды Ыбырай
Рысқұл Байұзақ Қонысбай Тілеуберді Назарбай Әшім Қайырбек Жанұзақ Бердібек Қалдыбай Мұқан
Әубәкір Ізбасар Сағынтай Қыдырбай Шоқан Айдарбек Жақсылық Нұрмағамбет Есбол Қалмұхамбет""".split()
_PREFIXES = """Нұр Ер Ай Бақ Жан Қуан Сұлтан Мұрат Тоқ Бек Ақ Қара Сары Ал Құл Дос Ес Жұма Кен Тұр
Әли Қыдыр Сей Бай Тас Темір Алтын Өмір Қаз Жақ Мәди Ораз Сағын Байман Жол Ізбас Қуат Мырза Төле
Шал""".split()
_ENDINGS = """бек бай болат жан хан ғали мұрат тай ғазы сұлтан ұлан қали пейіс бала тас ай
сейіт жар мұхамед ахмет ибай құл бол дәулет нияз""".split()
_RUSSIAN_SURNAMES = """Иванов Петров Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Федоров
Морозов Волков Алексеев Лебедев Семенов Егоров Павлов Козлов Степанов Николаев Ким Пак Цой Ли""".split()
_PLACES = [  # key, how lists write it, share of victims
    ("almaty", ["Алматы", "Almaty", "Алма-Ата", "г. Алматы", "Alma-Ata"], 0.46),
    ("taldykorgan", ["Талдыкорган", "Талдықорған", "Taldykorgan", "Taldyqorgan"], 0.07),
    ("taraz", ["Тараз", "Taraz"], 0.06),
    ("shymkent", ["Шымкент", "Shymkent", "Чимкент"], 0.05),
    ("kyzylorda", ["Кызылорда", "Қызылорда", "Kyzylorda", "Qyzylorda"], 0.05),
    ("aktobe", ["Актобе", "Ақтөбе", "Aktobe"], 0.04),
    ("zhanaozen", ["Жанаозен", "Жаңаөзен", "Zhanaozen"], 0.04),
    ("aktau", ["Актау", "Ақтау", "Aktau"], 0.04),
    ("oskemen", ["Усть-Каменогорск", "Өскемен", "Oskemen", "Ust-Kamenogorsk"], 0.04),
    ("semey", ["Семей", "Семипалатинск", "Semey", "Semipalatinsk"], 0.03),
    ("kunaev", ["Капчагай", "Қонаев", "Kapchagay", "Kunayev"], 0.04),
    ("talgar", ["Талгар", "Талғар", "Talgar"], 0.04),
    ("esik", ["Есик", "Есік", "Esik", "Issyk"], 0.02),
    ("kaskelen", ["Каскелен", "Қаскелең", "Kaskelen"], 0.02),
    ("uzynagash", ["Узынагаш", "Ұзынағаш", "Uzynagash"], 0.02),
    ("astana", ["Нур-Султан", "Nur-Sultan", "Астана"], 0.04),
    ("karaganda", ["Караганда", "Қарағанды", "Karaganda"], 0.04),
]

_RUSSIFY = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
_ICAO = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "ie", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_MEDIA = {**_ICAO, "й": "y", "ю": "yu", "я": "ya", "ъ": "", "ә": "a", "і": "i"}
_LATIN2021 = {
    **_ICAO, "ә": "ä", "ғ": "ğ", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "і": "ı",
    "и": "ï", "ж": "j", "ш": "ş", "ч": "ç", "х": "h", "ю": "iu", "я": "ia",
}  # fmt: skip
_VOWELS = set("аәеёиоөуұүыіэюя")
_KEYBOARD_NEAR = dict(zip("аоеиуынрсткл", "оаиеыуртскли", strict=True))


def _translit(word: str, table: dict[str, str], media: bool = False) -> str:
    out = []
    for i, ch in enumerate(word.lower()):
        after_vowel = i > 0 and word[i - 1].lower() in _VOWELS
        if media and ch == "е" and (i == 0 or after_vowel):
            out.append("ye")
        else:
            out.append(table.get(ch, ch))
    text = "".join(out)
    return text[:1].upper() + text[1:]


def _surname(root: str, gender: str, kazakh_style: bool = False) -> str:
    if kazakh_style:
        return root + ("ұлы" if gender == "m" else "қызы")
    if root in _RUSSIAN_SURNAMES:
        return root + ("а" if gender == "f" and root.endswith(("ов", "ев")) else "")
    if root.endswith("й"):
        base = root[:-1] + "ев"
    elif root[-1] in _VOWELS:
        base = root + "ев"
    else:
        base = root + "ов"
    return base + ("а" if gender == "f" else "")


def _patronymic(father: str, gender: str, kazakh: bool) -> str:
    if kazakh:
        return father + ("ұлы" if gender == "m" else "қызы")
    base = father[:-1] + "ев" if father.endswith("й") else father + "ов"
    return base + ("ич" if gender == "m" else "на")


def _drop_vowel(word: str, rng: np.random.Generator) -> str:
    """Russian spelling drops a reduced Kazakh vowel: Бауыржан -> Бауржан, Қазыбек -> Казбек."""
    spots = [i for i in range(1, len(word) - 1) if word[i] in "ыі"]
    if not spots:
        return word
    i = spots[int(rng.integers(len(spots)))]
    return word[:i] + word[i + 1 :]


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + _KEYBOARD_NEAR.get(word[i].lower(), word[i]) + word[i + 1 :]


STYLES = ["ru_official", "kz_cyrillic", "passport", "media", "kz_latin", "short_media"]
INITIALS_STYLES = ["initials_after", "initials_before", "initials_latin"]


def render_name(person: dict, style: str, rng: np.random.Generator, typo: float = 0.0) -> str:
    """Write a person's name in one of `STYLES` or `INITIALS_STYLES`."""
    g, root, given, father = person["gender"], person["root"], person["given"], person["father"]
    if rng.random() < typo:
        if rng.random() < 0.5:
            root = _typo(root, rng)
        else:
            given = _typo(given, rng)
    kazakh_root = root not in _RUSSIAN_SURNAMES
    if style == "ru_official":
        given_ru = _drop_vowel(given, rng) if rng.random() < 0.3 else given
        parts = [_surname(root, g), given_ru]
        if rng.random() < 0.7:
            parts.append(_patronymic(father, g, kazakh=False))
        return " ".join(parts).translate(_RUSSIFY)
    if style == "kz_cyrillic":
        parts = [_surname(root, g), given]
        if rng.random() < 0.6:
            parts.append(_patronymic(father, g, kazakh=True))
        return " ".join(parts)
    if style == "passport":
        return f"{_translit(_surname(root, g), _ICAO)} {_translit(given, _ICAO)}".upper()
    if style == "media":
        return f"{_translit(given, _MEDIA, True)} {_translit(_surname(root, g), _MEDIA, True)}"
    if style == "kz_latin":
        surname = _surname(root, g, kazakh_style=kazakh_root and rng.random() < 0.6)
        return f"{_translit(given, _LATIN2021)} {_translit(surname, _LATIN2021)}"
    if style == "short_media":
        surname = root if kazakh_root else _surname(root, g)
        return f"{_translit(given, _MEDIA, True)} {_translit(surname, _MEDIA, True)}"
    surname_ru = _surname(root, g).translate(_RUSSIFY)
    initial = given.translate(_RUSSIFY)[0] + "."
    father_initial = father.translate(_RUSSIFY)[0] + "."
    if style == "initials_after":
        return f"{surname_ru} {initial}{father_initial}"
    if style == "initials_before":
        return f"{initial} {surname_ru}"
    if style == "initials_latin":
        return f"{_translit(initial, _MEDIA)} {_translit(surname_ru, _MEDIA, True)}"
    raise ValueError(f"unknown style {style!r}")


def _surname_roots() -> list[str]:
    compounds = [p + e for p in _PREFIXES for e in _ENDINGS if not p.endswith(e[:2])]
    return list(dict.fromkeys(_ROOTS + compounds))


def population(n: int, seed: int = 0, family_share: float = 0.35) -> pd.DataFrame:
    """`n` people: `person`, `gender`, `root` (surname root), `given`, `father`,
    `birth` (date), `place` (index into the places table), `event` (date)."""
    rng = np.random.default_rng(seed)
    roots = _surname_roots()
    kazakh_weights = 1.0 / np.arange(1, len(roots) + 1) ** 0.6
    kazakh_weights /= kazakh_weights.sum()
    fathers = _MALE + _ROOTS[:40]
    n_families = max(1, int(n * (1 - family_share)))
    family_root = np.where(
        rng.random(n_families) < 0.9,
        rng.choice(np.array(roots, dtype=object), n_families, p=kazakh_weights),
        rng.choice(np.array(_RUSSIAN_SURNAMES, dtype=object), n_families),
    )
    family_father = rng.choice(np.array(fathers, dtype=object), n_families)
    family_place = rng.choice(len(_PLACES), n_families, p=_place_weights())
    # The first n_families people found a family each; the rest join one: siblings.
    family = np.concatenate([np.arange(n_families), rng.integers(0, n_families, n - n_families)])
    gender = np.where(rng.random(n) < 0.8, "m", "f")
    male_w = 1.0 / np.arange(1, len(_MALE) + 1) ** 0.9
    female_w = 1.0 / np.arange(1, len(_FEMALE) + 1) ** 0.9
    given = np.where(
        gender == "m",
        rng.choice(np.array(_MALE, dtype=object), n, p=male_w / male_w.sum()),
        rng.choice(np.array(_FEMALE, dtype=object), n, p=female_w / female_w.sum()),
    )
    # Parents do not give two children one name: draw again (uniformly) where they would.
    for _ in range(20):
        twice = pd.DataFrame({"f": family, "g": given}).duplicated().to_numpy()
        if not twice.any():
            break
        names = np.where(gender[twice] == "m", "m", "f")
        given[twice] = [
            _MALE[int(rng.integers(len(_MALE)))]
            if g == "m"
            else _FEMALE[int(rng.integers(len(_FEMALE)))]
            for g in names
        ]
    birth = pd.Timestamp("1952-01-01") + pd.to_timedelta(rng.integers(0, 365 * 52, n), unit="D")
    event = pd.Timestamp("2022-01-04") + pd.to_timedelta(rng.integers(0, 8, n), unit="D")
    moved = rng.random(n) < 0.1
    place = np.where(moved, rng.choice(len(_PLACES), n, p=_place_weights()), family_place[family])
    return pd.DataFrame(
        {
            "person": np.arange(n),
            "gender": gender,
            "root": family_root[family],
            "given": given,
            "father": family_father[family],
            "birth": birth,
            "place": place,
            "event": event,
        }
    )


def _place_weights() -> np.ndarray:
    weights = np.array([w for _, _, w in _PLACES])
    return weights / weights.sum()


def render_list(
    people: pd.DataFrame,
    styles: list[str],
    seed: int,
    id_prefix: str,
    typo: float = 0.1,
    birth_date_share: float = 0.7,
    age_share: float = 0.2,
    swap_share: float = 0.03,
    place_share: float = 0.85,
    event_share: float = 0.6,
    official: bool = False,
) -> pd.DataFrame:
    """A list in the CSV shape of `people.COLUMNS`, one row per person in `people`.

    `official=True` writes the August 2022 kind of list: initials and surname, age and
    town, nothing else."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, person in enumerate(people.to_dict("records")):
        style = styles[int(rng.integers(len(styles)))]
        birth: pd.Timestamp = person["birth"]
        event: pd.Timestamp = person["event"]
        age_now = event.year - birth.year - ((event.month, event.day) < (birth.month, birth.day))
        draw = rng.random()
        birth_text, age_text = "", ""
        if official:
            # Official lists were typed from other records: an age a year off, now and then.
            age_text = str(age_now + (int(rng.choice([-1, 1])) if rng.random() < 0.1 else 0))
        elif draw < birth_date_share:
            day, month = birth.day, birth.month
            if rng.random() < swap_share and day <= 12 and day != month:
                day, month = month, day
            birth_text = (
                f"{day:02d}.{month:02d}.{birth.year}"
                if rng.random() < 0.5
                else f"{birth.year}-{month:02d}-{day:02d}"
            )
        elif draw < birth_date_share + age_share:
            age_text = str(age_now + (1 if rng.random() < 0.1 else 0))
        place_index = person["place"]
        if official and rng.random() < 0.1:
            # The town where the person died, not the one where the family lives.
            place_index = int(rng.integers(len(_PLACES)))
        _, spellings, _ = _PLACES[place_index]
        place = spellings[int(rng.integers(len(spellings)))]
        rows.append(
            {
                "id": f"{id_prefix}{i + 1}",
                "full_name": render_name(person, style, rng, typo=typo),
                "birth_date": birth_text,
                "age": age_text,
                "gender": "" if official or rng.random() < 0.5 else person["gender"],
                "region": "",
                "locality": place if official or rng.random() < place_share else "",
                "event_date": ""
                if official or rng.random() > event_share
                else event.strftime("%Y-%m-%d"),
                "person": person["person"],
            }
        )
    frame = pd.DataFrame(rows)
    return frame[[*COLUMNS, "person"]]


def link_benchmark(
    n: int = 2000, seed: int = 1, official: bool = False, overlap: float = 0.6
) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """Two lists drawn from one population with `overlap` of each in the other, and
    the true links. `official=True` makes the right list initials-only."""
    people = population(n, seed)
    rng = np.random.default_rng(seed + 1)
    in_left = rng.random(n) < (1 + overlap) / 2 * 0.9
    in_right = np.where(in_left, rng.random(n) < overlap, rng.random(n) < 0.9)
    left = render_list(people[in_left], ["ru_official", "kz_cyrillic", "media", "kz_latin"],
                       seed + 2, "A")  # fmt: skip
    right_styles = (
        INITIALS_STYLES
        if official
        else ["passport", "media", "ru_official", "kz_latin", "short_media", "kz_cyrillic"]
    )
    right = render_list(people[in_right], right_styles, seed + 3, "B", official=official)
    truth = set(
        left[["id", "person"]]
        .merge(right[["id", "person"]], on="person", suffixes=("_l", "_r"))[["id_l", "id_r"]]
        .itertuples(index=False, name=None)
    )
    return left.drop(columns="person"), right.drop(columns="person"), truth


def dedupe_benchmark(
    n: int = 2000, seed: int = 1, duplicate_share: float = 0.3
) -> tuple[pd.DataFrame, pd.Series]:
    """One list in which `duplicate_share` of people appear two or three times, in
    different spellings; returns the list and the true person of each row."""
    people = population(n, seed)
    rng = np.random.default_rng(seed + 5)
    copies = np.where(rng.random(n) < duplicate_share, rng.integers(2, 4, n), 1)
    repeated = people.loc[people.index.repeat(copies)].sample(frac=1.0, random_state=seed)
    frame = render_list(repeated.reset_index(drop=True), STYLES, seed + 6, "P")
    return frame.drop(columns="person"), frame["person"]
