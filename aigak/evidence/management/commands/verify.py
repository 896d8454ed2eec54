"""`aigak verify`: re-hash every evidence file; exit 1 if any changed or went missing."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from aigak.evidence.models import Evidence
from aigak.evidence.uploads import finish_all_stranded
from aigak.evidence.verification import CHANGED, MISSING, verify
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    help = OPTIONS["verify"].help
    # The system checks load every page's view module (statistics and linkage libraries
    # among them): seconds of start-up that re-hashing files does not need.
    requires_system_checks: list = []

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["verify"].add(parser)

    def handle(self, *args, workers: int, **options):
        finished = finish_all_stranded()
        if finished:
            self.stdout.write(f"finished {finished} upload(s) the server had not taken in")
        live = Evidence.objects.filter(deleted_at__isnull=True).order_by("pk")
        total = sum(live.values_list("size", flat=True))
        with tqdm(total=total, unit="B", unit_scale=True, disable=not sys.stderr.isatty()) as bar:
            findings = verify(live, workers=workers, progress=lambda f: bar.update(f.evidence.size))
        bad = [f for f in findings if f.status in (CHANGED, MISSING)]
        for finding in bad:
            self.stdout.write(finding.describe())
        changed = sum(f.status == CHANGED for f in bad)
        missing = len(bad) - changed
        self.stdout.write(
            f"verified {len(findings)} files: {len(findings) - len(bad)} unchanged, "
            f"{changed} changed, {missing} missing"
        )
        if bad:
            raise CommandError(f"{len(bad)} evidence files changed or missing", returncode=1)
