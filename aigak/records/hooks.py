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
_SAVED: list[tuple[RecordSaved, RecordsSaved]] = []


def on_records_saved(one: RecordSaved, batch: RecordsSaved) -> None:
    """Call `one(record)` after every saved record and `batch(pks)` after an import batch."""
    _SAVED.append((one, batch))


def record_saved(record: Record) -> None:
    for one, _ in _SAVED:
        one(record)


def records_saved(pks: list[int]) -> None:
    for _, batch in _SAVED:
        batch(pks)


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
