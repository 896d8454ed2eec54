"""Blocks of the coded form: a span of record ids read in one statement.

A block holds the valid coded rows (``aigak.reports.coded``) of one questionnaire's live
records whose ids fall in ``[k * BLOCK, (k + 1) * BLOCK)``, packed as one blob: the
packed rows one after another (one numpy record array), and the free texts grouped by
field (the positions of the records that have one, as int32, and their answers as one
JSON list, decoded when a table first asks for that field). A report over all the live
records of a questionnaire (no filter the
database applies) reads a million records as about ten blobs, instead of joining a
million coded rows to the live records and decoding a JSON object per record with texts.

A block needs no writer to keep it: it is valid while

- the layout is the one it was made with (``stamp``);
- the live records of its span have the same ids and versions (``live_check``: their
  number and sums of ids, versions and the square of a mix of both modulo a prime,
  summed over the index of live records, ``reports_live_version``): a save, a restore, a
  merge, a delete or undelete, a write past the hooks that bumped a version all change
  it;
- the coded rows of its span are the same (``coded_check``: their number and the sums of
  their digests, a crc32 of each row, and versions, over the index
  ``reports_coded_digest``): any coded row written or removed changes it (a form upgrade's
  ``--rebuild-index`` too).

Both checks are worked out in the statement that reads the block, and the block is made
from the statement that reads the span's coded rows together with its checks: one
snapshot each, so a block made while a writer commits carries the checks of what it
holds, and is found stale at the next read. A stale or missing block is read from the
coded rows as before and written again (a short wait for the database's write lock at
most: a report never fails or waits long for a block). The checks are sums, not a
comparison of every record: changes in one span could in principle cancel in all four
sums at once. A save, a restore or a delete alone cannot; deletes and undeletes together
would need the sums of their squared mixes, numbers of up to 31 bits scattered by the
modulo, to meet by chance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np
from django.db import DatabaseError, connections, transaction
from django.db.models import QuerySet

from aigak.reports.coded import Layout
from aigak.reports.coded_read import (
    LIVE_INDEX,
    _end,
    _grouped,
    _Stored,
    fetch_one,
    flags_of,
    has_index,
    packed_span,
)

try:
    from orjson import dumps as _dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    import json

    def _dumps(value: Any) -> bytes:  # type: ignore[misc]
        return json.dumps(value, ensure_ascii=False).encode()

    _loads = json.loads  # type: ignore[assignment]

BLOCK = 100_000  # record ids per block: about 10 MB of packed rows
MAGIC = b"AGB1"
DIGEST_INDEX = "reports_coded_digest"  # migration 0003: (record, version, digest)
WRITE_WAIT_MS = 2000  # at most this long for the write lock, then the block is not kept
QUIET_S = 60.0  # after a write that failed (the database busy), no block written for this long
_quiet_until = 0.0


# A record's mix of id and version, and its square taken modulo a prime: the sum of the
# squares is not linear in the ids (a sum of the mix itself was, for every id below about
# 53,000: two records deleted and two undeleted, ids a and a+3 for a+1 and a+2, left all
# four sums as they were). Below 2**62 at every step, for PostgreSQL's bigint.
_MIX = "((id * 40503 + version * 9973) %% 2147483647)"
_SCRAMBLED = f"({_MIX} * {_MIX} %% 2147483647)"


def _live_check(connection: Any) -> str:
    """SQL for the live records' check of a span (questionnaire id, low, high)."""
    indexed = f" INDEXED BY {LIVE_INDEX}" if has_index(connection, LIVE_INDEX) else ""
    return (
        "SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(SUM(id), 0) AS TEXT) || ':' "
        "|| CAST(COALESCE(SUM(version), 0) AS TEXT) || ':' "
        f"|| CAST(COALESCE(SUM({_SCRAMBLED}), 0) AS TEXT) "
        f"FROM records_record{indexed} WHERE questionnaire_id = %s AND deleted_at IS NULL "
        "AND id >= %s AND id < %s"
    )


