"""The README and the code keep each other honest: an undocumented command or setting fails."""

import re
from pathlib import Path

import pytest

from aigak.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_in_the_readme(command):
    assert f"`aigak {command}" in README


def _settings_read_in_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "aigak").rglob("*.py"):
        if "tests" in path.parts:
            continue
        names |= set(re.findall(r"[\"'](AIGAK_[A-Z0-9_]+)[\"']", path.read_text()))
    return names - {"AIGAK_TEST_FLAG"}


@pytest.mark.parametrize("name", sorted(_settings_read_in_code()))
def test_every_setting_is_in_the_readme(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", sorted(set(re.findall(r"`(AIGAK_[A-Z0-9_]+)`", README))))
def test_every_setting_the_readme_names_is_read_by_the_code(name):
    assert name in _settings_read_in_code()


def test_the_readme_names_the_test_command_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in ci


@pytest.mark.parametrize("doc", sorted(set(re.findall(r"`(docs/[\w-]+\.md)`", README))))
def test_every_document_the_readme_names_exists(doc):
    assert (ROOT / doc).is_file()
