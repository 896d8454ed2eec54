"""The summary report of any installed questionnaire: derived spec, numbers, cross-tabs,
field-level rules, filters, exports and who may read it."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from pyxform.xls2json_backends import md_table_to_workbook

from aigak.questionnaires.registry import install_form
from aigak.records.actions import create_record
from aigak.reports.spec import ReportSpecError
from aigak.reports.summary import build_summary

pytestmark = pytest.mark.django_db

FORM = """
| survey |
| | type | name | label | confidential |
| | select_one country | country | Country | |
| | select_multiple help | help | Help | |
| | integer | years | Age | |
| | date | seen | Seen | |
| | text | phone | Phone | yes |
| | select_one yn | secret | Secret | yes |
| choices |
| | list_name | name | label |
| | country | kz | Kazakhstan |
| | country | kg | Kyrgyzstan |
| | help | legal | Legal |
| | help | medical | Medical |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_id |
| | field |
"""
ROWS = [
    {"country": "kz", "help": ["legal"], "years": 20, "seen": "2024-01-05", "secret": "yes"},
    {"country": "kz", "help": ["legal", "medical"], "years": 40, "seen": "2024-01-20"},
    {"country": "kg", "years": 33, "seen": "2024-03-01"},
]


@pytest.fixture
def field_form(admin_user):
    out = io.BytesIO()
    md_table_to_workbook(FORM).save(out)
    questionnaire = install_form(admin_user, out.getvalue()).version.questionnaire
    for row in ROWS:
        create_record(admin_user, questionnaire, row)
    return questionnaire


def _table(summary, table_id):
    return next(t for t in summary.built.data["tables"] if t["id"] == table_id)


def test_it_counts_every_select_and_the_records_by_month(field_form, admin_user):
    summary = build_summary(admin_user, "field")
    country = _table(summary, "count_country")
    assert {r["key"]: r["counts"]["total"] for r in country["rows"]} == {"kz": 2, "kg": 1}
    helped = _table(summary, "count_help")
    assert {r["key"]: r["counts"]["total"] for r in helped["rows"]} == {"legal": 2, "medical": 1}
    months = _table(summary, "by_month")
    assert {r["key"]: r["counts"]["total"] for r in months["rows"]} == {
        "2024-01": 2, "2024-03": 1
    }  # fmt: skip
    assert summary.numbers == [
        {"field": "years", "label": "Age", "n": 3, "mean": 31.0, "median": 33.0,
         "min": 20.0, "max": 40.0}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("question", "by", "expected"),
    [
        ("help", "country", {"kz": {"legal": 2, "medical": 1}, "kg": {"legal": 0, "medical": 0}}),
        ("years", "country", {"kz": 30.0, "kg": 33.0}),
    ],
)
def test_it_breaks_any_question_down_by_a_select(field_form, admin_user, question, by, expected):
    cross = _table(build_summary(admin_user, "field", cross=(question, by)), "cross")
    if cross["kind"] == "mean_sd":
        assert {r["key"]: r["mean"] for r in cross["rows"]} == expected
    else:
        got: dict[str, dict[str, int]] = {}
        for row in cross["rows"]:
            group, choice = row["key"].split("/")
            if group in expected:
                got.setdefault(group, {})[choice] = row["counts"]["total"]
        assert got == expected


@pytest.mark.parametrize("cross", [("years", "help"), ("country", "country"), ("years", "nope")])
def test_it_refuses_a_cross_tab_it_cannot_make(field_form, admin_user, cross):
    with pytest.raises(ReportSpecError):
        build_summary(admin_user, "field", cross=cross)


def test_it_leaves_out_what_the_reader_may_not_see(field_form, viewer, admin_user):
    ids = {t["id"] for t in build_summary(viewer, "field").built.data["tables"]}
    assert "count_secret" not in ids and "count_country" in ids
    assert "count_secret" in {
        t["id"] for t in build_summary(admin_user, "field").built.data["tables"]
    }
    with pytest.raises(ReportSpecError):
        build_summary(viewer, "field", cross=("country", "secret"))


def test_it_filters_like_the_other_reports(field_form, admin_user):
    summary = build_summary(admin_user, "field", ["country=kg"])
    assert summary.built.data["n_records"] == 1


def test_the_page_and_its_exports(client, field_form, lawyer):
    client.force_login(lawyer)
    page = client.get("/reports/summary/field/?question=years&by=country")
    assert page.status_code == 200
    assert "Kazakhstan" in page.content.decode()
    data = json.loads(client.get("/reports/summary/field/download/json/").content)
    assert data["n_records"] == 3
    xlsx = client.get("/reports/summary/field/download/xlsx/")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames
    assert client.get("/reports/summary/field/download/docx/").content[:2] == b"PK"
    assert b"Kazakhstan" in client.get("/reports/summary/field/download/html/").content
    assert client.get("/reports/summary/field/?question=years&by=help").status_code == 400


@pytest.mark.parametrize("persona", ["documenter", "outsider"])
def test_it_refuses_those_who_may_not_read_reports(client, field_form, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/reports/summary/field/").status_code == 403
    assert client.get("/reports/summary/field/download/json/").status_code == 403


def test_the_numbers_are_in_the_html_xlsx_and_docx_files(client, field_form, lawyer):
    """Age 20, 40, 33: n 3, mean 31.0, median 33, minimum 20, maximum 40."""
    import docx

    client.force_login(lawyer)
    page = client.get("/reports/summary/field/").content.decode()
    assert page.count("<h2>Numbers</h2>") == 1  # the page shows them once, above the tables
    html = client.get("/reports/summary/field/download/html/").content.decode()
    row = html[html.index('id="numbers"') :]
    row = row[row.index("<tbody>") : row.index("</tbody>")]
    assert [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]] == [
        "3", "31.0", "33", "20", "40"
    ]  # fmt: skip
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/reports/summary/field/download/xlsx/").content)
    )
    sheet = book["numbers"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Numbers"
    assert rows[2] == [None, "n", "mean", "median", "minimum", "maximum"]
    assert rows[3] == ["Age", 3, 31.0, 33, 20, 40]
    document = docx.Document(
        io.BytesIO(client.get("/reports/summary/field/download/docx/").content)
    )
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == [
        "",
        "n",
        "mean",
        "median",
        "minimum",
        "maximum",
    ]
    assert [c.text for c in table.rows[1].cells] == ["Age", "3", "31.0", "33", "20", "40"]
    assert "Numbers" in [p.text for p in document.paragraphs]
