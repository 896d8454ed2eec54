"""Start-up stays light: the server's URL table and the command line's help do not import
the heavy libraries (they load in the function or page that uses them). Timing is in
bench/startup_bench.py; this guards the cause without a clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("scipy", "numba", "splink", "duckdb", "pandas", "matplotlib", "openpyxl", "docx")

URLS = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
import django
django.setup()
import aigak.site.urls
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
"""

CLI = """
import contextlib, io, json, sys
from aigak import cli
with contextlib.redirect_stdout(io.StringIO()):
    for argv in ARGVS:
        cli.main(argv)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
"""


def _heavy_after(code: str, tmp_path, **names) -> list[str]:
    env = dict(os.environ, AIGAK_DATA_DIR=str(tmp_path))
    prelude = "".join(f"{k} = {v!r}\n" for k, v in {"HEAVY": HEAVY, **names}.items())
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_it_serves_the_url_table_without_heavy_libraries(tmp_path):
    assert _heavy_after(URLS, tmp_path) == []


@pytest.mark.parametrize(
    "argvs",
    [
        [["--help"]],
        [["token", "--help"]],
        [["report", "--help"]],
        [["import", "--help"], ["export", "--help"], ["createuser", "--help"]],
        [["serve", "--help"], ["evidence", "--help"], ["verify", "--help"]],
    ],
)
def test_it_starts_light_commands_without_heavy_libraries(tmp_path, argvs):
    assert _heavy_after(CLI, tmp_path, ARGVS=argvs) == []


NO_DJANGO = """
import contextlib, io, json, sys
from aigak import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    codes = [cli.main(argv) for argv in ARGVS]
assert codes == [0] * len(ARGVS), codes
assert out.getvalue().count("usage: aigak ") == len(ARGVS)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "django")))
"""


def test_every_commands_help_is_printed_without_django(tmp_path):
    """`aigak COMMAND --help` comes from aigak/lib/cli_options.py: not even Django is
    imported (0.4 s of CPU for its setup)."""
    from aigak.cli import COMMANDS

    argvs = [[name, "--help"] for name in COMMANDS if name != "manage"]
    argvs += [["form", name, "--help"] for name in ("eval", "export", "install", "list")]
    argvs += [["evidence", "list", "--help"], ["evidence", "purge-uploads", "--help"]]
    assert _heavy_after(NO_DJANGO, tmp_path, ARGVS=argvs) == []


def test_it_notices_django(tmp_path):
    """The check itself works: `aigak manage --help` is Django's own."""
    code = NO_DJANGO.replace("usage: aigak ", "Type 'aigak manage help")
    assert "django" in _heavy_after(code, tmp_path, ARGVS=[["manage", "--help"]])


# Loaded by the pages that use them, not by `django.setup()`, which every command that
# works on the database pays for: the XLSForm reader and expression language, the admin's
# registrations, the record page's panels and the dashboard's counts, the REST API.
LAZY = (
    "aigak.questionnaires.xlsform",
    "aigak.questionnaires.xpath",
    "aigak.accounts.admin",
    "aigak.linkage.person_page",
    "aigak.linkage.dashboard",
    "aigak.publishing.actions",
    "aigak.publishing.record_panel",
    "aigak.publishing.dashboard",
    "rest_framework.views",
    "drf_spectacular.openapi",
)

SETUP = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aigak.settings")
import django
django.setup()
print(json.dumps(sorted(m for m in LAZY if m in sys.modules)))
"""


def test_django_starts_without_the_pages_modules(tmp_path):
    assert _heavy_after(SETUP, tmp_path, LAZY=LAZY) == []


def test_the_url_table_loads_them(tmp_path):
    """The check itself works, and the admin's registrations happen with the URLs."""
    code = SETUP.replace("django.setup()", "django.setup(); import aigak.site.urls")
    assert "aigak.accounts.admin" in _heavy_after(code, tmp_path, LAZY=LAZY)


# Loaded by the first request that needs them, not with the URL table (which the server
# loads before its first answer): the REST API's framework and the report engine.
URL_LAZY = ("rest_framework.views", "rest_framework.serializers", "drf_spectacular.views", "numpy")


def test_it_serves_the_url_table_without_the_api_framework_or_numpy(tmp_path):
    code = URLS.replace('m.split(".")[0] in HEAVY', "m in URL_LAZY")
    assert _heavy_after(code, tmp_path, URL_LAZY=URL_LAZY) == []


def test_it_notices_the_api_framework(tmp_path):
    """The check itself works: the first API request loads it."""
    code = URLS.replace('m.split(".")[0] in HEAVY', "m in URL_LAZY").replace(
        "import aigak.site.urls",
        "import aigak.site.urls\nfrom django.test import Client\nClient().get('/api/v1/questionnaires/')",
    )
    assert "rest_framework.views" in _heavy_after(code, tmp_path, URL_LAZY=URL_LAZY)


def test_a_lazy_view_is_named_and_answers_as_the_view_itself():
    from django.urls import resolve
    from rest_framework.views import APIView

    from aigak.api.views_records import RecordList
    from aigak.lib.lazy import View

    match = resolve("/api/v1/records/victim/")
    assert isinstance(match.func, View)
    assert match._func_path == "aigak.api.views_records.RecordList"
    assert match.func.csrf_exempt is True  # read from the loaded API view
    assert match.func.cls is RecordList and issubclass(match.func.cls, APIView)
    assert match.func.load().view_class is RecordList


def test_the_admin_is_registered_with_the_urls():
    from django.contrib import admin
    from django.urls import get_resolver

    from aigak.accounts.models import Team

    get_resolver().url_patterns  # noqa: B018 - loads the URL table
    assert admin.site.is_registered(Team)
    assert admin.site.has_permission.__name__ == "_superusers_only"


def test_the_publishing_panel_template_is_the_panels():
    from aigak.publishing.apps import PANEL_TEMPLATE
    from aigak.publishing.record_panel import TEMPLATE

    assert PANEL_TEMPLATE == TEMPLATE


def test_it_notices_a_heavy_import(tmp_path):
    """The check itself works: a page that needs pandas does load it."""
    code = URLS.replace(
        "import aigak.site.urls", "import aigak.linkage.views as v; v.lists.read_table"
    )
    assert "pandas" in _heavy_after(code, tmp_path)
