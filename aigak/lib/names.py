"""Names of people and places in Kazakhstan, folded so that spellings of one name meet.

The same person is written Құдайбергенов, Кудайбергенов, Kudaibergenov, Kudaibergen,
Qudaibergenuly or "К. Кудайбергенов". These functions turn each spelling into keys that
agree: a plain Latin spelling (`fold`), a surname without its ending (`surname_stem`),
a skeleton without the vowels that spellings drop (`skeleton`), and a parsed name
(`parse_name`) that knows surname, given name, patronymic and initials.

>>> {surname_stem(s) for s in ["Құдайбергенов", "Кудайбергенов", "Kudaibergenov",
...                            "Kudaibergen", "Qudaibergenuly", "KUDAYBERGENOVA"]}
{'kudaibergen'}
>>> skeleton(fold("Kazybek")) == skeleton(fold("Казбек"))
True
>>> place_key("Ust-Kamenogorsk") == place_key("Өскемен") == place_key("г. Oskemen")
True

The tables live in `aigak.lib.names_data`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from aigak.lib import names_data as tables

_TRANSLATE = str.maketrans({**tables.CYRILLIC_TO_LATIN, **tables.LATIN_MARKS})
# The backtick is GOST 7.79 B's mark for ы, э, ь, ъ (Sady`kov, E`l`mira), dropped.
_APOSTROPHE = re.compile(r"([a-z])['’ʼʻ´]")
_RULES = [(re.compile(pattern), repl) for pattern, repl in tables.SPELLING_RULES]
_NOT_LETTER = re.compile(r"[^a-z]+")
_VOWELS = set("aeiouy")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def to_latin(text: str) -> str:
    """Lower-case `text` and write its Cyrillic and marked letters in plain Latin.

    >>> to_latin("Құдайбергенов Қазыбек")
    'kudaibergenov kazybek'
    >>> to_latin("Şynğys Būryñğy Öskemen")
    'shyngys buryngy oskemen'
    >>> to_latin("Sh'yn'g'ys")  # the 2017 apostrophe alphabet
    'shyngys'
    """
    text = unicodedata.normalize("NFC", text).lower().translate(_TRANSLATE)
    text = _APOSTROPHE.sub(lambda m: tables.APOSTROPHE_LETTERS.get(m[1], m[1]), text)
    # Whatever marked letter is left (a Vietnamese or Polish one) loses its mark.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """One plain Latin spelling for all the spellings of `word` (letters only).

    >>> [fold(w) for w in ["Жумабаев", "Джумабаев", "Jumabayev", "Zhumabaev"]]
    ['zhumabaev', 'zhumabaev', 'zhumabaev', 'zhumabaev']
    >>> [fold(w) for w in ["Ерлан", "Yerlan", "ERLAN"]]
    ['erlan', 'erlan', 'erlan']
    >>> [fold(w) for w in ["Хасен", "Khasen", "Һасен", "Hasen"]]
    ['hasen', 'hasen', 'hasen', 'hasen']
    >>> fold("Aliyev") == fold("Алиев")
    True
    """
    text = _NOT_LETTER.sub("", to_latin(word))
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text


@lru_cache(maxsize=200_000)
def skeleton(folded: str) -> str:
    """A folded word without the reduced vowels (ы, і) that spellings drop, and without
    doubled letters: Бауыржан/Бауржан, Қазыбек/Казбек meet here.

    >>> skeleton(fold("Бауыржан")) == skeleton(fold("Бауржан")) == skeleton(fold("Baurzhan"))
    True
    >>> skeleton("kazybek")
    'kazbek'
    """
    if not folded:
        return folded
    rest = folded[1:].replace("y", "").replace("i", "")
    out = folded[0]
    for char in rest:
        if char != out[-1]:
            out += char
    return out


def _fold_suffixes(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    folded = {(fold(suffix), gender) for suffix, gender in pairs}
    return sorted(folded, key=lambda pair: -len(pair[0]))


_SURNAME_SUFFIXES = _fold_suffixes(tables.SURNAME_SUFFIXES)
_PATRONYMIC_SUFFIXES = _fold_suffixes(tables.PATRONYMIC_SUFFIXES)
_KAZAKH_PATRONYMIC = {fold(s) for s in ("ұлы", "uulu", "ulu", "қызы", "kizi", "gyzy")}
_PARTICLES = {fold(p) for p in tables.PATRONYMIC_PARTICLES}
_MIN_STEM = 3


@lru_cache(maxsize=400_000)
def _strip(word: str, kind: str) -> tuple[str, str, str]:
    """(stem, suffix, gender) for the longest surname or patronymic suffix (`kind`) that
    leaves a stem of 3 letters."""
    for suffix, gender in _SURNAME_SUFFIXES if kind == "surname" else _PATRONYMIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)], suffix, gender
    return word, "", ""


def _settle_bai(stem: str) -> str:
    # -бай names: Nurbai, Nurbay, Nurbaev, Nurbayev share the stem "nurba".
    return stem[:-1] if stem.endswith("ai") else stem


@lru_cache(maxsize=200_000)
def surname_stem(surname: str) -> str:
    """The surname without -ов/-ова/-ев/-ева/-ин/-ина/-ұлы/-қызы/-ский: what a family
    and its spellings share.

    >>> [surname_stem(s) for s in ["Нурбаев", "Nurbayev", "Nurbai", "Нурбаева", "Nurbay"]]
    ['nurba', 'nurba', 'nurba', 'nurba', 'nurba']
    >>> surname_stem("Абдрахманкызы") == surname_stem("Абдрахманова")
    True
    """
    stem, _, _ = _strip(fold(surname), "surname")
    return _settle_bai(stem)


@lru_cache(maxsize=200_000)
def patronymic_stem(patronymic: str) -> str:
    """The father's name inside a patronymic: Серикович, Сериковна, Серікұлы -> serik.

    >>> {patronymic_stem(p) for p in ["Серикович", "Сериковна", "Серікұлы", "Serikkyzy"]}
    {'serik'}
    """
    stem, _, _ = _strip(fold(patronymic), "patronymic")
    return _settle_bai(stem)


def initial_of(word: str) -> str:
    """The class of a name's first sound, so that an initial and a full name agree
    across scripts (Ж., Zh., J. -> z; Е., Ye., Y. -> e).

    >>> [initial_of(w) for w in ["Жанна", "J", "Zh.", "Ерлан", "Yerlan", "Y.", "Ә", "Q"]]
    ['z', 'z', 'z', 'e', 'e', 'e', 'a', 'k']
    """
    folded = fold(word)
    if not folded:
        return ""
    if len(folded) > 1 and folded[0] == "i" and folded[1] in "aeou":
        return tables.INITIAL_CLASSES["i_vowel"]
    return tables.INITIAL_CLASSES.get(folded[0], folded[0])


_GIVEN = {fold(name) for name in tables.GIVEN_NAMES}
_GIVEN_SKELETONS = {skeleton(name) for name in _GIVEN}


@lru_cache(maxsize=200_000)
def is_given_name(word: str) -> bool:
    """Whether `word` is a common given name in Kazakhstan (any script or spelling).

    >>> is_given_name("Қазыбек"), is_given_name("Kazbek"), is_given_name("Kudaibergenov")
    (True, True, False)
    """
    folded = fold(word)
    return folded in _GIVEN or skeleton(folded) in _GIVEN_SKELETONS


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name taken apart. Keys are folded (plain Latin, lower case)."""

    surname: str = ""
    given: str = ""
    patronymic: str = ""
    given_initial: str = ""
    patronymic_initial: str = ""
    gender: str = ""  # "m" or "f" when an ending tells it, else ""
    other: tuple[str, ...] = field(default_factory=tuple)

    @property
    def surname_stem(self) -> str:
        return _settle_bai(_strip(self.surname, "surname")[0]) if self.surname else ""

    @property
    def patronymic_stem(self) -> str:
        if not self.patronymic:
            return ""
        return _settle_bai(_strip(self.patronymic, "patronymic")[0])

    @property
    def is_empty(self) -> bool:
        return not (self.surname or self.given or self.given_initial)


