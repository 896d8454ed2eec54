"""`aigak form SUBCOMMAND`: each subcommand lives in aigak.questionnaires.commands.*."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from django.core.management.base import BaseCommand

from aigak.questionnaires import commands


def subcommands() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "handle"):
            found[getattr(module, "NAME", info.name)] = module
    return dict(sorted(found.items()))


class Command(BaseCommand):
    help = "Questionnaires: install, list and export XLSForms; evaluate expressions."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        for name, module in subcommands().items():
            module.add_arguments(actions.add_parser(name, help=module.HELP))

    def handle(self, *args, action: str, **options):
        subcommands()[action].handle(self, options)
