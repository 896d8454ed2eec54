"""`aigak worker [--once] [--poll 2]`: run the background runs the web pages ask for.

For deployments that keep the work out of the web server's processes
(`AIGAK_RUNS_IN=worker`): it takes the waiting runs, oldest first, one slot at a time
each (a match and an estimate run side by side), until stopped with Ctrl-C or, with
`--once`, until none is waiting.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aigak.runs import background


class Command(BaseCommand):
    help = (
        "Run the background runs (matching, the latent-class estimate) that pages ask for, "
        "outside the web server; for AIGAK_RUNS_IN=worker. --once stops when none is waiting."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="stop when no run is waiting instead of waiting"
        )
        parser.add_argument(
            "--poll", type=float, default=2.0, help="seconds between looks for new runs"
        )

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
