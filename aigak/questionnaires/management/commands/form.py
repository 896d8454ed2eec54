"""`aigak form SUBCOMMAND`: each subcommand lives in aigak.questionnaires.commands.*."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from django.core.management.base import BaseCommand, CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.questionnaires import commands


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
        subcommands()[action].handle(self, options)
