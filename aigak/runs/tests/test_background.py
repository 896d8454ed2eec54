"""Background runs across restarts, in a worker process, and side by side.

The runs are real latent-class estimates (`aigak.estimation`) with short settings, on a
real database; a restart is a run left running by a process that no longer exists.
"""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

from aigak.cli import main
from aigak.estimation import runs as estimation_runs
from aigak.estimation.histories import CaptureTable
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.models import LcmcrRun
from aigak.linkage.models import MatchingRun
from aigak.runs import background
from aigak.runs.models import RunStatus

QUICK = LcmcrSettings(burnin=200, samples=100, thinning=2, chains=2, seed=1)
WAIT = 300  # seconds a run may take on a busy machine
ROWS = [((1, 0, 0), 120), ((0, 1, 0), 95), ((0, 0, 1), 40), ((1, 1, 0), 60),
        ((1, 0, 1), 22), ((0, 1, 1), 31), ((1, 1, 1), 36)]  # fmt: skip

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_runs(monkeypatch):
    monkeypatch.setattr(estimation_runs, "RUN_LCMCR", QUICK)  # the page's own settings


def table(count: int = 36) -> CaptureTable:
    rows = [*ROWS[:-1], ((1, 1, 1), count)]
    return CaptureTable.from_rows(["official", "activists", "centre"], rows, source="test")


def ask(actor, count: int = 36, *, background_run: bool = False) -> LcmcrRun:
    return estimation_runs.start(
        actor, table(count), from_lists=False, settings=QUICK, background=background_run
    )


def _dead_worker() -> str:
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def test_it_marks_a_run_a_restart_stopped_interrupted_and_starts_it_again_on_its_page(
    client, coordinator
):
    run = ask(coordinator)
    LcmcrRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, worker=_dead_worker())
    waiting = ask(coordinator, count=37)  # asked for, never started before the restart

    started = background.recover()  # what `serve` does when it starts

    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED and "server restarted" in run.error
    assert [t.name for t in started] == [f"lcmcrrun-{waiting.pk}"]
    background.wait(LcmcrRun, waiting.pk, WAIT)
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.DONE, waiting.error
    client.force_login(coordinator)
    page = client.get(f"/estimation/runs/{run.key}/").content.decode()
    assert 'data-run-status="interrupted"' in page and "was interrupted" in page
    client.post(f"/estimation/runs/{run.key}/")  # "Start it again"
    again = LcmcrRun.objects.filter(key=run.key).exclude(pk=run.pk).get()
    background.wait(LcmcrRun, again.pk, WAIT)
    again.refresh_from_db()
    assert again.status == RunStatus.DONE, again.error


def test_in_worker_mode_runs_wait_for_the_worker_which_runs_them(settings, coordinator, capsys):
    settings.RUNS_IN = "worker"
    first = ask(coordinator, background_run=True)
    second = ask(coordinator, count=40, background_run=True)
    assert not background._THREADS  # nothing started in the process that asked
    # in worker mode a waiting run is never given up for lost: it waits for a worker
    LcmcrRun.objects.update(requested_at=first.requested_at - background.QUEUED_TOO_LONG * 2)
    assert estimation_runs.mark_abandoned() == 0

    assert main(["worker", "--once"]) == 0

    assert "2 run(s) done." in capsys.readouterr().out
    for run in (first, second):
        run.refresh_from_db()
        assert run.status == RunStatus.DONE and run.worker == background.worker_name()
        assert run.result["estimate"] > 0


def test_the_worker_refuses_a_poll_of_zero(capsys):
    assert main(["worker", "--poll", "0"]) == 2
    assert "--poll" in capsys.readouterr().err


def test_an_estimate_does_not_wait_behind_a_match(coordinator):
    assert MatchingRun.run_slot != LcmcrRun.run_slot
    run = ask(coordinator)
    with background._slot(MatchingRun):  # a match holds its slot for as long as it runs
        background.launch(LcmcrRun, run.pk)
        background.wait(LcmcrRun, run.pk, WAIT)
        run.refresh_from_db()
        assert run.status == RunStatus.DONE, run.error


def test_runs_of_one_slot_run_one_at_a_time(coordinator):
    run = ask(coordinator)
    with background._slot(LcmcrRun):  # another estimate runs here
        background.launch(LcmcrRun, run.pk)
        background.wait(LcmcrRun, run.pk, 1)
        run.refresh_from_db()
        assert run.status == RunStatus.QUEUED  # waits its turn
    background.wait(LcmcrRun, run.pk, WAIT)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error


def test_a_run_removed_before_its_thread_starts_ends_the_thread_quietly(coordinator):
    run = LcmcrRun.objects.create(status=RunStatus.QUEUED, requested_by=coordinator)
    LcmcrRun.objects.filter(pk=run.pk).delete()

    background._in_thread(LcmcrRun, run.pk)  # raised DoesNotExist in the thread

    assert background.started_here() == 0


def test_a_command_ending_starts_its_delayed_runs_at_once(coordinator):
    """A command waits for the runs its changes asked for before it exits; one still in
    its delay (the statistics' quiet period and rest) starts then, not minutes later."""
    from aigak.cli import finish_background_runs

    run = ask(coordinator)
    background.launch(LcmcrRun, run.pk, delay=3600)
    assert background.wait_all(1) == 1  # only waited: the run still sleeps
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED

    began = time.monotonic()
    finish_background_runs()  # what `aigak import` and the other commands do at the end

    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert time.monotonic() - began < WAIT
    assert background.started_here() == 0
    assert not background._hurry.is_set()  # a later run in this process keeps its delay