_SPLIT = re.compile(r"[\s,;_/]+")
_INITIAL = re.compile(r"^([^\W\d_]{1,3})\.$|^([^\W\d_])$")
_INITIALS_RUN = re.compile(r"(?:[^\W\d_]{1,3}\.)+")
_NOT_WORD = re.compile(r"[^\w]")


@lru_cache(maxsize=200_000)
def _token_parts(raw: str) -> tuple[tuple[str, str, bool, bool], ...]:
    """(folded word, initial class if an initial else "", is upper case, is Cyrillic) for
    each part of one space-separated token; "К.Б." gives two initials."""
    raw = unicodedata.normalize("NFC", raw).strip("()[]\"'«»“”")
    if not raw:
        return ()
    parts = re.findall(r"[^.]+\.?", raw) if _INITIALS_RUN.fullmatch(raw) else [raw]
    out = []
    for part in parts:
        folded = fold(part)
        is_initial = bool(_INITIAL.match(part)) and len(folded) <= 2
        letters = _NOT_WORD.sub("", part)
        out.append(
            (
                folded,
                initial_of(part) if is_initial else "",
                len(letters) > 1 and letters.isupper(),
                bool(_CYRILLIC.search(part)),
            )
        )
    return tuple(out)


def parse_name(full_name: str) -> PersonName:
    """Take a full name apart: Russian order (surname, given, patronymic), English order
    (given, surname), initials, Kazakh -ұлы/-қызы patronymics, upper-case surnames.

    >>> parse_name("Кудайбергенов Казыбек Серикович")
    PersonName(surname='kudaibergenov', given='kazybek', patronymic='serikovich', given_initial='k', patronymic_initial='s', gender='m', other=())
    >>> parse_name("K. Kudaibergen").surname, parse_name("K. Kudaibergen").given_initial
    ('kudaibergen', 'k')
    >>> p = parse_name("Кудайбергенов К.С.")
    >>> p.surname, p.given, p.given_initial, p.patronymic_initial
    ('kudaibergenov', '', 'k', 's')
    >>> parse_name("Kazybek Qudaibergenuly").surname_stem
    'kudaibergen'
    >>> p = parse_name("Айгерим Серік қызы Кудайбергенова")
    >>> p.surname_stem, p.given, p.patronymic_stem, p.gender
    ('kudaibergen', 'aigerim', 'serik', 'f')
    >>> parse_name("Kazybek KUDAIBERGEN").surname
    'kudaibergen'
    """
    return PersonName(*_parse(full_name))


