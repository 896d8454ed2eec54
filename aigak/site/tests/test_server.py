"""`aigak serve`'s waitress: writes admitted a few at a time while reads pass, and
several processes on one socket that start, answer and stop cleanly."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from django.test import Client

from aigak.lib.busy import BUSY_KEY
from aigak.site.server import AdmittingDispatcher
from aigak.site.tests.test_serve import _get, start_serve, wait_for_healthz


class FakeTask:
    """A waitress task: a method, a body that runs until released."""

    def __init__(self, method: str):
        self.request = type("Request", (), {"command": method})()
        self.environ: dict = {}
        self.started = threading.Event()
        self.release = threading.Event()
        self.cancelled = False

    def get_environment(self) -> dict:
        return self.environ

    def service(self) -> None:
        self.started.set()
        self.release.wait(10)

    def cancel(self) -> None:
        self.cancelled = True


@pytest.fixture
def dispatcher():
    made = []

    def make(writes_at_once: int, write_wait: float = 30.0) -> AdmittingDispatcher:
        pool = AdmittingDispatcher(writes_at_once, write_wait)
        pool.set_thread_count(4)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.shutdown(timeout=2)


def test_writes_beyond_the_limit_wait_while_reads_pass(dispatcher):
    pool = dispatcher(writes_at_once=1)
    first, second = FakeTask("POST"), FakeTask("PATCH")
    pool.add_task(first)
    assert first.started.wait(5)
    pool.add_task(second)
    read = FakeTask("GET")
    pool.add_task(read)
    assert read.started.wait(5)  # a read is not queued behind the waiting write
    read.release.set()
    assert not second.started.wait(0.3)  # the second write waits for the first
    first.release.set()
    assert second.started.wait(5)
    second.release.set()
    assert BUSY_KEY not in first.environ and BUSY_KEY not in second.environ


def test_two_writes_at_once_when_allowed(dispatcher):
    pool = dispatcher(writes_at_once=2)
    tasks = [FakeTask("POST") for _ in range(3)]
    for task in tasks:
        pool.add_task(task)
    assert tasks[0].started.wait(5) and tasks[1].started.wait(5)
    assert not tasks[2].started.wait(0.3)
    tasks[0].release.set()
    assert tasks[2].started.wait(5)
    for task in tasks:
        task.release.set()


def test_a_write_that_waits_too_long_is_served_marked_busy(dispatcher):
    pool = dispatcher(writes_at_once=1, write_wait=0.3)
    first, late = FakeTask("POST"), FakeTask("POST")
    pool.add_task(first)
    assert first.started.wait(5)
    pool.add_task(late)
    assert late.started.wait(5)  # while the first still runs
    late.release.set()
    assert late.environ.get(BUSY_KEY) is True
    assert BUSY_KEY not in first.environ
    first.release.set()


def test_a_turned_away_save_keeps_the_form_and_saves_nothing(db, documenter):
    from aigak.records.models import Record
    from aigak.records.tests.sample_forms import install_sample_victim_form

    install_sample_victim_form()
    client = Client()
    client.force_login(documenter)
    data = {"full_name": "Жанар Б.", "vital_status": "alive"}
    page = client.post("/records/victim/new/", data, **{BUSY_KEY: True})
    assert page.status_code == 503
    assert "The database is busy" in page.content.decode()
    assert 'value="Жанар Б."' in page.content.decode()
    assert not Record.objects.exists()
    other = client.post("/accounts/logout/", **{BUSY_KEY: True})  # any other write
    assert other.status_code == 503
    assert other["Retry-After"]
    assert client.post("/records/victim/new/", data).status_code == 302


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == pid:
            found.add(int(entry.name))
    return found


@pytest.mark.sqlite_run
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir() or not hasattr(os, "fork"), reason="Linux")
def test_serve_with_workers_starts_answers_restarts_and_stops(tmp_path, transactional_db):
    server, base = start_serve(tmp_path, "--workers", "2", "--threads", "2")
    try:
        wait_for_healthz(server, base, 180)
        children = _children(server.pid)
        assert len(children) == 2
        assert {_get(base + "/accounts/login/")[0] for _ in range(6)} == {200}

        os.kill(min(children), signal.SIGKILL)  # one dies: another takes its place
        deadline = time.monotonic() + 60
        while len(_children(server.pid) - {min(children)}) < 2:
            assert time.monotonic() < deadline, "no process replaced the one that died"
            time.sleep(0.2)
        assert {_get(base + "/healthz")[0] for _ in range(6)} == {200}
        children = _children(server.pid)

        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, output
    assert "ended; starting another" in output
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)
    with pytest.raises(OSError):
        _get(base + "/healthz")
    # Each process had its audit journal: the killed one's was taken over by the process
    # that replaced it, the others' given up when they stopped.
    assert (tmp_path / "audit-journal").is_dir()
    assert list((tmp_path / "audit-journal").iterdir()) == []
