"""A name searched in one script or romanisation finds it written in the others.

The spellings come from the published tables, applied by hand to each Cyrillic name:

- ICAO Doc 9303 Part 3 (8th ed., 2021), section 6 table B, "Transliteration of
  Cyrillic characters" (what Kazakh and Russian passports print): Е E, Ж ZH, Х KH,
  Щ SHCH, Ю IU, Я IA, Й I, Ы Y.
- BGN/PCGN romanization of Russian (1947) and of Kazakh (1979): Е ye (initially), Ж zh,
  Й y, Х kh, Щ shch, Ю yu, Я ya; Kazakh Қ q, Ғ gh, Ұ ū, Ү ü, Ә ä, Ң ng, І i, Ы y.
- The Kazakh Latin alphabet of the Decree of the President of Kazakhstan No. 637 of
  26 October 2017 as amended by Decree No. 569 of 19 February 2018, and the 2021 draft
  letters (ä ğ ı ñ ö ş ū ü, Ж j, Қ q, Ш ş, Ы y, И/Й i).
- GOST 7.79-2000 (ISO 9:1995) system A (one letter for one: Щ ŝ, Ю û, Я â) and
  system B (letter combinations: Щ shh, Х x, Ю yu, Я ya, Ц cz).
"""

from __future__ import annotations

import pytest

from aigak.records.models import Record
from aigak.records.search import find, search
from aigak.records.tests.sample_forms import make_record

# (written in the record, spellings that must find it, the standard each comes from)
NAMES = [
    ("Ермеков", ["Yermekov", "Ermekov", "ЕРМЕКОВ"], "BGN/PCGN Russian, ICAO 9303"),
    ("Жанна", ["Zhanna", "Janna"], "ICAO 9303 and BGN/PCGN (zh), Kazakh 2021 (j)"),
    ("Қайрат", ["Kairat", "Qairat", "Qaırat"], "ICAO 9303 (k), BGN/PCGN Kazakh and 2018 (q)"),
    ("Шынар", ["Shynar", "Şynar", "Sh'ynar"], "ICAO/BGN (sh), 2021 (ş), 2017 (sh')"),
    ("Әлия", ["Aliya", "Älia", "Alia"], "BGN/PCGN (ya), 2021 (ä, ia), ICAO 9303 (ia)"),
    ("Ұлжан", ["Ulzhan", "Ūljan", "Ūlzhan"], "ICAO 9303, 2021 (ū, j), BGN/PCGN Kazakh (ū)"),
    ("Хасенов", ["Khasenov", "Hasenov", "Xasenov"], "ICAO/BGN (kh), 2021 (h), GOST B (x)"),
    ("Нұрлан", ["Nurlan", "Nūrlan"], "ICAO 9303, BGN/PCGN Kazakh (ū)"),
    ("Щукин", ["Shchukin", "Ŝukin", "Shhukin"], "ICAO/BGN (shch), GOST A (ŝ), GOST B (shh)"),
    ("Юлия", ["Yuliya", "Iuliia", "Ûliâ", "Julija"], "BGN, ICAO 9303, GOST A, scientific"),
    ("Ғалым", ["Galym", "Ghalym", "Ğalym"], "ICAO 9303, BGN/PCGN Kazakh (gh), 2021 (ğ)"),
    ("Цой", ["Tsoi", "Tsoy", "Czoj"], "ICAO 9303 (ts, i), BGN/PCGN (y), GOST B (cz, j)"),
    ("Өмірзақ", ["Omirzak", "Ömirzaq"], "ICAO 9303, 2021 (ö, q)"),
    ("Ёлкин", ["Elkin", "Yolkin", "Yëlkin"], "ICAO 9303 (e), GOST B (yo), BGN/PCGN (yë)"),
]
CASES = [(cyrillic, latin) for cyrillic, spellings, _ in NAMES for latin in spellings]
URL = "/records/victim/"


def _found(query: str, *, include_private: bool = True) -> list[str]:
    records = search(Record.live.all(), query, include_private=include_private)
    return sorted(r.answers["full_name"] for r in records)


