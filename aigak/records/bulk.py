"""Writing many records at once, for the import action: plain SQL in batches.

Django's bulk_create spends most of an import preparing each field of each model
instance; 100,000 records took minutes. Here the rows come prepared (`bulk_check`: answers
as JSON, search texts) and go to the database as parameter lists, in batches: inside the
caller's one transaction, or (`aigak import`, with an `ImportRun`) each batch in a short
transaction of its own, unseen until the run's last step (`records.import_runs`; see
`actions.import_rows`, which checks permission, and `records.importing`, which writes
each checked chunk as it comes and the audit row). On SQLite the
full-text indexes are filled once for all new records of a transaction at its end
(`bulk_search_index`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from aigak.questionnaires.models import Questionnaire
from aigak.records import hooks, import_runs, search_sqlite
from aigak.records.bulk_check import BATCH, CheckedFile, Row
from aigak.records.links import reference_fields, sync_links
from aigak.records.models import ImportRun, Person, Record, RecordVersion

ANALYZE_AFTER = 1000  # rows written
STEP = 100  # rows per transaction of an import run: the write lock held for a moment
PAUSE_MOST = 0.05  # seconds an import run leaves the lock free after a batch, at most
# Writes outside the writers' queue (SQLite's busy handler, which sleeps up to 100 ms
# between tries) cannot be seen waiting: an import run leaves the lock free this long at
# least this often for them, well within their busy timeout (10 s, settings.py).
OPEN_EVERY, OPEN_FOR = 3.0, 0.11
# SQLite: an import run puts its records into the full-text indexes itself, this many at
# a time (`search_sqlite`): one statement per index, one index segment for them all.
INDEX_EVERY = 5000


def pause_for_writers(waiting: Callable[[], bool], took: float) -> None:
    """After a batch that held SQLite's write lock `took` seconds: the lock left free
    while another writer waits for it (`waiting`), for at most a quarter of that time.

    Other writers poll the free lock (the writers' file lock every few ms): a batch begun
    at once would take it again before they look. One seen waiting is let in (it is no
    longer seen once it holds the lock); nobody waiting, the next batch begins at once.
    """
    until = time.monotonic() + min(PAUSE_MOST, took / 4)
    while waiting() and time.monotonic() < until:
        time.sleep(0.001)


def refresh_statistics(written: int) -> None:
    """After a large import, tell PostgreSQL's query planner how the tables grew.

    Until autovacuum comes round (which can take long on a busy server) the planner may
    take the new rows for a handful and match full-text queries row by row: seconds per
    list page instead of milliseconds. SQLite plans these queries well without.
    """
    if written < ANALYZE_AFTER or connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = ", ".join(quote(m._meta.db_table) for m in (Record, RecordVersion, Person))
    # Outside a transaction, VACUUM too: it marks the new rows visible to all, so deep
    # list pages and counts read the list's index alone (a server may run without
    # autovacuum, or with it far behind). A second or two for 100,000 records.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def server_has_lz4() -> bool:
    """Whether PostgreSQL was built with lz4 (asked once per writer, not per batch)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def fast_compression(has_lz4: bool) -> None:
    """Until the transaction ends, compress long values with lz4 where the server has it.

    A record row with its words comes to 3-4 KB, over PostgreSQL's 2 KB threshold, so each
    one is compressed as it is written; pglz, the default, is several times slower at it.
    """
    if has_lz4:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


class BatchWriter:
    """Adds checked rows as new records or new versions, a batch at a time."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        actor: Any,
        status: str,
        note: str,
        run: ImportRun | None = None,
    ):
        version = questionnaire.current
        assert version is not None
        self.questionnaire = questionnaire
        self.version = version
        self.definition = version.definition
        self.actor = actor if getattr(actor, "pk", None) else None
        self.status = status
        self.note = note
        self.pending: list[Row] = []
        self.preparers: hooks.Preparers = ()
        self.created = self.updated = self.unchanged = 0
        self.links = bool(reference_fields(self.definition.fields))
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"
        # With a run: new records written unseen, a transaction per batch; the record
        # ids of rows that change existing records wait for `finish`.
        self.run = run
        self.deferred: set[str] = set()
        self.finishing = False
        self.lz4 = self.postgres and server_has_lz4()  # for `fast_compression`
        # SQLite: the run's newest record indexed, and the records written since
        self.indexed_id = self.last_id = self.unindexed = 0
        self.opened = time.monotonic()  # when an import run last left the lock free
        if self.postgres and connection.in_atomic_block:
            fast_compression(self.lz4)

    def write(self, checked: CheckedFile) -> None:
        """Every row of a checked file, then the rest of the last batch."""
        self.preparers = checked.preparers
        if self.run is not None:
            for batch in checked.batches():
                self.write_steps(batch)
            return
        with bulk_search_index():
            for batch in checked.batches():
                for row in batch:
                    self.add(row)
            self.flush()

    def write_steps(self, rows: list[Row]) -> None:
        """Rows of an import run (a checked chunk), a transaction per STEP rows: the write
        lock (SQLite) is let go between them, and the commits do not wait for the disk
        (`import_runs.steps_unsynced`)."""
        assert self.run is not None
        with unchecked_json(), import_runs.steps_unsynced():
            for start in range(0, len(rows), STEP):
                self._step(rows[start : start + STEP], self.run)

    def _step(self, rows: list[Row], run: ImportRun) -> None:
        began = time.monotonic()
        with transaction.atomic():
            import_runs.beat(run)
            if self.postgres:
                fast_compression(self.lz4)
            # The full-text triggers stay: for a hundred rows setting them aside and
            # making them again (four schema changes, each making every connection read
            # the schema again) cost more than they save.
            self.pending = rows
            self.flush()
            if not self.postgres and self.unindexed >= INDEX_EVERY:
                search_sqlite.index_run(run.pk, self.indexed_id)
                self.indexed_id, self.unindexed = self.last_id, 0
        if not self.postgres:
            self._let_writers_in(began)

    def _let_writers_in(self, began: float) -> None:
        """SQLite, after a batch: the write lock left free a moment for other writers:
        for those seen waiting (`pause_for_writers`), and at least OPEN_FOR every
        OPEN_EVERY for the writes that cannot be seen waiting."""
        now = time.monotonic()
        if now - self.opened >= OPEN_EVERY:
            self.opened = now
            time.sleep(OPEN_FOR)
            return
        waiting = getattr(connection, "writers_waiting", lambda: True)  # Django's own: always
        pause_for_writers(waiting, now - began)

    def finish(self, checked: CheckedFile) -> None:
        """The run's last step, in the caller's transaction: the rows that change
        existing records (read back from the checked file), then the new ones made live."""
        assert self.run is not None and connection.in_atomic_block
        self.finishing = True
        if self.postgres:  # it rewrites every new row, their words now computed (search.py)
            fast_compression(self.lz4)
        if self.deferred:
            for batch in checked.batches():
                for row in batch:
                    if row.record_id in self.deferred:
                        self.add(row)
            self.flush()
        import_runs.finish(self.run)

    def add(self, row: Row) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        # The time each batch is written: the list orders by it, and one timestamp for a
        # whole large import would make the database sort it all for every page.
        self.now = timezone.now()
        found = self._existing_ids([r.record_id for r in rows])
        existing = (
            {
                values[1]: values
                for values in Record.objects.filter(
                    questionnaire=self.questionnaire, record_id__in=found
                ).values_list(
                    "id", "record_id", "answers", "version", "deleted_at", "status", "person_id"
                )
            }
            if found
            else {}
        )
        new = [r for r in rows if r.record_id not in existing]
        changed = [r for r in rows if r.record_id in existing]
        if self.run is not None and not self.finishing:
            self.deferred.update(r.record_id for r in changed)
            changed = []
        written = self._create(new) + self._update(changed, existing)
        # The other apps' parts: prepared with the rows (`hooks.import_preparers`) where
        # an app has one, else from the written records (`hooks.records_saved`).
        unseen = self.run is not None and not self.finishing  # new records alone, unseen
        hooks.records_imported(self.preparers, written, unseen=unseen)
        touched = [pk for pk, _, _ in written]
        if self.links and touched:
            for record in Record.objects.filter(pk__in=touched).select_related("form_version"):
                sync_links(record, self.actor)

    # --- SQL -------------------------------------------------------------------------

    def _existing_ids(self, record_ids: list[str]) -> list[str]:
        """Which of these ids the questionnaire has already: one plain query (building
        Django's for 500 ids cost more than running it, for every batch)."""
        marks = ", ".join(["%s"] * len(record_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT record_id FROM {Record._meta.db_table} "
                f"WHERE questionnaire_id = %s AND record_id IN ({marks})",
                [self.questionnaire.pk, *record_ids],
            )
            return [record_id for (record_id,) in cursor.fetchall()]

    def _create(self, rows: list[Row]) -> list[tuple[int, int, tuple[Any, ...]]]:
        if not rows:
            return []
        named = [r for r in rows if r.prepared[4]]
        person_ids = self._insert(
            Person,
            [{"display_name": r.prepared[4]} for r in named],
            common={"import_run_id": self.run.pk} if self.run else None,
        )
        persons = {id(r): pk for r, pk in zip(named, person_ids, strict=True)}
        records, texts = [], []
        for row in rows:
            text, public, private, choices, _ = row.prepared
            texts.append(text)
            records.append(
                {
                    "record_id": row.record_id,
                    "person_id": persons.get(id(row)),
                    "answers": text,
                    "search_text": public,
                    "search_private": private,
                    "search_choices": choices,
                }
            )
        record_ids = self._insert(Record, records, common=self._record_common())
        self.last_id, self.unindexed = max(self.last_id, *record_ids), self.unindexed + len(rows)
        self._insert(
            RecordVersion,
            [
                {"record_id": pk, "answers": text}
                for pk, text in zip(record_ids, texts, strict=True)
            ],
            common={
                "number": 1,
                "status": self.status,
                "form_version_id": self.version.pk,
                "author_id": getattr(self.actor, "pk", None),
                "note": self.note,
            },
            returning=False,
        )
        self.created += len(rows)
        return [(pk, 1, row.parts) for pk, row in zip(record_ids, rows, strict=True)]

    def _record_common(self) -> dict[str, Any]:
        common: dict[str, Any] = {
            "questionnaire_id": self.questionnaire.pk,
            "form_version_id": self.version.pk,
            "status": self.status,
            "author_id": getattr(self.actor, "pk", None),
            "team_id": getattr(self.actor, "team_id", None),
            "version": 1,
        }
        if self.run:  # unseen until the run's last step (`records.import_runs`)
            common.update(deleted_at=self.run.started_at, import_run_id=self.run.pk)
        return common

    def _update(
        self, rows: list[Row], existing: dict[str, tuple[Any, ...]]
    ) -> list[tuple[int, int, tuple[Any, ...]]]:
        updates, versions, names, written = [], [], [], []
        now = Record._meta.get_field("updated_at").get_db_prep_save(self.now, connection)
        for row in rows:
            pk, _, answers, number, deleted_at, status, person_id = existing[row.record_id]
            text, public, private, choices, name = row.prepared
            if deleted_at is None and answers == orjson.loads(text):
                self.unchanged += 1
                continue
            updates.append((text, number + 1, self.version.pk, public, private, choices, now, pk))
            written.append((pk, number + 1, row.parts))
            versions.append({"record_id": pk, "number": number + 1, "answers": text, "status": status})  # fmt: skip
            if person_id and name:
                names.append((name, person_id))
        if not updates:
            return []
        cast = "::jsonb" if self.postgres else ""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Record._meta.db_table} SET answers = %s{cast}, version = %s, "
                "form_version_id = %s, search_text = %s, search_private = %s, "
                "search_choices = %s, updated_at = %s, deleted_at = NULL, deleted_by_id = NULL WHERE id = %s",
                updates,
            )
            if names:
                cursor.executemany(
                    f"UPDATE {Person._meta.db_table} SET display_name = %s WHERE id = %s", names
                )
        self._insert(
            RecordVersion,
            versions,
            common={
                "form_version_id": self.version.pk,
                "author_id": getattr(self.actor, "pk", None),
                "note": self.note,
            },
            returning=False,
        )
        self.updated += len(updates)
        return written

    def _insert(
        self,
        model: type[Model],
        rows: list[dict[str, Any]],
        *,
        common: dict[str, Any] | None = None,
        returning: bool = True,
    ) -> list[int]:
        """Insert rows of one model; every other column takes its default. Returns new ids.

        Values given per row are ready for the database (answers as JSON text); the
        common ones and the defaults are prepared once by Django's own field code.
        """
        if not rows:
            return []
        given = list(rows[0])
        quote = connection.ops.quote_name
        names = {f.attname: quote(str(f.column)) for f in model._meta.concrete_fields}
        columns = [names[n] for n in given]
        fixed_values: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.primary_key or f.attname in given:
                continue
            if common and f.attname in common:
                value = common[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.now
            else:
                value = f.get_default()
            columns.append(names[f.attname])
            fixed_values.append(f.get_db_prep_save(value, connection))
        table = quote(model._meta.db_table)
        if self.postgres:
            return self._copy(model, columns, [[row[n] for n in given] for row in rows], fixed_values, returning)  # fmt: skip
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        ids: list[int] = []
        with connection.cursor() as cursor:
            if not returning:
                cursor.executemany(
                    head + row_sql, [[row[n] for n in given] + fixed_values for row in rows]
                )
                return []
            for chunk in _chunks(rows, BATCH):
                params: list[Any] = []
                for row in chunk:
                    params.extend(row[n] for n in given)
                    params.extend(fixed_values)
                cursor.execute(head + ", ".join([row_sql] * len(chunk)) + " RETURNING id", params)
                ids.extend(pk for (pk,) in cursor.fetchall())
        return ids

    def _copy(
        self,
        model: type[Model],
        columns: list[str],
        rows: list[list[Any]],
        fixed_values: list[Any],
        returning: bool,
    ) -> list[int]:
        """PostgreSQL: COPY, with ids drawn from the table's sequence beforehand."""
        table = model._meta.db_table
        ids: list[int] = []
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # psycopg's own cursor, for copy()
            if returning:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
                columns = ["id", *columns]
            quoted = connection.ops.quote_name(table)
            with cursor.copy(f"COPY {quoted} ({', '.join(columns)}) FROM STDIN") as copy:
                for index, values in enumerate(rows):
                    copy.write_row(([ids[index]] if returning else []) + values + fixed_values)
        return ids


SEARCH_TRIGGERS = search_sqlite.INSERT_TRIGGERS  # SQLite's full-text insert triggers


@contextlib.contextmanager
def bulk_search_index() -> Iterator[None]:
    """SQLite: fill the full-text indexes once for all inserted records, not row by row.

    Inside the write's transaction (the import's, or one batch's of an import run) the
    insert triggers are set aside, and made again from their own SQL after the rows of
    all new records went into the indexes in one statement each. Triggers are part of
    the transaction: a failed write rolls them back with the rows. Other connections cannot write meanwhile (the transaction holds
    the write lock) and read the schema as it was. PostgreSQL computes its stored
    tsvector per row (a generated column); nothing to do there.
    """
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    table = Record._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
        triggers = {name: sql for name, sql in cursor.fetchall() if name in SEARCH_TRIGGERS}
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        (last,) = cursor.fetchone()
        for name in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
    yield
    with connection.cursor() as cursor:
        for name, sql in triggers.items():
            index, columns = SEARCH_TRIGGERS[name]
            cursor.execute(
                f"INSERT INTO {index}(rowid, {columns}) SELECT id, {columns} FROM {table} "
                "WHERE id > %s ORDER BY id",
                [last],
            )
            cursor.execute(sql)


@contextlib.contextmanager
def unchecked_json() -> Iterator[None]:
    """SQLite: the steps of an import run without the tables' CHECK constraints.

    Django's JSONField puts `CHECK (JSON_VALID(answers))` on the records and versions
    tables: SQLite parsed each record's answers twice more as they were written, a tenth
    of the write's CPU. The answers an import writes are orjson's own output
    (`bulk_check`), valid JSON by construction, and the other checks are of the version
    numbers this module sets (1, or one more than the record's). Only this connection,
    only for the steps: the last step, every web save and every other write keep them.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
