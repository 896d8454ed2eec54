"""`aigak form SUBCOMMAND`: questionnaires from XLSForms (see cli-contract.md).

Each subcommand lives in its own module with ``HELP``, ``add_arguments(parser)`` and
``handle(options, out)``; this command only dispatches to them.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

SUBCOMMANDS: dict[str, str] = {
    "eval": "aigak.questionnaires.eval_command",
}


def _module(name: str) -> ModuleType:
    return import_module(SUBCOMMANDS[name])


class Command(BaseCommand):
    help = "Questionnaires from XLSForms: " + ", ".join(SUBCOMMANDS)
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        for name in SUBCOMMANDS:
            module = _module(name)
            module.add_arguments(subparsers.add_parser(name, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        _module(options["subcommand"]).handle(options, self.stdout)
