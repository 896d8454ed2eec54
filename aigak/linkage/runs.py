"""Matching runs outside the web request.

Training and scoring a list against a large database takes minutes, longer than a web
request may take. A page therefore only asks for a run (`start`): a `MatchingRun` row is
written and `aigak.runs.background` runs it (`execute`): in a thread of the web server,
or in `aigak worker`, one match at a time per process; the page that asked shows the
run's status and reloads itself until it is done.

A run whose process stopped (the server was restarted while it ran) is marked interrupted
when its status is next read (`mark_abandoned`), so no page waits for ever; starting it
again is one click.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction

from aigak.linkage import review
from aigak.linkage.access import require_manage
from aigak.linkage.engines import EngineUnavailable
from aigak.linkage.models import MODEL_FAILED, MatchingRun, MatchKind, VictimList
from aigak.runs import background as runs_background
from aigak.runs.background import RunFailed
from aigak.runs.models import ACTIVE_RUN_STATUSES

PERSONS_TARGET = "persons"


class AlreadyRunning(Exception):
    """A run for the same list (or for the persons) is waiting or running."""

    def __init__(self, run: MatchingRun) -> None:
        super().__init__(f"run {run.pk} is {run.get_status_display().lower()}")
        self.run = run


def target_of(victim_list: VictimList | None) -> str:
    return f"list:{victim_list.pk}" if victim_list is not None else PERSONS_TARGET


def active_run(victim_list: VictimList | None) -> MatchingRun | None:
    """The run waiting or running for a list (None: for the persons), if any."""
    mark_abandoned()
    return (
        MatchingRun.objects.filter(target=target_of(victim_list), status__in=ACTIVE_RUN_STATUSES)
        .select_related(*MatchingRun.run_related)
        .first()
    )


def start(
    actor: Any, victim_list: VictimList | None, threshold: float, *, background: bool = True
) -> MatchingRun:
    """Ask for a run: cross-reference `victim_list` with the database, or (None) look for
    duplicate persons. Returns at once; with `background` the run is handed to
    `aigak.runs.background` when the transaction commits. Raises `AlreadyRunning` when one for the
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
        runs_background.request(MatchingRun, run.pk)
    return run


def launch(pk: int) -> threading.Thread:
    """Run `pk` in a daemon thread of this process."""
    return runs_background.launch(MatchingRun, pk)


def wait(pk: int, timeout: float | None = None) -> None:
    """Wait for a run started in this process by `launch` to end."""
    runs_background.wait(MatchingRun, pk, timeout)


def execute(pk: int) -> MatchingRun:
    """Run a waiting run here and now, recording its outcome. A run already taken by
    another process or thread is left alone."""
    return runs_background.execute(MatchingRun, pk)


def work(run: MatchingRun) -> dict[str, Any]:
    try:
        if run.victim_list is not None:
            summary = review.cross_reference(run.requested_by, run.victim_list, run.threshold)
        else:
            summary = review.find_duplicates(run.requested_by, run.threshold)
    except EngineUnavailable as exc:
        raise RunFailed(MODEL_FAILED % {"reason": exc}) from exc
    return {"summary": asdict(summary)}


def mark_abandoned() -> int:
    """Mark interrupted the runs whose process is gone (`background.mark_abandoned`)."""
    return runs_background.mark_abandoned(MatchingRun)
