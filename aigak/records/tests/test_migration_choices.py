"""Migration 0003 on a database with records: choices filled, search still kept current."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aigak.questionnaires.registry import install_questionnaire
from aigak.questionnaires.tests.xlsform_factory import mini_form
from aigak.records import actions
from aigak.records.models import Record
from aigak.records.search import filter_select, search

BEFORE = [("records", "0002_search")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_0003_fills_choices_of_existing_records_and_keeps_search_working(coordinator):
    latest = _migrate(BEFORE).loader.graph.leaf_nodes()  # every app: the database whole again
    try:
        mini = install_questionnaire("mini", mini_form()).questionnaire
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("records", "Record")
        old.objects.create(
            questionnaire_id=mini.pk,
            form_version_id=mini.current.pk,
            record_id="M-000001",
            answers={"record_id": "M-000001", "full_name": "Кудайбергенов Ерлан",
                     "vital_status": "deceased", "essence": ["gunshot", "other"]},
            search_text="M-000001 Кудайбергенов Ерлан deceased gunshot other",
        )  # fmt: skip
    finally:
        _migrate(latest)

    record = Record.objects.get(record_id="M-000001")
    assert record.search_choices.split() == [
        "vital_status__deceased", "essence__gunshot", "essence__other",
    ]  # fmt: skip
    live = Record.live.all()
    assert list(filter_select(live, "essence", "other", True)) == [record]
    assert list(search(live, "кудайберг", include_private=False)) == [record]
    # The full-text triggers survive the migration: new and changed records are found.
    new = actions.create_record(coordinator, mini, {"full_name": "Смагулова Айгуль", "vital_status": "alive"})  # fmt: skip
    actions.update_record(coordinator, record, {"full_name": "Ахметов Ерлан"})
    assert list(search(live, "Смагулова", include_private=False)) == [new]
    assert list(search(live, "Ахметов", include_private=False)) == [record]
    assert list(search(live, "Кудайбергенов", include_private=False)) == []
    assert list(filter_select(live, "vital_status", "alive", False)) == [new]


@pytest.mark.django_db(transaction=True)
def test_0003_can_be_undone_and_done_again(coordinator):
    latest = _migrate(BEFORE).loader.graph.leaf_nodes()  # every app: the database whole again
    _migrate(latest)
    mini = install_questionnaire("mini", mini_form()).questionnaire
    actions.create_record(coordinator, mini, {"full_name": "Смагулова Айгуль", "vital_status": "alive"})  # fmt: skip
    assert search(Record.live.all(), "Смагулова", include_private=False).count() == 1
