"""`aigak export QUESTIONNAIRE [--format csv|xlsx|json] [--out FILE]`: what import reads."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.accounts.models import AuditAction, audit
from aigak.lib.cli_options import OPTIONS
from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import UnknownQuestionnaire, get_questionnaire
from aigak.records import tabular
from aigak.records.models import Record

CHUNK = 2000


class Command(BaseCommand):
    # System checks import every view (pandas, matplotlib, ...): seconds and 100+ MB
    # that a command working on records does not need. `aigak manage check` runs them.
    requires_system_checks: list[str] = []
    help = OPTIONS["export"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["export"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["out"]
        fmt = options["format"]
        if fmt is None:
            fmt = tabular.EXTENSIONS.get(Path(out).suffix.lower(), "csv") if out else "csv"
        if fmt == "xlsx" and not out:
            self._fail("xlsx needs --out FILE (a workbook cannot go to the terminal)", 2)
        try:
            questionnaire = get_questionnaire(options["questionnaire"])
        except UnknownQuestionnaire as exc:
            self._fail(str(exc), 2)
        records = _records(questionnaire)
        if out:
            try:
                count = _write_file(Path(out), fmt, questionnaire, records)
            except OSError as exc:
                self._fail(f"{out}: cannot write ({exc.strerror})", 1)
            except ValueError as exc:
                self._fail(f"{out}: {exc}", 1)
        else:
            count = _write_stdout(fmt, questionnaire, records)
        _audit(questionnaire, fmt, Path(out).name if out else "stdout", records=count)
        if out:
            self.stderr.write(f"exported {count} records to {out}")

    def _fail(self, text: str, code: int) -> Any:
        self.stderr.write(f"aigak export: {text}")
        raise SystemExit(code)


def _records(questionnaire: Questionnaire) -> Iterator[tuple[str, dict[str, Any]]]:
    """(record_id, answers) of every live record, in the order they were first entered."""
    rows = (
        Record.live.filter(questionnaire=questionnaire)
        .order_by("pk")
        .values_list("record_id", "answers")
    )
    total = rows.count() if sys.stderr.isatty() else None
    items: Iterator[tuple[str, dict[str, Any]]] = rows.iterator(chunk_size=CHUNK)
    if total:
        from tqdm import tqdm

        items = tqdm(items, total=total, unit=" records", file=sys.stderr, leave=False)
    return items


def _write_stdout(fmt: str, questionnaire: Questionnaire, records: Any) -> int:
    """Write to stdout; a reader that stops early (`| head`) ends the export quietly."""
    writer = tabular.write_json if fmt == "json" else tabular.write_csv
    try:
        count = writer(sys.stdout, questionnaire.definition, records)
        sys.stdout.flush()
    except BrokenPipeError:
        # The records written so far left the system: audit them; `aigak`'s main then
        # ends the command quietly (exit 1, no traceback).
        _audit(questionnaire, fmt, "stdout", incomplete="the reader closed the pipe")
        raise
    return count


def _audit(questionnaire: Questionnaire, fmt: str, destination: str, **details: Any) -> None:
    """Every export is in the audit log: format, destination, count (the system acts)."""
    audit(
        None,
        AuditAction.EXPORT,
        object_type="questionnaire",
        object_id=questionnaire.name,
        format=fmt,
        destination=destination,
        **details,
    )


def _write_file(path: Path, fmt: str, questionnaire: Questionnaire, records: Any) -> int:
    definition = questionnaire.definition
    if fmt == "xlsx":
        return tabular.write_xlsx(path, definition, records, sheet=questionnaire.name)
    partial = path.with_name(path.name + ".partial")
    # utf-8-sig: a byte order mark, so Excel opens Cyrillic CSV correctly; import skips it.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with open(partial, "w", newline="", encoding=encoding) as handle:
        writer = tabular.write_json if fmt == "json" else tabular.write_csv
        count = writer(handle, definition, records)
    partial.replace(path)
    return count
