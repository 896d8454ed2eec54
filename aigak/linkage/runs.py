"""Matching runs outside the web request.

Training and scoring a list against a large database takes minutes, longer than a web
request may take. A page therefore only asks for a run (`start`): a `MatchingRun` row is
written and a background thread of the web server process runs it (`execute`), one run
at a time per process; the page that asked shows the run's status and reloads itself
until it is done. Nothing else is needed: no queue, no second service.

A run whose process stopped (the server was restarted while it ran) is marked failed
when its status is next read (`mark_abandoned`), so no page waits for ever; starting it
again is one click.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from aigak.linkage import review
from aigak.linkage.access import require_manage
from aigak.linkage.engines import EngineUnavailable
from aigak.linkage.models import MatchingRun, MatchKind, RunStatus, VictimList

logger = logging.getLogger(__name__)

PERSONS_TARGET = "persons"
# A run still waiting this long after it was asked for, with no run running, was never
# picked up (its process stopped before it started).
QUEUED_TOO_LONG = timedelta(minutes=10)

# One run at a time in this process: two trainings side by side would only share the
# same cores and double the memory.
_ONE_AT_A_TIME = threading.Lock()
# Runs started in this process, by pk, so a test or a command can wait for them.
_THREADS: dict[int, threading.Thread] = {}


class AlreadyRunning(Exception):
    """A run for the same list (or for the persons) is waiting or running."""

    def __init__(self, run: MatchingRun) -> None:
        super().__init__(f"run {run.pk} is {run.get_status_display().lower()}")
        self.run = run


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def target_of(victim_list: VictimList | None) -> str:
    return f"list:{victim_list.pk}" if victim_list is not None else PERSONS_TARGET


def active_run(victim_list: VictimList | None) -> MatchingRun | None:
    """The run waiting or running for a list (None: for the persons), if any."""
    mark_abandoned()
    return (
        MatchingRun.objects.filter(
            target=target_of(victim_list), status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
        .select_related("requested_by", "victim_list")
        .first()
    )


def start(
    actor: Any, victim_list: VictimList | None, threshold: float, *, background: bool = True
) -> MatchingRun:
    """Ask for a run: cross-reference `victim_list` with the database, or (None) look for
    duplicate persons. Returns at once; with `background` the run starts in a thread of
    this process when the transaction commits. Raises `AlreadyRunning` when one for the
    same target is waiting or running."""
    require_manage(actor)
    mark_abandoned()
    kind = MatchKind.LINK if victim_list is not None else MatchKind.DEDUPE
    target = target_of(victim_list)
    try:
        with transaction.atomic():
            run = MatchingRun.objects.create(
                kind=kind,
                victim_list=victim_list,
                target=target,
                threshold=threshold,
                requested_by=actor,
            )
    except IntegrityError:
        existing = active_run(victim_list)
        if existing is None:  # finished between the insert and this read
            return start(actor, victim_list, threshold, background=background)
        raise AlreadyRunning(existing) from None
    if background:
        transaction.on_commit(lambda: launch(run.pk))
    return run


def launch(pk: int) -> threading.Thread:
    """Run `pk` in a daemon thread of this process."""
    thread = threading.Thread(target=_in_thread, args=(pk,), name=f"matching-run-{pk}", daemon=True)
    _THREADS[pk] = thread
    thread.start()
    return thread


def wait(pk: int, timeout: float | None = None) -> None:
    """Wait for a run started in this process by `launch` to end."""
    thread = _THREADS.get(pk)
    if thread is not None:
        thread.join(timeout)


def _in_thread(pk: int) -> None:
    try:
        with _ONE_AT_A_TIME:
            execute(pk)
    finally:
        _THREADS.pop(pk, None)
        connections.close_all()  # this thread's own connections


def execute(pk: int) -> MatchingRun:
    """Run a waiting run here and now, recording its outcome. A run already taken by
    another process or thread is left alone."""
    taken = MatchingRun.objects.filter(pk=pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), worker=worker_name()
    )
    run = MatchingRun.objects.select_related("requested_by", "victim_list").get(pk=pk)
    if not taken:
        return run
    try:
        if run.victim_list is not None:
            summary = review.cross_reference(run.requested_by, run.victim_list, run.threshold)
        else:
            summary = review.find_duplicates(run.requested_by, run.threshold)
    except EngineUnavailable as exc:
        return _finish(run, RunStatus.FAILED, error=f"The matching model could not run: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, not leave it running
        logger.exception("matching run %s failed", pk)
        return _finish(run, RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    return _finish(run, RunStatus.DONE, summary=asdict(summary))


def _finish(run: MatchingRun, status: str, **values: Any) -> MatchingRun:
    MatchingRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), **values
    )
    run.refresh_from_db()
    return run


def mark_abandoned() -> int:
    """Mark failed the runs whose process is gone: running in a process of this machine
    that no longer exists, or waiting for longer than `QUEUED_TOO_LONG` while no run is
    running (a waiting run behind a running one is only waiting its turn)."""
    host = socket.gethostname()
    gone = []
    for run in MatchingRun.objects.filter(status=RunStatus.RUNNING, worker__startswith=f"{host}:"):
        pid = run.worker.rpartition(":")[2]
        if pid.isdigit() and not _alive(int(pid)):
            gone.append(run.pk)
    now = timezone.now()
    count = MatchingRun.objects.filter(pk__in=gone, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        finished_at=now,
        error="The process running the match stopped (was the server restarted?). Start it again.",
    )
    if MatchingRun.objects.filter(status=RunStatus.RUNNING).exists():
        return count
    count += MatchingRun.objects.filter(
        status=RunStatus.QUEUED, requested_at__lt=now - QUEUED_TOO_LONG
    ).update(
        status=RunStatus.FAILED,
        finished_at=now,
        error="The run never started (was the server restarted?). Start it again.",
    )
    return count


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
