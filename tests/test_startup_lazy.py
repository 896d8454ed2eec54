"""What `aigak serve` no longer loads before its first answer (issue 18): the pages'
modules (each loads with its first request), the template tag libraries (each loads with
the first template that `{% load %}`s it), Django's system checks (they run once the
server answers, and still stop it). Checked in fresh processes, without a clock."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from aigak.lib.lazy import View

# Modules of pages and tag libraries the login page does not need.
NOT_FOR_LOGIN = (
    "aigak.site.views",
    "aigak.records.views",
    "aigak.records.views_list",
    "aigak.site.views_import",
    "aigak.collection.pages",
    "aigak.evidence.views",
    "aigak.linkage.views",
    "aigak.publishing.views_public",
    "aigak.reports.views",
    "aigak.records.templatetags.records",
    "rest_framework.templatetags.rest_framework",
    "rest_framework.renderers",
)

LOGIN_PAGE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
import django
django.setup()
from django.test import Client
answer = Client().get("/accounts/login/")
assert answer.status_code == 200 and b"csrfmiddlewaretoken" in answer.content
AFTER
print(json.dumps(sorted(m for m in NAMES if m in sys.modules)))
"""


def _loaded(tmp_path, after: str = "") -> list[str]:
    code = f"NAMES = {NOT_FOR_LOGIN!r}\n" + LOGIN_PAGE.replace("AFTER", after)
    env = dict(os.environ, AIGAK_DATA_DIR=str(tmp_path))  # an empty database: no query
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_login_page_is_served_without_the_other_pages_or_tag_libraries(tmp_path):
    assert _loaded(tmp_path) == []


def test_it_notices_a_page_and_a_library_loaded(tmp_path):
    """The check itself works: /healthz loads its module (a page refused to an outsider
    does not even load its own), a template loading `records` its library."""
    after = (
        "assert Client().get('/healthz').status_code == 200\n"
        "from django.template import engines\n"
        "engines['django'].from_string('{% load records %}')"
    )
    loaded = _loaded(tmp_path, after)
    assert "aigak.site.views" in loaded
    assert "aigak.records.templatetags.records" in loaded


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_lazy_view_loads_the_function_it_names():
    """A name the module lacks would fail only at its first request: load them all."""
    lazy = [(route, view) for route, view in _patterns(get_resolver().url_patterns)]
    lazy = [(route, view) for route, view in lazy if isinstance(view, View)]
    assert len(lazy) > 100
    exempt = set()
    for route, view in lazy:
        loaded = view.load()
        assert callable(loaded), route
        if not view._class_based:
            assert (loaded.__module__, loaded.__name__) == (view.__module__, view.__name__)
        # What the CSRF middleware asks of the view it is about to call.
        assert getattr(view, "csrf_exempt", False) == getattr(loaded, "csrf_exempt", False)
        if getattr(view, "csrf_exempt", False):
            exempt.add(route)
    assert "openrosa/submission" in exempt and "api/v1/uploads/" in exempt
    assert "records/<slug:questionnaire>/new/" not in exempt


def test_the_tag_libraries_are_djangos_and_load_when_asked():
    from django.template import engines
    from django.template.backends.django import get_installed_libraries

    from aigak.lib.templates import Libraries, library_paths

    django_finds = get_installed_libraries()  # imports them all, as Django's engine did
    found = library_paths()
    assert found.items() >= django_finds.items()
    for name in found.keys() - django_finds.keys():  # modules that are no library
        assert not hasattr(__import__(found[name], fromlist=["_"]), "register"), name
    engine = engines["django"].engine
    assert isinstance(engine.template_libraries, Libraries)
    assert engine.libraries == found
    html = engines["django"].from_string("{% load humanize %}{{ 1234567|intcomma }}").render()
    assert html == "1,234,567"
    with pytest.raises(Exception, match="not a registered tag library"):
        engines["django"].from_string("{% load no_such_library %}")


# --- the system checks of `aigak serve` ------------------------------------------------

SERVE_WITH_A_FAILING_CHECK = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
import django
django.setup()
from django.core import checks

@checks.register
def broken(app_configs, **kwargs):
    return [checks.Error("broken on purpose", id="aigak_test.E001")]

from aigak import cli
sys.exit(cli.main(["serve", *ARGS]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(tmp_path, *args: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = dict(os.environ, AIGAK_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    code = f"ARGS = {['--port', str(port), *args]!r}\n" + SERVE_WITH_A_FAILING_CHECK
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


@pytest.mark.sqlite_run
@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failing_system_check_stops_the_server(tmp_path, workers):
    process, _ = _serve(tmp_path, "--workers", workers)
    try:
        output = process.communicate(timeout=120)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, output
    assert "aigak_test.E001" in output and "broken on purpose" in output


@pytest.mark.sqlite_run
@pytest.mark.slow
def test_skip_checks_serves_anyway(tmp_path):
    process, port = _serve(tmp_path, "--workers", "1", "--skip-checks")
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "no answer"
                time.sleep(0.2)
        time.sleep(1)  # time enough for the checks, had they run
        assert process.poll() is None
    finally:
        process.terminate()
        process.communicate(timeout=60)


# --- commands that read the database ----------------------------------------------------

COMMANDS = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
import django
django.setup()
from django.core.management import load_command_class
from aigak.questionnaires.management.commands.form import subcommand
load_command_class("aigak.evidence", "evidence")
import aigak.questionnaires.registry
subcommand(ACTION)
print(json.dumps(sorted(m for m in NAMES if m in sys.modules)))
"""
# Loaded by `evidence purge-uploads` and by the `form` subcommands that read XLSForms.
NOT_FOR_LISTING = (
    "aigak.evidence.uploads",
    "waitress",
    "filetype",
    "aigak.questionnaires.xlsform",
    "aigak.questionnaires.commands.eval",
)


def _after_command(tmp_path, action: str) -> list[str]:
    code = f"NAMES = {NOT_FOR_LISTING!r}\nACTION = {action!r}\n" + COMMANDS
    env = dict(os.environ, AIGAK_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_evidence_and_form_list_start_without_uploads_or_the_xlsform_reader(tmp_path):
    assert _after_command(tmp_path, "list") == []


def test_it_notices_the_xlsform_reader(tmp_path):
    """The check itself works: `form install` loads the reader."""
    assert "aigak.questionnaires.xlsform" in _after_command(tmp_path, "install")
