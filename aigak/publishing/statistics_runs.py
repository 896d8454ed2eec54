"""The public statistics, built in the background and served from the last build.

Building them takes seconds of CPU (the report, counted once and labelled in three
languages, then the whole-report suppression, `aigak.publishing.statistics`), too long
for a visitor to wait. So:

- a change of records (a save, an import, a deletion or undeletion, through the records
  hooks) marks them stale once it is committed: it asks for a build (`mark_stale`),
  unless one is waiting already, which will read the change when it starts;
- the build is a background run (`StatisticsBuild`, `aigak.runs.background`), started
  `QUIET_SECONDS` after it was asked for, so a burst of changes makes one build, and
  not before the last build has rested `REST_FACTOR` times as long as it ran, so that a
  steady stream of saves does not keep a processor building (a command, which waits
  for its build as it ends, starts it at once: `background.wait_all`'s `hurry`);
- at most one build waits and at most one runs, in all processes together (a database
  constraint); a change while one runs asks for the next, which starts when it ends;
- the page serves the newest build that is done (`served`): its reports are stored only
  when all of them are made and checked, so a page never shows a partial or unsuppressed
  build; while a new one is made, the last one is served, with its "as of" time;
- with no build yet (a fresh install), the page says the statistics are being prepared
  and asks for one; so does it when the last one was interrupted by a restart;
- a failed build keeps the last good one on the page; the publishing page tells
  coordinators (`state`), and the next change, or `aigak statistics`, builds again.

`AIGAK_PUBLIC_STATISTICS=command` turns the automatic builds off: only `aigak
statistics` (`build_now`) builds them.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from aigak.lib import lazy
from aigak.publishing.models import StatisticsBuild
from aigak.publishing.statistics import REPORT, ReportsDiffer, safe_reports
from aigak.runs import background
from aigak.runs.background import RunFailed
from aigak.runs.models import ENDED_WITHOUT_RESULT, RunStatus

# The report engine (numpy) loads with the first build, not with the URL table.
build_module = lazy.module("aigak.reports.build")

logger = logging.getLogger(__name__)

BACKGROUND = "background"
# A build starts this long after it was asked for: the changes of a burst go into one.
QUIET_SECONDS = 3.0
# And not before the last build has rested this many times as long as it took: under a
# steady stream of saves, builds (seconds of CPU each) take at most a third of one
# processor, and the rest is left to the pages (saves, lists) the server answers.
REST_FACTOR = 2.0
# Done builds whose reports are kept (the newest is served; one before it for a page
# that read its number just before the newest was done).
KEEP_REPORTS = 2
# A build waiting or running longer than this may belong to a process that is gone.
LOOK_FOR_ABANDONED = timedelta(minutes=5)
CACHE_SECONDS = 24 * 3600


def builds_after_changes() -> bool:
    return getattr(settings, "PUBLIC_STATISTICS", BACKGROUND) == BACKGROUND


def languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


# --- asking for a build ---------------------------------------------------------------


def waiting_build() -> StatisticsBuild | None:
    """The build waiting to start, if any (it will read every change made until then)."""
    return StatisticsBuild.objects.filter(status=RunStatus.QUEUED).defer("reports").first()


def ask(actor: Any = None, *, start: bool = True) -> StatisticsBuild:
    """The waiting build, or a new one; a new one is started (with `start`) when the
    transaction commits, `QUIET_SECONDS` later."""
    by = actor if getattr(actor, "pk", None) else None
    for _ in range(3):
        found = waiting_build()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                build = StatisticsBuild.objects.create(requested_by=by)
        except IntegrityError:  # asked for at the same moment elsewhere: join that one
            continue
        if start:
            background.request(StatisticsBuild, build.pk, delay=_start_delay(build))
        return build
    raise RuntimeError("no statistics build could be asked for")  # pragma: no cover


def mark_stale() -> None:
    """Records changed and the change is committed: a build will read it."""
    if builds_after_changes():
        ask()


@lru_cache(maxsize=1)
def _questionnaire() -> str:
    from aigak.reports.spec import load_spec

    return load_spec(REPORT).questionnaire


def record_changed(record: Any) -> None:
    """The records hook (a save, a deletion, an undeletion): in the saving transaction,
    mark the statistics stale when it commits, for a record the report counts."""
    if builds_after_changes() and record.questionnaire.name == _questionnaire():
        transaction.on_commit(mark_stale, robust=True)


def records_changed(pks: list[int]) -> None:
    """The records hook for a batch of imported records (all of one questionnaire). A
    batch of an import written in steps is unseen until its last step, which says so
    (`questionnaire_changed`): a build begun before then would read the records changing."""
    if not builds_after_changes() or not pks:
        return
    from aigak.records.models import Record

    found = Record.objects.filter(pk=pks[0]).values_list("questionnaire__name", "import_run_id")
    name, unseen = found.first() or ("", None)
    if unseen is None:
        questionnaire_changed(name)


def questionnaire_changed(name: str) -> None:
    """Records of questionnaire `name` changed in this transaction (an import's last step)."""
    if builds_after_changes() and name == _questionnaire():
        transaction.on_commit(mark_stale, robust=True)


# --- the build ------------------------------------------------------------------------


def work(build: StatisticsBuild) -> dict[str, Any]:
    """The background run: the report in every language, read at one moment, suppressed
    once, each checked for a count of 1-4 left shown; stored all together or not at all.

    The records are read and counted once for all the languages (they differ only in
    their labels), without the free-text comments the statistics never show. On
    PostgreSQL that reading is one repeatable-read transaction, so its chunks see one
    moment. On SQLite a transaction here would take the write lock (`transaction_mode`
    IMMEDIATE) and hold every writer back for seconds, so the chunks are read one after
    another, as a report is; the next build, asked for by any change in between, counts
    it."""
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic() if snapshot else nullcontext():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        as_of = timezone.now()
        built = build_module.build_reports(REPORT, languages(), workers=1, comments=False)
    first = next(iter(built.values()))
    try:
        reports = safe_reports({k: b.data for k, b in built.items()}, first.definition, first.spec)
    except ReportsDiffer as differ:
        raise RunFailed(f"The records changed while they were read ({differ}).") from None
    for lang, report in reports.items():
        shown = small_counts_shown(report)
        if shown:
            raise RunFailed(f"A count of 1-4 was left shown ({lang}: {', '.join(shown[:5])}).")
    return {"as_of": as_of, "reports": reports}


def small_counts_shown(report: dict[str, Any]) -> list[str]:
    """Where a safe report shows a count from 1 to 4 (it never should)."""
    found = []
    for table in report["tables"]:
        values: list[Any] = [*table["denominator"].values(), *table["missing"].values()]
        for row in table["rows"]:
            values += [*row.get("counts", {}).values(), row.get("n")]
        for counts in table.get("subtotals", {}).values():
            values += list(counts.values())
        if "total" in table and isinstance(table["total"], dict):
            values.append(table["total"].get("n"))
        if any(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4 for v in values):
            found.append(table["id"])
    return found


def ended(build: StatisticsBuild) -> None:
    """After a build ended: drop the reports of old builds, and start the build asked
    for while it ran (perhaps by another process, which could not start it then)."""
    if build.status == RunStatus.DONE:
        keep = StatisticsBuild.objects.filter(status=RunStatus.DONE).order_by("-pk")
        old = keep.values_list("pk", flat=True)[KEEP_REPORTS:]
        StatisticsBuild.objects.filter(pk__in=list(old)).exclude(reports={}).update(reports={})
    waiting = waiting_build()
    if waiting is not None and background.runs_in() == background.THREAD:
        background.launch(StatisticsBuild, waiting.pk, delay=_start_delay(waiting))


def _start_delay(build: StatisticsBuild) -> float:
    """Seconds from now until `build` starts: its quiet period, and the last build's rest
    (`REST_FACTOR` times as long as that build ran, from its end)."""
    due = build.requested_at + timedelta(seconds=QUIET_SECONDS)
    last = (
        StatisticsBuild.objects.exclude(pk=build.pk)
        .filter(started_at__isnull=False, finished_at__isnull=False)
        .order_by("-pk")  # builds run one at a time, in the order they were asked for
        .values_list("started_at", "finished_at")
        .first()
    )
    started, finished = last or (None, None)
    if started is not None and finished is not None:
        rested: datetime = finished + REST_FACTOR * (finished - started)
        due = max(due, rested)
    return max(0.0, (due - timezone.now()).total_seconds())


def build_now(actor: Any = None, *, poll: float = 1.0) -> StatisticsBuild:
    """Build in this process now and wait for it (`aigak statistics`): the waiting build
    (or a new one) is taken at once; while another process runs one, this waits for it
    to end and then takes the waiting one. Returns the build, done or failed."""
    build = ask(actor, start=False)
    while True:
        build = background.execute(StatisticsBuild, build.pk)
        if build.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return build
        time.sleep(poll)  # another process runs a build (this one, or the one before it)


# --- serving --------------------------------------------------------------------------


def latest_build() -> StatisticsBuild | None:
    """The newest build that is done (without its reports)."""
    done = StatisticsBuild.objects.filter(status=RunStatus.DONE).order_by("-pk")
    return done.defer("reports").first()


def served(lang: str) -> tuple[StatisticsBuild, dict[str, Any]] | None:
    """The build a visitor sees and its report in `lang`, or None while there is none.
    Never builds: when there is none, or the last one was interrupted, asks for one."""
    newest = StatisticsBuild.objects.order_by("-pk").defer("reports").first()
    build = newest if newest is not None and newest.status == RunStatus.DONE else None
    if newest is not None and build is None:
        _look_after(newest)
        build = latest_build()
    elif newest is None and builds_after_changes():
        ask()
    if build is None:
        return None
    key = f"publishing:statistics:{build.pk}:{build.as_of and build.as_of.timestamp()}:{lang}"
    report = cache.get(key)
    if report is None:
        reports = StatisticsBuild.objects.filter(pk=build.pk).values_list("reports", flat=True)
        report = (reports.first() or {}).get(lang)
        if report is None:
            return None
        cache.set(key, report, CACHE_SECONDS)
    return build, report


def _look_after(newest: StatisticsBuild) -> None:
    """The newest build is not done: ask again after a restart interrupted it; look for
    one abandoned by a process that is gone when it has waited or run long."""
    if not builds_after_changes():
        return
    if newest.active and newest.requested_at < timezone.now() - LOOK_FOR_ABANDONED:
        background.mark_abandoned(StatisticsBuild)
        newest.refresh_from_db(fields=["status"])
    if newest.status == RunStatus.INTERRUPTED:
        ask()


@dataclass
class State:
    """What the publishing page tells coordinators about the public statistics."""

    served: StatisticsBuild | None
    current: StatisticsBuild | None  # waiting or running
    failed: StatisticsBuild | None  # the newest build, when it ended without result
    automatic: bool

    @property
    def as_of(self) -> datetime | None:
        return self.served.as_of if self.served else None


def state() -> State:
    background.mark_abandoned(StatisticsBuild)
    builds = StatisticsBuild.objects.defer("reports")
    current = builds.filter(Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING)).first()
    newest_ended = builds.exclude(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    failed = (
        newest_ended
        if newest_ended is not None and newest_ended.status in ENDED_WITHOUT_RESULT
        else None
    )
    return State(latest_build(), current, failed, builds_after_changes())
