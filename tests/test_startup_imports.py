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
    """`aigak COMMAND --help` comes from aigak/cli_options.py: not even Django is
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


def test_it_notices_a_heavy_import(tmp_path):
    """The check itself works: a page that needs pandas does load it."""
    code = URLS.replace(
        "import aigak.site.urls", "import aigak.linkage.views as v; v.lists.read_table"
    )
    assert "pandas" in _heavy_after(code, tmp_path)
