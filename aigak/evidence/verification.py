"""Re-hashing stored evidence to prove it unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from aigak.accounts.models import AuditAction, User, audit
from aigak.evidence.actions import log_custody
from aigak.evidence.models import CustodyAction, Evidence
from aigak.evidence.storage import hash_stream, store

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


def check(evidence: Evidence) -> Finding:
    try:
        with store().open(evidence.sha256) as handle:
            sha256, size = hash_stream(handle)
    except FileNotFoundError:
        return Finding(evidence, MISSING)
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

    Hashing runs in a few threads: hashlib and file reads release the GIL, so one file
    is read while another is hashed.
    """
    if evidence is None:
        evidence = Evidence.objects.filter(deleted_at__isnull=True).order_by("pk")
    findings = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for finding in pool.map(check, evidence):
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
