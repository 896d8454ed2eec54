"""The field rule: a field the user may not see cannot be named, anywhere.

Personas: viewer (no confidential fields), lawyer (all fields), outsider (a documenter of
no team, who reads no reports). The record V-1 names its source, "Zhanar Seitkali"; the
viewer must not learn it through a report filter, a list filter or a search.
"""

from __future__ import annotations

import json

import pytest

from aigak.accounts.models import AuditEvent
from aigak.questionnaires.registry import get_questionnaire
from aigak.records.actions import import_rows

SOURCE = "Zhanar Seitkali"
ROWS = [
    {"record_id": "V-1", "vital_status": "deceased", "gender": "male", "essence": ["died"],
     "region_residence": "almaty", "entry_date": "2022-04-04", "source_name": SOURCE},
    {"record_id": "V-2", "vital_status": "alive", "gender": "female", "essence": ["detained"],
     "region_residence": "zhambyl", "entry_date": "2022-05-04", "source_name": "Other Person"},
]  # fmt: skip
FORMATS = ["json", "html", "xlsx", "docx"]


@pytest.fixture
def records(questionnaires, admin_user):
    import_rows(admin_user, get_questionnaire("victim"), enumerate(ROWS, 1))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("guess", [SOURCE, "Nobody Atall"])
def test_it_refuses_a_hidden_field_as_a_report_filter(client, viewer, records, fmt, guess):
    client.force_login(viewer)
    url = f"/reports/qantar2022/download/{fmt}/"
    response = client.get(url, {"where": f"source_name={guess}"})
    assert response.status_code == 400
    # The same refusal whatever the guess: nothing to tell a right guess from a wrong one.
    assert response.content == b"filter: there is no field 'source_name' you may use"
    refused = AuditEvent.objects.get(actor=viewer, object_id="qantar2022")
    assert refused.metadata == {"refused": "field", "field": "source_name"}
    assert guess not in json.dumps(refused.metadata)


def test_it_refuses_a_hidden_field_on_the_report_page_and_its_charts(client, viewer, records):
    client.force_login(viewer)
    page = client.get("/reports/qantar2022/", {"where": f"source_name={SOURCE}"})
    assert page.status_code == 400
    assert "n_records" not in page.context or page.context.get("report") is None
    chart = client.get("/reports/qantar2022/chart/T01.png", {"where": f"source_name={SOURCE}"})
    assert chart.status_code == 404


@pytest.mark.parametrize(
    "where, expected",
    [(f"source_name={SOURCE}", 1), ("source_name=Nobody Atall", 0), ("gender=male", 1)],
)
def test_it_applies_the_same_filter_for_a_lawyer(client, lawyer, records, where, expected):
    client.force_login(lawyer)
    response = client.get("/reports/qantar2022/download/json/", {"where": where})
    assert response.status_code == 200
    assert json.loads(response.content)["n_records"] == expected


@pytest.mark.parametrize("persona", ["viewer", "lawyer"])
@pytest.mark.parametrize("where", ["no_such_field=1", "record_idx=V-1"])
def test_it_refuses_an_unknown_field_for_everyone(client, request, records, persona, where):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/reports/qantar2022/download/json/", {"where": where})
    assert response.status_code == 400


def test_it_keeps_documenters_out_of_reports_whatever_the_filter(client, outsider, records):
    client.force_login(outsider)
    response = client.get("/reports/qantar2022/download/json/", {"where": "gender=male"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "persona, params, expected",
    [
        ("viewer", {"f_health_consequences": "pain"}, 400),  # confidential select field
        ("viewer", {"f_no_such_field": "x"}, 400),
        ("viewer", {"f_gender": "male"}, 200),
        ("lawyer", {"f_health_consequences": "pain"}, 200),
        ("lawyer", {"f_no_such_field": "x"}, 400),
    ],
)
def test_it_refuses_hidden_or_unknown_list_filters(client, request, questionnaires, persona,
                                                   params, expected):  # fmt: skip
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get("/records/torture/", params)
    assert response.status_code == expected
    if expected == 400:
        assert AuditEvent.objects.filter(actor=user, metadata__refused="field").exists()


@pytest.mark.parametrize("persona, finds", [("viewer", False), ("lawyer", True)])
def test_it_searches_confidential_text_only_for_those_who_see_it(
    client, request, records, persona, finds
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/records/victim/", {"q": "Seitkali"})
    assert response.status_code == 200
    found = [row.record.record_id for row in response.context["rows"]]
    assert found == (["V-1"] if finds else [])
