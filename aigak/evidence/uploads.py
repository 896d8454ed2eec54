"""Resumable uploads (tus 1.0): state, appending chunks, and taking the finished file in.

Protocol-free: the HTTP side is in `tus.py`. Every refusal is a `TusError` carrying the
tus status code, and leaves nothing stored: a refused chunk is cut off the partial file,
a refused file is removed with its upload. Only a complete file whose hash is known
becomes evidence, so a crashed upload never leaves half a file attached to a record.

The SHA-256 of the whole file is computed as the bytes arrive (see `streaming.py`). Python
cannot save a hash state to disk, so the running hash of each upload is kept in this
process and, after a restart or in another process, rebuilt by reading back the partial
file once.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import os
import re
import threading
from collections import OrderedDict
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aigak.accounts.models import User
from aigak.evidence import access, sniff
from aigak.evidence.actions import take_in
from aigak.evidence.models import Upload
from aigak.evidence.receive import DirectBody
from aigak.evidence.storage import hash_stream, store, uploads_dir
from aigak.evidence.streaming import RunningHash, copy_body, hash_range
from aigak.lib.disk import disk_full

CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class TusError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def max_size() -> int:
    return int(settings.EVIDENCE_MAX_SIZE)


def expiry() -> timedelta:
    return settings.EVIDENCE_UPLOAD_EXPIRY


def parse_metadata(header: str) -> dict[str, str]:
    """Decode `Upload-Metadata`: comma-separated `key base64value` pairs.

    >>> parse_metadata("filename aW50ZXJ2aWV3Lm1wNA==,record MTI=,is_confidential")
    {'filename': 'interview.mp4', 'record': '12', 'is_confidential': ''}
    """
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        if not key or " " in value.strip():
            raise TusError(400, f"Upload-Metadata pair {pair!r} is not 'key base64value'")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise TusError(400, f"Upload-Metadata value of {key!r} is not base64 UTF-8") from None
    return found


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """`Upload-Checksum: <algorithm> <base64 digest>` -> (algorithm, digest)."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusError(400, f"checksum algorithm {algorithm!r} is not supported")
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise TusError(400, "Upload-Checksum digest is not base64") from None


# upload id -> its running hash; bounded, per process (another process rebuilds its own).
_running: OrderedDict[str, RunningHash] = OrderedDict()
_running_lock = threading.Lock()
_RUNNING_MAX = 256


def _running_hash(upload: Upload) -> RunningHash:
    key = str(upload.pk)
    with _running_lock:
        found = _running.get(key)
        if found is None or found.scheduled != upload.offset or found.error is not None:
            found = RunningHash(upload.temp_path)
            found.extend_to(upload.offset)  # rebuilt from the partial file, in the background
            _running[key] = found
        _running.move_to_end(key)
        while len(_running) > _RUNNING_MAX:
            _running.popitem(last=False)
        return found


def _forget(upload: Upload) -> None:
    with _running_lock:
        _running.pop(str(upload.pk), None)


def create_upload(user: User, length: str | None, metadata_header: str) -> Upload:
    if not access.can_upload(user):
        raise TusError(403, "your role may not upload evidence")
    if length is None:
        raise TusError(400, "Upload-Length is required (deferred length is not supported)")
    try:
        size = int(length)
    except ValueError:
        raise TusError(400, "Upload-Length must be a whole number") from None
    if size < 0:
        raise TusError(400, "Upload-Length must not be negative")
    if size > max_size():
        raise TusError(413, f"the file is larger than the maximum of {max_size()} bytes")
    if size == 0:
        raise TusError(415, "an empty file is not evidence")
    metadata = parse_metadata(metadata_header or "")
    record = None
    if metadata.get("record"):
        record = access.linkable_record(user, metadata["record"])
        if record is None:
            raise TusError(403, f"you may not attach evidence to record {metadata['record']!r}")
    checksum = metadata.get("sha256", "").strip().lower()
    if checksum and not SHA256_RE.match(checksum):
        raise TusError(400, "metadata sha256 must be 64 hexadecimal characters")
    purge_expired()
    upload = Upload(
        owner=user,
        length=size,
        metadata=metadata,
        raw_metadata=metadata_header or "",
        checksum=checksum,
        record=record,
        expires_at=timezone.now() + expiry(),
    )
    partial = uploads_dir() / f"{upload.pk}.part"
    partial.touch(mode=0o600, exist_ok=False)
    upload.temp_path = str(partial)
    try:
        upload.save(force_insert=True)
    except BaseException:
        partial.unlink(missing_ok=True)  # no row, so nothing would ever remove it
        raise
    return upload


