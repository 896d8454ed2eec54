"""Reading, mapping and storing uploaded victim lists: real CSV and XLSX bytes, Cyrillic,
cp1251, and every kind of bad input naming its row."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from aigak.accounts.models import AuditEvent
from aigak.linkage import lists
from aigak.linkage.lists import ListFileError, guess_mapping, import_list, parse_rows, read_table
from aigak.linkage.models import ListEntry, VictimList
from aigak.linkage.tests.appdata import LIST_HEADER, csv_bytes, list_rows, xlsx_bytes


def test_docstring_examples_hold():
    assert doctest.testmod(lists).failed == 0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            LIST_HEADER,
            {
                "id": ["№"],
                "full_name": ["ФИО"],
                "birth_date": ["Дата рождения"],
                "age": ["Возраст"],
                "gender": ["Пол"],
                "region": ["Область"],
                "locality": ["Город"],
                "event_date": ["Дата гибели"],
            },
        ),
        (
            ["Ф.И.О.", "Год рождения", "Населённый пункт", "Регион", "Дата"],
            {
                "full_name": ["Ф.И.О."],
                "birth_date": ["Год рождения"],
                "region": ["Регион"],
                "locality": ["Населённый пункт"],
                "event_date": ["Дата"],
            },
        ),
        (
            ["Name", "Date of birth", "Age", "Sex", "Oblast", "City", "Date of death"],
            {
                "full_name": ["Name"],
                "birth_date": ["Date of birth"],
                "age": ["Age"],
                "gender": ["Sex"],
                "region": ["Oblast"],
                "locality": ["City"],
                "event_date": ["Date of death"],
            },
        ),
        (
            ["Тегі", "Аты", "Әкесінің аты", "Туған күні", "Жасы", "Жынысы", "Облыс", "Елді мекен"],
            {
                "full_name": ["Тегі", "Аты", "Әкесінің аты"],
                "birth_date": ["Туған күні"],
                "age": ["Жасы"],
                "gender": ["Жынысы"],
                "region": ["Облыс"],
                "locality": ["Елді мекен"],
            },
        ),
        (
            ["ФИО погибшего", "Полных лет", "Комментарий"],
            {"full_name": ["ФИО погибшего"], "age": ["Полных лет"]},
        ),
    ],
)
def test_it_guesses_the_mapping_from_russian_kazakh_and_english_headers(headers, expected):
    assert guess_mapping(headers) == expected


def test_it_reads_a_utf8_csv_with_row_numbers():
    table = read_table(csv_bytes(list_rows()), "list.csv")
    assert table.headers == LIST_HEADER
    assert table.file_format == "csv" and table.encoding == "utf-8"
    assert [number for number, _ in table.rows] == [2, 3, 4, 5, 6, 7]
    assert table.rows[0][1][1] == "Kudaibergenov Kazybek"
    assert table.warnings == []


def test_it_detects_cp1251_and_says_so():
    rows = [r for r in list_rows() if "Өскемен" not in r]  # cp1251 has no Kazakh letters
    table = read_table(csv_bytes(rows, encoding="cp1251", delimiter=";"), "official.csv")
    assert table.encoding == "cp1251"
    assert table.headers[1] == "ФИО"
    assert table.rows[1][1][1] == "Оспанов Ерлан"
    assert "cp1251" in table.warnings[0] and "official.csv" in table.warnings[0]


def test_it_refuses_text_in_no_known_encoding_naming_the_row():
    data = b"id,full_name\n1,Ivanov\n" + b"2,\xb0\xb1\xb2\xb0\n"
    with pytest.raises(ListFileError, match=r"row 3: the file is not UTF-8"):
        read_table(data, "broken.csv")


def test_it_reads_xlsx_with_dates_numbers_and_a_second_sheet():
    rows = [
        LIST_HEADER,
        [1, "Оспанов Ерлан", dt.datetime(1990, 2, 3), 31.0, "м", "", "Тараз", None],
    ]
    table = read_table(xlsx_bytes(rows, extra_sheet=True), "list.xlsx")
    assert table.file_format == "xlsx"
    assert table.rows == [(2, ["1", "Оспанов Ерлан", "1990-02-03", "31", "м", "", "Тараз", ""])]
    assert "other sheets ignored: Notes" in table.warnings[0]


def test_it_refuses_an_old_xls_and_a_broken_xlsx():
    with pytest.raises(ListFileError, match=r"old Excel \(.xls\)"):
        read_table(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "list.xls")
    with pytest.raises(ListFileError, match="not a readable .xlsx"):
        read_table(b"PK\x03\x04 not really a zip", "list.xlsx")


def test_it_refuses_empty_files_and_headers_without_rows():
    with pytest.raises(ListFileError, match="row 1: the file is empty"):
        read_table(b"", "empty.csv")
    with pytest.raises(ListFileError, match="row 1: the file is empty"):
        read_table(b"\n\n", "blank.csv")
    with pytest.raises(ListFileError, match="row 2: no rows under the header"):
        read_table("ФИО,Возраст\n".encode(), "header.csv")


def test_it_refuses_a_row_wider_than_the_header():
    data = "ФИО,Возраст\nИванов,30\nПетров, Иван,40\n".encode()
    with pytest.raises(ListFileError, match=r"row 3: 3 cells but the header has 2 columns"):
        read_table(data, "wide.csv")


def test_it_names_blank_and_repeated_headers():
    table = read_table("ФИО,,ФИО\nИванов,x,y\n".encode(), "h.csv")
    assert table.headers == ["ФИО", "column B", "ФИО (2)"]


def test_it_parses_rows_under_a_mapping_and_warns_about_what_it_cannot_use():
    rows = list_rows() + [
        ["7", "", "", "", "", "", "", ""],
        ["8", "—", "", "", "", "", "Алматы", ""],
        ["9", "Ахметов Б.", "45.13.1979", "about 40", "", "", "", "вчера"],
    ]
    rows.insert(3, [""] * 8)  # a blank line in the middle: skipped, said so
    table = read_table(csv_bytes(rows), "list.csv")
    parsed = parse_rows(table, guess_mapping(table.headers))
    assert [e.entry_id for e in parsed.entries] == ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
    assert parsed.entries[2].row_number == 5
    assert [e.matchable for e in parsed.entries][-3:] == [False, False, True]
    text = "\n".join(parsed.warnings)
    assert "list.csv: row 4: empty; skipped" in text
    assert "row 9, column 'ФИО': empty name; kept, but cannot be matched" in text
    assert "row 10, column 'ФИО': no surname or given name" in text
    assert "row 11, column 'Возраст': not a whole number" in text
    assert "row 11, column 'Дата рождения': not a date" in text
    assert "row 11, column 'Дата гибели': not a date" in text


def test_it_joins_surname_given_name_and_patronymic_columns():
    data = csv_bytes([["Фамилия", "Имя", "Отчество"], ["Оспанов", "Ерлан", "Маратович"]])
    table = read_table(data, "parts.csv")
    parsed = parse_rows(table, guess_mapping(table.headers))
    assert parsed.entries[0].values["full_name"] == "Оспанов Ерлан Маратович"
    assert parsed.entries[0].entry_id == "2"  # no id column: the row number
    assert "no id column chosen" in parsed.warnings[0]


def test_it_refuses_duplicate_and_empty_ids_naming_rows():
    table = read_table(
        csv_bytes([["№", "ФИО"], ["1", "Иванов"], ["2", "Петров"], ["1", "Сидоров"]]), "d.csv"
    )
    with pytest.raises(
        ListFileError, match=r"d.csv: row 4, column '№': duplicate id '1' \(first in row 2\)"
    ):
        parse_rows(table, guess_mapping(table.headers))
    table = read_table(csv_bytes([["№", "ФИО"], ["1", "Иванов"], ["", "Петров"]]), "e.csv")
    with pytest.raises(ListFileError, match=r"e.csv: row 3, column '№': the id is empty"):
        parse_rows(table, guess_mapping(table.headers))


def test_it_refuses_a_mapping_without_names_or_with_a_column_twice():
    table = read_table(csv_bytes(list_rows()), "list.csv")
    with pytest.raises(ListFileError, match="choose the column .* with the names"):
        parse_rows(table, {"id": ["№"], "age": ["Возраст"]})
    with pytest.raises(ListFileError, match="chosen for both"):
        parse_rows(table, {"full_name": ["ФИО"], "locality": ["ФИО"]})
    with pytest.raises(ListFileError, match="has no column 'Город рождения'"):
        parse_rows(table, {"full_name": ["ФИО"], "locality": ["Город рождения"]})


def test_import_stores_the_list_whole_and_audits_it(coordinator):
    data = csv_bytes(list_rows())
    victim_list = import_list(
        coordinator,
        name="Activists, February 2022",
        data=data,
        file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
        source="Telegram channel",
        published_on=dt.date(2022, 2, 1),
    )
    assert victim_list.row_count == 6
    assert victim_list.column_mapping["full_name"] == ["ФИО"]
    assert len(victim_list.file_sha256) == 64
    entry = ListEntry.objects.get(victim_list=victim_list, entry_id="3")
    assert (entry.full_name, entry.locality, entry.age, entry.row_number) == (
        "Жумабаева Айгерим",
        "Өскемен",
        "26",
        4,
    )
    assert entry.raw["Область"] == "ВКО"
    event = AuditEvent.objects.get(action="import")
    assert event.actor == coordinator and event.metadata["rows"] == 6


def test_import_stores_nothing_when_a_row_is_bad(coordinator):
    rows = list_rows() + [["3", "Повтор Иван", "", "", "", "", "", ""]]
    with pytest.raises(ListFileError, match="row 8"):
        import_list(
            coordinator,
            name="Bad",
            data=csv_bytes(rows),
            file_name="bad.csv",
            mapping=guess_mapping(LIST_HEADER),
        )
    assert not VictimList.objects.exists() and not ListEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_import_refuses_a_name_twice_the_same_file_twice_and_reserved_names(coordinator):
    kwargs = {"file_name": "a.csv", "mapping": guess_mapping(LIST_HEADER)}
    import_list(coordinator, name="A", data=csv_bytes(list_rows()), **kwargs)
    with pytest.raises(ListFileError, match="a list named 'A' exists"):
        import_list(coordinator, name="A", data=csv_bytes(list_rows()[:3]), **kwargs)
    with pytest.raises(ListFileError, match="uploaded already as 'A'"):
        import_list(coordinator, name="B", data=csv_bytes(list_rows()), **kwargs)
    with pytest.raises(ListFileError, match="column of the capture histories"):
        import_list(coordinator, name="database", data=csv_bytes(list_rows()[:2]), **kwargs)
    assert VictimList.objects.count() == 1


def test_import_is_refused_to_lawyers(lawyer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_list(
            lawyer,
            name="A",
            data=csv_bytes(list_rows()),
            file_name="a.csv",
            mapping=guess_mapping(LIST_HEADER),
        )
