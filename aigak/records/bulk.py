"""Writing many records at once, for the import action: plain SQL in batches.

Django's bulk_create spends most of an import preparing each field of each model
instance; 100,000 records took minutes. Here each answer set is turned into JSON once and
rows go to the database as parameter lists, in batches, inside the import action's
transaction (see `actions.import_rows`, which checks permission and writes the audit
row). Indexes and the full-text triggers are kept by the database as usual.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import multiprocessing
import os
import pickle
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.validation import Problem, clean_answers
from aigak.questionnaires.xlsform import FormDefinition, Section
from aigak.records.links import reference_fields, sync_links
from aigak.records.models import Person, Record, RecordVersion
from aigak.records.search import choice_words, search_texts

NAME_FIELD = "full_name"
BATCH = 500  # rows per INSERT: 16 columns x 500 stays under every parameter limit


def checking_definition(definition: FormDefinition) -> FormDefinition:
    """The form with the relevance conditions an import cannot be affected by left out.

    An import keeps answers of irrelevant fields (`keep_irrelevant`), so relevance only
    decides whether `required` and `constraint` apply. Conditions of fields without
    either, and of groups holding none, are dropped: the same verdict on every row for a
    fraction of the expression evaluations.
    """
    fields = {
        name: f if f.required or f.constraint else dataclasses.replace(f, relevant="")
        for name, f in definition.fields.items()
    }

    def checks_inside(section: Section) -> bool:
        return any(
            checks_inside(c)
            if isinstance(c, Section)
            else bool(fields[c].required or fields[c].constraint)
            for c in section.children
        )

    def prune(section: Section) -> Section:
        children = [prune(c) if isinstance(c, Section) else c for c in section.children]
        relevant = section.relevant if checks_inside(section) else ""
        return dataclasses.replace(section, children=children, relevant=relevant)

    return dataclasses.replace(definition, fields=fields, root=prune(definition.root))


# What the database stores of a row: the answers as JSON; the public and confidential
# search texts and the choice words; the person's name ("" for none).
Prepared = tuple[str, str, str, str, str]
# A checked row: its number, its problems, its record id, and Prepared when it has none.
Checked = tuple[int, list[Problem], str, Prepared | None]
# A row to check: its number, its raw answers, and its record id when the form has no
# record_id field (None when it has: the id is then one of the answers).
Raw = tuple[int, dict[str, Any], Any]
CHUNK = 1000  # rows handed to a checking process at a time
_form: FormDefinition | None = None  # the form, in a checking process


def _check(definition: FormDefinition, chunk: list[Raw]) -> list[Checked]:
    out: list[Checked] = []
    for number, raw, given in chunk:
        answers, problems = clean_answers(definition, raw, keep_irrelevant=True)
        record_id = str((answers.get("record_id") if given is None else given) or "")
        prepared = None if problems or not record_id else _prepared(definition, answers, record_id)
        out.append((number, problems, record_id, prepared))
    return out


def prepare(definition: FormDefinition, answers: dict[str, Any]) -> Prepared | None:
    """The answers as JSON and the record's search texts: what the database stores."""
    record_id = answers.get("record_id")
    if not record_id:
        return None
    return _prepared(definition, answers, str(record_id))


def _prepared(definition: FormDefinition, answers: dict[str, Any], record_id: str) -> Prepared:
    text = orjson.dumps(answers).decode()
    public, private = search_texts(definition, answers, record_id)
    name = answers.get(NAME_FIELD)
    return text, public, private, choice_words(definition, answers), str(name)[:300] if name else ""


def _start_worker(definition: FormDefinition) -> None:
    global _form
    _form = definition


def _check_in_worker(chunk: list[Raw]) -> list[Checked]:
    assert _form is not None
    return _check(_form, chunk)


