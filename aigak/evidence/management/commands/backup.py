"""`aigak backup FILE`: database snapshot, every evidence file and a manifest, in one tar."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aigak.evidence.backup import BackupError, write_backup
from aigak.evidence.models import Evidence


class Command(BaseCommand):
    help = "Write a whole-system backup (database and evidence) to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        total = sum(Evidence.objects.filter(deleted_at__isnull=True).values_list("size", flat=True))
        with tqdm(total=total, unit="B", unit_scale=True, disable=not sys.stderr.isatty()) as bar:
            try:
                manifest = write_backup(file, progress=bar.update)
            except (BackupError, OSError) as problem:
                raise CommandError(f"{file}: {problem}", returncode=1) from None
        self.stdout.write(
            f"wrote {file}: {manifest['database']['engine']} database and "
            f"{len(manifest['evidence'])} evidence files"
        )
