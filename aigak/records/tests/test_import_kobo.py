"""`aigak import` of JSON: plain lists, KoBoToolbox API exports and ODK Central's shape."""

from __future__ import annotations

import json

import pytest

from aigak.records.models import Record
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.victim_fixture import run_cli

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def victim(db):
    return vf.install("victim")


def _kobo_submission(number: int, **answers: object) -> dict[str, object]:
    """One result of KoBoToolbox's /api/v2/assets/<uid>/data/ with group paths."""
    return {
        "_id": 1000 + number,
        "formhub/uuid": "3f2a9c7b5d1e4f60a8b7c6d5e4f3a2b1",
        "start": "2022-04-02T10:11:12.000+06:00",
        "end": "2022-04-02T10:41:12.000+06:00",
        "__version__": "vDzKkYhYxKzK5Z3e8m2y9S",
        "meta/instanceID": f"uuid:0c1d2e3f-{number:04d}",
        "_xform_id_string": "aBcDeFgH",
        "_uuid": f"0c1d2e3f-{number:04d}",
        "_attachments": [],
        "_status": "submitted_via_web",
        "_geolocation": [None, None],
        "_submission_time": "2022-04-02T04:41:20",
        "_tags": [],
        "_notes": [],
        "_validation_status": {},
        "_submitted_by": None,
        **answers,
    }


def test_it_imports_a_kobo_api_export_with_group_paths_and_repeats(victim, tmp_path, capsys):
    export = {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            _kobo_submission(
                1,
                **{
                    "documentation/record_id": "V-000001",
                    "documentation/entry_date": "2022-04-02",
                    "victim/full_name": "Кудайбергенов Ерлан",
                    "victim/age_stated": "34",
                    "victim/gender": "male",
                    "victim/social_status": "hired_worker civil_activist",
                    "victim/vital_status": "deceased",
                    "victim/death_date": "2022-01-06",
                    "what_happened/essence": "died gunshot",
                    "what_happened/narrative": "Погиб 6 января\nв Алматы",
                    "evidence/evidence_items": [
                        {
                            "evidence/evidence_items/evidence_kind": "photo",
                            "evidence/evidence_items/evidence_note": "фото с места",
                            "evidence/evidence_items/evidence_pages": "2",
                        },
                        {"evidence/evidence_items/evidence_kind": "document"},
                    ],
                },
            ),
            _kobo_submission(
                2,
                **{
                    "documentation/record_id": "V-000002",
                    "victim/vital_status": "alive",
                    "victim/location_at_interview": "pretrial_detention",
                },
            ),
        ],
    }
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(export, ensure_ascii=False))

    code, out, err = run_cli(capsys, "import", "victim", str(path))

    assert (code, out, err) == (0, "created 2, updated 0\n", "")
    first = Record.objects.get(record_id="V-000001").answers
    assert first["age_stated"] == 34
    assert first["social_status"] == ["hired_worker", "civil_activist"]
    assert first["essence"] == ["died", "gunshot"]
    assert first["narrative"] == "Погиб 6 января\nв Алматы"
    assert first["evidence_items"] == [
        {"evidence_kind": "photo", "evidence_note": "фото с места", "evidence_pages": 2},
        {"evidence_kind": "document"},
    ]
    assert not any(key.startswith("_") or "/" in key for key in first)
    second = Record.objects.get(record_id="V-000002").answers
    assert second["location_at_interview"] == "pretrial_detention"


def test_it_imports_a_plain_list_with_lists_for_select_multiple(victim, tmp_path, capsys):
    path = tmp_path / "list.json"
    path.write_text(
        json.dumps(
            [
                {"record_id": "V-1", "vital_status": "alive", "essence": ["detained", "beaten"]},
                {"record_id": "V-2", "vital_status": "alive", "age_stated": 40},
            ]
        )
    )

    assert run_cli(capsys, "import", "victim", str(path))[:2] == (0, "created 2, updated 0\n")
    assert Record.objects.get(record_id="V-1").answers["essence"] == ["beaten", "detained"]
    assert Record.objects.get(record_id="V-2").answers["age_stated"] == 40


def test_it_imports_odk_central_nested_groups(victim, tmp_path, capsys):
    path = tmp_path / "central.json"
    path.write_text(
        json.dumps(
            {
                "@odata.context": "https://central.example/v1/projects/1/forms/victim.svc",
                "value": [
                    {
                        "__id": "uuid:1",
                        "__system": {"submitterName": "field team", "reviewState": None},
                        "meta": {"instanceID": "uuid:1"},
                        "documentation": {"record_id": "V-9"},
                        "victim": {"gender": "female", "vital_status": "alive"},
                    }
                ],
            }
        )
    )

    assert run_cli(capsys, "import", "victim", str(path))[0] == 0
    assert Record.objects.get().answers == {
        "record_id": "V-9",
        "gender": "female",
        "vital_status": "alive",
    }


def test_it_names_the_row_and_field_of_a_bad_kobo_value(victim, tmp_path, capsys):
    results = [
        _kobo_submission(1, **{"victim/record_id": "V-1", "victim/vital_status": "alive"}),
        _kobo_submission(2, **{"victim/record_id": "V-2", "victim/vital_status": "missing"}),
    ]
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps({"count": 2, "results": results}))

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert "kobo.json: row 2: field 'vital_status', value 'missing'" in err
    assert Record.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ('[{"record_id": "V-1", "vital_status": "alive", "shoe_size": 42}]', "column 'shoe_size'"),
        ('{"rows": []}', "expected a list of objects"),
        ('[{"record_id": "V-1"}, 7]', "row 2: expected an object"),
        ('[{"record_id": "V-1",', "not valid JSON"),
    ],
)
def test_it_refuses_json_that_is_not_a_list_of_this_forms_records(
    victim, tmp_path, capsys, content, message
):
    path = tmp_path / "odd.json"
    path.write_text(content)

    code, _, err = run_cli(capsys, "import", "victim", str(path))

    assert code == 1
    assert message in err
    assert "odd.json" in err
    assert Record.objects.count() == 0