def name_keys(full_name: str) -> tuple[str, str, str, str, str, str, str, str, str]:
    """The keys a matching model compares, straight from a full name (quicker than
    `parse_name` for a million names): surname stem, its skeleton, given name, its
    skeleton, given initial, patronymic stem, patronymic initial, gender, and "1" when
    the surname had a surname ending (-ов, -ұлы...: then which word is the surname was
    not a guess).

    >>> name_keys("Құдайбергенов Қазыбек Серікұлы")
    ('kudaibergen', 'kudabergen', 'kazybek', 'kazbek', 'k', 'serik', 's', 'm', '1')
    >>> name_keys("K. Kudaibergen")
    ('kudaibergen', 'kudabergen', '', '', 'k', '', '', '', '')
    """
    surname, given, patronymic, given_initial, patronymic_initial, gender, _ = _parse(full_name)
    stem, suffix, _ = _strip(surname, "surname") if surname else ("", "", "")
    stem = _settle_bai(stem)
    father = _settle_bai(_strip(patronymic, "patronymic")[0]) if patronymic else ""
    return (
        stem,
        skeleton(stem),
        given,
        skeleton(given),
        given_initial,
        father,
        patronymic_initial,
        gender,
        "1" if suffix else "",
    )


_Parsed = tuple[str, str, str, str, str, str, tuple[str, ...]]
_NOBODY: _Parsed = ("", "", "", "", "", "", ())


