"""The estimation page's headline LCMCR estimate, run outside the request.

The sampler with its default settings (8 chains x 42,500 iterations) converges on 5 lists
and 10,000 people in 8-28 s, longer than a page should take. The page therefore asks for
a run (`start`): an `LcmcrRun` row keeps the capture table and the settings, and
`aigak.runs.background` runs it, in a thread of the web server or in `aigak worker` (one
estimate at a time per process, beside any match; runs of a dead process marked
interrupted). The page shows the other models at once and reloads itself until the run is
done.

A run is keyed by its input (`key_of`: the capture table and the settings): asking again
for the same table gives the run waiting, running or done for it, so the same input runs
once. Only a failed run is run again, when asked.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from aigak.accounts.permissions import can_estimate_from_lists, can_see_estimates, require
from aigak.estimation.histories import CaptureTable
from aigak.estimation.lcmcr import LcmcrSettings, fit_lcmcr
from aigak.estimation.models import CURRENT_RUN_STATUSES, LcmcrRun
from aigak.estimation.results import ModelResult
from aigak.runs import background as runs_background
from aigak.runs.background import RunFailed

# The settings of the page's runs: the command's defaults.
RUN_LCMCR = LcmcrSettings()
RESULT_FIELDS = ("estimate", "ci95", "se", "description")


def key_of(table: CaptureTable, settings: LcmcrSettings) -> str:
    """A hash of the table (lists, histories and counts; not its source's name) and the
    settings, keyed with the site's secret so that it cannot be found from a guessed
    table."""
    canonical = json.dumps(
        {"lists": list(table.lists), "rows": _rows(table), "settings": asdict(settings)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return salted_hmac("aigak.estimation.runs", canonical, algorithm="sha256").hexdigest()


def _rows(table: CaptureTable) -> list[list[Any]]:
    """[history, count] pairs in the order of the histories, empty ones left out."""
    pairs = [
        [[int(x) for x in history], int(count)]
        for history, count in zip(table.histories.tolist(), table.counts.tolist(), strict=True)
        if count > 0
    ]
    return sorted(pairs)


def table_of(run: LcmcrRun) -> CaptureTable:
    """The capture table a run was asked for."""
    return CaptureTable.from_rows(
        run.lists, [(history, count) for history, count in run.histories], source="run"
    )


def settings_of(run: LcmcrRun) -> LcmcrSettings:
    return LcmcrSettings(**run.settings)


def current_run(table: CaptureTable, settings: LcmcrSettings | None = None) -> LcmcrRun | None:
    """The run waiting, running or done for a table, if any."""
    mark_abandoned()
    key = key_of(table, settings or RUN_LCMCR)
    return LcmcrRun.objects.filter(key=key, status__in=CURRENT_RUN_STATUSES).first()


def latest_run(table: CaptureTable, settings: LcmcrSettings | None = None) -> LcmcrRun | None:
    """The run for a table that answers for it now, or else the last one (failed)."""
    return current_run(table, settings) or (
        LcmcrRun.objects.filter(key=key_of(table, settings or RUN_LCMCR)).first()
    )


def start(
    actor: Any,
    table: CaptureTable,
    *,
    from_lists: bool,
    settings: LcmcrSettings | None = None,
    background: bool = True,
) -> LcmcrRun:
    """Ask for the LCMCR run of a table, or join the one waiting, running or done for it.
    Returns at once; a new run is handed, with `background`, to `aigak.runs.background`
    when the transaction commits."""
    require(can_see_estimates(actor), "see estimates")
    if from_lists:
        require(can_estimate_from_lists(actor), "estimate from the victim lists")
    settings = settings or RUN_LCMCR
    settings.check()
    existing = current_run(table, settings)  # marks the abandoned runs failed first
    if existing is None:
        try:
            with transaction.atomic():
                run = LcmcrRun.objects.create(
                    key=key_of(table, settings),
                    lists=list(table.lists),
                    histories=_rows(table),
                    observed=table.observed,
                    settings=asdict(settings),
                    from_lists=from_lists,
                    uploaded=not from_lists,
                    requested_by=actor,
                )
        except IntegrityError:  # asked for at the same moment by someone else
            existing = current_run(table, settings)
            if existing is None:  # and failed in between
                return start(
                    actor, table, from_lists=from_lists, settings=settings, background=background
                )
        else:
            if background:
                runs_background.request(LcmcrRun, run.pk)
            return run
    how = "from_lists" if from_lists else "uploaded"
    if not getattr(existing, how):
        LcmcrRun.objects.filter(pk=existing.pk).update(**{how: True})
        setattr(existing, how, True)
    return existing


def launch(pk: int) -> threading.Thread:
    """Run `pk` in a daemon thread of this process."""
    return runs_background.launch(LcmcrRun, pk)


def wait(pk: int, timeout: float | None = None) -> None:
    """Wait for a run started in this process by `launch` to end."""
    runs_background.wait(LcmcrRun, pk, timeout)


def execute(pk: int) -> LcmcrRun:
    """Run a waiting run here and now, storing its result. A run already taken by another
    process or thread is left alone."""
    return runs_background.execute(LcmcrRun, pk)


def work(run: LcmcrRun) -> dict[str, Any]:
    result = fit_lcmcr(table_of(run), settings_of(run))
    if not result.ok:
        raise RunFailed(result.reason or "the latent-class model gave no estimate")
    return {"result": _plain(result.to_dict())}


def _plain(value: Any) -> Any:
    """JSON-ready: numpy numbers and booleans as Python's."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def model_of(run: LcmcrRun) -> ModelResult:
    """A done run's result as the page's other models are given."""
    stored = dict(run.result)
    ci95 = stored.pop("ci95", None)
    model = ModelResult(
        name="lcmcr",
        family=stored.pop("family", "bayesian"),
        estimate=stored.pop("estimate", None),
        ci95=None if ci95 is None else (ci95[0], ci95[1]),
        se=stored.pop("se", None),
        description=stored.pop("description", ""),
    )
    for name in ("name", "aic", "bic"):
        stored.pop(name, None)
    model.details = stored
    return model


def mark_abandoned() -> int:
    """Mark interrupted the runs whose process is gone (`background.mark_abandoned`)."""
    return runs_background.mark_abandoned(LcmcrRun)
