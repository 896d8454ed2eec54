"""`aigak restore FILE`: restore a backup into an empty data folder, checking every hash
before anything is replaced. An encrypted backup needs AIGAK_BACKUP_PASSPHRASE or
AIGAK_BACKUP_IDENTITY."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from aigak.evidence.backup import BackupError, restore_backup
from aigak.evidence.backup_crypto import BackupKeyError, keys_from_environment
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    help = OPTIONS["restore"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["restore"].add(parser)

    def handle(self, *args, file: Path, force: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file", returncode=1)
        size = file.stat().st_size
        with tqdm(total=size, unit="B", unit_scale=True, disable=not sys.stderr.isatty()) as bar:
            try:
                keys = keys_from_environment()
                manifest = restore_backup(file, force=force, keys=keys, progress=bar.update)
            except BackupKeyError as problem:
                raise CommandError(f"{file}: {problem}", returncode=2) from None
            except (BackupError, OSError) as problem:
                raise CommandError(f"{file}: {problem}", returncode=1) from None
        self.stdout.write(
            f"restored {file}: database of {manifest['created_at']} and "
            f"{len(manifest['evidence']) - len(manifest['skipped'])} evidence files, "
            "all hashes checked"
        )
        if manifest["skipped"]:
            self.stderr.write(
                f"warning: the backup was incomplete; {len(manifest['skipped'])} evidence "
                "file(s) it could not hold are not restored (see `aigak verify`):"
            )
            for p in manifest["skipped"][:20]:
                self.stderr.write(f"  {p['sha256']}: {p['problem']}")
