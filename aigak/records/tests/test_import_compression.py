"""PostgreSQL: an import compresses the long values of its rows with lz4 where it can."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from aigak.records import actions
from aigak.records.models import Record
from aigak.records.tests import victim_fixture as vf

pytestmark = pytest.mark.django_db(transaction=True)


def _lz4() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        return bool(cursor.fetchone()[0])


def test_imported_rows_are_compressed_with_lz4_and_read_back_whole(coordinator):
    if connection.vendor != "postgresql" or not _lz4():
        pytest.skip("PostgreSQL with lz4")
    victim = vf.install("victim")
    rng = random.Random(5)
    rows = [(n + 1, vf.random_row(rng, n)) for n in range(1, 41)]
    for _, row in rows:
        row["location_comment"] = "Кудайбергенов " * 400  # about 11 KB: compressed by any rule
    actions.import_rows(coordinator, victim, rows)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_column_compression(answers) FROM records_record "
            "WHERE pg_column_compression(answers) IS NOT NULL"
        )
        assert [r[0] for r in cursor.fetchall()] == ["lz4"]
        cursor.execute("SHOW default_toast_compression")  # only for the import's transaction
        assert cursor.fetchone()[0] == "pglz"
    record = Record.objects.get(record_id=rows[0][1]["record_id"])
    assert record.answers["location_comment"] == "Кудайбергенов " * 400
