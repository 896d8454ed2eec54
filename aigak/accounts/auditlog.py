"""The audit log's chain: every row carries the hash of the one before it.

A row's hash covers the previous row's hash and the row's own content (time, actor,
action, object, IP, metadata), so changing or removing a row breaks every later link.
Appends are serialized: PostgreSQL takes a transaction-scoped advisory lock; SQLite's
transactions start IMMEDIATE (settings), which takes the database's write lock at once.
The database refuses UPDATE and DELETE of audit rows with triggers (APPEND_ONLY_SQL).

The request being served (its client address) is kept in a context variable set by
aigak.accounts.middleware.AuditRequests, so audit() callers need not pass it.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

# Any fixed 64-bit number: the advisory lock that serializes appends on PostgreSQL.
CHAIN_LOCK_KEY = 0x41494741_4B415544

TABLE = "accounts_auditevent"
REFUSAL = "audit rows are append-only"
APPEND_ONLY_SQL = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only()",
    ],
}
DROP_SQL = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
        f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
    ],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
        "DROP FUNCTION IF EXISTS accounts_audit_append_only()",
    ],
}


@dataclass
class RequestContext:
    ip: str
    rows: int = 0  # audit rows written while serving this request


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "aigak_audit_request", default=None
)


def client_ip(request: HttpRequest) -> str:
    """The peer's address. Behind a reverse proxy, the proxy must set REMOTE_ADDR (for
    example waitress's `trusted_proxy`); forwarded headers are not trusted here."""
    return str(request.META.get("REMOTE_ADDR") or "")[:45]


def begin_request(request: HttpRequest) -> contextvars.Token[RequestContext | None]:
    return _current.set(RequestContext(ip=client_ip(request)))


def end_request(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)


def current() -> RequestContext | None:
    return _current.get()


def _plain(value: Any) -> Any:
    """JSON as the databases give it back: PostgreSQL's jsonb turns 1e20 into an integer."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e300:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def row_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    ip: str,
    metadata: Any,
) -> str:
    """SHA-256 over the previous hash and the row's content (a fixed format: changing it
    breaks every stored chain)."""
    body = json.dumps(
        [
            prev_hash,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            action,
            object_type,
            object_id,
            ip or "",
            _plain(json.loads(json.dumps(metadata))),
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def append(model: Any, **fields: Any) -> Any:
    """Insert one row at the chain's end, in its own savepoint, serialized."""
    ctx = current()
    fields.setdefault("ip", ctx.ip if ctx else "")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        prev = model.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        row = model(at=timezone.now(), prev_hash=prev, **fields)
        row.hash = hash_of(row)
        row.save(force_insert=True)
    if ctx is not None:
        ctx.rows += 1
    return row


def append_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows (each with its own `at` and `ip`) at the chain's end, in this order,
    in one transaction, serialized as `append` is (aigak.accounts.auditjournal)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        prev = model.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        for fields in rows:
            row = model(prev_hash=prev, **fields)
            row.hash = prev = hash_of(row)
            row.save(force_insert=True)


def hash_of(row: Any) -> str:
    return row_hash(
        row.prev_hash,
        row.at,
        row.actor_id,
        row.action,
        row.object_type,
        row.object_id,
        row.ip,
        row.metadata,
    )


@dataclass
class Verdict:
    rows: int
    head: str
    broken_id: int | None = None
    reason: str = ""


def verify(rows: Iterator[Any]) -> Verdict:
    """Walk the rows in id order; name the first whose link or content does not hold."""
    prev, count = "", 0
    for row in rows:
        if row.prev_hash != prev:
            return Verdict(count, prev, row.pk, "its previous-hash does not match the row before")
        if row.hash != hash_of(row):
            return Verdict(count, prev, row.pk, "its content does not match its hash")
        prev, count = row.hash, count + 1
    return Verdict(count, prev)
