"""`aigak import QUESTIONNAIRE FILE`: all rows of a CSV, XLSX or JSON file, or none."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.lib.cli_options import OPTIONS
from aigak.lib.disk import disk_full
from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire
from aigak.records import tabular
from aigak.records.actions import ImportFailed, import_rows


class Command(BaseCommand):
    # System checks import every view (pandas, matplotlib, ...): seconds and 100+ MB
    # that a command working on records does not need. `aigak manage check` runs them.
    requires_system_checks: list[str] = []
    help = OPTIONS["import"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["import"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            fmt = tabular.file_format(path, options["format"])
        except ValueError as exc:
            self._fail(str(exc), 2)
        try:
            questionnaire = get_questionnaire(options["questionnaire"])
        except UnknownQuestionnaire as exc:
            self._fail(str(exc), 2)
        if not path.is_file():
            self._fail(f"{path}: no such file", 1)
        rows = tabular.read_rows(
            path, questionnaire.definition, fmt=fmt, notice=lambda text: self._say(text)
        )
        bar = _progress_bar(path)
        try:
            result = import_rows(
                None,
                questionnaire,
                rows,
                source=path.name,
                progress=bar.update if bar is not None else None,
            )
        except (tabular.TableError, ImportFailed) as exc:
            self._fail(str(exc), 1)
        except Exception as exc:
            if not disk_full(exc):
                raise
            # Staging the checked rows or writing them: the transaction rolled back.
            self._fail(
                f"{path.name}: the disk is full ({exc}); nothing was imported "
                "(free some space and import again)",
                1,
            )
        finally:
            if bar is not None:
                bar.close()
        summary = f"created {result.created}, updated {result.updated}"
        if result.unchanged:
            summary += f", unchanged {result.unchanged}"
        self.stdout.write(summary)

    def _say(self, text: str) -> None:
        self.stderr.write(f"aigak import: {text}")

    def _fail(self, text: str, code: int) -> Any:
        self._say(text)
        raise SystemExit(code)


def _progress_bar(path: Path) -> Any:
    """A tqdm bar on a terminal, nothing otherwise (scripts and logs stay clean)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(desc=f"checking {path.name}", unit=" rows", file=sys.stderr, leave=False)
