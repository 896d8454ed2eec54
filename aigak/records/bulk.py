"""Writing many records at once, for the import action: plain SQL in batches.

Django's bulk_create spends most of an import preparing each field of each model
instance; 100,000 records took minutes. Here each answer set is turned into JSON once and
rows go to the database as parameter lists, in batches, inside the import action's
transaction (see `actions.import_rows`, which checks permission and writes the audit
row). Indexes and the full-text triggers are kept by the database as usual.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.validation import Problem, clean_answers
from aigak.questionnaires.xlsform import FormDefinition, Section
from aigak.records.links import reference_fields, sync_links
from aigak.records.models import Person, Record, RecordVersion
from aigak.records.search import choice_words, search_texts
from aigak.reports import coded

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


Prepared = tuple[str, str, str, str]  # answers as JSON; public, confidential, choice words
Checked = tuple[int, dict[str, Any], list[Problem], Prepared | None]
CHUNK = 1000  # rows handed to a checking process at a time
_form: FormDefinition | None = None  # the form, in a checking process


def _check(definition: FormDefinition, chunk: list[tuple[int, dict[str, Any]]]) -> list[Checked]:
    out: list[Checked] = []
    for number, raw in chunk:
        answers, problems = clean_answers(definition, raw, keep_irrelevant=True)
        out.append((number, answers, problems, None if problems else prepare(definition, answers)))
    return out


def prepare(definition: FormDefinition, answers: dict[str, Any]) -> Prepared | None:
    """The answers as JSON and the record's search texts: what the database stores."""
    record_id = answers.get("record_id")
    if not record_id:
        return None
    return _prepared(definition, answers, str(record_id))


def _prepared(definition: FormDefinition, answers: dict[str, Any], record_id: str) -> Prepared:
    text = json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
    public, private = search_texts(definition, answers, record_id)
    return text, public, private, choice_words(definition, answers)


def _start_worker(definition: FormDefinition) -> None:
    global _form
    _form = definition


def _check_in_worker(chunk: list[tuple[int, dict[str, Any]]]) -> list[Checked]:
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


def checked_rows(
    definition: FormDefinition, rows: Iterable[tuple[int, dict[str, Any]]]
) -> Iterator[Checked]:
    """(row number, answers, problems) for every row, in order, by clean_answers.

    Checking is most of an import's work, so a file of more than one chunk is checked by
    forked worker processes, one per CPU, while this process reads and writes. Only a
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
    answers: dict[str, Any]
    prepared: Prepared | None = None  # when the checking process made it already


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
        coded.records_saved(touched)
        if self.links and touched:
            for record in Record.objects.filter(pk__in=touched).select_related("form_version"):
                sync_links(record, self.actor)

    # --- SQL -------------------------------------------------------------------------

    def _prepare(self, row: Row) -> Prepared:
        return _prepared(self.definition, row.answers, row.record_id)

    def _create(self, rows: list[Row]) -> list[int]:
        if not rows:
            return []
        named = [r for r in rows if r.answers.get(NAME_FIELD)]
        person_ids = self._insert(
            Person, [{"display_name": str(r.answers[NAME_FIELD])[:300]} for r in named]
        )
        persons = {id(r): pk for r, pk in zip(named, person_ids, strict=True)}
        records, texts = [], []
        for row in rows:
            text, public, private, choices = row.prepared or self._prepare(row)
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
            if answers == row.answers and deleted_at is None:
                self.unchanged += 1
                continue
            text, public, private, choices = row.prepared or self._prepare(row)
            updates.append((text, number + 1, self.version.pk, public, private, choices, now, pk))
            versions.append({"record_id": pk, "number": number + 1, "answers": text, "status": status})  # fmt: skip
            if person_id and row.answers.get(NAME_FIELD):
                names.append((str(row.answers[NAME_FIELD])[:300], person_id))
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


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
