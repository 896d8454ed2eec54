"""`aigak evidence list [--format json|text]`, and `aigak evidence purge-uploads`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from aigak.evidence.models import Evidence, EvidenceRecord
from aigak.lib.cli_options import OPTIONS


def evidence_rows() -> list[dict]:
    records: dict[int, list[str]] = {}
    links = EvidenceRecord.objects.select_related("record").order_by("record__record_id")
    for link in links:
        records.setdefault(link.evidence_id, []).append(link.record.record_id)
    return [
        {
            "id": e.pk,
            "sha256": e.sha256,
            "size": e.size,
            "name": e.original_name,
            "type": e.content_type,
            "records": records.get(e.pk, []),
        }
        for e in Evidence.objects.filter(deleted_at__isnull=True).order_by("pk")
    ]


class Command(BaseCommand):
    help = OPTIONS["evidence"].help
    # The system checks load the URL table, every page's module: most of the start-up of
    # a listing. `aigak manage check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["evidence"].add(parser)

    def handle(self, *args, action: str, **options):
        if action == "purge-uploads":
            # Uploads' module (the file sniffer, the upload receiver on waitress) loads
            # for this action only: `evidence list` starts without it.
            from aigak.evidence.uploads import purge_expired

            self.stdout.write(f"removed {purge_expired()} expired uploads")
            return
        rows = evidence_rows()
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']}\t{row['sha256']}\t{row['size']}\t{row['type']}\t"
                f"{row['name']}\t{','.join(row['records'])}"
            )
