"""Re-hashing stored evidence to prove it unchanged."""

from __future__ import annotations

import hashlib
import mmap
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from aigak.accounts.models import AuditAction, User, audit
from aigak.evidence.actions import log_custody
from aigak.evidence.at_rest import DamagedChunk
from aigak.evidence.models import CustodyAction, Evidence
from aigak.evidence.storage import LocalStore, hash_stream, store

OK, CHANGED, MISSING = "ok", "changed", "missing"


@dataclass
class Finding:
    evidence: Evidence
    status: str
    sha256: str = ""
    size: int | None = None

    def describe(self) -> str:
        e = self.evidence
        if self.status == MISSING:
            return f"missing  {e.pk}  {e.sha256}  {e.original_name}"
        if self.status == CHANGED:
            return (
                f"changed  {e.pk}  {e.sha256}  {e.original_name}  "
                f"(now sha256 {self.sha256}, {self.size} bytes)"
            )
        return f"ok  {e.pk}  {e.sha256}"


# Large reads: fewer system calls, and hashlib releases the GIL while it hashes them.
READ_BLOCK = 8 * 1024 * 1024
DIRECT_DEPTH = 4


def hash_direct(path: str, block: int = READ_BLOCK, depth: int = DIRECT_DEPTH) -> tuple[str, int]:
    """SHA-256 and size of a local file read with O_DIRECT, straight from the disk.

    No copy out of the page cache (the kernel's copy cost as much CPU as the hashing), no
    trust in a cached copy: the bytes come from the disk. Without the kernel's read-ahead,
    `depth` reads are kept in flight by reader threads while this thread hashes.
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    try:
        digest, size, next_offset = hashlib.sha256(), 0, 0
        free = [mmap.mmap(-1, block) for _ in range(depth)]  # page-aligned, as O_DIRECT wants
        in_flight: deque = deque()
        with ThreadPoolExecutor(max_workers=depth) as readers:
            while True:
                while free:
                    buffer = free.pop()
                    in_flight.append((buffer, readers.submit(os.preadv, fd, [buffer], next_offset)))
                    next_offset += block
                buffer, reading = in_flight.popleft()
                n = reading.result()
                digest.update(memoryview(buffer)[:n])
                size += n
                if n < block:  # a short read is the end of the file
                    for _, later in in_flight:
                        later.result()
                    return digest.hexdigest(), size
                free.append(buffer)
    finally:
        os.close(fd)


def hash_stored(sha256: str) -> tuple[str, int] | None:
    """(SHA-256, size) of what the store holds under this name, or None when it is gone."""
    files = store()
    if isinstance(files, LocalStore) and files.key is None and hasattr(os, "O_DIRECT"):
        try:
            return hash_direct(str(files.path(sha256)))
        except FileNotFoundError:
            return None
        except OSError:
            pass  # a file system without O_DIRECT (tmpfs): buffered reads below
    try:
        with files.open(sha256) as handle:
            try:
                os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except (AttributeError, OSError, ValueError):
                pass  # not a local file (S3), or no fadvise: plain reads
            return hash_stream(handle, READ_BLOCK)
    except FileNotFoundError:
        return None
    except DamagedChunk:
        return "", 0  # an encrypted chunk failed its check: changed, no hash to show


def finding_for(evidence: Evidence, found: tuple[str, int] | None) -> Finding:
    if found is None:
        return Finding(evidence, MISSING)
    sha256, size = found
    status = OK if (sha256, size) == (evidence.sha256, evidence.size) else CHANGED
    return Finding(evidence, status, sha256, size)


def verify(
    evidence: Iterable[Evidence] | None = None,
    *,
    actor: User | None = None,
    workers: int = 2,
    progress: Callable[[Finding], None] | None = None,
) -> list[Finding]:
    """Re-hash files (all live evidence by default), record the outcome on each.

    Each stored file is hashed once, even when several evidence rows share it. Files are
    hashed in `workers` threads (one per core: hashlib and file reads release the GIL),
    largest first so the last file does not run alone.
    """
    if evidence is None:
        evidence = Evidence.objects.filter(deleted_at__isnull=True).order_by("pk")
    rows = list(evidence)
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row.sha256] = max(sizes.get(row.sha256, 0), row.size)
    order = sorted(sizes, key=lambda sha: -sizes[sha])
    findings = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        hashed = {sha: pool.submit(hash_stored, sha) for sha in order}
        for row in rows:
            finding = finding_for(row, hashed[row.sha256].result())
            _record(finding, actor)
            findings.append(finding)
            if progress is not None:
                progress(finding)
    audit(
        actor,
        AuditAction.VERIFY,
        object_type="evidence",
        checked=len(findings),
        changed=sum(f.status == CHANGED for f in findings),
        missing=sum(f.status == MISSING for f in findings),
    )
    return findings


@transaction.atomic
def _record(finding: Finding, actor: User | None) -> None:
    evidence = finding.evidence
    evidence.last_verified_at = timezone.now()
    evidence.last_verified_ok = finding.status == OK
    evidence.save(update_fields=["last_verified_at", "last_verified_ok"])
    details: dict[str, Any] = {"result": finding.status}
    if finding.status == CHANGED:
        details.update(found_sha256=finding.sha256, found_size=finding.size)
    log_custody(evidence, CustodyAction.VERIFY, actor, **details)
