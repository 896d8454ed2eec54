"""`aigak demo`: load the demo data set and print the demo logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.records.demo import load_demo


class Command(BaseCommand):
    help = OPTIONS["demo"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["demo"].add(parser)

    def handle(self, *args, **options) -> None:
        result = load_demo(stdout=self.stdout)  # type: ignore[arg-type]
        if not result["loaded"]:
            self.stdout.write(
                f"The demo data set is already loaded ({result['victims']} Victims records); "
                "nothing changed."
            )
            return
        self.stdout.write("Demo logins (also in " + result["logins_file"] + "):")
        for user in result["users"]:
            self.stdout.write(f"  {user['username']:<18} {user['role']:<12} {user['password']}")