@lru_cache(maxsize=300_000)
def _parse(full_name: str) -> _Parsed:
    """Fields of `PersonName`, in order, as a plain tuple."""
    words: list[str] = []
    uppers: list[bool] = []
    initials: list[str] = []
    cyrillic = False
    for raw in _SPLIT.split(full_name):
        for folded, initial, upper, is_cyrillic in _token_parts(raw):
            cyrillic = cyrillic or is_cyrillic
            if initial:
                initials.append(initial)
            elif not folded:
                continue
            elif folded in _PARTICLES and words:
                words[-1] += folded  # "Серік ұлы" written apart: one patronymic
            else:
                words.append(folded)
                uppers.append(upper)
    if not words and not initials:
        return _NOBODY
    signature = tuple((*_describe(w), u) for w, u in zip(words, uppers, strict=True))
    at_surname, at_given, at_patronymic, others = _roles(signature, cyrillic)
    surname = words[at_surname] if at_surname >= 0 else ""
    given = words[at_given] if at_given >= 0 else ""
    patronymic = words[at_patronymic] if at_patronymic >= 0 else ""
    gender = _strip(surname, "surname")[2] if surname else ""
    if patronymic and not gender:
        gender = _strip(patronymic, "patronymic")[2]
    if patronymic:
        patronymic_initial = initial_of(patronymic)
    elif given:
        patronymic_initial = initials[0] if initials else ""
    else:
        patronymic_initial = initials[1] if len(initials) > 1 else ""
    given_initial = initial_of(given) if given else (initials[0] if initials else "")
    other = tuple(words[i] for i in others)
    return surname, given, patronymic, given_initial, patronymic_initial, gender, other


@lru_cache(maxsize=400_000)
def _describe(word: str) -> tuple[int, str, bool]:
    """What a folded word looks like: (a Russian patronymic: 2 for -ович/-овна..., 1 for
    a bare -ич, 0 for none; its surname ending - see `_surname_ending` -; a given name)."""
    suffix = _strip(word, "patronymic")[1]
    given = is_given_name(word)
    patronymic = 0
    if suffix and not _is_kazakh_ending(suffix) and not given:
        patronymic = 1 if suffix == _BARE_ICH else 2
    return patronymic, _surname_ending(word), given


_BARE_ICH = fold("ич")

# Signature of a name: per word (Russian patronymic, surname ending, given name, upper).
Signature = tuple[tuple[int, str, bool, bool], ...]


@lru_cache(maxsize=20_000)
def _roles(signature: Signature, cyrillic: bool) -> tuple[int, int, int, tuple[int, ...]]:
    """Positions of surname, given name and patronymic (-1 for none), and of the other
    words, decided from what the words look like. Names share few signatures, so each
    is decided once."""
    rest = list(range(len(signature)))
    # A bare -ич makes a patronymic beside two other words only: of two words,
    # Heidrich and Dubrovich are surnames.
    least = 1 if len(rest) > 2 else 2
    patronymic = next((i for i in rest if signature[i][0] >= least), -1)
    rest = [i for i in rest if i != patronymic]
    # Zarina, Madina and Erkin end like surnames (-ина, -ин) but are given names.
    # -ов/-ева beats -ин/-ын: in "Tolkyn Sultanova" the surname is Sultanova.
    russian = [i for i in rest if signature[i][1] == "russian"]
    russian += [i for i in rest if signature[i][1] == "russian_weak"]
    kazakh = [i for i in rest if signature[i][1] == "kazakh"]
    if russian:
        surname = russian[0]
        # Beside an -ов surname a -ұлы/-қызы word is the patronymic.
        if patronymic < 0 and kazakh:
            patronymic = kazakh[0]
    elif kazakh and len(rest) >= 3 and rest[-1] == kazakh[-1] and patronymic < 0:
        # "Ким Қуаныш Оспанұлы": official order, the last word is the patronymic.
        patronymic = kazakh[-1]
        surname = _surname_by_position(signature, rest[:-1], cyrillic, True)
    elif kazakh:
        surname = kazakh[-1]
        if len(kazakh) > 1 and patronymic < 0:
            patronymic = kazakh[0]
    else:
        surname = _surname_by_position(signature, rest, cyrillic, patronymic >= 0)
    rest = [i for i in rest if i not in (surname, patronymic)]
    given = rest[0] if rest else -1
    return surname, given, patronymic, tuple(rest[1:])


