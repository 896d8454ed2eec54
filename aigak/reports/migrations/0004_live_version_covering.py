"""SQLite: the index of the live records' ids and versions (migration 0002) also holds
``deleted_at``, so that SQLite reads it as a covering index.

SQLite 3.40 uses a partial index as covering only when every column the query names is
in it, the columns of the index's own WHERE included: without ``deleted_at`` each
record found in ``reports_live_version`` costs a visit to its row (the whole answers)
to see that it is live. The block checks (``aigak.reports.blocks``) and the report's
joins of the coded form read the live records of a span through this index, a million
records per report. The column is NULL in every entry (the index holds only the live
records): one byte more per entry, no further index for a write to keep. PostgreSQL
already reads the index alone (an index-only scan needs no column of the predicate):
nothing changes there.
"""

from django.db import migrations

INDEX = "reports_live_version"
COVERING = (
    f"CREATE INDEX {INDEX} ON records_record (questionnaire_id, id, version, deleted_at) "
    "WHERE deleted_at IS NULL"
)
PARTIAL = f"CREATE INDEX {INDEX} ON records_record (questionnaire_id, id, version) WHERE deleted_at IS NULL"


def _remake(schema_editor, create: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(create)


def covering(apps, schema_editor):
    _remake(schema_editor, COVERING)


def partial(apps, schema_editor):
    _remake(schema_editor, PARTIAL)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_coded_blocks")]

    operations = [migrations.RunPython(covering, partial)]
