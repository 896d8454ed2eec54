"""One small file of every kind import refuses as a whole (a `TableError`), for the sample
Victims questionnaire: (kind, file name, its bytes, the English message after the file's
path). The import page's and the command's tests read them."""

from __future__ import annotations

import io
import json

HEADER = "record_id,full_name,vital_status\r\n"
GOOD = "V-1,Ким Сергей,alive\r\n"


def _xlsx(rows: list[list[object]], *, merge: str = "", formula: str = "", empty: bool = False) -> bytes:  # fmt: skip
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    if not empty:
        for row in rows:
            sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula:
        sheet[formula] = "=1+1"  # openpyxl saves no value for it
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS = [["record_id", "full_name", "vital_status"], ["V-1", "Ким", "alive"], ["V-2", "Ли", "alive"]]
LEGACY = "record_id,full_name,vital_status\r\nV-2,Иванов,alive\r\n".encode("koi8_r")

CASES: list[tuple[str, str, bytes, str]] = [
    ("unknown column", "a.csv", b"record_id,no_such\r\nV-1,x\r\n",
     "row 1, column 'no_such': not a field of this questionnaire (nothing was imported)"),
    ("column twice", "a.csv", b"full_name,victim/full_name\r\nx,y\r\n",
     "row 1, column 'victim/full_name': holds 'full_name', as does column 'full_name'"),
    ("no field column", "a.csv", b"_id,_uuid\r\n1,2\r\n",
     "row 1: no column names a field of this questionnaire"),
    ("choice column not 0/1", "a.csv", b"record_id,social_status/student\r\nV-1,maybe\r\n",
     "row 2, column 'social_status/student': 'maybe' is not 0/1 or True/False (a choice's own column)"),
    ("NUL character", "a.csv", (HEADER + "V-\x002,x,alive\r\n").encode(),
     "row 2, column 'record_id': holds a NUL character (\\x00), which cannot be stored"),
    ("encoding unsure", "a.csv", LEGACY, ""),  # the candidates depend on charset-normalizer
    ("empty file", "a.csv", b"\xef\xbb\xbf", "the file is empty"),  # only a BOM
    ("quote never closed", "a.csv", (HEADER + 'V-2,"Ли,alive\r\n').encode(),
     "row 2: a quote opened and never closed (up to line 2): the file may be cut short"),
    ("not CSV", "a.csv", (HEADER + 'V-2,"Ли"x,alive\r\n').encode(),
     "row 2: not readable as CSV at line 2 (',' expected after '\"')"),
    ("cut short at the end", "a.csv", (HEADER + GOOD + "V-2,Ли,ali").encode(),
     "row 3: the last row does not end with a line break: the file may be cut short "
     "(if it is complete, end it with a line break)"),
    ("row cut short", "a.csv", (HEADER + "V-2,Ли\r\n" + GOOD).encode(),
     "row 2: has 2 cells but the header has 3: the row is cut short or a separator is missing"),
    ("row too long", "a.csv", (HEADER + "V-2,Ли,alive,more\r\n").encode(),
     "row 2: has 4 cells but the header only 3"),
    ("JSON not UTF-8", "a.json", b'[{"full_name": "\xff"}]',
     "not UTF-8 text (invalid start byte)"),
    ("not JSON", "a.json", b'[{"record_id": "V-1",', "not valid JSON: Expecting property name enclosed in double quotes at line 1"),
    ("JSON not a list", "a.json", b'{"count": 1}',
     "expected a list of objects or {'results': [...]}"),
    ("JSON a text", "a.json", b'"V-1"', "expected a list of objects"),
    ("JSON item not an object", "a.json", b"[1]", "row 1: expected an object"),
    ("JSON unknown key", "a.json", json.dumps([{"no_such": 1}]).encode(),
     "row 1, column 'no_such': not a field of this questionnaire"),
    ("not a workbook", "a.xlsx", b"not a zip",
     "not a readable XLSX workbook (File is not a zip file)"),
    ("empty sheet", "a.xlsx", _xlsx([], empty=True), "sheet 'data' is empty"),
    ("merged cells", "a.xlsx", _xlsx(ROWS, merge="C2:C3"),
     "(sheet 'data'): row 2: merged cells C2:C3: a merged range keeps its value in its first "
     "cell only; unmerge them and fill every cell"),
    ("formula without value", "a.xlsx", _xlsx(ROWS, formula="B3"),
     "(sheet 'data'): row 3: cell B3 holds a formula with no saved value (the program that "
     "wrote the file did not calculate it); open and save the file in a spreadsheet program, "
     "or paste the values"),
    ("unknown column of a sheet", "a.xlsx", _xlsx([["record_id", "no_such"], ["V-1", "x"]]),
     "(sheet 'data'): row 1, column 'no_such': not a field of this questionnaire (nothing was "
     "imported)"),
]  # fmt: skip


def english(path: str, said: str) -> str:
    """The whole English message of a case: its file, then what the case says."""
    return f"{path} {said}" if said.startswith("(sheet ") else f"{path}: {said}"
