"""Search keys for names: one name in any script or romanisation gives the same key.

A record's name fields are indexed with keys made from `aigak.lib.names.fold`, and a
query's words are folded the same way, so "Yermekov", "Ermekov" and "Ермеков" meet on
"ermekov". Keys are words of the search text with a prefix no written word has
(`NAME_KEY`, `TYPO_KEY`), so they never mix with the words themselves.

>>> name_tokens("Ермеков Жанна")
['zznermekov', 'zzsermkv', 'zzsemkv', 'zzserkv', 'zzsermv', 'zzsermk', 'zznzhana', 'zzszhn']
>>> name_tokens("Ə Ким"), name_tokens("ß")  # a letter no standard folds gives no key
(['zznkim'], [])
>>> query_keys("Yermekov")
['ermekov']
>>> sorted(query_keys("Julija"))  # ж (Kazakh 2021: Janna) or й (scientific: Julija)
['iulia', 'zhulizha']
"""

from __future__ import annotations

import re
from functools import lru_cache

from aigak.lib.names import fold

NAME_KEY = "zzn"  # a folded spelling of a name word
TYPO_KEY = "zzs"  # a consonant skeleton of a name word, and that skeleton less one letter
TYPO_MIN = 5  # words shorter than this get no typo keys: too many names would meet
QUERY_MIN = 3  # a query word folding to fewer letters is not looked up as a name

# Letters, with the apostrophes and backticks that some romanisations put inside a word
# (Sh'ynar in the 2017 alphabet, Il'in in BGN/PCGN, E`l`mira in GOST 7.79 B).
NAME_WORD = re.compile(r"[^\W\d_]+(?:['’ʼʹ`][^\W\d_]+)*")
NAME_FIELD = re.compile(r"(?:^|_)(?:name|names|surname|patronymic|fio)(?:_|$)")
_VOWELS = set("aeiouy")


def is_name_field(name: str) -> bool:
    """Whether a text field holds names, by its name (full_name, source_name, surname).

    >>> [is_name_field(n) for n in ["full_name", "surname", "narrative", "username_x"]]
    [True, True, False, False]
    """
    return bool(NAME_FIELD.search(name.lower()))


@lru_cache(maxsize=100_000)
def spellings(word: str) -> tuple[str, ...]:
    """The folded keys of one name word. Most words have one; a few letters are read
    two ways by the standards and give two keys.

    >>> spellings("Ёлкин"), spellings("Yolkin")  # ё: e (ICAO 9303), yo (GOST 7.79 B)
    (('elkin', 'iolkin'), ('iolkin', 'elkin'))
    """
    keys = [fold(word)]
    lower = word.lower()
    if "j" in lower:  # ж in the 2021 Kazakh alphabet, й in scientific spelling (Julija)
        keys.append(fold(re.sub(r"(?<!d)j", "y", lower)))
    if "ё" in lower:
        keys.append(fold(lower.replace("ё", "йо")))
    elif re.search("yo|jo", lower):
        keys.append(fold(re.sub("yo|jo", "e", lower)))
    return tuple(dict.fromkeys(k for k in keys if k))


@lru_cache(maxsize=100_000)
def typo_keys(folded: str) -> tuple[str, ...]:
    """The consonant skeleton of a folded word of `TYPO_MIN` letters or more, and the
    skeleton with one letter (not the first) left out. Two words share a key when they
    differ in vowels, doubled letters and at most one consonant each.

    >>> typo_keys("ermekov"), typo_keys("erma")
    (('ermkv', 'emkv', 'erkv', 'ermv', 'ermk'), ())
    """
    if len(folded) < TYPO_MIN:
        return ()
    bones = folded[0]
    for char in folded[1:]:
        if char not in _VOWELS and char != bones[-1]:
            bones += char
    if len(bones) < 4:
        return (bones,)
    shorter = (bones[:i] + bones[i + 1 :] for i in range(1, len(bones)))
    return tuple(dict.fromkeys([bones, *shorter]))


def name_tokens(text: str) -> list[str]:
    """The index words for the names in `text`: each spelling key, then its typo keys."""
    found = NAME_WORD.findall(text)
    if len(found) == 1:  # a word's own tokens are all different
        return list(_word_tokens(found[0]))
    return list(dict.fromkeys(token for word in found for token in _word_tokens(word)))


@lru_cache(maxsize=16_384)
def _word_tokens(word: str) -> tuple[str, ...]:
    keys = spellings(word)
    if not keys:  # letters no transliteration folds (ß, Ə): no key to find them by
        return ()
    return (*(NAME_KEY + key for key in keys), *(TYPO_KEY + b for b in typo_keys(keys[0])))


def query_keys(word: str) -> list[str]:
    """The name keys a query word is looked up by (a prefix of them), or none for a word
    that is no name (digits, "V-000579", one or two letters)."""
    if not NAME_WORD.fullmatch(word):
        return []
    return [key for key in spellings(word) if len(key) >= QUERY_MIN]


def query_typo_keys(word: str) -> list[str]:
    keys = query_keys(word)
    return list(typo_keys(keys[0])) if keys else []