@pytest.fixture
def both_scripts(victim, coordinator):
    """Each name twice: in Cyrillic, and in its first Latin spelling, with a given name."""
    for cyrillic, spellings, _ in NAMES:
        make_record(coordinator, victim, full_name=f"{cyrillic} Тест")
        make_record(coordinator, victim, full_name=f"{spellings[0]} Test")
    return victim


@pytest.mark.parametrize("cyrillic, latin", CASES)
def test_a_latin_spelling_finds_the_cyrillic_name(both_scripts, cyrillic, latin):
    assert f"{cyrillic} Тест" in _found(latin)


@pytest.mark.parametrize("cyrillic, latin", CASES)
def test_a_cyrillic_name_finds_the_latin_spelling(victim, coordinator, cyrillic, latin):
    make_record(coordinator, victim, full_name=f"{latin} Test")
    assert _found(cyrillic) == [f"{latin} Test"]


def test_spellings_of_different_names_stay_apart(both_scripts):
    assert _found("Ermekov") == ["Yermekov Test", "Ермеков Тест"]
    assert _found("Хасенов") == ["Khasenov Test", "Хасенов Тест"]
    assert _found("Qairat") == ["Kairat Test", "Қайрат Тест"]
    assert _found("Zhanna Test") == ["Zhanna Test", "Жанна Тест"]  # Test and Тест meet too
    assert _found("Zhanna Ermekov") == []


def test_the_list_page_finds_across_scripts(client, victim, coordinator):
    wanted = make_record(coordinator, victim, full_name="Ермеков Нұрлан")
    make_record(coordinator, victim, full_name="Смагулова Айгуль")
    client.force_login(coordinator)
    for query in ["Ermekov", "Yermekov", "Ерм", "Yermekov Nurlan", "Nūrlan"]:
        response = client.get(URL, {"q": query})
        assert [row.record.record_id for row in response.context["rows"]] == [wanted.record_id]
        assert not response.context["similar"]
        assert wanted.record_id in response.content.decode()


def test_a_name_one_letter_off_is_found_only_when_nothing_matches_as_written(victim, coordinator):
    make_record(coordinator, victim, full_name="Ермеков Нұрлан")
    make_record(coordinator, victim, full_name="Ермаков Нұрлан")
    for typo in ["Ermekof", "Yermelov", "Ermkov", "Ermemkov", "Ерменов"]:
        found = find(Record.live.all(), typo, include_private=True)
        assert found.similar, typo
        assert "Ермеков Нұрлан" in [r.answers["full_name"] for r in found.records], typo
    # Spelled as written: only that name, no neighbours.
    found = find(Record.live.all(), "Yermekov", include_private=True)
    assert not found.similar
    assert [r.answers["full_name"] for r in found.records] == ["Ермеков Нұрлан"]
    # Short words get no typo tolerance, and words that are no names none either.
    assert _found("Nurlam") == ["Ермаков Нұрлан", "Ермеков Нұрлан"]
    assert _found("Нур") == ["Ермаков Нұрлан", "Ермеков Нұрлан"]
    assert _found("Erma") == ["Ермаков Нұрлан"]
    assert _found("Ermo") == []
    assert _found("2021") == []


def test_names_outside_name_fields_are_searched_as_written(victim, coordinator):
    make_record(coordinator, victim, full_name="Асель", narrative="Ермеков видел это")
    assert _found("Ермеков") == ["Асель"]
    assert _found("Ermekov") == []


def test_confidential_names_are_found_only_by_those_who_may_see_them(questionnaires, coordinator):
    from aigak.questionnaires.models import Questionnaire
    from aigak.records.actions import create_record

    victim = Questionnaire.objects.get(name="victim")
    create_record(
        coordinator,
        victim,
        {"full_name": "Асель Нурланова", "source_name": "Хасенов Ерлан", "vital_status": "alive"},
        status="draft",
    )
    assert _found("Khasenov", include_private=True) == ["Асель Нурланова"]
    assert _found("Khasenov", include_private=False) == []
    assert _found("Khasenof", include_private=False) == []  # nor by a typo
    assert _found("Asel", include_private=False) == ["Асель Нурланова"]
