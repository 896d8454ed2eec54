"""What other apps show on a record's page, and what they keep in step with each saved
record, without the records app importing them.

Records sit below evidence, linkage, reports and estimation: those apps import records,
never the reverse (tests/test_app_layers.py). An app that adds a panel to a record's page
registers it here from its AppConfig.ready(): a template and a function of the user and
the record that gives the template's values. The page includes each panel's template in
the order the apps are installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aigak.records.models import Record

PanelValues = Callable[[Any, Record], dict[str, Any]]


@dataclass(frozen=True)
class RecordPanel:
    template: str
    values: PanelValues


_PANELS: dict[str, RecordPanel] = {}


def add_record_panel(template: str, values: PanelValues) -> None:
    """Show `template` on every record's page, with `values(user, record)` in its context."""
    _PANELS[template] = RecordPanel(template, values)


def record_page_panels(user: Any, record: Record) -> dict[str, Any]:
    """The panels' values for one record's page, and `panels`, their templates."""
    context: dict[str, Any] = {"panels": list(_PANELS)}
    for panel in _PANELS.values():
        context.update(panel.values(user, record))
    return context


# Called in the transaction that saved a record (a new version, a restore, a status
# change) or a batch of imported ones (their primary keys): an app that keeps something
# derived from the answers (the report's coded form) registers here from its ready().
RecordSaved = Callable[[Record], None]
RecordsSaved = Callable[[list[int]], None]
# An import prepares its rows in checking processes (`records.bulk_check`). An app may do
# its part of each row there too instead of reading the written records back:
# `prepare(questionnaire)`, called once per import before the checking starts, gives a
# function of a chunk of checked rows [(answers, record id)] giving one result per row
# (picklable, small) that travels with the prepared row, or None when the app keeps
# nothing for that questionnaire; `write` then gets (pk, version, result) of each
# written batch in place of `batch(pks)`.
RowPreparer = Callable[[list[tuple[dict[str, Any], str]]], list[Any]]


@dataclass(frozen=True)
class ImportPart:
    prepare: Callable[[Any], RowPreparer | None]
    write: Callable[[list[tuple[int, int, Any]]], None]


_SAVED: list[tuple[RecordSaved, RecordsSaved, ImportPart | None]] = []


def on_records_saved(
    one: RecordSaved, batch: RecordsSaved, imported: ImportPart | None = None
) -> None:
    """Call `one(record)` after every saved record and `batch(pks)` after an import batch
    (or, with `imported`, prepare each imported row beside the checking and write it)."""
    _SAVED.append((one, batch, imported))


def record_saved(record: Record) -> None:
    for one, _, _ in _SAVED:
        one(record)


def records_saved(pks: list[int]) -> None:
    for _, batch, _ in _SAVED:
        batch(pks)


# Called in the transaction that deleted a record or brought a deleted one back: an app
# that keeps something over the live records (the public statistics) registers here.
RecordDeletion = Callable[[Record], None]
_DELETIONS: list[RecordDeletion] = []


def on_record_deletion(changed: RecordDeletion) -> None:
    """Call `changed(record)` after a record is deleted or undeleted."""
    _DELETIONS.append(changed)


def record_deletion(record: Record) -> None:
    for changed in _DELETIONS:
        changed(record)


# Called in the last step of an import written in steps (`records.import_runs`), when its
# records, unseen until then, become live: with the questionnaire's name.
ImportShown = Callable[[str], None]
_SHOWN: list[ImportShown] = []


def on_import_shown(shown: ImportShown) -> None:
    """Call `shown(questionnaire_name)` when an import's records become live at once."""
    _SHOWN.append(shown)


def import_shown(questionnaire_name: str) -> None:
    for shown in _SHOWN:
        shown(questionnaire_name)


Preparers = tuple[RowPreparer | None, ...]


def import_preparers(questionnaire: Any) -> Preparers:
    """Per registered app, its function that prepares an imported row (or None)."""
    return tuple(part.prepare(questionnaire) if part else None for _, _, part in _SAVED)


def prepare_rows(
    preparers: Preparers, rows: list[tuple[dict[str, Any], str]]
) -> list[tuple[Any, ...]]:
    """The apps' parts of each checked row, (answers, record id): a tuple per row, one
    part per app (None for an app without one)."""
    parts = [p(rows) if p else [None] * len(rows) for p in preparers]
    return list(zip(*parts, strict=True)) if parts else [() for _ in rows]


def records_imported(
    preparers: Preparers, rows: list[tuple[int, int, tuple[Any, ...]]], *, unseen: bool = False
) -> None:
    """After an import batch: rows as (pk, version, `prepare_rows`' parts).

    `unseen`: new records of an import run, seen by no reader until its last step, which
    announces them all at once (`import_shown`). Then only the apps' prepared parts are
    written; `batch(pks)` is not called for them: nothing can refer to a record made in
    this batch (a publication of it), and a batch hook that watches what readers see
    (the statistics) would find them unseen and do nothing, after a query per batch.
    """
    if not rows:
        return
    for index, (_, batch, part) in enumerate(_SAVED):
        if part is not None and index < len(preparers) and preparers[index] is not None:
            part.write([(pk, version, parts[index]) for pk, version, parts in rows])
        elif not unseen:
            batch([pk for pk, _, _ in rows])


# The home page's dashboard counts work waiting in apps above records (matches to decide,
# public submissions to moderate). An app registers a counter from its ready(): a function
# of the user that gives a DashboardCount, or None when the user has no part in that work
# (the dashboard then shows nothing of it).
@dataclass(frozen=True)
class DashboardCount:
    label: str
    count: int
    url: str


DashboardCounter = Callable[[Any], DashboardCount | None]
_COUNTERS: dict[str, DashboardCounter] = {}


def add_dashboard_count(key: str, counter: DashboardCounter) -> None:
    """Show `counter(user)` among the work waiting on the dashboard (once per key)."""
    _COUNTERS[key] = counter


def dashboard_counts(user: Any) -> list[DashboardCount]:
    """The registered counts this user has a part in, in the order they were added."""
    found = (counter(user) for counter in _COUNTERS.values())
    return [count for count in found if count is not None]
