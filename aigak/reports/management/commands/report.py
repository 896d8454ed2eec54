"""`aigak report REPORT [--format json|html|xlsx|docx] [--out FILE] [--where FIELD=VALUE ...]`,
and `aigak report --rebuild-index` (code the records the coded form lacks or has stale)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aigak.accounts.models import AuditAction, audit
from aigak.lib.cli_options import OPTIONS
from aigak.questionnaires.registry import UnknownQuestionnaire
from aigak.reports import blocks, coded
from aigak.reports.build import build_report
from aigak.reports.filters import FilterError
from aigak.reports.outputs import render
from aigak.reports.spec import ReportSpecError, UnknownReport


class Command(BaseCommand):
    help = OPTIONS["report"].help
    # Django's system checks import every page's module (the URL configuration: scipy,
    # pandas, matplotlib) - three seconds before a report that may itself take 0.03 s.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["report"].add(parser)

    def handle(self, *args, **options) -> None:
        if options["rebuild_index"]:
            started = time.perf_counter()
            for name, n in coded.rebuild().items():
                self.stderr.write(f"{name}: {n} records coded")
            for name, n in blocks.refresh_all().items():
                self.stderr.write(f"{name}: {n} blocks of the coded form up to date")
            self.stderr.write(f"coded form rebuilt in {time.perf_counter() - started:.1f} s")
            if not options["report"]:
                return
        if not options["report"]:
            raise CommandError(
                "name a report (e.g. qantar2022) or give --rebuild-index", returncode=2
            )
        fmt = options["format"]
        try:
            built = build_report(
                options["report"], options["where"], lang=options["lang"], diagrams=fmt != "json"
            )
        except (UnknownReport, FilterError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        except (ReportSpecError, UnknownQuestionnaire) as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        content = render(built, fmt)
        rendering = time.perf_counter() - started
        audit(
            None,
            AuditAction.EXPORT if options["out"] or fmt != "json" else AuditAction.REPORT,
            object_type="report",
            object_id=built.spec.name,
            format=fmt,
            filters=built.data["filters"],
            n_records=built.data["n_records"],
            via="cli",
        )
        if options["timings"]:
            t = built.timings
            self.stderr.write(
                f"{built.data['n_records']} records: read {t['read']:.2f} s, "
                f"compute {t['compute']:.2f} s, total {t['total']:.2f} s "
                f"({t['processes']} process{'es' if t['processes'] > 1 else ''}), "
                f"{fmt} written in {rendering:.2f} s"
            )
        if options["out"]:
            Path(options["out"]).write_bytes(content)
            return
        if fmt in ("xlsx", "docx") and sys.stdout.isatty():
            raise CommandError(f"{fmt} is binary: give --out FILE", returncode=2)
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