def append(
    upload: Upload,
    body: BinaryIO,
    *,
    offset: int,
    content_length: int,
    checksum: tuple[str, bytes] | None = None,
) -> Upload:
    """Write one PATCH body at `offset`; finish the upload when it is complete.

    A `DirectBody` (see `receive.py`) is already in the partial file: it is checked and
    taken as it is. Refused before it is accepted, it cuts the file back itself.
    """
    direct = body if isinstance(body, DirectBody) else None
    _check_request(upload, direct, offset, content_length)
    if upload.is_complete:
        return upload
    if direct is not None and (direct.path != upload.temp_path or direct.start != offset):
        raise TusError(409, "this chunk was written to another place; resume from HEAD")
    try:
        fd = os.open(upload.temp_path, os.O_RDWR) if direct is None else direct.fd
    except FileNotFoundError:
        raise TusError(410, "the partial file of this upload is gone; start a new one") from None
    try:
        try:
            if direct is None:  # a DirectBody holds the lock already
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TusError(423, "another request is writing to this upload") from None
        upload.refresh_from_db()
        if offset != upload.offset or offset > reconcile(upload):
            raise TusError(409, f"Upload-Offset {offset} does not match {upload.offset}")
        running = _running_hash(upload)
        received = _write_chunk(upload, body, direct, fd, offset, content_length, checksum)
        new_offset = offset + received
        content_type = upload.content_type or _sniffed_type(upload, fd, new_offset)
        changed = Upload.objects.filter(pk=upload.pk, offset=offset).update(
            offset=new_offset, content_type=content_type
        )
        if not changed:
            os.ftruncate(fd, offset)
            raise TusError(409, "the upload moved on in another request")
        upload.offset, upload.content_type = new_offset, content_type
        running.extend_to(new_offset)
    finally:
        if direct is None:
            os.close(fd)
    if upload.offset == upload.length:
        try:
            sha256 = running.hexdigest(upload.length)
        except OSError as problem:
            _forget(upload)
            raise TusError(409, f"the upload could not be hashed; resume it ({problem})") from None
        finish(upload, sha256)
    return upload


def _check_request(
    upload: Upload, direct: DirectBody | None, offset: int, content_length: int
) -> None:
    """Refuse a PATCH that cannot be taken: a failed direct write, an expired upload, an
    offset that is not the server's, a body past Upload-Length."""
    if direct is not None and direct.error is not None:
        raise TusError(507, f"the server could not write this chunk ({direct.error.strerror})")
    if upload.is_expired:
        discard(upload)
        raise TusError(410, "this upload expired; start a new one")
    if offset != upload.offset:
        raise TusError(409, f"Upload-Offset {offset} does not match the server's {upload.offset}")
    if offset + content_length > upload.length:
        raise TusError(413, "the body goes past Upload-Length")


def _write_chunk(
    upload: Upload,
    body: BinaryIO,
    direct: DirectBody | None,
    fd: int,
    offset: int,
    content_length: int,
    checksum: tuple[str, bytes] | None,
) -> int:
    """Put the body at offset in the locked partial file (a DirectBody is there already),
    sync it and check its checksum; returns the bytes received. A chunk whose checksum
    does not match is cut off again."""
    chunk_digest = hashlib.new(checksum[0]) if checksum else None
    if direct is None:
        os.ftruncate(fd, offset)  # drop bytes a crash left after the acknowledged offset
        try:
            received = copy_body(body, fd, offset, content_length, chunk_digest)
        except OSError as problem:
            os.ftruncate(fd, offset)  # what did fit is not acknowledged: cut it off
            if disk_full(problem):
                raise TusError(
                    507, f"the server could not write this chunk ({problem.strerror})"
                ) from None
            raise
    else:
        direct.accepted = True  # from here on append cleans up after itself
        received = direct.received
        if chunk_digest is not None:
            hash_range(upload.temp_path, offset, offset + received, chunk_digest)
    os.fdatasync(fd)
    if chunk_digest is not None and (
        received != content_length or chunk_digest.digest() != checksum[1]  # type: ignore[index]
    ):
        os.ftruncate(fd, offset)
        raise TusError(460, f"the {checksum[0]} checksum of this chunk does not match")  # type: ignore[index]
    return received


def _sniffed_type(upload: Upload, fd: int, new_offset: int) -> str:
    """The content type read from the first bytes; an upload of a refused kind is
    discarded and refused."""
    head = os.pread(fd, min(new_offset, sniff.SNIFF_BYTES), 0)
    content_type, reason = sniff.refusal(head, complete=new_offset == upload.length)
    if reason:
        discard(upload)
        raise TusError(415, reason)
    return content_type


