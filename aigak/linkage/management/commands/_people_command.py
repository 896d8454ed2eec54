"""What `aigak link` and `aigak dedupe` share: options, reading lists, progress, output.

Not a command itself (Django skips command modules whose name starts with "_").
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from aigak.linkage.engines import EngineUnavailable
from aigak.linkage.matching import Training
from aigak.linkage.people import PeopleList, PeopleListError, read_people_csv


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(
            f"--threshold must be a number from 0 to 1; got {text!r}", returncode=2
        ) from None
    if not 0.0 <= value <= 1.0:
        raise CommandError(f"--threshold must be from 0 to 1; got {text}", returncode=2)
    return value


class PeopleCommand(BaseCommand):
    requires_system_checks: list[str] = []
    requires_migrations_checks = False
    steps = 8

    def read_list(self, path: str) -> PeopleList:
        try:
            people = read_people_csv(path)
        except PeopleListError as exc:
            raise CommandError(str(exc)) from None
        for warning in people.warnings:
            self.warn(warning)
        return people

    def warn(self, message: str) -> None:
        self.stderr.write(f"warning: {message}", style_func=self.style.WARNING)

    def say(self, message: str) -> None:
        """A plain line on stderr (Django would colour it as an error on a terminal)."""
        self.stderr.write(message, style_func=lambda text: text)

    def report_training(self, training: Training) -> None:
        for message in training.messages:
            self.say(message)

    def progress(self) -> tuple[Callable[[str], None], Callable[[], None]]:
        """A step reporter and a closer: a tqdm bar on a terminal, silence otherwise."""
        from tqdm import tqdm

        on_terminal = sys.stderr.isatty()
        bar = tqdm(total=self.steps, disable=not on_terminal, file=sys.stderr, leave=False)

        def step(label: str) -> None:
            bar.set_description(label)
            bar.update(1)

        return step, bar.close

    def run_engine(self, work: Callable[[], object]) -> object:
        try:
            return work()
        except EngineUnavailable as exc:
            raise CommandError(str(exc)) from None

    def write_csv(self, frame: pd.DataFrame, out: str | None) -> None:
        text = frame.to_csv(index=False, lineterminator="\n", float_format="%.6f")
        if not out:
            self.stdout.write(text, ending="")
            return
        target = Path(out)
        # Write beside the target and rename, so a failed run leaves no half file.
        try:
            handle, temporary = tempfile.mkstemp(dir=target.parent or ".", suffix=".part")
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not 0600
            os.replace(temporary, target)
        except OSError as exc:
            raise CommandError(f"{out}: cannot write the output ({exc.strerror})") from None
