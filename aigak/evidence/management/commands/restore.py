"""`aigak restore FILE`: restore a backup into an empty data folder, checking every hash."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from aigak.evidence.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a whole-system backup into an empty AIGAK_DATA_DIR (or --force)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a data folder that is not empty"
        )

    def handle(self, *args, file: Path, force: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file", returncode=1)
        size = file.stat().st_size
        with tqdm(total=size, unit="B", unit_scale=True, disable=not sys.stderr.isatty()) as bar:
            try:
                manifest = restore_backup(file, force=force, progress=bar.update)
            except (BackupError, OSError) as problem:
                raise CommandError(f"{file}: {problem}", returncode=1) from None
        self.stdout.write(
            f"restored {file}: database of {manifest['created_at']} and "
            f"{len(manifest['evidence'])} evidence files, all hashes checked"
        )
