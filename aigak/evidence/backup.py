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
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from aigak import __version__
from aigak.accounts.models import AuditAction, User, audit
from aigak.evidence.backup_crypto import (
    DecryptFailed,
    Keys,
    decrypt_file,
    encrypt_file,
    is_encrypted,
    private_file,
)
from aigak.evidence.storage import BLOCK, evidence_root, relative_name, store
from aigak.lib.disk import disk_full

FORMAT = "aigak-backup"
FORMAT_VERSION = 2  # 2: part hashes in the manifest, checksums.json last
CHECKSUMS = "checksums.json"
DATABASE_FILES = {"database.sqlite3", "database.pgdump"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")
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
    """Passes bytes through while hashing them, so the backup checks what it writes.

    A file shorter than recorded is padded with zero bytes to its recorded size, so the
    archive stays readable; its hash then differs and the file is reported.
    """

    def __init__(self, stream: BinaryIO, progress: Progress | None):
        self.stream = stream
        self.digest = hashlib.sha256()
        self.progress = progress
        self.short = False

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if size > 0 and len(data) < size:
            while len(data) < size and (more := self.stream.read(size - len(data))):
                data += more
            if len(data) < size:
                self.short = True
                data += bytes(size - len(data))
        self.digest.update(data)
        if self.progress is not None:
            self.progress(len(data))
        return data


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def write_backup(
    target: Path, *, keys: Keys | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Write the backup to `target`, encrypted to keys unless None.

    Written as `target.partial` and renamed when complete; on any failure the partial
    file is removed. The manifest returned has `problems`: evidence files that are
    missing or fail their hash; they are listed in the archive, which is then marked
    incomplete, and the rest is backed up.
    """
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(dir=settings.DATA_DIR) as work:
            plain = Path(work) / "backup.tar" if keys is not None else partial
            manifest = _write_tar(Path(work), plain, progress)
            if keys is not None:
                encrypt_file(plain, partial, keys)
        os.replace(partial, target)
    except BaseException as problem:
        partial.unlink(missing_ok=True)
        if disk_full(problem):  # the archive, or the database's snapshot beside it
            raise BackupError(
                "the disk is full; nothing was written (free some space and try again)"
            ) from None
        raise
    audit(
        None,
        AuditAction.BACKUP,
        object_type="system",
        file=target.name,
        files=len(manifest["evidence"]),
        incomplete=len(manifest["problems"]),
    )
    return manifest


def _write_tar(work: Path, out_path: Path, progress: Progress | None) -> dict[str, Any]:
    database, rows = snapshot_database(work)
    key_file = Path(settings.DATA_DIR) / "secret_key"
    parts = [(database.name, database)] + ([("secret_key", key_file)] if key_file.is_file() else [])
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "aigak_version": __version__,
        "created_at": timezone.now().isoformat(),
        "database": {"engine": _engine(), "file": database.name},
        "parts": {name: _file_sha(path) for name, path in parts},
        "evidence": [{"sha256": sha, "size": size} for sha, size in rows],
    }
    encoded = json.dumps(manifest, indent=1).encode()
    sums = {"manifest.json": hashlib.sha256(encoded).hexdigest(), **manifest["parts"]}
    problems: list[dict[str, str]] = []
    with open(private_file(out_path), "wb") as out, tarfile.open(fileobj=out, mode="w|") as tar:
        tar.addfile(_tarinfo("manifest.json", len(encoded)), io.BytesIO(encoded))
        for name, path in parts:
            with open(path, "rb") as handle:
                tar.addfile(_tarinfo(name, path.stat().st_size), handle)
        for sha, size in rows:
            problem = _add_evidence(tar, sha, size, progress, sums)
            if problem:
                problems.append({"sha256": sha, "problem": problem})
        trailer = json.dumps({"complete": not problems, "problems": problems, "sha256": sums})
        tar.addfile(_tarinfo(CHECKSUMS, len(trailer.encode())), io.BytesIO(trailer.encode()))
        tar.close()
        out.flush()
        os.fsync(out.fileno())
    return {**manifest, "problems": problems}


def _add_evidence(
    tar: tarfile.TarFile, sha: str, size: int, progress: Progress | None, sums: dict[str, str]
) -> str:
    """Add one evidence file; what is wrong with it ("" when nothing)."""
    try:
        handle = store().open(sha)
    except FileNotFoundError:
        return "missing"
    name = f"evidence/{relative_name(sha)}"
    with handle:
        reader = _HashingReader(handle, progress)
        tar.addfile(_tarinfo(name, size), reader)  # type: ignore[arg-type]
    sums[name] = reader.digest.hexdigest()
    if reader.short:
        return "shorter than recorded"
    return "" if sums[name] == sha else "changed: its bytes no longer match its hash"


def system_is_empty() -> bool:
    from aigak.evidence.models import Evidence
    from aigak.records.models import Record

    has_rows = User.objects.exists() or Record.objects.exists() or Evidence.objects.exists()
    return not has_rows and next(iter(store().names()), None) is None


def _copy_hashed(member: IO[bytes], target: Path) -> str:
    """Copy a member into the staging folder; the sha256 of what was copied."""
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        while block := member.read(BLOCK):
            digest.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


@dataclass
class Unpacked:
    """A backup read into the staging folder, every part checked against its hash."""

    manifest: dict[str, Any]
    database: Path
    key: Path | None
    skipped: list[dict[str, str]]  # evidence the backup marked as missing or changed


def restore_backup(
    source: Path,
    *,
    force: bool = False,
    keys: Keys | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Restore a backup into this (empty) system, checking every hash before replacing
    anything. The manifest returned has `skipped`: evidence the backup marked incomplete."""
    if not force and not system_is_empty():
        raise BackupError(
            "the data folder already holds users, records or evidence; "
            "restore into an empty AIGAK_DATA_DIR, or pass --force to replace it"
        )
    staging = evidence_root() / f"restore-{uuid.uuid4().hex}"
    staging.mkdir(parents=True, mode=0o700)
    try:
        archive = Path(source)
        if is_encrypted(archive):
            plain = staging / "backup.tar"
            try:
                decrypt_file(archive, plain, keys or Keys())
            except DecryptFailed as problem:
                raise BackupError(str(problem)) from None
            archive = plain
        unpacked = _unpack(archive, staging, progress)
        plain_archive = staging / "backup.tar"
        plain_archive.unlink(missing_ok=True)  # the space it takes, before the restore
        manifest = unpacked.manifest
        _restore_database(manifest, unpacked.database)
        if unpacked.key is not None:
            shutil.copyfile(unpacked.key, Path(settings.DATA_DIR) / "secret_key")
        skipped = {p["sha256"] for p in unpacked.skipped}
        for entry in manifest["evidence"]:
            if entry["sha256"] not in skipped:
                store().put(staging / entry["sha256"], entry["sha256"])
        _after_restore(manifest, Path(source).name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {**manifest, "skipped": unpacked.skipped}


def _unpack(source: Path, staging: Path, progress: Progress | None) -> Unpacked:
    """Read the archive into staging; refuse it, saying why, if any part is wrong."""
    try:
        tar = tarfile.open(source, mode="r|")
    except (OSError, tarfile.TarError) as problem:
        raise BackupError(f"not a readable backup ({problem})") from None
    reader = _Reader(staging, progress)
    try:
        with tar:
            for member in tar:
                reader.take(member, tar.extractfile(member) if member.isfile() else None)
    except (tarfile.TarError, EOFError, ValueError, KeyError, TypeError) as problem:
        where = f" after {reader.last!r}" if reader.last else ""
        raise BackupError(
            f"the backup is damaged or truncated{where} ({problem or 'unreadable'}); "
            "nothing was restored"
        ) from None
    return reader.finish()


class _Reader:
    """Takes the archive's entries one by one into the staging folder, checking names
    (nothing outside the folder, no links) and hashes."""

    def __init__(self, staging: Path, progress: Progress | None):
        self.staging = staging
        self.progress = progress
        self.manifest: dict[str, Any] | None = None
        self.expected: dict[str, dict[str, Any]] = {}
        self.sums: dict[str, str] = {}
        self.trailer: dict[str, Any] | None = None
        self.database: Path | None = None
        self.key: Path | None = None
        self.last = ""

    def take(self, member: tarfile.TarInfo, handle: IO[bytes] | None) -> None:
        name = member.name
        if handle is None or self.trailer is not None:
            raise BackupError(f"unexpected entry {name!r}")
        if self.manifest is None:
            self._manifest(name, handle)
        elif name == CHECKSUMS and self.manifest["format_version"] >= 2:
            self.trailer = json.loads(handle.read())
        elif name == self.manifest["database"]["file"]:
            self.database = self.staging / name
            self.sums[name] = _copy_hashed(handle, self.database)
        elif name == "secret_key":
            self.key = self.staging / "secret_key"
            self.sums[name] = _copy_hashed(handle, self.key)
        elif name.startswith("evidence/") and name.rsplit("/", 1)[-1] in self.expected:
            sha = name.rsplit("/", 1)[-1]
            if name != f"evidence/{relative_name(sha)}":
                raise BackupError(f"unexpected entry {name!r}")
            self.sums[name] = _copy_hashed(handle, self.staging / sha)
            if self.progress is not None:
                self.progress(member.size)
        else:
            raise BackupError(f"unexpected entry {name!r}")
        self.last = name

    def _manifest(self, name: str, handle: IO[bytes]) -> None:
        if name != "manifest.json":
            raise BackupError("manifest.json must come first")
        encoded = handle.read()
        manifest = json.loads(encoded)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError("not an Aigak backup")
        if manifest["database"]["file"] not in DATABASE_FILES:
            raise BackupError(f"unexpected database file {manifest['database']['file']!r}")
        for entry in manifest["evidence"]:
            if not SHA256.match(str(entry["sha256"])):
                raise BackupError(f"unexpected evidence name {entry['sha256']!r}")
            self.expected[entry["sha256"]] = entry
        self.sums["manifest.json"] = hashlib.sha256(encoded).hexdigest()
        self.manifest = manifest

    def finish(self) -> Unpacked:
        if self.manifest is None or self.database is None:
            raise BackupError("the backup has no manifest or no database: it is truncated")
        skipped: list[dict[str, str]] = []
        if self.manifest["format_version"] >= 2:
            skipped = self._check_sums()
        else:  # a backup of format 1 has evidence hashes only
            skipped = []
        marked = {p["sha256"] for p in skipped}
        wrong = [
            sha
            for sha, entry in self.expected.items()
            if sha not in marked and (self.sums.get(f"evidence/{relative_name(sha)}") != sha)
        ]
        if wrong:
            missing = not (self.staging / wrong[0]).is_file()
            raise BackupError(
                f"evidence file {wrong[0]} "
                + ("is missing from the backup" if missing else "does not match its manifest hash")
                + f" ({len(wrong)} such); nothing was restored"
            )
        for sha in marked:
            (self.staging / sha).unlink(missing_ok=True)
        return Unpacked(self.manifest, self.database, self.key, skipped)

    def _check_sums(self) -> list[dict[str, str]]:
        if self.trailer is None:
            raise BackupError(
                f"the backup has no {CHECKSUMS}: it is truncated; nothing was restored"
            )
        assert self.manifest is not None
        expected = {**self.trailer["sha256"]}
        for name, sha in self.manifest["parts"].items():
            if expected.get(name) != sha:
                raise BackupError(f"{name}: the manifest and {CHECKSUMS} disagree")
        for name, sha in self.sums.items():
            if expected.get(name) != sha:
                raise BackupError(
                    f"{name} in the backup does not match its checksum: the backup is "
                    "damaged; nothing was restored"
                )
        absent = sorted(set(expected) - set(self.sums))
        if absent:
            raise BackupError(f"{absent[0]} is missing from the backup; nothing was restored")
        return list(self.trailer["problems"])


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
