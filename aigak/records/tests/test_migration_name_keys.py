"""Migration 0006 on a database with records: names indexed before it are found across
scripts after it."""

from __future__ import annotations

import pytest

from aigak.questionnaires.registry import install_questionnaire
from aigak.questionnaires.tests.xlsform_factory import mini_form
from aigak.records.models import Record
from aigak.records.search import search
from aigak.records.tests.test_migration_choices import _migrate

BEFORE = [("records", "0005_record_counter")]


@pytest.mark.django_db(transaction=True)
def test_0006_indexes_the_names_of_existing_records():
    latest = _migrate(BEFORE).loader.graph.leaf_nodes()  # every app: the database whole again
    try:
        mini = install_questionnaire("mini", mini_form()).questionnaire
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("records", "Record")
        for number, name in enumerate(["Ермеков Нұрлан", "Yermekov Nurlan", "Смагулова"], 1):
            old.objects.create(
                questionnaire_id=mini.pk,
                form_version_id=mini.current.pk,
                record_id=f"M-{number:06d}",
                answers={"record_id": f"M-{number:06d}", "full_name": name},
                search_text=f"M-{number:06d} {name}",  # as search_texts wrote it before
            )
        live = Record.live.all()
        assert search(live, "Ermekov", include_private=False).count() == 0
    finally:
        _migrate(latest)

    live = Record.live.order_by("record_id")
    for query in ["Ermekov", "Ермеков", "Yermekov", "Ūljan Nurlan", "Nūrlan"]:
        expected = [] if query.startswith("Ūljan") else ["M-000001", "M-000002"]
        found = search(live, query, include_private=False)
        assert [r.record_id for r in found] == expected, query
    assert [r.record_id for r in search(live, "Smagulova", include_private=False)] == ["M-000003"]
