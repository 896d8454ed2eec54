"""`aigak form SUBCOMMAND`: each subcommand lives in aigak.questionnaires.commands.*."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from django.core.management.base import BaseCommand, CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.questionnaires import commands

# Subcommands whose module is not named as they are (`list` is a name of Python's).
MODULE_OF = {"list": "listing"}


def subcommand(action: str) -> ModuleType:
    """The module of one subcommand, importing no other: `form list` starts without the
    XLSForm reader and the expression language that `eval`, `export` and `install` use."""
    return importlib.import_module(f"{commands.__name__}.{MODULE_OF.get(action, action)}")


def subcommands() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "handle"):
            found[getattr(module, "NAME", info.name)] = module
    return dict(sorted(found.items()))


class Command(BaseCommand):
    help = OPTIONS["form"].help
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["form"].add(parser)

    def handle(self, *args, action: str, **options):
        subcommand(action).handle(self, options)
