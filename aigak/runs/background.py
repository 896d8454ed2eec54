"""Running background runs: in a thread of the web server, or in `aigak worker`.

A page only asks for a run: it writes the run's row (status queued) and calls `request`.
Where the run goes is the deployment's choice, `AIGAK_RUNS_IN` (`settings.RUNS_IN`):

- `thread` (the default): when the transaction commits, a daemon thread of the same
  process runs it (`launch` -> `execute`). Nothing else is needed: no queue, no second
  service.
- `worker`: the row waits until `aigak worker` takes it (`work_queued`), so the web
  server's processes never carry the work.

Either way `execute` takes a run by moving it from queued to running in one UPDATE, so
no run is run twice, and records running, then done with the work's values, or failed
with the reason. The page that asked shows the run's status and reloads itself.

Slots: runs of one slot (`BackgroundRun.run_slot`) run one at a time in a process; each
uses every core, and two side by side would only share them and double the memory. Runs
of different slots (a match, an estimate) do not wait for one another. A kind of run may
also allow one running run at a time across processes, by a unique constraint on its
running rows: a run that cannot be taken for it stays waiting, and the kind's
`run_ended` (called after each of its runs ends) starts it.

Restarts: a run whose process stopped while it ran, or that never started because its
server stopped, is marked interrupted (`mark_abandoned`, when runs are next read, and
`recover`, when `serve` or `aigak worker` starts); its page offers to start it again.
In thread mode `recover` also starts the runs left waiting, so they survive a restart.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from aigak.runs.models import BackgroundRun, RunStatus

logger = logging.getLogger(__name__)

# Where runs go: a thread of the process that asked, or a worker process.
THREAD, WORKER = "thread", "worker"
# A run still waiting this long after it was asked for, with no run of its slot running,
# was never picked up (its process stopped before it started). Only in thread mode: in
# worker mode a run waits for a worker as long as it takes.
QUEUED_TOO_LONG = timedelta(minutes=10)

Run = TypeVar("Run", bound=BackgroundRun)
Work = Callable[[Any], dict[str, Any]]


class RunFailed(Exception):
    """A failure the work foresaw; its message is the reason the run's page shows, and
    `values` (fields of the run) are stored with it, e.g. the reason's template and
    values, for a page to say it in its reader's language."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.values = values


# One lock per slot in this process.
_SLOTS: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
_SLOTS_GUARD = threading.Lock()
# Runs started in this process, by model and pk, so a test or a command can wait for them.
_THREADS: dict[tuple[str, int], threading.Thread] = {}
# Set while a command waits for its runs before it exits (`wait_all(hurry=True)`).
_hurry = threading.Event()


def runs_in() -> str:
    """`thread` or `worker`: where this deployment runs its background runs."""
    return getattr(settings, "RUNS_IN", THREAD)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_models() -> list[type[BackgroundRun]]:
    """Every installed kind of background run."""
    return [model for model in apps.get_models() if issubclass(model, BackgroundRun)]


def work_of(model: type[BackgroundRun]) -> Work:
    """The function named by `model.run_work` ("module:function")."""
    module, _, name = model.run_work.partition(":")
    return getattr(importlib.import_module(module), name)


def _key(model: type[BackgroundRun], pk: int) -> tuple[str, int]:
    return (model._meta.label, pk)


def _slot(model: type[BackgroundRun]) -> threading.Lock:
    with _SLOTS_GUARD:
        return _SLOTS[model.run_slot]


def request(model: type[BackgroundRun], pk: int, *, delay: float = 0.0) -> None:
    """A run was asked for: in thread mode it starts here when the transaction commits
    (`delay` seconds later); in worker mode it waits for `aigak worker`."""
    if runs_in() == THREAD:
        transaction.on_commit(lambda: launch(model, pk, delay=delay))


def launch(model: type[BackgroundRun], pk: int, *, delay: float = 0.0) -> threading.Thread:
    """Run `pk` in a daemon thread of this process, `delay` seconds from now and after any
    run of its slot already running here. A run this process already started is not
    started twice."""
    with _SLOTS_GUARD:
        thread = _THREADS.get(_key(model, pk))
        if thread is not None:
            return thread
        thread = threading.Thread(
            target=_in_thread,
            args=(model, pk, delay),
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


def started_here() -> int:
    """How many runs this process started that have not ended."""
    return len(_THREADS)


def wait_all(timeout: float | None = None, *, hurry: bool = False) -> int:
    """Wait for every run this process started to end, and for those they start in
    turn (a command that asked for runs waits for them before it exits: its threads
    would die with it), for at most `timeout` seconds. Returns how many it waited for.

    `hurry`: runs still in their delay start at once, and so do those they start in
    turn. A command ends here: no more changes of its own will come to gather into one
    run, and it has no pages to leave the processor to, so a delay (the public
    statistics' quiet period and rest after the last build) would only keep the person
    at the terminal waiting."""
    deadline = None if timeout is None else time.monotonic() + timeout
    waited = 0
    if hurry:
        _hurry.set()
    try:
        while True:
            with _SLOTS_GUARD:
                threads = [t for t in _THREADS.values() if t is not threading.current_thread()]
            if not threads:
                return waited
            for thread in threads:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return waited
                thread.join(left)
                waited += 1
    finally:
        if hurry:
            _hurry.clear()


def _in_thread(model: type[BackgroundRun], pk: int, delay: float = 0.0) -> None:
    try:
        if delay > 0:
            _hurry.wait(delay)  # a delay, cut short when the process ends (`wait_all`)
        with _slot(model):
            execute(model, pk)
    except model.DoesNotExist:  # removed before it ran (a purge, a test's end): no work left
        logger.info("%s %s was removed before it ran", model._meta.label, pk)
    finally:
        _THREADS.pop(_key(model, pk), None)
        connections.close_all()  # this thread's own connections


def execute(model: type[Run], pk: int) -> Run:
    """Run a waiting run here and now: its work gives the values stored with it when it
    is done; an exception fails it with the reason. A run already taken by another process
    or thread is left alone."""
    try:
        with transaction.atomic():
            taken = model._default_manager.filter(pk=pk, status=RunStatus.QUEUED).update(
                status=RunStatus.RUNNING, started_at=timezone.now(), worker=worker_name()
            )
    except IntegrityError:  # one of its kind is running and the kind allows only one
        taken = 0
    run = model._default_manager.select_related(*model.run_related).get(pk=pk)
    if not taken:
        return run
    try:
        values = work_of(model)(run)
    except RunFailed as exc:
        run = _finish(run, RunStatus.FAILED, error=str(exc), **exc.values)
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, not leave it running
        logger.exception("%s %s failed", model._meta.label, pk)
        run = _finish(run, RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    else:
        run = _finish(run, RunStatus.DONE, **values)
    _ended(model, run)
    return run


def _ended(model: type[Run], run: Run) -> None:
    """Call the kind's `run_ended` (a failure there is logged: the run has ended)."""
    if not model.run_ended:
        return
    module, _, name = model.run_ended.partition(":")
    try:
        getattr(importlib.import_module(module), name)(run)
    except Exception:  # noqa: BLE001 - the run's own outcome is recorded already
        logger.exception("%s %s: run_ended failed", model._meta.label, run.pk)


def _finish(run: Run, status: str, **values: Any) -> Run:
    type(run)._default_manager.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), **values
    )
    run.refresh_from_db()
    return run


