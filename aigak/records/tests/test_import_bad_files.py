"""Files that would import wrong data: each is refused with its row and reason, exit 1,
nothing changed, no traceback. And KoBo's separate multi-select columns are read."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from aigak.records.models import Record, RecordVersion
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.victim_fixture import run_cli

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "record_id,full_name,vital_status,narrative\r\n"
GOOD = "V-1,Кудайбергенов Ерлан,deceased,Погиб 6 января\r\n"


@pytest.fixture
def victim(db, tmp_path, capsys):
    """The victim form with one record (V-1, alive), which no refused file may change."""
    form = vf.install("victim")
    path = tmp_path / "before.csv"
    path.write_text("record_id,full_name,vital_status\r\nV-1,Ким Сергей,alive\r\n")
    assert run_cli(capsys, "import", "victim", str(path))[0] == 0
    return form


def _state() -> list[tuple[str, int, dict[str, object]]]:
    rows = Record.objects.order_by("record_id").values_list("record_id", "version", "answers")
    return [*rows, ("versions", RecordVersion.objects.count(), {})]


def _refused(capsys, path: Path, *expected: str) -> str:
    before = _state()
    code, out, err = run_cli(capsys, "import", "victim", str(path))
    assert (code, out) == (1, "")
    assert "Traceback" not in err
    for text in expected:
        assert text in err
    assert _state() == before
    return err


CSV_CASES = [
    # (name, file text, what stderr must say)
    (
        "last row cut short",
        HEADER + GOOD + "V-2,Ахметова Айгуль,ali",
        ["row 3", "has 3 cells but the header has 4"],
    ),
    (
        "last row cut inside its last cell",
        HEADER + GOOD + "V-2,Ахметова Айгуль,alive,Задержана у зда",
        ["row 3", "does not end with a line break"],
    ),
    (
        "unterminated quote",
        HEADER + GOOD + 'V-2,Ахметова Айгуль,alive,"Задержана,\r\nизбита\r\n',
        ["row 3", "never closed"],
    ),
    ("ragged middle row", HEADER + "V-2,Ахметова,alive\r\n" + GOOD, ["row 2", "3 cells"]),
    (
        "row longer than header",
        HEADER + "V-2,Ахметова,alive,текст,лишнее\r\n",
        ["row 2", "5 cells"],
    ),
    ("NUL in an id", HEADER + "V-\x002,Ахметова,alive,текст\r\n", ["row 2", "NUL", "record_id"]),
    (
        "NUL in a value",
        HEADER + GOOD + "V-2,Ахме\x00това,alive,x\r\n",
        ["row 3", "NUL", "full_name"],
    ),
]


@pytest.mark.parametrize("name,text,expected", CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_it_refuses_a_broken_csv_with_row_and_reason(
    victim, tmp_path, capsys, name, text, expected
):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("utf-8"))
    _refused(capsys, path, *expected)


def test_it_refuses_a_nul_character_in_json(victim, tmp_path, capsys):
    path = tmp_path / "nul.json"
    rows = [{"record_id": "V-2", "full_name": "Ахметова", "vital_status": "alive"}]
    rows.append({"record_id": "V-3\u0000", "full_name": "Ким", "vital_status": "alive"})
    path.write_text(json.dumps(rows))
    _refused(capsys, path, "row 2", "NUL", "record_id")


def test_it_refuses_a_50_mb_cell_clearly(victim, tmp_path, capsys):
    path = tmp_path / "huge.csv"
    huge = "ж" * (50 * 1024 * 1024)
    path.write_text(HEADER + f'V-2,Ахметова,alive,"{huge}"\r\n', encoding="utf-8")
    _refused(capsys, path, "row 2", "longer than 16,777,216 characters")


def test_it_imports_again_a_150_kb_narrative_it_exported(victim, tmp_path, capsys):
    narrative = ("Свидетель рассказал, что «задержанных» били; " * 4000)[: 150 * 1024]
    source = tmp_path / "long.json"
    source.write_text(
        json.dumps([{"record_id": "V-2", "vital_status": "alive", "narrative": narrative}])
    )
    assert run_cli(capsys, "import", "victim", str(source))[0] == 0
    exported = tmp_path / "export.csv"
    assert run_cli(capsys, "export", "victim", "--out", str(exported))[0] == 0
    Record.objects.filter(record_id="V-2").update(
        answers={"record_id": "V-2", "vital_status": "alive"}
    )

    code, out, err = run_cli(capsys, "import", "victim", str(exported))

    assert (code, "Traceback" in err) == (0, False)
    assert out.startswith("created 0, updated 1")
    assert Record.objects.get(record_id="V-2").answers["narrative"] == narrative


def _workbook(path: Path, rows: list[list[object]], merge: str = "") -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "victim"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)


def test_it_refuses_merged_cells_naming_the_range(victim, tmp_path, capsys):
    path = tmp_path / "merged.xlsx"
    rows = [["record_id", "full_name", "vital_status"], ["V-2", "Ахметова", "alive"]]
    _workbook(path, [*rows, ["V-3", "Ким", None]], merge="C2:C3")
    _refused(capsys, path, "merged cells C2:C3", "row 2")


def test_it_refuses_a_formula_without_a_saved_value_naming_the_cell(victim, tmp_path, capsys):
    path = tmp_path / "formula.xlsx"  # openpyxl saves formulas without calculating them
    header = ["record_id", "full_name", "vital_status"]
    _workbook(path, [header, ["V-2", '=CONCATENATE("Ахме","това")', "alive"]])
    _refused(capsys, path, "cell B2 holds a formula with no saved value", "row 2")


def test_it_reads_a_formula_with_its_saved_value(victim, tmp_path, capsys):
    plain = tmp_path / "plain.xlsx"
    _workbook(plain, [["record_id", "age_stated", "vital_status"], ["V-2", 34, "alive"]])
    path = tmp_path / "calculated.xlsx"  # as Excel saves it: formula and its value
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>34</v>", b"<f>30+4</f><v>34</v>")
                assert b"<f>30+4</f>" in data
            target.writestr(item, data)

    code, out, _ = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 1, updated 0\n")
    assert Record.objects.get(record_id="V-2").answers["age_stated"] == 34


CYRILLIC = "record_id;full_name;vital_status;narrative\r\n" + "".join(
    f"V-{n};Кудайбергенов Ерлан Маратович;deceased;Задержан у здания акимата, избит "
    "дубинками, скончался в больнице от огнестрельного ранения\r\n"
    for n in range(2, 12)
)


@pytest.mark.parametrize("encoding,label", [("koi8_r", "KOI8-R"), ("cp1251", "cp1251")])
def test_it_reads_legacy_cyrillic_encodings_as_cyrillic(victim, tmp_path, capsys, encoding, label):
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(CYRILLIC.encode(encoding))

    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 10, updated 0\n")
    assert "reading it as" in err and label in err
    answers = Record.objects.get(record_id="V-2").answers
    assert answers["full_name"] == "Кудайбергенов Ерлан Маратович"
    assert answers["narrative"].startswith("Задержан у здания акимата")


def test_it_refuses_a_legacy_file_too_short_to_tell_with_a_suggestion(victim, tmp_path, capsys):
    path = tmp_path / "short.csv"
    path.write_bytes("record_id,full_name,vital_status\r\nV-2,Иванов,alive\r\n".encode("koi8_r"))
    _refused(capsys, path, "cannot be told for sure", "save it as CSV UTF-8")


def test_it_reads_kobo_multi_selects_as_separate_columns_from_csv(victim, tmp_path, capsys):
    path = tmp_path / "kobo.csv"
    path.write_text(
        "documentation/record_id;victim/vital_status;incident/essence/died;"
        "incident/essence/gunshot;incident/essence/beaten;victim/social_status/student;_uuid\r\n"
        "V-2;deceased;1;1;0;0;a1\r\n"
        "V-3;alive;0;0;1;1;a2\r\n"
        "V-4;alive;0;0;0;0;a3\r\n",
        encoding="utf-8",
    )

    code, out, _ = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 3, updated 0\n")
    answers = {r.record_id: r.answers for r in Record.objects.all()}
    assert answers["V-2"]["essence"] == ["died", "gunshot"]
    assert (answers["V-3"]["essence"], answers["V-3"]["social_status"]) == (["beaten"], ["student"])
    assert "essence" not in answers["V-4"]


def test_it_reads_kobo_multi_selects_as_true_false_columns_from_xlsx(victim, tmp_path, capsys):
    path = tmp_path / "kobo.xlsx"
    header = ["record_id", "vital_status", "essence/beaten", "essence/died", "essence/gunshot"]
    _workbook(
        path,
        [header, ["V-2", "deceased", False, True, True], ["V-3", "alive", "True", "False", None]],
    )

    code, out, _ = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 2, updated 0\n")
    assert Record.objects.get(record_id="V-2").answers["essence"] == ["died", "gunshot"]
    assert Record.objects.get(record_id="V-3").answers["essence"] == ["beaten"]


def test_it_refuses_a_choice_column_that_is_not_0_or_1(victim, tmp_path, capsys):
    path = tmp_path / "kobo.csv"
    path.write_text("record_id,vital_status,essence/died\r\nV-2,alive,maybe\r\n")
    _refused(capsys, path, "row 2", "essence/died", "not 0/1 or True/False")


@pytest.mark.sqlite_run
def test_it_ends_an_export_into_a_closed_pipe_without_a_traceback(tmp_path):
    env = {**os.environ, "AIGAK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    source = tmp_path / "many.csv"
    body = "".join(f"V-{n},Ким Сергей,alive,{'ж' * 2000}\r\n" for n in range(1, 200))
    source.write_text(HEADER + body, encoding="utf-8")
    aigak = [sys.executable, "-m", "aigak"]
    subprocess.run(
        [*aigak, "import", "victim", str(source)], env=env, check=True, capture_output=True
    )

    export = subprocess.Popen(
        [*aigak, "export", "victim"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert export.stdout is not None and export.stderr is not None
    first = export.stdout.readline()
    export.stdout.close()  # what `| head -1` does
    err = export.stderr.read().decode()
    export.wait(timeout=60)

    assert first.startswith(b"record_id,")
    assert (export.returncode, err) == (1, "")


def test_it_reads_a_utf16_spreadsheet_text_export_with_its_bom(victim, tmp_path, capsys):
    path = tmp_path / "unicode.csv"
    path.write_bytes(
        codecs.BOM_UTF16_LE
        + (HEADER.replace(",", "\t") + "V-2\tАхметова Айгуль\talive\tтекст\r\n").encode("utf-16-le")
    )

    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert (code, out) == (0, "created 1, updated 0\n"), err
    assert Record.objects.get(record_id="V-2").answers["full_name"] == "Ахметова Айгуль"
