"""The report page: contents, the filter form (field, value, dates), legible charts and an
XLSX whose tables carry native charts."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows
from aigak.reports.outputs.charts import chart_kind
from aigak.reports.tests.test_views import ROWS


@pytest.fixture
def records(questionnaires, admin_user):
    import_rows(admin_user, get_questionnaire("victim"), enumerate(ROWS, 1))


def test_the_page_has_contents_linking_every_table(client, viewer, records):
    client.force_login(viewer)
    text = client.get("/reports/qantar2022/").content.decode()
    contents = text[text.index("data-toc") : text.index("</nav>", text.index("data-toc"))]
    for i in range(1, 32):
        assert f'href="#T{i:02d}"' in contents


def test_the_filter_form_offers_visible_fields_then_values(client, viewer, records):
    client.force_login(viewer)
    text = client.get("/reports/qantar2022/").content.decode()
    assert 'data-field="gender"' in text and 'value="gender=male"' in text
    assert 'value="status=verified"' in text
    assert 'name="from"' in text and 'name="to"' in text
    definition = get_questionnaire("victim").definition
    offered = set(re.findall(r'data-field="(\w+)"', text))
    assert offered and all(not definition.fields[n].confidential for n in offered - {"status"})


def test_filters_in_force_are_listed_and_each_can_be_removed(client, viewer, records):
    client.force_login(viewer)
    response = client.get(
        "/reports/qantar2022/",
        {"where": ["gender=male", "vital_status=deceased"], "from": "2022-01-01"},
    )
    assert response.status_code == 200
    assert response.context["report"]["n_records"] == 1
    active = response.context["active"]
    assert len(active) == 3
    assert "where=vital_status%3Ddeceased" in active[0]["without"]
    assert "gender" not in active[0]["without"]
    # the filters stay in force when the form adds one more
    assert response.context["kept"] == ["gender=male", "vital_status=deceased"]


def test_a_hidden_field_in_the_address_is_still_refused(client, viewer, records):
    client.force_login(viewer)
    confidential = next(
        f.name for f in get_questionnaire("victim").definition.fields.values() if f.confidential
    )
    response = client.get("/reports/qantar2022/", {"where": f"{confidential}=x"})
    assert response.status_code == 400
    assert "<details>" in response.content.decode()  # the plain sentence first, then details


def test_a_crowded_pie_becomes_bars():
    seven = {"rows": [{"label": f"source {i}", "counts": {"total": 1}, "percent": {"total": 14.3}}
                      for i in range(7)]}  # fmt: skip
    two = {"rows": [{"label": "female", "counts": {"total": 4}, "percent": {"total": 40.0}},
                    {"label": "male", "counts": {"total": 6}, "percent": {"total": 60.0}}]}  # fmt: skip
    thin = {"rows": [{"label": "a", "counts": {"total": 97}, "percent": {"total": 97.0}},
                     {"label": "b", "counts": {"total": 3}, "percent": {"total": 3.0}}]}  # fmt: skip
    pie = {"type": "pie", "column": "total"}
    assert chart_kind(seven, pie) == "bar"
    assert chart_kind(thin, pie) == "bar"
    assert chart_kind(two, pie) == "pie"
    assert chart_kind(two, {"type": "bar", "column": "total"}) == "bar"


def test_the_xlsx_has_a_native_chart_per_table_with_a_chart(client, viewer, records):
    client.force_login(viewer)
    data = client.get("/reports/qantar2022/download/xlsx/").content
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        charts = [n for n in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        xml = {n: book.read(n).decode() for n in charts}
    assert len(charts) >= 8  # the tables and diagrams of qantar2022 with a chart
    assert any("<barChart>" in x and '<barDir val="bar"/>' in x for x in xml.values())
    # D01 (sources, seven kinds) was a pie whose labels overlapped: it is drawn as bars
    d01 = [x for x in xml.values() if "D01" in x]
    assert d01
    assert all("<pieChart>" not in x for x in d01)