# --- restarts ------------------------------------------------------------------------


def mark_abandoned(model: type[BackgroundRun]) -> int:
    """Mark interrupted the runs of `model` whose process is gone: running in a process of
    this machine that no longer exists (`model.run_stopped`), or, in thread mode, waiting
    longer than `QUEUED_TOO_LONG` while no run of its slot is running
    (`model.run_never_started`; a run waiting behind a running one only waits its turn)."""
    host = socket.gethostname()
    manager = model._default_manager
    gone = []
    for run in manager.filter(status=RunStatus.RUNNING, worker__startswith=f"{host}:"):
        pid = run.worker.rpartition(":")[2]
        if pid.isdigit() and not _alive(int(pid)):
            gone.append(run.pk)
    now = timezone.now()
    count = manager.filter(pk__in=gone, status=RunStatus.RUNNING).update(
        status=RunStatus.INTERRUPTED, finished_at=now, error=model.run_stopped
    )
    if runs_in() != THREAD or any(
        other._default_manager.filter(status=RunStatus.RUNNING).exists()
        for other in run_models()
        if other.run_slot == model.run_slot
    ):
        return count
    count += manager.filter(status=RunStatus.QUEUED, requested_at__lt=now - QUEUED_TOO_LONG).update(
        status=RunStatus.INTERRUPTED, finished_at=now, error=model.run_never_started
    )
    return count


def recover() -> list[threading.Thread]:
    """When a server or a worker starts: mark interrupted the runs a restart stopped, and,
    in thread mode, start here the runs left waiting."""
    started = []
    for model in run_models():
        mark_abandoned(model)
        if runs_in() == THREAD:
            for pk in model._default_manager.filter(status=RunStatus.QUEUED).values_list(
                "pk", flat=True
            ):
                started.append(launch(model, pk))
    return started


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


# --- the worker ----------------------------------------------------------------------


def slots() -> list[str]:
    return sorted({model.run_slot for model in run_models()})


def next_queued(slot: str) -> tuple[type[BackgroundRun], int] | None:
    """The run of `slot` waiting longest, of whatever kind."""
    waiting = []
    for model in run_models():
        if model.run_slot != slot:
            continue
        first = (
            model._default_manager.filter(status=RunStatus.QUEUED)
            .order_by("requested_at", "pk")
            .values_list("requested_at", "pk")
            .first()
        )
        if first is not None:
            waiting.append((first[0], model._meta.label, model, first[1]))
    if not waiting:
        return None
    _, _, model, pk = min(waiting, key=lambda w: (w[0], w[1]))
    return model, pk


def work_slot(slot: str, *, once: bool, poll: float, stop: threading.Event) -> int:
    """Run the waiting runs of one slot, one after another; with `once`, until none waits,
    else until `stop` is set, looking again every `poll` seconds. Returns how many ran."""
    done = 0
    try:
        while not stop.is_set():
            found = next_queued(slot)
            if found is None:
                if once:
                    break
                stop.wait(poll)
                continue
            model, pk = found
            if execute(model, pk).worker == worker_name():
                done += 1
    finally:
        connections.close_all()
    return done


def work_queued(
    *, once: bool = False, poll: float = 2.0, stop: threading.Event | None = None
) -> int:
    """`aigak worker`: a thread per slot, so an estimate does not wait behind a match.
    Returns how many runs this worker ran."""
    stop = stop or threading.Event()
    recover()
    counts: dict[str, int] = {}

    def one(slot: str) -> None:
        counts[slot] = work_slot(slot, once=once, poll=poll, stop=stop)

    threads = [threading.Thread(target=one, args=(s,), name=f"worker-{s}") for s in slots()]
    for thread in threads:
        thread.start()
    try:
        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
    except KeyboardInterrupt:
        stop.set()
        for thread in threads:
            thread.join()
        raise
    return sum(counts.values())
