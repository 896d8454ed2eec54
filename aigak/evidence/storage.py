"""Where evidence bytes live: content-addressed `sha256[:2]/sha256`, locally or in S3.

The local store keeps files under `EVIDENCE_ROOT` (by default `AIGAK_DATA_DIR/evidence`),
read-only once stored. When `AIGAK_S3_BUCKET` is set (and django-storages with boto3 is
installed), completed files go to that bucket instead; partial tus uploads and thumbnails
always stay on local disk, since appending and resizing need a local file.

Files are hashed in blocks, never read whole into memory:

>>> import io
>>> hash_stream(io.BytesIO(b"abc"))
('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 3)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

from aigak.evidence.at_rest import (
    DamagedChunk,
    EncryptedReader,
    encrypt_file,
    is_encrypted,
    load_key,
)
from aigak.lib.disk import sync_folder

BLOCK = 4 * 1024 * 1024


def hash_stream(stream: BinaryIO, block: int = BLOCK) -> tuple[str, int]:
    """SHA-256 and size of everything left in a stream, read block by block."""
    digest = hashlib.sha256()
    buffer = bytearray(block)
    view = memoryview(buffer)
    size = 0
    readinto = getattr(stream, "readinto", None)
    while True:
        if readinto is not None:
            n = readinto(view)
            if not n:
                break
            digest.update(view[:n])
        else:
            chunk = stream.read(block)
            if not chunk:
                break
            n = len(chunk)
            digest.update(chunk)
        size += n
    return digest.hexdigest(), size


def relative_name(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


class EvidenceStore(Protocol):
    def exists(self, sha256: str) -> bool: ...
    def size(self, sha256: str) -> int | None: ...
    def put(self, source: Path, sha256: str) -> bool: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def delete(self, sha256: str) -> None: ...
    def names(self) -> Iterator[str]: ...


class LocalStore:
    """Files under `root`; encrypted at rest when given a key (aigak.evidence.at_rest).

    With a key, files written before it was set (no header) are still read as they are.
    """

    def __init__(self, root: str | os.PathLike[str], key: bytes | None = None):
        self.root = Path(root)
        self.key = key

    def path(self, sha256: str) -> Path:
        return self.root / relative_name(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        """The size of the plaintext."""
        try:
            if self.key is None:
                return self.path(sha256).stat().st_size
            with self.open(sha256) as handle:
                return handle.seek(0, os.SEEK_END)
        except FileNotFoundError:
            return None

    def put(self, source: Path, sha256: str) -> bool:
        """Move a complete file into the store atomically; it is consumed.

        If the content is already stored intact the source is just removed
        (deduplication); a stored copy that no longer matches its hash is replaced by
        the source, which the caller has hashed. Returns True when it repaired a copy.
        The source must be on the same file system (partial uploads live under the root).
        """
        target = self.path(sha256)
        repaired = False
        if target.is_file():
            try:
                with self.open(sha256) as stored:
                    intact = hash_stream(stored, BLOCK)[0] == sha256
            except DamagedChunk:
                intact = False
            if intact:
                source.unlink(missing_ok=True)
                return False
            repaired = True
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.key is not None:
            self._encrypt(source, target)
        else:
            os.chmod(source, 0o400)  # read-only, and the owner's alone
            os.replace(source, target)
        sync_folder(target.parent)
        return repaired

    def _encrypt(self, source: Path, target: Path) -> None:
        """Encrypt `source` beside `target`, then move it in place atomically."""
        assert self.key is not None
        sealed = target.with_name(f".{target.name}.sealing")
        fd = os.open(sealed, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with open(source, "rb") as plain, open(fd, "wb") as out:
                encrypt_file(self.key, plain, out, os.fstat(plain.fileno()).st_size)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(sealed, 0o400)
            os.replace(sealed, target)
        except BaseException:
            sealed.unlink(missing_ok=True)
            raise
        source.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        handle = open(self.path(sha256), "rb")
        if self.key is None or not is_encrypted(handle):
            return handle
        try:
            return EncryptedReader(handle, self.key)  # type: ignore[return-value]
        except BaseException:
            handle.close()
            raise

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        """Every stored hash (what is on disk, whatever the database says)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if len(folder.name) == 2 and folder.is_dir():
                for item in sorted(folder.iterdir()):
                    if len(item.name) == 64 and item.name.startswith(folder.name):
                        yield item.name


