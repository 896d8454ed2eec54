"""Whole-system backup and restore: a consistent database snapshot, every evidence file,
and a manifest of their hashes, in one tar written and read as a stream.

Consistency: evidence files are immutable and content-addressed, so the snapshot decides
what the backup holds. SQLite is copied with the online backup API and the evidence list
is read from that copy; PostgreSQL is dumped (`pg_dump -Fc`) from a snapshot exported by a
repeatable-read transaction in which the evidence list is read too.

Tar layout: `manifest.json` first, then `database.sqlite3` or `database.pgdump`,
`secret_key`, and `evidence/<sha256[:2]>/<sha256>` for each file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from aigak import __version__
from aigak.accounts.models import AuditAction, User, audit
from aigak.evidence.storage import BLOCK, evidence_root, relative_name, store

FORMAT = "aigak-backup"
FORMAT_VERSION = 1
# One entry per stored file, although several evidence rows may share it.
EVIDENCE_QUERY = (
    "SELECT sha256, size FROM evidence_evidence WHERE deleted_at IS NULL "
    "GROUP BY sha256, size ORDER BY MIN(id)"
)


class BackupError(Exception):
    """The backup cannot be written or restored; nothing was changed."""


Progress = Callable[[int], None]


def _engine() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups of {engine} databases are not supported")


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(name):
            env[key] = str(db[name])
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def snapshot_database(folder: Path) -> tuple[Path, list[tuple[str, int]]]:
    """A consistent copy of the database in `folder`, and the live evidence it lists."""
    if _engine() == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            rows = copy.execute(EVIDENCE_QUERY).fetchall()
        finally:
            copy.close()
            source.close()
        return target, [(sha, int(size)) for sha, size in rows]
    target = folder / "database.pgdump"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(EVIDENCE_QUERY)
        rows = cursor.fetchall()
        _run(["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target)])
    return target, [(sha, int(size)) for sha, size in rows]


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    return info


class _HashingReader:
    """Passes bytes through while hashing them, so the backup checks what it writes."""

    def __init__(self, stream: BinaryIO, progress: Progress | None):
        self.stream = stream
        self.digest = hashlib.sha256()
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        if self.progress is not None:
            self.progress(len(data))
        return data


def write_backup(target: Path, *, progress: Progress | None = None) -> dict[str, Any]:
    """Write the backup tar to `target` (atomically: a partial file until complete)."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR) as work:
        database, rows = snapshot_database(Path(work))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "aigak_version": __version__,
            "created_at": timezone.now().isoformat(),
            "database": {"engine": _engine(), "file": database.name},
            "evidence": [{"sha256": sha, "size": size} for sha, size in rows],
        }
        encoded = json.dumps(manifest, indent=1).encode()
        with open(partial, "wb") as out, tarfile.open(fileobj=out, mode="w|") as tar:
            tar.addfile(_tarinfo("manifest.json", len(encoded)), io.BytesIO(encoded))
            with open(database, "rb") as db:
                tar.addfile(_tarinfo(database.name, database.stat().st_size), db)
            key_file = Path(settings.DATA_DIR) / "secret_key"
            if key_file.is_file():
                with open(key_file, "rb") as key:
                    tar.addfile(_tarinfo("secret_key", key_file.stat().st_size), key)
            for sha, size in rows:
                try:
                    handle = store().open(sha)
                except FileNotFoundError:
                    raise BackupError(
                        f"evidence file {sha} is missing; run `aigak verify`"
                    ) from None
                with handle:
                    reader = _HashingReader(handle, progress)
                    try:
                        tar.addfile(_tarinfo(f"evidence/{relative_name(sha)}", size), reader)  # type: ignore[arg-type]
                    except OSError:
                        raise BackupError(f"evidence file {sha} is shorter than recorded") from None
                if reader.digest.hexdigest() != sha:
                    raise BackupError(f"evidence file {sha} changed; run `aigak verify`")
            out.flush()
            os.fsync(out.fileno())
    os.replace(partial, target)
    audit(None, AuditAction.BACKUP, object_type="system", file=target.name, files=len(rows))
    return manifest


def system_is_empty() -> bool:
    from aigak.evidence.models import Evidence
    from aigak.records.models import Record

    has_rows = User.objects.exists() or Record.objects.exists() or Evidence.objects.exists()
    return not has_rows and next(iter(store().names()), None) is None


