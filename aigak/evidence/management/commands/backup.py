"""`aigak backup FILE`: database snapshot, every evidence file and a manifest, in one
archive, encrypted with age to AIGAK_BACKUP_PASSPHRASE or AIGAK_BACKUP_RECIPIENTS."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from aigak.evidence.backup import BackupError, write_backup
from aigak.evidence.backup_crypto import BackupKeyError, keys_from_environment
from aigak.evidence.models import Evidence
from aigak.lib.cli_options import OPTIONS


class Command(BaseCommand):
    help = OPTIONS["backup"].help

    def add_arguments(self, parser: CommandParser) -> None:
        OPTIONS["backup"].add(parser)

    def handle(self, *args, file: Path, unencrypted: bool, **options):
        try:
            keys = keys_from_environment()
        except BackupKeyError as problem:
            raise CommandError(str(problem), returncode=2) from None
        if not keys.can_encrypt and not unencrypted:
            raise CommandError(
                "set AIGAK_BACKUP_PASSPHRASE or AIGAK_BACKUP_RECIPIENTS to encrypt the backup, "
                "or pass --unencrypted",
                returncode=2,
            )
        total = sum(Evidence.objects.filter(deleted_at__isnull=True).values_list("size", flat=True))
        with tqdm(total=total, unit="B", unit_scale=True, disable=not sys.stderr.isatty()) as bar:
            try:
                manifest = write_backup(
                    file, keys=None if unencrypted else keys, progress=bar.update
                )
            except (BackupError, OSError) as problem:
                raise CommandError(f"{file}: {problem}", returncode=1) from None
        self.stdout.write(
            f"wrote {file}{' (unencrypted)' if unencrypted else ''}: "
            f"{manifest['database']['engine']} database and "
            f"{len(manifest['evidence'])} evidence files"
        )
        problems = manifest["problems"]
        if problems:
            shown = "\n".join(f"  {p['sha256']}: {p['problem']}" for p in problems[:20])
            raise CommandError(
                f"{file}: the backup is INCOMPLETE: {len(problems)} evidence file(s) could not "
                f"be backed up (the rest were):\n{shown}\nrun `aigak verify`",
                returncode=1,
            )
