"""Matching's messages in the reader's language: a refused decision, a decision taken,
a run whose model could not run, a refused list file and a list's warnings (kept in English,
said in Russian or Kazakh)."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from aigak.linkage.list_warnings import warning_in_words
from aigak.linkage.lists import ListFileError, check_mapping, read_table
from aigak.linkage.models import Match, MatchingRun, MatchKind, VictimList
from aigak.linkage.tests.appdata import LIST_HEADER, csv_bytes, list_rows, xlsx_bytes
from aigak.linkage.tests.test_views import world  # noqa: F401 - the fixture
from aigak.runs.models import RunStatus


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_a_refused_decision_says_why_in_russian(client, world, coordinator):  # noqa: F811
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    link = world["link"]
    rival = Match.objects.create(
        kind=MatchKind.LINK, entry=link.entry, person=world["records"][1].person, probability=0.4
    )
    client.post(f"/linkage/matches/{link.pk}/decide/", {"decision": "accepted"})
    decided = {"decision": "accepted"}
    page = _page(client.post(f"/linkage/matches/{rival.pk}/decide/", decided, follow=True))
    entry, person = link.entry.entry_id, link.person_id
    said = f"Совпадение {rival.pk}: запись {entry} уже принята как лицо {person} (совпадение"
    assert said in page
    assert "сначала отклоните это совпадение или отметьте его как нерешённое" in page


def test_an_undone_merge_and_a_decision_in_kazakh(client, world, admin_user):  # noqa: F811
    client.force_login(admin_user)
    client.cookies["django_language"] = "kk"
    merge = world["merge"]
    client.post(f"/linkage/merges/{merge.pk}/undo/")
    page = _page(client.post(f"/linkage/merges/{merge.pk}/undo/", follow=True))
    assert f"{merge.pk} біріктіруі бұрын болдырылмаған болатын" in page


def test_a_run_whose_model_could_not_run_says_so_in_russian(client, world, coordinator):  # noqa: F811
    reason = "unknown engine 'x'; choose one of duckdb, spark"
    run = MatchingRun.objects.create(
        kind=MatchKind.DEDUPE,
        target="dedupe",
        threshold=0.5,
        requested_by=coordinator,
        status=RunStatus.FAILED,
        error=f"The matching model could not run: {reason}",
    )
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    page = _page(client.get(f"/linkage/runs/{run.pk}/"))
    assert f"Модель сопоставления не удалось запустить: {reason}" in page
    client.cookies["django_language"] = "en"
    assert f"The matching model could not run: {reason}" in _page(
        client.get(f"/linkage/runs/{run.pk}/")
    )


BAD_FILES = [
    (
        "ru",
        "bad.csv",
        "ФИО,Возраст\nИванов,30\nПетров, Иван,40\n".encode(),
        "bad.csv: строка 3: ячеек: 3, а в заголовке столбцов: 2 "
        "(разделитель внутри значения без кавычек?)",
        "cells but the header has",
    ),
    (
        "ru",
        "old.xls",
        b"\xd0\xcf\x11\xe0" + b"\0" * 64,
        "old.xls: старая книга Excel (.xls); сохраните её как .xlsx или CSV UTF-8",
        "old Excel",
    ),
    (
        "ru",
        "header.csv",
        "ФИО;Возраст\n\n".encode(),
        "header.csv: строка 2: под заголовком нет строк; список пуст",
        "no rows under the header",
    ),
    (
        "ru",
        "blob.csv",
        b"\x00\x01\x02",
        "blob.csv: строка 1: двоичные данные, а не файл CSV или XLSX",
        "binary data",
    ),
    (
        "kk",
        "bad.csv",
        "ФИО,Возраст\nИванов,30\nПетров, Иван,40\n".encode(),
        "bad.csv: 3-жол: ұяшық саны: 3, ал тақырыпта баған саны: 2 "
        "(тырнақшасыз мәннің ішінде бөлгіш бар ма?)",
        "cells but the header has",
    ),
]


@pytest.mark.parametrize(
    ("language", "name", "data", "expected", "english"),
    BAD_FILES,
    ids=[f"{case[0]}-{case[1]}" for case in BAD_FILES],
)
def test_a_bad_list_file_is_refused_in_the_readers_language(
    client, db, coordinator, language, name, data, expected, english
):
    client.force_login(coordinator)
    client.cookies["django_language"] = language
    upload = SimpleUploadedFile(name, data)
    response = client.post("/linkage/lists/new/", {"file": upload, "name": "Bad"})
    assert response.status_code == 400
    page = _page(response)
    assert expected in page
    assert english not in page
    assert not VictimList.objects.exists()


def test_a_mapping_refused_in_russian_names_the_fields_and_the_row(client, db, coordinator):
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"
    rows = list_rows() + [["2", "Повтор", "", "", "", "", "", ""]]
    upload = SimpleUploadedFile("dup.csv", csv_bytes(rows))
    url = client.post("/linkage/lists/new/", {"file": upload, "name": "Dup"})["Location"]
    selects = {key: chosen for key, _, chosen, _ in client.get(url).context["selects"]}
    page = _page(client.post(url, selects))
    assert "dup.csv: строка 8, столбец '№': повторяющийся номер '2' (впервые в строке 3)" in page
    twice = {**selects, "map_locality": selects["map_full_name_0"]}
    page = _page(client.post(url, twice))
    header = repr(selects["map_full_name_0"])
    assert f"столбец {header} выбран и для поля «ФИО», и для поля" in page
    assert "is chosen for both" not in page and not VictimList.objects.exists()


def test_a_list_file_error_stays_english_as_a_string():
    with translation.override("ru"):
        with pytest.raises(ListFileError) as refused:
            read_table(b"", "empty.csv")
        assert refused.value.in_words() == "empty.csv: строка 1: файл пуст"
        assert str(refused.value) == "empty.csv: row 1: the file is empty"
        with pytest.raises(ListFileError) as refused:
            check_mapping(["ФИО"], {"full_name": ["ФИО"], "age": ["ФИО"]})
        assert str(refused.value) == "column 'ФИО' is chosen for both Full name and Age"
        assert refused.value.in_words() == (
            "столбец 'ФИО' выбран и для поля «ФИО», и для поля «Возраст»"
        )


# A list with a second sheet, a blank row, an empty name, an age and a date not read.
WARNED_ROWS = [
    LIST_HEADER,
    ["1", "Оспанов Ерлан", "03.02.1990", "сорок", "м", "", "Алматы", ""],
    [None] * 8,
    ["3", "", "", "30", "ж", "", "Тараз", "вчера"],
]
ENGLISH = [
    "read the first sheet", "other sheets ignored", "empty; skipped", "no id column chosen",
    "row number in the file", "empty name", "cannot be matched", "whole number of years",
    "not a date", "ignored when matching", " row ", " rows ", "column",
]  # fmt: skip


def _list_with_warnings(client, coordinator, language: str) -> tuple[str, str]:
    """Upload the list through the pages, id column left unchosen: the mapping page and
    the list's page, as their reader sees them."""
    client.force_login(coordinator)
    client.cookies["django_language"] = language
    upload = SimpleUploadedFile("warned.xlsx", xlsx_bytes(WARNED_ROWS, extra_sheet=True))
    url = client.post("/linkage/lists/new/", {"file": upload, "name": "Warned"})["Location"]
    response = client.get(url)
    mapping = _page(response)
    selects = {key: chosen for key, _, chosen, _ in response.context["selects"]}
    detail = client.post(url, {**selects, "map_id": ""}, follow=True)
    return mapping, _page(detail)


