"""`aigak audit verify`: proves the audit log's hash chain intact."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.accounts import auditlog
from aigak.accounts.models import AuditEvent
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = OPTIONS["audit"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["audit"].add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = auditlog.verify(AuditEvent.objects.order_by("id").iterator(chunk_size=5000))
        if verdict.broken_id is not None:
            self.stderr.write(
                f"aigak audit verify: audit row {verdict.broken_id} is broken: "
                f"{verdict.reason} ({verdict.rows} rows before it are intact)"
            )
            raise SystemExit(1)
        self.stdout.write(f"audit chain intact: {verdict.rows} rows, last hash {verdict.head}")
