"""Work that takes longer than a web request, run outside it in the web server's process.

A page only asks for a run: a row of a model derived from `BackgroundRun` is written
(status queued), and when the transaction commits a daemon thread of the same process
runs it (`launch` -> `execute`), recording running, then done with the work's values or
failed with the reason. The page that asked shows the run's status and reloads itself
until it is done. Nothing else is needed: no queue, no second service.

One run at a time per process, whatever kind (matching in aigak.linkage, the latent-class
estimate in aigak.estimation): each uses every core, and two side by side would only share
them and double the memory. A run waiting its turn behind another stays queued.

A run whose process stopped (the server was restarted while it ran) is marked failed when
runs are next read (`mark_abandoned`), so no page waits for ever; starting it again is one
request.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.utils import timezone

logger = logging.getLogger(__name__)

# A run still waiting this long after it was asked for, with no run of any kind running,
# was never picked up (its process stopped before it started).
QUEUED_TOO_LONG = timedelta(minutes=10)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class BackgroundRun(models.Model):
    """What every background run records: its status, who asked and when, when it ran,
    in which process, and why it failed."""

    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process that runs it (host and pid), so a run whose process died is seen.
    worker = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES

    @property
    def elapsed(self) -> int | None:
        """Whole seconds it has run (so far, or in all), None before it started."""
        if self.started_at is None:
            return None
        return int(((self.finished_at or timezone.now()) - self.started_at).total_seconds())


Run = TypeVar("Run", bound=BackgroundRun)
Work = Callable[[Any], dict[str, Any]]


class RunFailed(Exception):
    """A failure the work foresaw; its message is the reason the run's page shows."""


# One run at a time in this process, whatever its kind.
_ONE_AT_A_TIME = threading.Lock()
# Runs started in this process, by model and pk, so a test or a command can wait for them.
_THREADS: dict[tuple[str, int], threading.Thread] = {}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _key(model: type[BackgroundRun], pk: int) -> tuple[str, int]:
    return (model._meta.label, pk)


def launch(
    model: type[Run], pk: int, work: Work, select_related: tuple[str, ...] = ()
) -> threading.Thread:
    """Run `pk` in a daemon thread of this process, after any run already running here."""
    thread = threading.Thread(
        target=_in_thread,
        args=(model, pk, work, select_related),
        name=f"{model._meta.model_name}-{pk}",
        daemon=True,
    )
    _THREADS[_key(model, pk)] = thread
    thread.start()
    return thread


def wait(model: type[BackgroundRun], pk: int, timeout: float | None = None) -> None:
    """Wait for a run started in this process by `launch` to end."""
    thread = _THREADS.get(_key(model, pk))
    if thread is not None:
        thread.join(timeout)


def _in_thread(model: type[Run], pk: int, work: Work, select_related: tuple[str, ...]) -> None:
    try:
        with _ONE_AT_A_TIME:
            execute(model, pk, work, select_related)
    finally:
        _THREADS.pop(_key(model, pk), None)
        connections.close_all()  # this thread's own connections


def execute(model: type[Run], pk: int, work: Work, select_related: tuple[str, ...] = ()) -> Run:
    """Run a waiting run here and now: `work(run)` gives the values stored with it when it
    is done; an exception fails it with the reason. A run already taken by another process
    or thread is left alone."""
    taken = model._default_manager.filter(pk=pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), worker=worker_name()
    )
    run = model._default_manager.select_related(*select_related).get(pk=pk)
    if not taken:
        return run
    try:
        values = work(run)
    except RunFailed as exc:
        return _finish(run, RunStatus.FAILED, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, not leave it running
        logger.exception("%s %s failed", model._meta.label, pk)
        return _finish(run, RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    return _finish(run, RunStatus.DONE, **values)


def _finish(run: Run, status: str, **values: Any) -> Run:
    type(run)._default_manager.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), **values
    )
    run.refresh_from_db()
    return run


def run_models() -> list[type[BackgroundRun]]:
    """Every installed model of background runs."""
    return [model for model in apps.get_models() if issubclass(model, BackgroundRun)]


def mark_abandoned(model: type[BackgroundRun], *, stopped: str, never_started: str) -> int:
    """Mark failed the runs of `model` whose process is gone: running in a process of this
    machine that no longer exists (the reason `stopped`), or waiting for longer than
    `QUEUED_TOO_LONG` while no run of any kind is running (`never_started`; a waiting run
    behind a running one is only waiting its turn)."""
    host = socket.gethostname()
    manager = model._default_manager
    gone = []
    for run in manager.filter(status=RunStatus.RUNNING, worker__startswith=f"{host}:"):
        pid = run.worker.rpartition(":")[2]
        if pid.isdigit() and not _alive(int(pid)):
            gone.append(run.pk)
    now = timezone.now()
    count = manager.filter(pk__in=gone, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, finished_at=now, error=stopped
    )
    if any(
        other._default_manager.filter(status=RunStatus.RUNNING).exists() for other in run_models()
    ):
        return count
    count += manager.filter(status=RunStatus.QUEUED, requested_at__lt=now - QUEUED_TOO_LONG).update(
        status=RunStatus.FAILED, finished_at=now, error=never_started
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