def _workers() -> int:
    """Processes to check rows with: one per CPU up to four, none off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return 0  # a web server's thread: forking it is not worth the risk
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return min(4, cpus) if cpus > 1 else 0


def checked_rows(definition: FormDefinition, rows: Iterable[Raw]) -> Iterator[Checked]:
    """(row number, problems, record id, prepared row) for every row, in order.

    Checking (clean_answers) and preparing (JSON, search texts) are most of an import's
    work, so a file of more than one chunk is checked by forked worker processes, one
    per CPU, while this process reads; they send back only the prepared rows. Only a
    few chunks are in flight at a time, so memory stays flat however long the file.
    """
    chunks = _chunked(rows, CHUNK)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    workers = _workers()
    if second is None or not workers:
        yield from _check(definition, first)
        for chunk in itertools.chain([second] if second else [], chunks):
            yield from _check(definition, chunk)
        return
    # Forked workers inherit the form and never touch the database connection.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(definition,)) as pool:
        pending = deque(pool.apply_async(_check_in_worker, (c,)) for c in (first, second))
        for chunk in chunks:
            pending.append(pool.apply_async(_check_in_worker, (chunk,)))
            if len(pending) > 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


@dataclass
class CheckedFile:
    """Every row of a file checked and prepared, before anything is written.

    The prepared rows wait in a temporary file (pickled batches), so memory stays flat;
    `batches` reads them back for the one short transaction that writes them.
    """

    problems: list[tuple[int, Problem]] = field(default_factory=list)
    rows: int = 0
    spool: IO[bytes] = field(default_factory=lambda: tempfile.TemporaryFile(prefix="aigak-import-"))

    def batches(self) -> Iterator[list[Row]]:
        self.spool.seek(0)
        while True:
            try:
                yield pickle.load(self.spool)
            except EOFError:
                return

    def close(self) -> None:
        self.spool.close()


def check_file(
    definition: FormDefinition,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    id_is_field: bool,
    progress: Callable[[int], None] | None = None,
) -> CheckedFile:
    """Check and prepare every row, outside any transaction; problems name the row.

    Also refused: a row without a record_id, and a record_id given on two rows.
    """
    result = CheckedFile()
    seen: dict[str, int] = {}
    batch: list[Row] = []
    raw: Iterable[Raw] = ((n, r, None) for n, r in rows) if id_is_field else _without_ids(rows)
    for number, problems, record_id, prepared in checked_rows(definition, raw):
        result.problems.extend((number, p) for p in problems)
        if not record_id and not problems:
            result.problems.append(
                (number, Problem("record_id", "", "required", "every row needs a record_id"))
            )
        if record_id:
            if record_id in seen:
                also = f"also on row {seen[record_id]}"
                result.problems.append((number, Problem("record_id", record_id, "unique", also)))
            seen[record_id] = number
        if not result.problems and prepared is not None:
            batch.append(Row(record_id, prepared))
            if len(batch) >= BATCH:
                pickle.dump(batch, result.spool, pickle.HIGHEST_PROTOCOL)
                batch = []
        if progress:
            progress(1)
    if batch:
        pickle.dump(batch, result.spool, pickle.HIGHEST_PROTOCOL)
    result.rows = len(seen)
    return result


def _without_ids(rows: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[Raw]:
    """A form of a centre's own may leave record_id out of its fields: take it apart."""
    for number, raw in rows:
        yield number, {k: v for k, v in raw.items() if k != "record_id"}, raw.get("record_id")


def _chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


ANALYZE_AFTER = 1000  # rows written


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


def fast_compression() -> None:
    """Until the transaction ends, compress long values with lz4 where the server has it.

    A record row with its words comes to 3-4 KB, over PostgreSQL's 2 KB threshold, so each
    one is compressed as it is written; pglz, the default, is several times slower at it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


@dataclass
class Row:
    """One checked row, ready to write."""

    record_id: str
    prepared: Prepared


class BatchWriter:
    """Adds checked rows as new records or new versions, a batch at a time."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        *,
        actor: Any,
        status: str,
        note: str,
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
        self.created = self.updated = self.unchanged = 0
        self.links = bool(reference_fields(self.definition.fields))
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"
        if self.postgres and connection.in_atomic_block:
            fast_compression()

    def write(self, checked: CheckedFile) -> None:
        """Every row of a checked file, then the rest of the last batch."""
        with bulk_search_index():
            for batch in checked.batches():
                for row in batch:
                    self.add(row)
            self.flush()

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
        existing = {
            values[1]: values
            for values in Record.objects.filter(
                questionnaire=self.questionnaire, record_id__in=[r.record_id for r in rows]
            ).values_list(
                "id", "record_id", "answers", "version", "deleted_at", "status", "person_id"
            )
        }
        new = [r for r in rows if r.record_id not in existing]
        changed = [r for r in rows if r.record_id in existing]
        touched = self._create(new) + self._update(changed, existing)
        if self.links and touched:
            for record in Record.objects.filter(pk__in=touched).select_related("form_version"):
                sync_links(record, self.actor)

    # --- SQL -------------------------------------------------------------------------

    def _create(self, rows: list[Row]) -> list[int]:
        if not rows:
            return []
        named = [r for r in rows if r.prepared[4]]
        person_ids = self._insert(Person, [{"display_name": r.prepared[4]} for r in named])
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
        return record_ids

    def _record_common(self) -> dict[str, Any]:
        return {
            "questionnaire_id": self.questionnaire.pk,
            "form_version_id": self.version.pk,
            "status": self.status,
            "author_id": getattr(self.actor, "pk", None),
            "team_id": getattr(self.actor, "team_id", None),
            "version": 1,
        }

    def _update(self, rows: list[Row], existing: dict[str, tuple[Any, ...]]) -> list[int]:
        updates, versions, names = [], [], []
        now = Record._meta.get_field("updated_at").get_db_prep_save(self.now, connection)
        for row in rows:
            pk, _, answers, number, deleted_at, status, person_id = existing[row.record_id]
            text, public, private, choices, name = row.prepared
            if deleted_at is None and answers == orjson.loads(text):
                self.unchanged += 1
                continue
            updates.append((text, number + 1, self.version.pk, public, private, choices, now, pk))
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
        return [u[-1] for u in updates]

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


SEARCH_TRIGGERS = {  # the insert triggers of SQLite's full-text indexes, and their columns
    "records_fts_ai": ("records_fts", "search_text, search_private"),
    "records_choices_ai": ("records_choices", "search_choices"),
}


@contextlib.contextmanager
def bulk_search_index() -> Iterator[None]:
    """SQLite: fill the full-text indexes once for all inserted records, not row by row.

    Inside the import's transaction the insert triggers are set aside, and made again
    from their own SQL after the rows of all new records went into the indexes in one
    statement each. Triggers are part of the transaction: a failed import rolls them
    back with the rows. Other connections cannot write meanwhile (the transaction holds
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


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