def _coded_check(connection: Any) -> str:
    """SQL for the coded rows' check of a span (low, high)."""
    indexed = f" INDEXED BY {DIGEST_INDEX}" if has_index(connection, DIGEST_INDEX) else ""
    return (
        "SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(SUM(digest), 0) AS TEXT) "
        "|| ':' || CAST(COALESCE(SUM(version), 0) AS TEXT) "
        f"FROM reports_coded{indexed} WHERE record_id >= %s AND record_id < %s"
    )


def read(
    records: QuerySet,
    layout: Layout,
    questionnaire: int,
    id_range: tuple[int, int] | None,
    live: list[int | None] | None = None,
) -> Iterator[tuple[np.ndarray, _Stored]]:
    """The valid coded rows of the records (all the live records of the questionnaire,
    in id_range), a block at a time: (packed rows, their texts). Where id_range cuts a
    block, its part is read from the coded rows and no block is kept. With ``live``,
    the number of live records of each span is appended to it, as its check counted
    them in the statement that read it (None for a span cut by id_range): the caller
    learns whether every live record had a valid coded row without counting them again."""
    connection = connections[records.db]
    low, high = _end(records, "pk", connection), _end(records, "-pk", connection)
    if low is None or high is None:
        return
    k: int | None = low // BLOCK
    while k is not None and k * BLOCK <= high:
        start, end = k * BLOCK, (k + 1) * BLOCK
        counted: int | None = None
        found: tuple[np.ndarray, _Stored] | None
        if id_range is None or (id_range[0] <= start and end <= id_range[1]):
            found, counted = _block(connection, layout, questionnaire, k) or _made(
                records, layout, questionnaire, k
            )
        else:
            part = fetch_one(connection, *packed_span(records, layout, start, end))
            found = None if part[0] is None else _grouped(layout, bytes(part[0]),
                                                          flags_of(part[1]), part[2])  # fmt: skip
        if live is not None:
            live.append(counted)
        if found is not None and len(found[0]):
            yield found
        following = _end(records.filter(pk__gte=end), "pk", connection)
        k = None if following is None else following // BLOCK


def _counted(check: str) -> int:
    """The number of live records in a live check (its first part)."""
    return int(check.split(":", 1)[0])


def _block(
    connection: Any, layout: Layout, questionnaire: int, k: int
) -> tuple[tuple[np.ndarray, _Stored], int] | None:
    """The block, if it is there and still valid, and its live records' number."""
    start, end = k * BLOCK, (k + 1) * BLOCK
    sql = (
        f"SELECT CASE WHEN live_check = ({_live_check(connection)}) "
        f"AND coded_check = ({_coded_check(connection)}) THEN blob END, live_check "
        "FROM reports_coded_block WHERE questionnaire_id = %s AND block = %s AND stamp = %s"
    )
    params = [questionnaire, start, end, start, end, questionnaire, k, layout.stamp]
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            row = cursor.execute(sql, params, binary=True).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    return unpack(layout, bytes(row[0])), _counted(row[1])


def _made(
    records: QuerySet, layout: Layout, questionnaire: int, k: int
) -> tuple[tuple[np.ndarray, _Stored], int]:
    """The block read from the span's coded rows, with its checks in the same
    statement, and kept (when the database lets it be written at once); and the
    number of live records of its span."""
    connection = connections[records.db]
    start, end = k * BLOCK, (k + 1) * BLOCK
    more = f", ({_live_check(connection)}), ({_coded_check(connection)})"
    sql, params = packed_span(records, layout, start, end, more)
    # the checks' parameters come before the span's (they are selected before its FROM)
    data, flags, texts, live, coded = fetch_one(
        connection, sql, [questionnaire, start, end, start, end, *params]
    )
    if data is None:
        packed, stored = np.zeros(0, dtype=layout.dtype), _Stored.of_fields({}, 0)
    else:
        packed, stored = _grouped(layout, bytes(data), flags_of(flags), texts)
    _keep(connection, questionnaire, k, layout.stamp, live, coded, pack(packed, stored))
    return (packed, stored), _counted(live)


