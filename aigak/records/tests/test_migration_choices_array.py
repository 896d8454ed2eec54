"""Migration 0004: on PostgreSQL the select filters are served by the choice-word array index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aigak.questionnaires.registry import install_questionnaire
from aigak.questionnaires.tests.xlsform_factory import mini_form
from aigak.records import actions
from aigak.records.models import Record
from aigak.records.search import filter_select

BEFORE = [("records", "0003_list_index_choices_weighted_search")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "records_record"))


@pytest.mark.django_db(transaction=True)
def test_0004_can_be_undone_and_done_again_and_filters_keep_working(coordinator):
    mini = install_questionnaire("mini", mini_form()).questionnaire
    dead = actions.create_record(coordinator, mini, {"full_name": "Ахметов Ерлан", "vital_status": "deceased", "essence": ["gunshot", "other"]})  # fmt: skip
    alive = actions.create_record(coordinator, mini, {"full_name": "Смагулова Айгуль", "vital_status": "alive", "essence": ["gunshot"]})  # fmt: skip
    live = Record.live.all()
    postgres = connection.vendor == "postgresql"

    latest = _migrate(BEFORE).loader.graph.leaf_nodes()  # every app: the database whole again
    try:
        if postgres:
            assert "records_answers_gin" in _indexes()
            assert "records_choices_gin" not in _indexes()
    finally:
        _migrate(latest)
    if postgres:
        assert "records_choices_gin" in _indexes()
        assert "records_answers_gin" not in _indexes()

    assert list(filter_select(live, "vital_status", "deceased", False)) == [dead]
    assert list(filter_select(live, "essence", "other", True)) == [dead]
    assert set(filter_select(live, "essence", "gunshot", True)) == {dead, alive}
    assert list(filter_select(live, "essence", "gunshot_x", True)) == []
    actions.update_record(coordinator, alive, {"vital_status": "deceased"})
    assert set(filter_select(live, "vital_status", "deceased", False)) == {dead, alive}
    assert list(filter_select(live, "vital_status", "alive", False)) == []


@pytest.mark.django_db
def test_postgres_filter_uses_the_choices_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    query = filter_select(Record.objects.all(), "gender", "female", False).values("id").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "records_choices_gin" in plan
