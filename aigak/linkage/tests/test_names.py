"""Name and place normalisation rules (aigak.lib.names), one table per rule."""

from __future__ import annotations

import doctest

import pytest

from aigak.lib import names
from aigak.lib.names import (
    fold,
    initial_of,
    parse_name,
    patronymic_stem,
    place_key,
    region_key,
    skeleton,
    surname_stem,
)

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it


def test_it_passes_its_doctests():
    result = doctest.testmod(names)
    assert result.attempted > 20
    assert result.failed == 0


# Each row: spellings of one name that must fold to the same plain spelling.
SAME_FOLD = [
    ("ә", ["Әсел", "Асел", "Äsel", "Asel"]),
    ("gh", ["Ғалым", "Галым", "Ğalym", "Ghalym", "Galym"]),
    ("q", ["Қанат", "Канат", "Qanat", "Kanat"]),
    ("ng", ["Жаңаөзен", "Жанаозен", "Zhañaözen", "Zhanaozen"]),
    ("o-bar", ["Өмір", "Омир", "Ömır", "Omir"]),
    ("u-bar", ["Нұрлан", "Нурлан", "Nūrlan", "Nurlan"]),
    ("u-umlaut", ["Түркістан", "Туркистан", "Türkıstan", "Turkistan"]),
    ("h", ["Һасен", "Хасен", "Hasen", "Khasen"]),
    ("dotted i", ["Серік", "Серик", "Serık", "Serik"]),
    ("Dzh/Zh", ["Джумабаев", "Жумабаев", "Dzhumabaev", "Jumabayev", "Zhumabaev", "Djumabaev"]),
    ("upper case", ["КУДАЙБЕРГЕНОВ", "Kudaibergenov", "KUDAYBERGENOV"]),
    ("short i as y or i", ["Айдос", "Aydos", "Aidos"]),
    ("initial Ye", ["Ерлан", "Yerlan", "Erlan", "ERLAN"]),
    ("ye after a vowel", ["Баев", "Bayev", "Baev"]),
    ("-iy endings", ["Юрий", "Yuriy", "Yuri", "Iurii", "Yury"]),
    ("ya yu", ["Ильяс", "Ilyas", "Ilias"]),
    ("2021 Latin", ["Шыңғыс", "Şyñğys", "Shyngys", "Shyngghys"]),
    ("2017 apostrophes", ["Шыңғыс", "Sh'yn'g'ys"]),
]


@pytest.mark.parametrize(("rule", "spellings"), SAME_FOLD, ids=[r for r, _ in SAME_FOLD])
def test_it_folds_spellings_of_one_name_together(rule, spellings):
    assert len({fold(s) for s in spellings}) == 1, [fold(s) for s in spellings]


SAME_SURNAME = [
    ("the issue's example", ["Құдайбергенов", "Кудайбергенов", "Kudaibergenov", "Kudaibergen",
                             "Qudaibergenuly", "Kudaybergenov"]),
    ("-ov/-ova", ["Оспанов", "Оспанова", "Ospanov", "Ospanova"]),
    ("-ev/-eva", ["Алиев", "Алиева", "Aliyev", "Aliyeva", "Aliev"]),
    ("-in/-ina", ["Бекишин", "Бекишина", "Bekishin"]),
    ("-uly/-kyzy", ["Серікұлы", "Серікқызы", "Serikuly", "Serikkyzy", "Serikqyzy", "Serikov"]),
    ("Kyrgyz -uulu", ["Asanov", "Asan uulu"]),
    ("-bai/-bay/-baev/-bayev", ["Нурбай", "Nurbay", "Nurbai", "Нурбаев", "Nurbayev", "Nurbaeva"]),
    ("-skii/-skaia", ["Ковальский", "Ковальская", "Kovalsky"]),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "spellings"), SAME_SURNAME, ids=[r for r, _ in SAME_SURNAME])
def test_it_gives_one_surname_stem_to_a_family(rule, spellings):
    stems = {surname_stem(s.replace(" ", "")) for s in spellings}
    assert len(stems) == 1, stems


DIFFERENT_SURNAME = [("Оспанов", "Осипов"), ("Кудайбергенов", "Кудайбердиев"), ("Алиев", "Алимов")]


@pytest.mark.parametrize(("one", "other"), DIFFERENT_SURNAME)
def test_it_keeps_different_surnames_apart(one, other):
    assert surname_stem(one) != surname_stem(other)


DROPPED_VOWELS = [
    ("Бауыржан", "Бауржан"),
    ("Қазыбек", "Казбек"),
    ("Kazybek", "Kazbek"),
    ("Bauyrzhan", "Baurzhan"),
    ("Бейбіт", "Бейбит"),
]


@pytest.mark.parametrize(("full", "short"), DROPPED_VOWELS)
def test_it_meets_dropped_vowels_in_the_skeleton(full, short):
    assert skeleton(fold(full)) == skeleton(fold(short))


PATRONYMICS = [
    ("Серикович", "serik"),
    ("Сериковна", "serik"),
    ("Серікұлы", "serik"),
    ("Serikqyzy", "serik"),
    ("Нурланович", "nurlan"),
    ("Нурбаевич", "nurba"),
    ("Нұрбайұлы", "nurba"),
    ("Андреевич", "andre"),
]


@pytest.mark.parametrize(("patronymic", "stem"), PATRONYMICS)
def test_it_finds_the_fathers_name_in_a_patronymic(patronymic, stem):
    assert patronymic_stem(patronymic) == stem