def reconcile(upload: Upload) -> int:
    """The offset, lowered to what the partial file really holds if it lost bytes.

    Each chunk is synced before it is acknowledged, so this only matters when the disk
    or the file was damaged; the client then resumes from the lower offset. Bytes past
    the offset (a crash in the middle of a chunk) are cut off when no request is
    writing, so that the resumed chunk can go straight to the file (`receive.py`).
    """
    if upload.is_complete or not upload.temp_path:
        return upload.offset
    try:
        on_disk = os.stat(upload.temp_path).st_size
    except FileNotFoundError:
        on_disk = 0
        Path(upload.temp_path).touch(mode=0o600)
    if on_disk < upload.offset:
        Upload.objects.filter(pk=upload.pk).update(offset=on_disk)
        upload.offset = on_disk
        _forget(upload)
    elif on_disk > upload.offset:
        _cut_unacknowledged(upload)
    return upload.offset


def _cut_unacknowledged(upload: Upload) -> None:
    try:
        fd = os.open(upload.temp_path, os.O_WRONLY)
    except FileNotFoundError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Under the lock no chunk is being acknowledged: the stored offset is final.
        acknowledged = Upload.objects.filter(pk=upload.pk).values_list("offset", flat=True).first()
        if acknowledged is not None and os.fstat(fd).st_size > acknowledged:
            os.ftruncate(fd, acknowledged)
    except BlockingIOError:
        pass  # a request is writing; it will cut the file itself
    finally:
        os.close(fd)


def finish(upload: Upload, sha256: str) -> Upload:
    """The last byte arrived: check the hash, move the file into the store, take it in.

    The hash is written to the upload first: should the server die after the move, the
    upload is finished from the store by finish_stranded.
    """
    if upload.checksum and upload.checksum != sha256:
        discard(upload)
        raise TusError(460, "the file's SHA-256 does not match the sha256 in the metadata")
    path = Path(upload.temp_path)
    if path.stat().st_size != upload.length:
        raise TusError(409, "the partial file does not have the announced length")
    name = upload.metadata.get("filename") or upload.metadata.get("name") or ""
    reason = sniff.file_refusal(path, name, upload.content_type)
    if reason:
        discard(upload)
        raise TusError(415, reason)
    Upload.objects.filter(pk=upload.pk).update(sha256=sha256)
    repaired = store().put(path, sha256)
    _take_in(upload, sha256, repaired=repaired)
    _forget(upload)
    upload.refresh_from_db()
    return upload


def _take_in(upload: Upload, sha256: str, *, repaired: bool = False) -> None:
    record = upload.record
    if record is not None and access.linkable_record(upload.owner, record.pk) is None:
        record = None  # rights changed while uploading: keep the file, skip the link
    name = upload.metadata.get("filename") or upload.metadata.get("name") or ""
    with transaction.atomic():
        # Locked, so that a start-up check and the client's HEAD do not both finish it.
        if Upload.objects.select_for_update().get(pk=upload.pk).completed_at is not None:
            return
        evidence, _ = take_in(
            upload.owner,
            sha256,
            upload.length,
            upload.content_type,
            name=name,
            provenance=upload.metadata,
            record=record,
            repaired=repaired,
        )
        Upload.objects.filter(pk=upload.pk).update(
            completed_at=timezone.now(), evidence=evidence, temp_path=""
        )


def finish_stranded(upload: Upload) -> Upload:
    """Finish an upload whose last chunk was acknowledged but whose evidence was never
    made (the server died in between). Called on HEAD and PATCH, and by `aigak verify`.
    """
    if upload.is_complete or upload.offset != upload.length:
        return upload
    temp = Path(upload.temp_path) if upload.temp_path else None
    if temp is not None and temp.is_file():
        with open(temp, "rb") as handle:
            sha256, size = hash_stream(handle)
        if size == upload.length:
            return finish(upload, sha256)
    elif upload.sha256 and store().size(upload.sha256) == upload.length:
        _take_in(upload, upload.sha256)  # moved into the store, not yet taken in
        upload.refresh_from_db()
        return upload
    reconcile(upload)  # acknowledged bytes were lost: the client resumes from what is left
    return upload


def finish_all_stranded() -> int:
    """finish_stranded for every upload that needs it; how many were finished."""
    finished = 0
    stranded = Upload.objects.filter(completed_at__isnull=True, offset=F("length"))
    for upload in stranded.select_related("owner", "record"):
        finished += finish_stranded(upload).is_complete
    return finished


def discard(upload: Upload) -> None:
    """Remove an unfinished upload and its partial file (termination, refusal, expiry)."""
    if upload.temp_path:
        Path(upload.temp_path).unlink(missing_ok=True)
    _forget(upload)
    Upload.objects.filter(pk=upload.pk).delete()


def purge_expired() -> int:
    expired = Upload.objects.filter(completed_at__isnull=True, expires_at__lte=timezone.now())
    count = 0
    for upload in expired:
        discard(upload)
        count += 1
    return count