def _copy_checked(member: IO[bytes], target: Path, expected: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    size = 0
    with open(target, "wb") as out:
        while block := member.read(BLOCK):
            digest.update(block)
            size += len(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if (digest.hexdigest(), size) != (expected["sha256"], expected["size"]):
        raise BackupError(
            f"evidence file {expected['sha256']} in the backup does not match its manifest hash"
        )


def restore_backup(
    source: Path, *, force: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Restore a backup into this (empty) system, checking every hash on the way."""
    if not force and not system_is_empty():
        raise BackupError(
            "the data folder already holds users, records or evidence; "
            "restore into an empty AIGAK_DATA_DIR, or pass --force to replace it"
        )
    staging = evidence_root() / f"restore-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        manifest, database, key = _unpack(Path(source), staging, progress)
        _restore_database(manifest, database)
        if key is not None:
            shutil.copyfile(key, Path(settings.DATA_DIR) / "secret_key")
        for entry in manifest["evidence"]:
            store().put(staging / entry["sha256"], entry["sha256"])
        _after_restore(manifest, Path(source).name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _unpack(
    source: Path, staging: Path, progress: Progress | None
) -> tuple[dict[str, Any], Path, Path | None]:
    manifest: dict[str, Any] | None = None
    expected: dict[str, dict[str, Any]] = {}
    database: Path | None = None
    key: Path | None = None
    try:
        tar = tarfile.open(source, mode="r|")
    except (OSError, tarfile.TarError) as problem:
        raise BackupError(f"not a readable backup ({problem})") from None
    with tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                raise BackupError(f"unexpected entry {member.name!r}")
            if manifest is None:
                if member.name != "manifest.json":
                    raise BackupError("manifest.json must come first")
                manifest = json.loads(handle.read())
                if manifest.get("format") != FORMAT:
                    raise BackupError("not an Aigak backup")
                expected = {e["sha256"]: e for e in manifest["evidence"]}
                continue
            name = member.name
            if name == manifest["database"]["file"]:
                database = staging / name
                with open(database, "wb") as out:
                    shutil.copyfileobj(handle, out, BLOCK)
            elif name == "secret_key":
                key = staging / "secret_key"
                key.write_bytes(handle.read())
            elif name.startswith("evidence/") and name.rsplit("/", 1)[-1] in expected:
                sha = name.rsplit("/", 1)[-1]
                _copy_checked(handle, staging / sha, expected[sha])
                if progress is not None:
                    progress(member.size)
            else:
                raise BackupError(f"unexpected entry {name!r}")
    if manifest is None or database is None:
        raise BackupError("the backup has no manifest or no database")
    missing = [sha for sha in expected if not (staging / sha).is_file()]
    if missing:
        raise BackupError(f"{len(missing)} evidence files are missing, e.g. {missing[0]}")
    return manifest, database, key


def _restore_database(manifest: dict[str, Any], database: Path) -> None:
    engine = manifest["database"]["engine"]
    if engine != _engine():
        raise BackupError(f"the backup holds a {engine} database; this system uses {_engine()}")
    connections.close_all()
    if engine == "sqlite":
        source = sqlite3.connect(database)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                _pg_env()["PGDATABASE"],
                str(database),
            ]
        )
    # A backup of an older version gets this version's schema.
    call_command("migrate", interactive=False, verbosity=0)


def _after_restore(manifest: dict[str, Any], name: str) -> None:
    from aigak.evidence.actions import log_custody
    from aigak.evidence.models import CustodyAction, Evidence

    listed = {e["sha256"] for e in manifest["evidence"]}
    in_database = set(
        Evidence.objects.filter(deleted_at__isnull=True).values_list("sha256", flat=True)
    )
    if listed != in_database:
        raise BackupError("the restored database and the manifest list different evidence")
    with transaction.atomic():
        for evidence in Evidence.objects.filter(deleted_at__isnull=True):
            log_custody(
                evidence, CustodyAction.RESTORE, None, backup=name, created=manifest["created_at"]
            )
        audit(
            None,
            AuditAction.RESTORE_BACKUP,
            object_type="system",
            file=name,
            files=len(listed),
            created=manifest["created_at"],
        )
