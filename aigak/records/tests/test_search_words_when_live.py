"""Migration 0008 (PostgreSQL): an import's unseen rows get their words and GIN index
entries when they become live, and search and filters find the same records as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from aigak.records import actions, bulk
from aigak.records.models import Record
from aigak.records.search import POSTGRES_WORDS, filter_select, search
from aigak.records.tests import victim_fixture as vf
from aigak.records.tests.test_import_steps import HIDDEN, _between_batches, _rows
from aigak.records.tests.test_migration_choices_array import _migrate

BEFORE = [("records", "0007_import_run")]


def _words(where: str) -> list[tuple[str, bool]]:
    """(record id, whether its stored words are those of the 0003 expression) per row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT record_id, search_vector IS NOT DISTINCT FROM ({POSTGRES_WORDS}) "
            f"FROM records_record WHERE {where} ORDER BY record_id"
        )
        return cursor.fetchall()


def _plan(records) -> str:
    """The plan with only bitmap scans allowed: an index that can serve the query is used."""
    sql, params = records.values("id").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_it_gives_an_import_runs_rows_their_words_when_they_become_live(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's stored words")
    victim = vf.install("victim")
    actions.import_rows(None, victim, _rows(1, 10, seed=11, name="Видимов Первый"))
    seen: dict[str, Any] = {}

    def meanwhile() -> None:
        seen["pending"] = Record.objects.filter(import_run__isnull=False).count()
        seen["pending_words"] = _words("import_run_id IS NOT NULL AND search_vector IS NOT NULL")
        seen["live"] = _words("import_run_id IS NULL")
        everyone = filter_select(Record.objects.all(), "vital_status", "alive", False)
        seen["filtered_runs"] = set(everyone.values_list("import_run_id", flat=True))

    ran = _between_batches(monkeypatch, 1, meanwhile)
    actions.import_rows(None, victim, _rows(11, 2 * bulk.STEP + 5, seed=12))

    assert ran == [True]
    assert seen["pending"] == bulk.STEP and seen["pending_words"] == []  # no words yet
    assert len(seen["live"]) == 10 and all(same for _, same in seen["live"])
    assert seen["filtered_runs"] <= {None}  # the filter's index holds live rows only
    after = _words("TRUE")
    assert len(after) == 10 + 2 * bulk.STEP + 5 and all(same for _, same in after)
    found = search(Record.live.all(), HIDDEN.split()[0], include_private=True)
    assert found.count() == 2 * bulk.STEP + 5
    alive = {r.record_id for r in Record.live.all() if r.answers.get("vital_status") == "alive"}
    filtered = filter_select(Record.live.all(), "vital_status", "alive", False)
    assert alive and set(filtered.values_list("record_id", flat=True)) == alive


@pytest.mark.django_db
def test_postgres_search_uses_the_words_index():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    for private in (False, True):
        plan = _plan(search(Record.objects.all(), "Ермеков", include_private=private))
        assert "records_search_gin" in plan
    assert "records_choices_gin" in _plan(
        filter_select(Record.objects.all(), "gender", "male", False)
    )


@pytest.mark.django_db(transaction=True)
def test_0008_can_be_undone_and_done_again_and_search_keeps_working():
    victim = vf.install("victim")
    actions.import_rows(None, victim, _rows(1, 30, seed=13))
    live = Record.live.all()
    expected = {r.record_id for r in live}

    latest = _migrate(BEFORE).loader.graph.leaf_nodes()  # every app: the database whole again
    try:
        assert {r.record_id for r in search(live, HIDDEN, include_private=True)} == expected
        if connection.vendor == "postgresql":
            assert all(same for _, same in _words("TRUE"))
    finally:
        _migrate(latest)
    assert {r.record_id for r in search(live, HIDDEN, include_private=True)} == expected
    if connection.vendor == "postgresql":
        assert all(same for _, same in _words("TRUE"))
        assert "records_search_gin" in _plan(
            search(Record.objects.all(), HIDDEN, include_private=True)
        )
