"""`aigak serve`: a real server on a fresh data folder, and `--demo` on empty databases."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management.base import OutputWrapper

from aigak.site.management.commands.serve import load_demo_if_empty

# The command closes database connections when it ends (Django's run_from_argv), which
# a test inside one transaction does not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def start_serve(data: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """`aigak serve` on SQLite in the data folder `data`, on a free port; the process and
    its address (not yet answering: see wait_for_healthz)."""
    port = _free_port()
    env = {**os.environ, "AIGAK_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "aigak", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return server, f"http://127.0.0.1:{port}"


def wait_for_healthz(server: subprocess.Popen, base: str, seconds: float) -> None:
    """Until the server started as `server` answers /healthz; fails if it stops first."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            if _get(base + "/healthz")[0] == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not answer /healthz in time"
        time.sleep(0.3)


@pytest.mark.sqlite_run
@pytest.mark.slow
def test_it_serves_pages_and_static_files_from_a_fresh_data_folder(tmp_path):
    server, base = start_serve(tmp_path, "--threads", "2")
    try:
        wait_for_healthz(server, base, 120)

        status, _, body = _get(base + "/accounts/login/")
        assert status == 200
        assert b"csrfmiddlewaretoken" in body

        status, headers, _ = _get(base + "/")
        assert status == 302
        assert headers["Location"].startswith("/accounts/login/")

        status, headers, body = _get(base + "/static/aigak.css")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert body

        status, _, _ = _get(base + "/static/admin/css/base.css")
        assert status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"Aigak on {base}/" in output
    assert (tmp_path / "aigak.sqlite3").exists()


def _out() -> tuple[OutputWrapper, io.StringIO]:
    text = io.StringIO()
    return OutputWrapper(text), text


def test_demo_loads_into_an_empty_database_and_prints_the_logins(db, monkeypatch):
    calls = []

    def load_demo(stdout=None):
        calls.append(stdout)
        return {"logins": [("demo_admin", "admin", "pass-1"), ("demo_viewer", "viewer", "p2")]}

    monkeypatch.setitem(
        sys.modules, "aigak.records.demo", types.SimpleNamespace(load_demo=load_demo)
    )
    stdout, text = _out()

    result = load_demo_if_empty(stdout)

    assert len(calls) == 1 and result is not None
    assert "demo_admin / admin / pass-1" in text.getvalue()
    assert "demo_viewer / viewer / p2" in text.getvalue()


def test_demo_is_not_loaded_over_existing_victims_records(db, monkeypatch, tmp_path, capsys):
    from aigak.records.tests import victim_fixture as vf

    vf.install("victim")
    path = tmp_path / "one.csv"
    path.write_text("record_id,vital_status\nV-1,alive\n")
    assert vf.run_cli(capsys, "import", "victim", str(path))[0] == 0
    logins = tmp_path / "demo-logins.tsv"
    logins.write_text("username\trole\tpassword\ndemo_admin\tadmin\tpass-1\n")
    fake = types.SimpleNamespace(load_demo=pytest.fail, logins_path=lambda: logins)
    monkeypatch.setitem(sys.modules, "aigak.records.demo", fake)
    stdout, text = _out()

    assert load_demo_if_empty(stdout) is None
    assert "already holds Victims records" in text.getvalue()
    assert "demo_admin / admin / pass-1" in text.getvalue()


def test_demo_missing_from_the_build_is_said_and_serving_goes_on(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "aigak.records.demo", None)  # import raises ImportError
    stdout, text = _out()

    assert load_demo_if_empty(stdout) is None
    assert "demo data set is not available" in text.getvalue()


def test_serve_demo_builds_the_public_statistics_before_the_first_visitor(db, client):
    from aigak.publishing.models import StatisticsBuild
    from aigak.publishing.tests.people import make_people
    from aigak.questionnaires.registry import ensure_shipped
    from aigak.site.management.commands.serve import build_public_statistics

    ensure_shipped()
    make_people()
    stdout, text = _out()

    build_public_statistics(stdout)

    assert "Building the public statistics" in text.getvalue()
    assert StatisticsBuild.objects.get().status == "done"
    assert "Figures as of" in client.get("/public/statistics/").content.decode()