def pack(packed: np.ndarray, stored: _Stored) -> bytes:
    """A block's blob: a header (JSON: sizes), the packed rows, then per field the
    positions (int32) and the answers (one JSON list), each part 8-byte aligned."""
    parts: list[bytes] = [packed.tobytes()]
    fields = []
    for name, (positions, values) in stored.fields.items():
        answers = _dumps(values.tolist())
        parts += [positions.astype("<i4").tobytes(), answers]
        fields.append([name, len(positions), len(answers)])
    header = _dumps({"n": len(packed), "data": len(parts[0]), "fields": fields})
    out = [MAGIC, len(header).to_bytes(4, "little"), header]
    for part in [b"", *parts]:  # b"": align the header's end
        out.append(b"\0" * (-sum(map(len, out)) % 8))
        out.append(part)
    return b"".join(out)


def unpack(layout: Layout, blob: bytes) -> tuple[np.ndarray, _Stored]:
    """The packed rows and the texts of a block's blob (see ``pack``); each field's
    texts decoded when first asked for."""
    view = memoryview(blob)
    size = int.from_bytes(view[4:8], "little")
    header = _loads(view[8 : 8 + size])
    at = _aligned(8 + size)
    packed = np.frombuffer(blob, dtype=layout.dtype, count=header["n"], offset=at)
    at = _aligned(at + header["data"])
    encoded: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {}
    for name, count, length in header["fields"]:
        answers = _aligned(at + 4 * count)
        encoded[name] = partial(_field, blob, at, count, view[answers : answers + length])
        at = _aligned(answers + length)
    return packed, _Stored.of_fields({}, header["n"], encoded)


def _field(blob: bytes, at: int, count: int, answers: memoryview) -> tuple[np.ndarray, np.ndarray]:
    """One field's positions and answers in a blob."""
    positions = np.frombuffer(blob, dtype="<i4", count=count, offset=at).astype(np.int64)
    return positions, np.fromiter(_loads(answers), dtype=object, count=count)


def _aligned(at: int) -> int:
    return at + (-at % 8)


def _keep(
    connection: Any, questionnaire: int, k: int, stamp: str, live: str, coded: str, blob: bytes
) -> None:
    """Write the block, unless the database is busy (then the next report makes it).
    Inside a caller's transaction the block is written in it (a savepoint): a report
    built in a transaction that is rolled back leaves no block. After a write that
    failed, this process writes no block for QUIET_S seconds: during a long import every
    span would wait for the lock in vain (and its blocks would be stale at once)."""
    global _quiet_until
    if time.monotonic() < _quiet_until:
        return
    sql = (
        "INSERT INTO reports_coded_block (questionnaire_id, block, stamp, live_check, "
        "coded_check, blob) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (questionnaire_id, "
        "block) DO UPDATE SET stamp = excluded.stamp, live_check = excluded.live_check, "
        "coded_check = excluded.coded_check, blob = excluded.blob"
    )
    params = [questionnaire, k, stamp, live, coded, blob]
    try:
        if connection.vendor == "postgresql":
            outer = connection.in_atomic_block  # then a savepoint, and its lock timeout
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                if not outer:
                    cursor.execute(f"SET LOCAL lock_timeout = '{WRITE_WAIT_MS}ms'")
                cursor.execute(sql, params)
            return
        # SQLite: outside the writers' queue (an `atomic` block), one statement that
        # waits at most WRITE_WAIT_MS for the lock
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            wait = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(wait)}")
    except DatabaseError:
        _quiet_until = time.monotonic() + QUIET_S


def refresh(questionnaire: Any, layout: Layout | None) -> int:
    """Make every missing or stale block of the questionnaire's live records; how many
    blocks it has."""
    from aigak.records.models import Record

    if layout is None:
        return 0
    records = Record.live.filter(questionnaire=questionnaire)
    return sum(1 for _ in read(records, layout, questionnaire.pk, None))


def refresh_all() -> dict[str, int]:
    """``refresh`` for every questionnaire a shipped report reads; blocks per name."""
    from aigak.questionnaires.models import Questionnaire, without_heavy
    from aigak.reports import coded

    names = list(coded._specs_by_questionnaire())
    found = (
        Questionnaire.objects.filter(name__in=names)
        .select_related("current")
        .defer(*without_heavy("current"))
    )
    return {q.name: refresh(q, coded.layout_of(q)) for q in found}
