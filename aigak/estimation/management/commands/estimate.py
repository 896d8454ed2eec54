"""`aigak estimate FILE.csv`: multiple systems estimation from overlapping lists."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aigak.estimation.estimates import estimate
from aigak.estimation.histories import CannotEstimate, HistoryError, read_capture_csv
from aigak.estimation.lcmcr import LcmcrSettings
from aigak.estimation.report import as_text
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    help = OPTIONS["estimate"].help
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["estimate"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        settings = None
        if not options["no_lcmcr"]:
            settings = LcmcrSettings(
                max_classes=options["max_classes"],
                burnin=options["burnin"],
                samples=options["samples"],
                thinning=options["thinning"],
                chains=options["chains"],
                seed=options["seed"],
            )
            try:
                settings.check()
            except ValueError as error:
                raise CommandError(str(error), returncode=2) from None
        path, strata = options["file"], options["strata"]
        try:
            tables = read_capture_csv(path, strata_column=strata)
            data = tables if strata else tables[None]
            with _ProgressBar() as progress:
                result = estimate(data, strata=strata, lcmcr=settings, progress=progress)
        except HistoryError as error:
            raise CommandError(str(error)) from None
        except CannotEstimate as error:
            raise CommandError(f"cannot be estimated: {error}") from None
        if strata:
            result.strata_column = strata
        text = (
            json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
            if options["format"] == "json"
            else as_text(result)
        )
        if options["out"]:
            with open(options["out"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)


class _ProgressBar:
    """A tqdm bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}
        self.enabled = sys.stderr.isatty()

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(label)
        if bar is None:
            bar = self.bars[label] = tqdm(total=total, desc=label, unit="it", file=sys.stderr)
        bar.update(done - bar.n)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        for bar in self.bars.values():
            bar.close()
