"""`aigak statistics [--status]`: build the public statistics now and wait for them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aigak.lib.cli_options import OPTIONS
from aigak.publishing import statistics_runs
from aigak.runs.models import RunStatus


class Command(BaseCommand):
    help = OPTIONS["statistics"].help
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["statistics"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self._status()
            return
        build = statistics_runs.build_now()
        if build.status != RunStatus.DONE:
            raise CommandError(
                f"the public statistics were not built: {build.error} (the public page keeps "
                "the last ones built)",
                returncode=1,
            )
        self.stdout.write(
            f"Public statistics built: as of {_local(build.as_of)} ({build.elapsed} s)."
        )

    def _status(self) -> None:
        state = statistics_runs.state()
        if state.served is None:
            self.stdout.write("served: none yet (the page says they are being prepared)")
        else:
            self.stdout.write(f"served: as of {_local(state.served.as_of)}")
        if state.current is not None:
            self.stdout.write(f"building: {state.current.status} since "
                              f"{_local(state.current.requested_at)}")  # fmt: skip
        if state.failed is not None:
            self.stdout.write(f"last build {state.failed.status}: {state.failed.error}")
        self.stdout.write(f"automatic builds: {'on' if state.automatic else 'off'}")


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}" if moment else "?"
