"""Romanisations of Kazakh and Russian names, written from the standards themselves.

Each table maps a lower-case Cyrillic letter to its Latin spelling. Context rules (Е
after a vowel, Ц before a front vowel) are in `romanise`. Sources:

- ICAO Doc 9303 (7th edition, part 3, section 6 "transliteration of Cyrillic"): the
  machine-readable zone of passports, upper case. Kazakh passports add the Kazakh
  letters as their nearest plain letter (Ә A, Ғ G, Қ K, Ң N, Ө O, Ұ U, Ү U, Һ H, І I).
- The Kazakh Latin alphabet of 2021 (31 letters: A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö
  P Q R S Ş T U Ū Ü V Y Z); И and Й are both İ i, І is I ı, Ж is J, Ш is Ş. Letters it
  lacks are written as its orthography rules propose: Ц ts, Ч ç, Щ şş, Ю iu, Я ia, Ё io,
  Ь and Ъ dropped.
- GOST 7.79-2000, system B (Russian, with ASCII only): Й j, Х x, Ц cz (c before е, и,
  ы, й), Щ shh, Ы y`, Э e`, Ю yu, Я ya, Ё yo, Ь `, Ъ ``.
- BGN/PCGN 1947 romanisation of Russian: Е ye at the start and after a vowel, Й, Ъ, Ь;
  Ё yё likewise; Й y; Х kh; Ц ts; Щ shch; Ы y; Ь ʼ; Ъ ˮ; Э e; Ю yu; Я ya.
- BGN/PCGN 1979 romanisation of Kazakh: Ә ä, Ғ gh, Қ q, Ң ng, Ө ö, Ұ ū, Ү ü, Һ h,
  І ī, Й y, Е ye/e as for Russian, Э é.
"""

from __future__ import annotations

import re

_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "ч": "ch", "ш": "sh",
}  # fmt: skip

ICAO_9303 = {
    **_BASE, "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "щ": "shch", "ъ": "ie",
    "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip

KAZAKH_LATIN_2021 = {
    **_BASE, "ё": "io", "ж": "j", "й": "i", "х": "h", "ц": "ts", "ч": "ç", "ш": "ş",
    "щ": "şş", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "и": "i",
    "ә": "ä", "ғ": "ğ", "қ": "q", "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "һ": "h", "і": "ı",
}  # fmt: skip

GOST_7_79_B = {
    **_BASE, "ё": "yo", "ж": "zh", "й": "j", "х": "x", "ц": "cz", "щ": "shh", "ъ": "``",
    "ы": "y`", "ь": "`", "э": "e`", "ю": "yu", "я": "ya",
}  # fmt: skip

BGN_PCGN_RUSSIAN = {
    **_BASE, "ё": "ё", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "щ": "shch", "ъ": "ˮ",
    "ы": "y", "ь": "ʼ", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

BGN_PCGN_KAZAKH = {
    **BGN_PCGN_RUSSIAN, "э": "é",
    "ә": "ä", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "ö", "ұ": "ū", "ү": "ü", "һ": "h", "і": "ī",
}  # fmt: skip

TABLES = {
    "icao": ICAO_9303,
    "latin2021": KAZAKH_LATIN_2021,
    "gost": GOST_7_79_B,
    "bgn_ru": BGN_PCGN_RUSSIAN,
    "bgn_kz": BGN_PCGN_KAZAKH,
}

_VOWELS = set("аәеёиоөуұүыіэюя")
_YE_AFTER = _VOWELS | set("йъь")


def romanise(word: str, standard: str) -> str:
    """`word` (Cyrillic) in the Latin of `standard`, capitalised as the input was.

    >>> romanise("Ерлан", "bgn_ru"), romanise("Ерлан", "icao"), romanise("Қазыбек", "latin2021")
    ('Yerlan', 'Erlan', 'Qazybek')
    >>> romanise("Цой", "gost"), romanise("Цыганов", "gost"), romanise("Хасен", "gost")
    ('Czoj', 'Cy`ganov', 'Xasen')
    """
    table = TABLES[standard]
    out = []
    lower = word.lower()
    for i, ch in enumerate(lower):
        before = lower[i - 1] if i else ""
        after = lower[i + 1] if i + 1 < len(lower) else ""
        spelled = table.get(ch, ch)
        if standard.startswith("bgn") and ch in "её" and (not before or before in _YE_AFTER):
            spelled = "y" + ("e" if ch == "е" else "ë")
        elif standard.startswith("bgn") and ch == "ё":
            spelled = "ë"
        elif standard == "gost" and ch == "ц" and after in ("е", "и", "ы", "й"):
            spelled = "c"
        out.append(spelled)
    text = "".join(out)
    if word[:1].isupper():
        text = "İ" + text[1:] if standard == "latin2021" and text[:1] == "i" else text
        text = text[:1].upper() + text[1:]
    return text.upper() if word.isupper() and len(word) > 1 else text


# Informal spellings seen in the press, on social networks and in Western documents:
# each (pattern, replacement) is one habit, applied to a Latin spelling.
INFORMAL_HABITS: list[tuple[str, str]] = [
    (r"^Ye", "E"),  # Yermekov / Ermekov
    (r"^E(?=[rl])", "Ye"),  # Erlan / Yerlan
    (r"ov$", "off"),  # -ov / -off
    (r"ev$", "eff"),
    (r"Zh", "J"),  # Zh / J
    (r"zh", "j"),
    (r"Kh", "H"),  # Kh / H
    (r"kh", "h"),
    (r"(?<=[aeiou])s(?=[aeiouy])", "ss"),  # double letters: Asel / Assel, Kasym / Kassym
    (r"(?<=[aeiou])n(?=[aeiou])", "nn"),
    (r"(?<=[aeiou])y(?=[^aeiou]|$)", "i"),  # Aydos / Aidos
    (r"(?<=[aeiou])i(?=[^aeiou]|$)", "y"),
    (r"iy$", "y"),  # Dmitriy / Dmitry
    (r"ʼ|ˮ", ""),  # soft and hard signs dropped
    (r"ë", "e"),
]
_HABITS = [(re.compile(p), r) for p, r in INFORMAL_HABITS]


def informal(latin: str, pick: list[int]) -> str:
    """`latin` with the informal habits numbered in `pick` applied (where they fit).

    >>> informal("Yermekov", [0, 2]), informal("Zhanna Kasymova", [4, 8])
    ('Ermekoff', 'Janna Kassymova')
    """
    for index in pick:
        pattern, repl = _HABITS[index]
        latin = pattern.sub(repl, latin)
    return latin
