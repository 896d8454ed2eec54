"""SQLite: the full-text indexes of an import run's records, filled in bulk.

The FTS5 indexes (`records_fts`, `records_choices`, `records.search`) are kept by
triggers. An import run (`records.import_runs`) writes its records unseen, a hundred per
transaction; a trigger per row and a small index segment per transaction made the
full-text indexes about a third of the write. So from migration 0009:

- a record is in an index exactly when the index has its size row (`*_docsize`, which
  FTS5 keeps per row): the delete and update triggers act only on indexed records;
- the insert triggers leave out the records of an import run (`import_run_id` set);
- the run fills the indexes for its records itself, one statement per index for many
  rows (`index_run`), in its own transactions, and for the rest in its last step before
  they become live (`import_runs.finish`). Searches only show live records, so every
  record a search can show is indexed, as before.

Every state in between is consistent: a run cut short is removed (`import_runs.discard`)
and its indexed records leave the indexes through the delete triggers, the others need
nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

# (short name in its triggers' names, index, its columns) of the two full-text indexes
NAMED_INDEXES = (
    ("fts", "records_fts", "search_text, search_private"),
    ("choices", "records_choices", "search_choices"),
)
INDEXES = tuple((index, columns) for _, index, columns in NAMED_INDEXES)
# the insert triggers (`records_fts_ai`, ...) and the index and columns each fills
INSERT_TRIGGERS = {
    f"records_{short}_ai": (index, columns) for short, index, columns in NAMED_INDEXES
}


def _triggers(short: str, index: str, columns: str) -> list[str]:
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    indexed = f"EXISTS (SELECT 1 FROM {index}_docsize WHERE id = old.id)"
    return [
        f"""CREATE TRIGGER records_{short}_ai AFTER INSERT ON records_record
        WHEN new.import_run_id IS NULL BEGIN
        INSERT INTO {index}(rowid, {columns}) VALUES (new.id, {new}); END""",
        f"""CREATE TRIGGER records_{short}_ad AFTER DELETE ON records_record
        WHEN {indexed} BEGIN
        INSERT INTO {index}({index}, rowid, {columns}) VALUES ('delete', old.id, {old}); END""",
        f"""CREATE TRIGGER records_{short}_au AFTER UPDATE OF {columns} ON records_record
        WHEN {indexed} BEGIN
        INSERT INTO {index}({index}, rowid, {columns}) VALUES ('delete', old.id, {old});
        INSERT INTO {index}(rowid, {columns}) VALUES (new.id, {new}); END""",
    ]


# The triggers of migration 0009, and those they replace (migrations 0002 and 0003).
RUN_TRIGGERS = [sql for named in NAMED_INDEXES for sql in _triggers(*named)]
TRIGGER_NAMES = [
    f"records_{short}_{kind}" for short, _, _ in NAMED_INDEXES for kind in ("ai", "ad", "au")
]


def install_run_triggers(schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGER_NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in RUN_TRIGGERS:
        schema_editor.execute(sql)


def uninstall_run_triggers(schema_editor: Any) -> None:
    """Back to the triggers of migration 0003 (after indexing any unindexed record)."""
    from aigak.records.search import SQLITE_CHOICES, SQLITE_SETUP

    if schema_editor.connection.vendor != "sqlite":
        return
    for index, columns in INDEXES:
        schema_editor.execute(_unindexed_sql(index, columns, "import_run_id IS NOT NULL"))
    for name in TRIGGER_NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in SQLITE_SETUP[1:] + SQLITE_CHOICES[1:4]:
        schema_editor.execute(sql)


def _unindexed_sql(index: str, columns: str, where: str) -> str:
    return (
        f"INSERT INTO {index}(rowid, {columns}) SELECT id, {columns} FROM records_record "
        f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM {index}_docsize d "
        "WHERE d.id = records_record.id) ORDER BY id"
    )


def index_run(run_id: int, after: int = 0) -> None:
    """Put the run's records with ids over `after` that are not indexed yet into both
    full-text indexes (SQLite; nothing elsewhere). In the caller's transaction."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for index, columns in INDEXES:
            cursor.execute(
                _unindexed_sql(index, columns, "import_run_id = %s AND id > %s"), [run_id, after]
            )