INITIALS = [("Ж.", "z"), ("Zh.", "z"), ("J.", "z"), ("Dzh.", "z"), ("Е.", "e"), ("Ye.", "e"),
            ("Y.", "e"), ("Ю", "e"), ("Ә.", "a"), ("Қ", "k"), ("Q.", "k"), ("Х.", "h"),
            ("Kh.", "h"), ("Ш.", "s")]  # fmt: skip


@pytest.mark.parametrize(("initial", "expected"), INITIALS)
def test_it_classes_initials_across_scripts(initial, expected):
    assert initial_of(initial) == expected


# full name -> (surname stem, given name, patronymic stem, given initial, gender)
PARSED = [
    ("Кудайбергенов Казыбек Серикович", ("kudaibergen", "kazybek", "serik", "k", "m")),
    ("Kazybek Kudaibergenov", ("kudaibergen", "kazybek", "", "k", "m")),
    ("KUDAIBERGENOV KAZYBEK", ("kudaibergen", "kazybek", "", "k", "m")),
    ("Kazybek KUDAIBERGEN", ("kudaibergen", "kazybek", "", "k", "")),
    ("Qazybek Qudaibergenuly", ("kudaibergen", "kazybek", "", "k", "m")),
    ("Құдайбергенов Қазыбек Серікұлы", ("kudaibergen", "kazybek", "serik", "k", "m")),
    ("Айгерим Серік қызы", ("serik", "aigerim", "", "a", "f")),
    ("К. Кудайбергенов", ("kudaibergen", "", "", "k", "m")),
    ("Кудайбергенов К.С.", ("kudaibergen", "", "", "k", "m")),
    ("K. Kudaibergen", ("kudaibergen", "", "", "k", "")),
    ("Zarina Jumabaeva", ("zhumaba", "zarina", "", "z", "f")),
    ("Жумабаева Зарина Куанышкызы", ("zhumaba", "zarina", "kuanysh", "z", "f")),
    ("Ким Қуаныш Оспанұлы", ("kim", "kuanysh", "ospan", "k", "m")),
    ("Erkin Ospanov", ("ospan", "erkin", "", "e", "m")),
    ("Оспанов Еркин", ("ospan", "erkin", "", "e", "m")),
    ("Nurlan Abenov", ("aben", "nurlan", "", "n", "m")),
    ("  Оспанов,  Ерлан ", ("ospan", "erlan", "", "e", "m")),
    # Of two words, one ending in a bare -ич is the surname, not a patronymic.
    ("Michael Heidrich", ("heidrich", "michael", "", "m", "")),
]


@pytest.mark.parametrize(("full_name", "expected"), PARSED, ids=[p for p, _ in PARSED])
def test_it_takes_a_name_apart(full_name, expected):
    name = parse_name(full_name)
    got = (name.surname_stem, name.given, name.patronymic_stem, name.given_initial, name.gender)
    assert got == expected


def test_it_reads_the_patronymic_initial_after_the_given_initial():
    assert parse_name("Кудайбергенов К.С.").patronymic_initial == "s"
    assert parse_name("Kazybek S. Kudaibergenov").patronymic_initial == "s"


@pytest.mark.parametrize("empty", ["", "   ", "-", "..", "123"])
def test_it_gives_an_empty_name_for_no_letters(empty):
    assert parse_name(empty).is_empty


SAME_PLACE = [
    ("oskemen", ["Oskemen", "Öskemen", "Ust-Kamenogorsk", "Усть-Каменогорск", "Өскемен",
                 "г. Усть-Каменогорск"]),
    ("almaty", ["Almaty", "Alma-Ata", "Алматы", "Алма-Ата", "город Алматы", "ALMATY"]),
    ("semey", ["Semey", "Semipalatinsk", "Семей", "Семипалатинск"]),
    ("kyzylorda", ["Kyzylorda", "Qyzylorda", "Кызылорда", "Қызылорда", "Kzyl-Orda"]),
    ("taldykorgan", ["Taldykorgan", "Taldyqorgan", "Талдыкорган", "Талдықорған"]),
    ("kunaev", ["Kunayev", "Konaev", "Kapchagay", "Капчагай", "Қонаев", "Қапшағай"]),
    ("astana", ["Astana", "Nur-Sultan", "Нур-Султан", "Нұр-Сұлтан", "Целиноград"]),
]  # fmt: skip


@pytest.mark.parametrize(("key", "spellings"), SAME_PLACE, ids=[k for k, _ in SAME_PLACE])
def test_it_gives_one_key_to_the_names_of_a_town(key, spellings):
    assert {place_key(s) for s in spellings} == {key}


REGIONS = [
    ("Алматинская область", "almaty"),
    ("Almaty oblysy", "almaty"),
    ("Almaty", "almaty_city"),
    ("ВКО", "east_kazakhstan"),
    ("Восточно-Казахстанская обл.", "east_kazakhstan"),
    ("Shygys Kazakhstan", "east_kazakhstan"),
    ("Ust-Kamenogorsk", "east_kazakhstan"),
    ("Mangistau", "mangystau"),
    ("Маңғыстау облысы", "mangystau"),
    ("Zhanaozen", "mangystau"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "key"), REGIONS)
def test_it_gives_one_key_to_a_region(text, key):
    assert region_key(text) == key
