"""Matching outside the web request: a page asks for a run, a background thread runs the
real model against a real database, the status page follows it until it is done."""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from aigak.accounts.models import AuditEvent, Role
from aigak.linkage import runs
from aigak.linkage.lists import guess_mapping, import_list
from aigak.linkage.models import Match, MatchingRun, MatchKind
from aigak.linkage.tests.appdata import LIST_HEADER, add_victims, csv_bytes, install_victim_form
from aigak.linkage.tests.appdata import list_rows as activists_rows
from aigak.runs.background import QUEUED_TOO_LONG, worker_name
from aigak.runs.models import RunStatus

WAIT = 300  # seconds a background run may take on a busy machine


@pytest.fixture
def activists(coordinator):
    add_victims(install_victim_form())
    return import_list(
        coordinator,
        name="Activists",
        data=csv_bytes(activists_rows()),
        file_name="activists.csv",
        mapping=guess_mapping(LIST_HEADER),
    )


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.django_db(transaction=True)
def test_cross_reference_runs_in_the_background_and_its_page_follows_it(
    client, coordinator, activists
):
    client.force_login(coordinator)
    pk = activists.pk
    response = client.post(f"/linkage/lists/{pk}/cross-reference/", {"threshold": "0.2"})
    run = MatchingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/linkage/runs/{run.pk}/"
    assert (run.kind, run.victim_list, run.threshold) == (MatchKind.LINK, activists, 0.2)
    runs.wait(run.pk, WAIT)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.started_at and run.finished_at and run.worker == worker_name()
    matches = Match.objects.filter(entry__victim_list=activists)
    assert run.summary["candidates"] == matches.count() > 0
    assert min(m.probability for m in matches) >= 0.2
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and 'http-equiv="refresh"' not in page
    assert f'href="/linkage/lists/{pk}/review/"' in page
    detail = client.get(f"/linkage/lists/{pk}/")
    assert detail.context["active_run"] is None
    assert AuditEvent.objects.filter(metadata__step="cross_reference").count() == 1


@pytest.mark.django_db(transaction=True)
def test_dedupe_runs_in_the_background_from_the_duplicates_page(client, coordinator, activists):
    client.force_login(coordinator)
    response = client.post("/linkage/duplicates/run/", {"threshold": "nonsense"})
    run = MatchingRun.objects.get()
    assert response["Location"] == f"/linkage/runs/{run.pk}/"
    assert (run.kind, run.victim_list, run.target) == (MatchKind.DEDUPE, None, "persons")
    runs.wait(run.pk, WAIT)
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and 'href="/linkage/duplicates/"' in page
    assert AuditEvent.objects.filter(object_type="dedupe_run").exists()


def test_a_waiting_run_is_shown_reloading_and_a_second_request_joins_it(
    client, coordinator, activists
):
    run = runs.start(coordinator, activists, 0.3, background=False)
    client.force_login(coordinator)
    page = client.get(f"/linkage/runs/{run.pk}/").content.decode()
    assert 'data-status="queued"' in page and 'http-equiv="refresh"' in page
    detail = client.get(f"/linkage/lists/{activists.pk}/")
    assert detail.context["active_run"] == run
    assert f'href="/linkage/runs/{run.pk}/"' in detail.content.decode()
    response = client.post(f"/linkage/lists/{activists.pk}/cross-reference/", follow=True)
    assert response.redirect_chain[-1][0] == f"/linkage/runs/{run.pk}/"
    assert "already waiting or running" in response.content.decode()
    assert MatchingRun.objects.count() == 1
    with pytest.raises(runs.AlreadyRunning):
        runs.start(coordinator, activists, 0.5, background=False)
    # Another target is not blocked by it.
    other = runs.start(coordinator, None, 0.5, background=False)
    assert other.target == "persons" and other.status == RunStatus.QUEUED


def test_execute_runs_the_model_once_and_records_the_summary(coordinator, activists):
    run = runs.start(coordinator, activists, 0.2, background=False)
    assert Match.objects.count() == 0  # nothing happens until it is executed
    done = runs.execute(run.pk)
    assert done.status == RunStatus.DONE and done.summary["created"] > 0
    again = runs.execute(run.pk)  # taken already: not run twice
    assert again.finished_at == done.finished_at
    assert AuditEvent.objects.filter(metadata__step="cross_reference").count() == 1


def test_a_failing_run_says_why_and_can_be_started_again(client, coordinator, activists):
    run = runs.start(coordinator, activists, 0.2, background=False)
    coordinator.role = Role.VIEWER  # lost the right to run matches after asking
    coordinator.save()
    done = runs.execute(run.pk)
    assert done.status == RunStatus.FAILED and "PermissionDenied" in done.error
    assert Match.objects.count() == 0
    coordinator.role = Role.COORDINATOR
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(f"/linkage/runs/{run.pk}/").content.decode()
    assert 'data-status="failed"' in page
    assert f'action="/linkage/lists/{activists.pk}/cross-reference/"' in page
    assert 'http-equiv="refresh"' not in page


def test_runs_whose_process_is_gone_are_marked_interrupted(client, coordinator, activists, lawyer):
    dead = runs.start(coordinator, activists, 0.2, background=False)
    MatchingRun.objects.filter(pk=dead.pk).update(
        status=RunStatus.RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}"
    )
    alive = runs.start(coordinator, None, 0.2, background=False)
    MatchingRun.objects.filter(pk=alive.pk).update(status=RunStatus.RUNNING, worker=worker_name())
    client.force_login(lawyer)  # may watch, not start
    page = client.get(f"/linkage/runs/{dead.pk}/").content.decode()
    assert 'data-status="interrupted"' in page and "server restarted" in page
    assert "/cross-reference/" not in page  # no button to start it again
    alive.refresh_from_db()
    assert alive.status == RunStatus.RUNNING  # this process still runs it
    # A run waiting long with nothing running never started.
    MatchingRun.objects.filter(pk=alive.pk).update(status=RunStatus.DONE)
    old = runs.start(coordinator, activists, 0.2, background=False)
    MatchingRun.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - QUEUED_TOO_LONG - timedelta(minutes=1)
    )
    assert runs.mark_abandoned() == 1
    old.refresh_from_db()
    assert old.status == RunStatus.INTERRUPTED and "never started" in old.error


def test_run_pages_keep_to_the_list_permissions(client, coordinator, activists, documenter):
    run = runs.start(coordinator, activists, 0.2, background=False)
    client.force_login(documenter)
    assert client.get(f"/linkage/runs/{run.pk}/").status_code == 403
    client.force_login(coordinator)
    assert client.get("/linkage/runs/999/").status_code == 404
