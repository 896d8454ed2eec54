"""aigak/lib/cli_options.py answers `--help` without Django: it must print what Django's own
parser of each command prints, and the values it spells out must be the code's."""

from __future__ import annotations

import argparse

import pytest
from django.core.management import get_commands, load_command_class

from aigak.cli import COMMANDS
from aigak.lib import cli_options

NAMES = [name for name in COMMANDS if name != "manage"]


def _django_parser(name: str) -> argparse.ArgumentParser:
    module = {"import": "import_records", "export": "export_records"}.get(name, name)
    handler = load_command_class(get_commands()[module], module)
    return handler.create_parser("aigak", name)


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    """The help of the parser and of each of its subcommands."""
    helps = {"": parser.format_help()}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, subparser in action.choices.items():
                helps[sub] = subparser.format_help()
    return helps


def test_every_command_has_its_options():
    assert set(cli_options.OPTIONS) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_it_prints_the_help_django_prints(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert _helps(cli_options.parser_for(name)) == _helps(_django_parser(name))


@pytest.mark.parametrize("name", NAMES)
def test_it_parses_as_django_does(name):
    """Same options, defaults and choices: the same argparse actions."""

    def shape(parser):
        return [
            (a.option_strings, a.dest, a.default, a.choices and list(a.choices), a.nargs)
            for a in parser._actions
            if not isinstance(a, argparse._SubParsersAction)
        ]

    assert shape(cli_options.parser_for(name)) == shape(_django_parser(name))


def test_the_values_it_spells_out_are_the_codes():
    from aigak.accounts.models import Role
    from aigak.estimation.lcmcr import LcmcrSettings
    from aigak.linkage.engines import ENGINES
    from aigak.questionnaires.management.commands.form import subcommand, subcommands
    from aigak.questionnaires.xpath.results import TYPES
    from aigak.records.tabular import FORMATS as TABLE_FORMATS
    from aigak.reports.outputs import FORMATS as REPORT_FORMATS

    assert cli_options.ROLES == list(Role.values)
    assert cli_options.TABLE_FORMATS == TABLE_FORMATS
    assert cli_options.REPORT_FORMATS == REPORT_FORMATS
    assert cli_options.ENGINES == ENGINES
    assert cli_options.RESULT_TYPES == TYPES
    defaults = LcmcrSettings()
    assert cli_options.SAMPLER_SEED == defaults.seed
    for name, default, _ in cli_options.SAMPLER_OPTIONS:
        assert getattr(defaults, name) == default
    assert list(cli_options.FORM_ACTIONS) == list(subcommands())
    assert all(subcommand(name) is module for name, module in subcommands().items())


def test_a_usage_error_with_help_is_a_usage_error(capsys):
    from aigak.cli import main

    assert main(["token", "--days", "many", "--help"]) == 2
    assert "invalid int value" in capsys.readouterr().err
