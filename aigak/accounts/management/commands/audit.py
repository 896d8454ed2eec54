"""`aigak audit verify`: proves the audit log's hash chain intact."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aigak.accounts import auditlog
from aigak.accounts.models import AuditEvent


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = (
        "verify: re-hash every audit row in order and check each carries the hash of the "
        "one before; exit 1 naming the first broken row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = auditlog.verify(AuditEvent.objects.order_by("id").iterator(chunk_size=5000))
        if verdict.broken_id is not None:
            self.stderr.write(
                f"aigak audit verify: audit row {verdict.broken_id} is broken: "
                f"{verdict.reason} ({verdict.rows} rows before it are intact)"
            )
            raise SystemExit(1)
        self.stdout.write(f"audit chain intact: {verdict.rows} rows, last hash {verdict.head}")
