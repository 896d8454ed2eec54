"""Reading lists of people: encodings, separators, and bad input named by row and column."""

from __future__ import annotations

import pytest

from aigak.linkage.people import PeopleListError, parse_dates, read_people_csv

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

HEADER = "id,full_name,birth_date,age,gender,region,locality,event_date\n"


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "list.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_it_reads_a_utf8_list_with_every_column(tmp_path):
    path = write(tmp_path, HEADER + "1,Кудайбергенов Казыбек,1990-05-03,,m,,Алматы,2022-01-05\n")
    people = read_people_csv(path)
    assert len(people) == 1
    assert people.frame.loc[2, "full_name"] == "Кудайбергенов Казыбек"
    assert people.warnings == []


@pytest.mark.parametrize(
    ("codec", "words"), [("cp1251", "cp1251"), ("kz1048", "kz1048"), ("koi8_r", "KOI8-R")]
)
def test_it_decodes_windows_cyrillic_and_says_so(tmp_path, codec, words):
    name = "Кудайбергенов Казыбек" if codec != "kz1048" else "Құдайбергенов Қазыбек"
    path = write(tmp_path, HEADER + f"1,{name},,,,,Алматы,\n2,Оспанова Мадина,,,,,,\n", codec)
    people = read_people_csv(path)
    assert people.frame.loc[2, "full_name"] == name
    assert people.encoding == codec
    assert any("not UTF-8" in w and words in w for w in people.warnings)


def test_it_reads_a_utf8_file_with_a_byte_order_mark_and_semicolons(tmp_path):
    text = HEADER.replace(",", ";") + "1;Оспанов Ерлан;03.05.1990;;;;;\n"
    path = write(tmp_path, text, "utf-8-sig")
    people = read_people_csv(path)
    assert list(people.frame["id"]) == ["1"]
    assert people.frame.loc[2, "birth_date"] == "03.05.1990"


def test_it_refuses_a_list_without_an_id_column(tmp_path):
    path = write(tmp_path, "full_name,age\nОспанов Ерлан,30\n")
    with pytest.raises(PeopleListError, match=r"list\.csv: row 1: missing column id"):
        read_people_csv(path)


def test_it_warns_about_absent_optional_columns_and_treats_them_as_empty(tmp_path):
    path = write(tmp_path, "id,full_name\n1,Оспанов Ерлан\n")
    people = read_people_csv(path)
    assert people.frame.loc[2, "birth_date"] == ""
    assert any("no column birth_date" in w for w in people.warnings)


def test_it_refuses_a_duplicate_id_naming_both_rows(tmp_path):
    path = write(tmp_path, HEADER + "7,Оспанов Ерлан,,,,,,\n8,Ким Олег,,,,,,\n7,Ли Анна,,,,,,\n")
    with pytest.raises(
        PeopleListError, match=r"row 4, column id: duplicate id '7' \(first in row 2\)"
    ):
        read_people_csv(path)


def test_it_refuses_an_empty_id(tmp_path):
    path = write(tmp_path, HEADER + "1,Оспанов Ерлан,,,,,,\n,Ким Олег,,,,,,\n")
    with pytest.raises(PeopleListError, match=r"row 3, column id: the id is empty"):
        read_people_csv(path)


def test_it_warns_about_empty_names_naming_the_rows(tmp_path):
    path = write(tmp_path, HEADER + "1,Оспанов Ерлан,,,,,,\n2,,,,,,,\n3, ,,,,,,\n")
    people = read_people_csv(path)
    assert len(people) == 3
    assert any("rows 3, 4, column full_name: empty name" in w for w in people.warnings)


def test_it_warns_about_dates_and_ages_it_cannot_read(tmp_path):
    path = write(tmp_path, HEADER + "1,Оспанов Ерлан,in spring,thirty,,,,\n")
    warnings = read_people_csv(path).warnings
    assert any("row 2, column birth_date: not a date" in w for w in warnings)
    assert any("row 2, column age: not a whole number" in w for w in warnings)


def test_it_refuses_an_empty_file(tmp_path):
    with pytest.raises(PeopleListError, match="row 1: the file is empty"):
        read_people_csv(write(tmp_path, ""))


def test_it_refuses_bytes_that_are_no_known_text(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(HEADER.encode() + bytes(range(128, 256)) * 4)
    with pytest.raises(PeopleListError, match="not UTF-8"):
        read_people_csv(path)


def test_it_names_a_missing_file():
    with pytest.raises(PeopleListError, match="nowhere.csv: cannot read the file"):
        read_people_csv("nowhere.csv")


DATES = [
    ("1990-05-03", (1990, 5, 3)),
    ("03.05.1990", (1990, 5, 3)),
    ("3/5/1990", (1990, 5, 3)),
    ("1990", (1990, None, None)),
    ("1990-13-05", (1990, 5, 13)),  # day and month swapped, put right
    ("1990-13-13", (None, None, None)),
    ("soon", (None, None, None)),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_it_reads_the_date_forms_lists_use(text, expected):
    import pandas as pd

    row = parse_dates(pd.Series([text])).iloc[0]
    got = tuple(None if pd.isna(v) else int(v) for v in row)
    assert got == expected