@lru_cache(maxsize=200_000)
def _surname_ending(word: str) -> str:
    """The kind of surname ending: "russian" (-ов, -ева, -ский...), "russian_weak"
    (-ин, -ына: also the end of given names such as Tolkyn, Karina), "kazakh" (-ұлы,
    -қызы), or "" for none and for a given name that only looks suffixed."""
    suffix = _strip(word, "surname")[1]
    if not suffix or is_given_name(word):
        return ""
    if _is_kazakh_ending(suffix):
        return "kazakh"
    return "russian_weak" if suffix in _WEAK_SUFFIXES else "russian"


_WEAK_SUFFIXES = {fold(s) for s in ("ин", "ина", "ын", "ына")}


def _is_kazakh_ending(suffix: str) -> bool:
    return suffix in _KAZAKH_PATRONYMIC or suffix in {fold("uly"), fold("kyzy")}


def _surname_by_position(
    signature: Signature, words: list[int], cyrillic: bool, has_patronymic: bool
) -> int:
    if not words:
        return -1
    if len(words) == 1:
        return words[0]
    capitals = [i for i in words if signature[i][3]]
    if len(capitals) == 1:
        return capitals[0]  # passport style: "Kazybek KUDAIBERGEN"
    unknown = [i for i in words if not signature[i][2]]
    if len(unknown) == 1:
        return unknown[0]
    # Official Russian-language lists put the surname first, English-language media last.
    return words[0] if cyrillic or has_patronymic else words[-1]


_CITY_WORDS = {fold(w) for w in tables.CITY_WORDS}
_REGION_WORDS = {fold(w) for w in tables.REGION_WORDS}


def _place_words(text: str) -> list[str]:
    return [fold(w) for w in re.split(r"[\s,.;()]+", text) if fold(w)]


def _place_name(words: list[str]) -> str:
    return "".join(w for w in words if w not in _CITY_WORDS and w not in _REGION_WORDS)


_PLACE_LOOKUP = {
    _place_name(_place_words(spelling)): key
    for key, (_, spellings) in tables.PLACES.items()
    for spelling in [key, *spellings]
}
_REGION_OF_PLACE = {key: region for key, (region, _) in tables.PLACES.items()}
_REGION_LOOKUP: dict[str, str] = {}
for _key, _spellings in sorted(tables.REGIONS.items(), key=lambda kv: kv[0].endswith("_city")):
    for _spelling in _spellings:
        _REGION_LOOKUP.setdefault(_place_name(_place_words(_spelling)), _key)


def place_key(text: str) -> str:
    """One key for the spellings and former names of a town: Oskemen, Ust-Kamenogorsk,
    Өскемен; Almaty, Alma-Ata; Semey, Semipalatinsk; Kunayev, Kapchagay. A place not in
    the table keeps its folded name.

    >>> [place_key(p) for p in ["Alma-Ata", "г. Алматы", "Semipalatinsk", "Qyzylorda"]]
    ['almaty', 'almaty', 'semey', 'kyzylorda']
    >>> place_key("Kapchagay") == place_key("Қонаев"), place_key("Taldyqorgan")
    (True, 'taldykorgan')
    >>> place_key("Новое село"), place_key("")
    ('novoe', '')
    """
    name = _place_name(_place_words(text))
    return _PLACE_LOOKUP.get(name, name)


def region_key(text: str) -> str:
    """One key for a region (oblys) however written; a town gives its region.

    >>> region_key("Алматинская область"), region_key("Almaty oblysy"), region_key("Almaty")
    ('almaty', 'almaty', 'almaty_city')
    >>> region_key("ВКО"), region_key("Oskemen"), region_key("Mangistau")
    ('east_kazakhstan', 'east_kazakhstan', 'mangystau')
    """
    words = _place_words(text)
    name = _place_name(words)
    if not name:
        return ""
    if any(w in _REGION_WORDS for w in words) and name in _REGION_LOOKUP:
        return _REGION_LOOKUP[name]
    if name in _PLACE_LOOKUP:
        return _REGION_OF_PLACE[_PLACE_LOOKUP[name]]
    return _REGION_LOOKUP.get(name, name)


def region_of_place(key: str) -> str:
    """The region key of a place key from `place_key`, or "" when unknown.

    >>> region_of_place("oskemen"), region_of_place("nowhere")
    ('east_kazakhstan', '')
    """
    return _REGION_OF_PLACE.get(key, "")