def test_a_lists_warnings_are_said_in_russian_with_their_values(client, db, coordinator):
    mapping, detail = _list_with_warnings(client, coordinator, "ru")
    sheets = "warned.xlsx: прочитан первый лист, 'Погибшие'; остальные листы не прочитаны: Notes"
    assert sheets in mapping and sheets in detail
    for said in [
        "warned.xlsx: строка 3: пусто; пропущено",
        "warned.xlsx: столбец номера не выбран; номер каждой записи — номер её строки в файле",
        "warned.xlsx: строка 4, столбец 'ФИО': пустое имя; оставлено, но сопоставить нельзя",
        "warned.xlsx: строка 2, столбец 'Возраст': не целое число лет; при сопоставлении не "
        "учитывается",
        "warned.xlsx: строка 4, столбец 'Дата гибели': не дата (ГГГГ-ММ-ДД, ДД.ММ.ГГГГ или "
        "ГГГГ); при сопоставлении не учитывается",
    ]:
        assert said in detail
    warnings = detail.split('<ul class="warnings">', 1)[1].split("</ul>", 1)[0]
    assert [word for word in ENGLISH if word in warnings] == []
    stored = VictimList.objects.get().warnings  # kept in English
    assert "warned.xlsx: row 3: empty; skipped" in stored


def test_a_lists_warnings_are_said_in_kazakh(client, db, coordinator):
    mapping, detail = _list_with_warnings(client, coordinator, "kk")
    assert "warned.xlsx: бірінші парақ оқылды, 'Погибшие'; басқа парақтар оқылмады" in mapping
    assert "warned.xlsx: 4-жол, 'ФИО' бағаны: аты-жөні бос; сақталды" in detail


def test_a_stored_warning_is_read_back_and_said_again():
    cp1251 = "a.csv: not UTF-8 (first bad byte in row 2); read as cp1251 (Windows Cyrillic). "
    many = "a.csv: rows 2, 3, 4, 5, 6, 7, 8, 9 and 3 more, column 'ФИО', 'Имя': empty name; kept"
    stored = [
        cp1251 + "Save it as UTF-8 to be sure.",
        many + ", but cannot be matched",
        "a.csv: row 2, column 'x': not a whole number of years; something else",
        "anything else: row 2",
    ]
    with translation.override("ru"):
        said = [warning_in_words(warning) for warning in stored]
    assert said[0].startswith("a.csv: не UTF-8 (первый неверный байт в строке 2); прочитан как")
    assert "cp1251 (кириллица Windows)" in said[0]
    assert said[1].startswith("a.csv: строки 2, 3, 4, 5, 6, 7, 8, 9 и ещё 3, столбец 'ФИО', 'Имя'")
    assert said[2:] == stored[2:]  # not one of ours: as it is
    with translation.override("en"):
        assert [warning_in_words(warning) for warning in stored] == stored
