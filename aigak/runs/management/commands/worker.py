"""`aigak worker [--once] [--poll 2]`: run the background runs the web pages ask for.

For deployments that keep the work out of the web server's processes
(`AIGAK_RUNS_IN=worker`): it takes the waiting runs, oldest first, one slot at a time
each (a match and an estimate run side by side), until stopped with Ctrl-C or, with
`--once`, until none is waiting.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.runs import background


class Command(BaseCommand):
    help = OPTIONS["worker"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["worker"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["poll"] <= 0:
            raise CommandError("--poll must be more than 0 seconds", returncode=2)
        if background.runs_in() != background.WORKER:
            self.stderr.write(
                "AIGAK_RUNS_IN is not 'worker': the web server runs the runs itself too."
            )
        if not options["once"]:
            self.stdout.write("Waiting for background runs (Ctrl-C stops).")
            self.stdout.flush()
        count = background.work_queued(once=options["once"], poll=options["poll"])
        self.stdout.write(f"{count} run(s) done.")
