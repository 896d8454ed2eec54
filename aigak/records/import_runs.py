"""An import written in short transactions, seen by no reader until one short last step.

SQLite has one write lock for the whole database: an import that wrote all its rows in
one transaction held it for minutes, and every web save meanwhile waited, then was
turned away (503). So an import outside a transaction (`aigak import`) writes its rows a
hundred at a time (`bulk.STEP`), each batch a transaction of its own, and between batches other
writers get in. It writes each chunk of the file as soon as it is checked, while the next
ones are checked (`records.importing`), so a wrong row may be found after some of its
rows were written: then the run is discarded like any failed one. All or none still
holds, for every reader and after any crash:

- its new records are written soft-deleted and marked with an `ImportRun`, so every read
  leaves them out as it leaves deleted records out (the live manager, the list's index,
  search, the report's coded rows, exports, the API, linkage); the trash and undelete
  leave out the marked ones (`without_pending`). Their ids are taken (the unique
  index), so web creates step over them as over any record;
- changes to existing records wait for the last step (their records stay as they are);
- the last step (`finish`), one transaction, writes those changes, makes the new records
  live (one UPDATE of a column of theirs), writes the audit row and removes the run;
  the changes to existing records are its longest part when there are many;
- an import that fails (a wrong row found late among them) removes its rows (`discard`,
  short transactions again); one that was killed leaves its run behind, and the next import (or `aigak serve` starting)
  removes it once its process is gone (`clear_abandoned`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from aigak.questionnaires.models import Questionnaire
from aigak.records import hooks, search_sqlite
from aigak.records.models import ImportRun, Person, Record, RecordVersion

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(hours=1)  # no batch written for this long: its process is gone
DISCARD_BATCH = 500  # records removed per transaction


class ImportAbandoned(RuntimeError):
    """The run was removed under the import (taken for abandoned): nothing was imported."""


def without_pending(records: QuerySet[Record]) -> QuerySet[Record]:
    """Leave out the records of imports still writing (for reads of deleted records)."""
    return records.filter(import_run__isnull=True)


def start(questionnaire: Questionnaire, source: str) -> ImportRun:
    now = timezone.now()
    return ImportRun.objects.create(
        questionnaire=questionnaire,
        source=source[:300],
        host=socket.gethostname()[:255],
        pid=os.getpid(),
        started_at=now,
        beat_at=now,
    )


@contextlib.contextmanager
def steps_unsynced() -> Iterator[None]:
    """SQLite: the run's steps committed without waiting for the disk, the last step
    (outside this block) with it again.

    With `synchronous=FULL` each commit waits for the fsync of the write-ahead log: a
    thousand of them for 100,000 rows. What the steps wrote need not outlive a power
    cut: it is unseen until the last step, and a run that did not finish is removed
    (`clear_abandoned`). With `synchronous=NORMAL` a power cut may lose the newest
    commits of the log, in order, and never corrupts it; the last step's commit, synced,
    makes every frame before it durable too. SQLite refuses the change inside a
    transaction: the caller is outside one.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        level = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous = {level}")


def beat(run: ImportRun) -> None:
    """In each batch's transaction: the run is alive, and still there (plain SQL: a
    thousand batches for 100,000 rows, and Django's UPDATE cost more than running it)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(ImportRun._meta.db_table)} "
            "SET beat_at = %s WHERE id = %s",
            [now, run.pk],
        )
        if not cursor.rowcount:
            raise ImportAbandoned(f"import run {run.pk} was removed while it wrote")


def finish(run: ImportRun) -> None:
    """In the last step's transaction: the run's records and persons become live."""
    if not ImportRun.objects.select_for_update().filter(pk=run.pk).exists():
        raise ImportAbandoned(f"import run {run.pk} was removed while it wrote")
    search_sqlite.index_run(run.pk)  # what the run has not indexed yet (SQLite)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Record._meta.db_table)} SET deleted_at = NULL, import_run_id = NULL "
            "WHERE import_run_id = %s",
            [run.pk],
        )
        cursor.execute(
            f"UPDATE {quote(Person._meta.db_table)} SET import_run_id = NULL "
            "WHERE import_run_id = %s",
            [run.pk],
        )
    ImportRun.objects.filter(pk=run.pk).delete()
    hooks.import_shown(run.questionnaire.name)


def discard(run_id: int) -> int:
    """Remove a run's records (their versions, coded rows, links) and persons, then the
    run, a batch per transaction; the number of records removed. Safe to repeat: a
    discard cut short is finished by the next one."""
    removed = 0
    while pks := _batch(Record.objects.filter(import_run_id=run_id)):
        with transaction.atomic():
            RecordVersion.objects.filter(record_id__in=pks).delete()
            Record.objects.filter(pk__in=pks).delete()
            removed += len(pks)
    while people := _batch(Person.objects.filter(import_run_id=run_id)):
        Person.objects.filter(pk__in=people).delete()
    ImportRun.objects.filter(pk=run_id).delete()
    return removed


def _batch(rows: QuerySet[Any]) -> list[int]:
    """The keys of the next DISCARD_BATCH rows."""
    return list(rows.values_list("pk", flat=True)[:DISCARD_BATCH])


def is_abandoned(run: ImportRun) -> bool:
    """Its process is gone: not running on this machine, or silent for ABANDONED_AFTER."""
    if run.beat_at < timezone.now() - ABANDONED_AFTER:
        return True
    if run.host != socket.gethostname()[:255]:
        return False
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of another user has that number now
        return False
    return False


def clear_abandoned() -> int:
    """Remove the runs (and their rows) of imports that died; the number of records."""
    removed = 0
    for run in list(ImportRun.objects.all()):
        if is_abandoned(run):
            count = discard(run.pk)
            log.info("removed an abandoned import (run %s): %s records", run.pk, count)
            removed += count
    return removed