class S3Store:
    """Completed evidence in an S3-compatible bucket through django-storages."""

    def __init__(self, bucket: str):
        from storages.backends.s3 import S3Storage  # optional dependency

        options = {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("AIGAK_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AIGAK_S3_REGION") or None,
            "access_key": os.environ.get("AIGAK_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AIGAK_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AIGAK_S3_PREFIX", "evidence"),
            "default_acl": None,
            "file_overwrite": False,
        }
        self.storage = S3Storage(**{k: v for k, v in options.items() if v is not None})

    def _key(self, sha256: str) -> str:
        return self.storage._normalize_name(relative_name(sha256))

    def exists(self, sha256: str) -> bool:
        return self.storage.exists(relative_name(sha256))

    def size(self, sha256: str) -> int | None:
        try:
            return self.storage.size(relative_name(sha256))
        except Exception:
            return None

    def put(self, source: Path, sha256: str) -> bool:
        """Objects are not re-hashed here (a whole download): never a repair."""
        if not self.exists(sha256):
            # boto3's managed transfer streams the file in parts; never whole in memory.
            self.storage.bucket.upload_file(str(source), self._key(sha256))
        source.unlink(missing_ok=True)
        return False

    def open(self, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return S3RangeReader(self.storage.bucket.Object(self._key(sha256)))  # type: ignore[return-value]
        except ClientError as problem:
            if problem.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(relative_name(sha256)) from None
            raise

    def delete(self, sha256: str) -> None:
        self.storage.delete(relative_name(sha256))

    def names(self) -> Iterator[str]:
        prefix = self.storage.location.rstrip("/") + "/"
        for item in self.storage.bucket.objects.filter(Prefix=prefix):
            name = item.key.rsplit("/", 1)[-1]
            if len(name) == 64:
                yield name


class S3RangeReader:
    """A seekable read-only file over one S3 object, fetching only the bytes asked for."""

    def __init__(self, obj):
        self.obj = obj
        self.position = 0
        self.length = obj.content_length
        self.body = None

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.length}[whence]
        self.position = base + offset
        self.body = None
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        if self.position >= self.length:
            return b""
        if self.body is None:
            self.body = self.obj.get(Range=f"bytes={self.position}-")["Body"]
        data = self.body.read(None if size < 0 else size)
        self.position += len(data)
        return data

    def close(self) -> None:
        if self.body is not None:
            self.body.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def evidence_root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def uploads_dir() -> Path:
    """Partial tus uploads: on the same file system as the store, for an atomic move."""
    path = evidence_root() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def thumbnails_dir() -> Path:
    path = evidence_root() / "thumbnails"
    path.mkdir(parents=True, exist_ok=True)
    return path


def evidence_key() -> bytes | None:
    """The at-rest key from AIGAK_EVIDENCE_KEY_FILE, None when unset; refused when it is
    inside the data or evidence folder, unreadable or malformed."""
    key_file = getattr(settings, "EVIDENCE_KEY_FILE", "")
    if not key_file:
        return None
    return load_key(key_file, settings.DATA_DIR, settings.EVIDENCE_ROOT)


@cache
def _store(root: str, bucket: str, key_file: str) -> EvidenceStore:
    return S3Store(bucket) if bucket else LocalStore(root, evidence_key())


def store() -> EvidenceStore:
    """The configured store (S3 when AIGAK_S3_BUCKET is set, else local)."""
    bucket = getattr(settings, "EVIDENCE_S3_BUCKET", None) or os.environ.get("AIGAK_S3_BUCKET", "")
    key_file = getattr(settings, "EVIDENCE_KEY_FILE", "")
    return _store(str(settings.EVIDENCE_ROOT), bucket, key_file)
