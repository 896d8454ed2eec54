"""Reading the coded form (``aigak.reports.coded``) into the engine's chunks.

The live records of a report whose coded row is valid (the layout's stamp, the record's
version) come a span of record ids at a time, the database joining the span's packed
rows into one value (``read_packed``: no Python tuple per record), viewed as one numpy
record array per chunk; the records with free text bring a small JSON object, joined by
the database into one JSON array per chunk, decoded in one call and grouped by field
into arrays (``_Stored``), so that a table's comments are found without a step per
record in Python.
``CodedChunk`` answers the tables from these arrays: the codes of a choice field are the
column itself, ticked sets are the distinct bitmasks, dates are day numbers, ages are
worked out once per distinct birth day (distinct values by counting where their span is
small, ``columns.distinct``). The other records are read from their answers
(``build.read_columns`` with ``uncoded``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from itertools import chain, compress
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connections
from django.db.models import Exists, F, OuterRef, QuerySet

from aigak.reports.coded import EMPTY_DATE, NO_NUMBER, Layout, decode_array, decode_many
from aigak.reports.columns import Chunk, Codes, Ticks, Where, distinct
from aigak.reports.filters import Condition, _groups
from aigak.reports.spec import AGE_BRACKET

if TYPE_CHECKING:
    from aigak.reports.engine import Plan


LIVE_INDEX = "reports_live_version"  # migration 0002: (questionnaire, id, version) of live records


def through_live_index(sql: str, connection: Any) -> str:
    """On SQLite, have the query find the live records through LIVE_INDEX: its planner
    would otherwise read each record's row (the whole answers) to learn its version.
    Only when the index is there: SQLite drops it when a migration remakes the table."""
    if not has_index(connection, LIVE_INDEX):
        return sql
    table = '"records_record"'
    return sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {LIVE_INDEX}", 1)


def has_index(connection: Any, name: str) -> bool:
    """Whether SQLite has this index (False on other databases)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
        return cursor.fetchone() is not None


def valid(records: QuerySet, layout: Layout) -> QuerySet:
    """The records (a Record queryset) whose coded row is valid."""
    return records.filter(coded__stamp=layout.stamp, coded__version=F("version"))


def uncoded(records: QuerySet, layout: Layout) -> QuerySet:
    """The records (a Record queryset) without a valid coded row."""
    from aigak.reports.models import CodedRecord

    rows = CodedRecord.objects.filter(
        record=OuterRef("pk"), stamp=layout.stamp, version=OuterRef("version")
    )
    return records.filter(~Exists(rows))


def count_live(records: QuerySet) -> int:
    """How many records the queryset holds, counted on LIVE_INDEX where SQLite has it."""
    query = records.values_list("pk").order_by()
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    connection = connections[query.db]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM ({through_live_index(sql, connection)}) AS live", params
        )
        return int(cursor.fetchone()[0])


def usable(layout: Layout | None, plan: Plan, in_python: list[Condition]) -> bool:
    """Whether the layout codes every field the plan reads, and as masks the
    select_multiple fields of the filters that SQL leaves to Python."""
    if layout is None or any(n not in layout.slots for n in plan.raw_fields):
        return False
    return all(c.field in layout.slots and layout.slots[c.field].kind == "many" for c in in_python)


def read_coded(
    plan: Plan,
    layout: Layout,
    records: QuerySet,
    in_python: list[Condition],
    chunk_size: int,
    whole: tuple[int, tuple[int, int] | None] | None = None,
    live: list[int | None] | None = None,
) -> Iterator[CodedChunk]:
    """Chunks of the records whose coded row is valid, with the conditions SQL left.
    ``whole``: (questionnaire id, id range or None) when the records are all the live
    records of the questionnaire (in that range): read through the blocks of the coded
    form (``aigak.reports.blocks``), which append to ``live`` the number of live records
    of each span they read."""
    if whole is not None:
        from aigak.reports import blocks

        parts = blocks.read(records, layout, whole[0], whole[1], live)
    else:
        parts = (_grouped(layout, *found) for found in read_packed(records, layout, chunk_size))
    for packed, stored in parts:
        if in_python:
            keep = np.flatnonzero(_matching(layout, packed, in_python))
            if not len(keep):
                continue
            packed, stored = packed[keep], stored.kept(keep)
        yield CodedChunk(plan, layout, packed, stored)


def _grouped(
    layout: Layout, data: bytes, some: np.ndarray, texts: str | bytes | None
) -> tuple[np.ndarray, _Stored]:
    packed = np.frombuffer(data, dtype=layout.dtype)
    dicts = decode_array(texts) if texts is not None else []
    return packed, _Stored.grouped(some, dicts, len(packed))


def read_packed(
    records: QuerySet, layout: Layout, span: int
) -> Iterator[tuple[bytes, np.ndarray, str | bytes | None]]:
    """The valid coded rows of the records, a span of record ids at a time, each span
    as the database packs it in one row (not a Python tuple per record): the packed rows
    joined (``group_concat`` on SQLite, ``string_agg`` on PostgreSQL), whether each
    record has texts, and those texts as one JSON array (None when none has). A span
    starts at the first record's id at or after the end of the last."""
    connection = connections[records.db]
    low, high = _end(records, "pk", connection), _end(records, "-pk", connection)
    if low is None or high is None:
        return
    start: int | None = low
    while start is not None and start <= high:
        end = start + span
        data, flags, texts = fetch_one(connection, *packed_span(records, layout, start, end))[:3]
        if data is not None:
            yield _bytes(data), flags_of(flags), texts
        # the next span from the next record's id: ids of other questionnaires (or
        # of deleted records) between two of these cost one seek, not a query per span
        start = _end(records.filter(pk__gte=end), "pk", connection)


def packed_span(
    records: QuerySet, layout: Layout, start: int, end: int, more: str = ""
) -> tuple[str, list[Any]]:
    """SQL and parameters of one span's packed rows (see ``read_packed``); ``more``:
    further values to select in the same statement (the same snapshot)."""
    connection = connections[records.db]
    if connection.vendor == "postgresql":
        select = (
            "string_agg(\"coded__data\", ''::bytea), "
            "string_agg(CASE WHEN \"coded__texts\" <> '' THEN '1' ELSE '0' END, ''), "
            "'[' || string_agg(\"coded__texts\", ',') FILTER (WHERE \"coded__texts\" <> '') || ']'"
        )
    else:  # group_concat gives text: the blobs' bytes as they are, cast back
        select = (
            "CAST(group_concat(\"coded__data\", '') AS BLOB), "
            "CAST(group_concat(\"coded__texts\" <> '', '') AS BLOB), "
            "CAST('[' || group_concat(NULLIF(\"coded__texts\", ''), ',') || ']' AS BLOB)"
        )
    # the range on both sides of the join: each table read over its range only
    rows = valid(records.filter(pk__gte=start, pk__lt=end), layout).filter(
        coded__record_id__gte=start, coded__record_id__lt=end
    )
    query = rows.values_list("coded__data", "coded__texts").order_by()
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    sql = through_live_index(sql, connection)
    return f"SELECT {select}{more} FROM ({sql}) AS coded_rows", list(params)


def fetch_one(connection: Any, sql: str, params: list[Any]) -> tuple[Any, ...]:
    """One row of one statement; on PostgreSQL with its results in binary (bytea as
    bytes, not as hex text to decode), through a cursor that binds on the server
    (Django's bind on the client, which cannot ask for binary results)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return tuple(cursor.fetchone())
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def flags_of(flags: Any) -> np.ndarray:
    """Which records of a span have texts, from the database's string of 0 and 1."""
    return np.frombuffer(_bytes(flags), dtype=np.uint8) == ord("1")


def _end(records: QuerySet, order: str, connection: Any) -> int | None:
    """The first or last id of the records (one seek of an index: MIN and MAX asked
    together make SQLite read them all)."""
    query = records.values_list("pk").order_by(order)[:1]
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(through_live_index(sql, connection), params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def _matching(layout: Layout, packed: np.ndarray, conditions: list[Condition]) -> np.ndarray:
    """Records that ticked any of the values of each select_multiple condition."""
    keep = np.ones(len(packed), dtype=bool)
    for (name, _), values in _groups(conditions).items():
        column, index = packed[name], layout.index[name]
        ticked = np.zeros(len(packed), dtype=bool)
        for v in values:
            ticked |= _has_bit(column, index[v])
        keep &= ticked
    return keep


def _has_bit(column: np.ndarray, bit: int) -> np.ndarray:
    """Whether each record's mask (u8, or a row of bytes) has that bit."""
    if column.ndim == 1:
        return (column >> np.uint64(bit)) & np.uint64(1) != 0
    return (column[:, bit >> 3] & (1 << (bit & 7))) != 0


def _masks(column: np.ndarray, m: int, present: bool) -> tuple[np.ndarray, Codes]:
    """The distinct masks of a select_multiple column, as rows of bytes (little-endian),
    and each record's index among them; without ``present`` the list bit is cleared."""
    if column.ndim == 1:
        if not present:
            column = column & ~np.uint64(1 << m)
        found, which = distinct(column)
        rows = np.ascontiguousarray(found.astype("<u8")).view(np.uint8).reshape(-1, 8)
        return rows, which.ravel().astype(np.int64)
    bits = column.copy()
    if not present:
        bits[:, m >> 3] &= ~np.uint8(1 << (m & 7))
    found, which = np.unique(bits, axis=0, return_inverse=True)
    return found, which.ravel().astype(np.int64)


class CodedChunk(Chunk):
    """A chunk of coded records: the same questions as Chunk, answered from arrays."""

    def __init__(self, plan: Plan, layout: Layout, packed: np.ndarray, stored: _Stored):
        self.plan = plan
        self.layout = layout
        self.packed = packed
        self.texts = None
        self.n = len(packed)
        self.stored = stored
        self.raw = _Raw(self)
        self._views: dict[Where, Any] = {}
        self._codes: dict[str, Codes] = {}
        self._ticks: dict[str, Ticks] = {}
        self._ages: Codes | None = None
        name, none = plan.spec.breakdown_field, len(plan.split)
        if self._kind(name) == "one":
            of = plan.column_of
            choices = layout.slots[name].choices
            lookup = np.array([of.get(c, none) for c in choices] + [none], dtype=np.int64)
            self.column = lookup[packed[name]]
        else:
            self.column = self.mapped(name, lambda v: plan.column_of.get(str(v), none), np.int64)

    def close(self) -> None:
        """Also break the cycle through the raw answers (``_Raw`` points back at the
        chunk): with the cyclic garbage collector off, every chunk of a report would
        otherwise stay in memory to its end."""
        super().close()
        self.raw = {}

    def _kind(self, name: str) -> str:
        slot = self.layout.slots.get(name)
        return slot.kind if slot is not None else ""

    def view(self, where: Where) -> Any:
        if where in self._views or any(self._kind(name) != "one" for name, _ in where):
            return super().view(where)
        mask = np.ones(self.n, dtype=bool)
        for name, wanted in where:
            code = self.layout.index[name].get(wanted)
            mask &= False if code is None else self.packed[name] == code
        return self._view_of(where, np.flatnonzero(mask))

    def _view_of(self, where: Where, index: np.ndarray | None) -> Any:
        from aigak.reports.columns import View

        view = self._views[where] = View(self, index)
        return view

    def present(self, name: str) -> tuple[np.ndarray, list[Any]]:
        if self._kind(name) not in ("", "text"):
            return super().present(name)
        positions, values = self.stored.of(name)
        truthy = np.fromiter(map(bool, values), dtype=bool, count=len(values))
        return positions[truthy], values[truthy].tolist()

    def pick(self, name: str, positions: list[int]) -> list[Any]:
        """The answers to name at these positions, without a list over the whole chunk."""
        if name in self.raw:
            return super().pick(name, positions)
        if self._kind(name) in ("", "text"):
            return self.stored.column(name)[positions].tolist()  # type: ignore[no-any-return]
        return _answers(self, name, positions)

    def codes(self, name: str) -> Codes:
        if self._kind(name) != "one" or name == AGE_BRACKET:
            return super().codes(name)
        codes = self._codes.get(name)
        if codes is None:
            codes = self._codes[name] = self.packed[name].astype(np.int64)
        return codes

    def ticks(self, name: str) -> Ticks:
        if self._kind(name) != "many":
            return super().ticks(name)
        ticks = self._ticks.get(name)
        if ticks is None:
            m = len(self.layout.slots[name].choices)
            found, sets = _masks(self.packed[name], m, present=False)
            ticks = Ticks.__new__(Ticks)
            ticks.sets = sets
            choices = np.unpackbits(found, axis=1, bitorder="little")[:, :m].astype(np.int64)
            ticks.choices = np.hstack([choices, np.zeros((len(found), 1), dtype=np.int64)])
            ticks.ticked = ticks.knows = choices.sum(axis=1) > 0
            self._ticks[name] = ticks
        return ticks

    def days(self, name: str) -> Codes | None:
        return self.packed[name] if self._kind(name) == "date" else None

    def ages(self) -> Codes:
        plan = self.plan
        if self._ages is not None:
            return self._ages
        if self._kind(plan.birth_field) != "date" or self._kind(plan.stated_field) != "int":
            return super().ages()
        births, where = distinct(self.packed[plan.birth_field])
        at = [_age(plan, int(day)) for day in births.tolist()]
        ages = np.array(at, dtype=np.int64)[where.ravel()]
        stated = self.packed[plan.stated_field].astype(np.int64)
        stated = np.where(stated >= 0, stated, -1)  # no answer (-2**31) and negatives
        self._ages = np.where(ages >= 0, ages, stated)
        return self._ages


def _age(plan: Plan, day: int) -> int:
    if day <= 0:
        return -1
    age = plan._age_at_reference(dt.date.fromordinal(day).isoformat())
    return -1 if age is None else age


class _Raw(dict):
    """The answers of a coded field per record, as stored, decoded on first use."""

    def __init__(self, chunk: CodedChunk):
        super().__init__()
        self.chunk = chunk

    def __missing__(self, name: str) -> list[Any]:
        chunk = self.chunk
        if chunk._kind(name) in ("", "text"):
            values: list[Any] = chunk.stored.column(name).tolist()
        else:
            values = _answers(chunk, name, None)
        self[name] = values
        return values


def _answers(chunk: CodedChunk, name: str, positions: list[int] | None) -> list[Any]:
    """The answers of a coded field as stored, of the records at these positions (None:
    all), worked out once per distinct code."""
    kind = chunk._kind(name)
    column = chunk.packed[name]
    if positions is not None:
        column = column[positions]
    if kind == "many":
        choices = chunk.layout.slots[name].choices
        found, which = _masks(column, len(choices), present=True)
        answers = [_ticked(choices, row) for row in found]
    else:
        found, which = distinct(column)
        answers = [_answer(chunk.layout, name, kind, int(v)) for v in found.tolist()]
    values = [answers[i] for i in which.ravel().tolist()]
    if kind == "many":  # lists out of the form's order, as stored
        at, stored = chunk.stored.of(name)
        if len(at):
            where = None if positions is None else {p: j for j, p in enumerate(positions)}
            for i, value in zip(at.tolist(), stored.tolist(), strict=True):
                j = i if where is None else where.get(i)
                if j is not None:
                    values[j] = value
    return values


class _Numbering(dict):
    """Name -> 0, 1, 2... in order of first use."""

    def __missing__(self, name: str) -> int:
        number = self[name] = len(self)
        return number


class _Stored:
    """The texts of a chunk's coded rows (free text, the record id beside a comment,
    lists out of order), by field: decoded in one call, then grouped without a step per
    record in Python."""

    def __init__(self, texts: list[Any], n: int):
        some = np.fromiter(map(bool, texts), dtype=bool, count=len(texts))
        dicts = decode_many(list(compress(texts, some))) if some.any() else []
        self._group(some, dicts, n)

    @classmethod
    def grouped(cls, some: np.ndarray, dicts: list[dict[str, Any]], n: int) -> _Stored:
        """From the decoded texts of the records that have some (``some``: which)."""
        stored = cls.__new__(cls)
        stored._group(some, dicts, n)
        return stored

    def _group(self, some: np.ndarray, dicts: list[dict[str, Any]], n: int) -> None:
        self.n = n
        sizes = np.fromiter(map(len, dicts), dtype=np.int64, count=len(dicts))
        positions = np.repeat(np.flatnonzero(some), sizes)
        numbering = _Numbering()
        names = np.fromiter(
            map(numbering.__getitem__, chain.from_iterable(dicts)),
            dtype=np.int64,
            count=len(positions),
        )
        values = np.fromiter(
            chain.from_iterable(map(dict.values, dicts)), dtype=object, count=len(positions)
        )
        order = np.argsort(names, kind="stable")  # by field, each in record order
        ends = np.cumsum(np.bincount(names, minlength=len(numbering))).tolist()
        self._fields: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._encoded: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {}
        for name, number in numbering.items():
            at = order[(ends[number - 1] if number else 0) : ends[number]]
            self._fields[name] = (positions[at], values[at])
        self._columns: dict[str, np.ndarray] = {}

    @classmethod
    def of_fields(
        cls,
        fields: dict[str, tuple[np.ndarray, np.ndarray]],
        n: int,
        encoded: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] | None = None,
    ) -> _Stored:
        """From the texts already grouped by field (positions and answers, as a block of
        the coded form keeps them); ``encoded``: fields not decoded yet, each decoded on
        first use (a report without comments reads no free text)."""
        stored = cls.__new__(cls)
        stored.n, stored._fields, stored._columns = n, fields, {}
        stored._encoded = encoded or {}
        return stored

    @property
    def fields(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every field's positions and answers (all decoded)."""
        for name in list(self._encoded):
            self._decode(name)
        return self._fields

    def _decode(self, name: str) -> None:
        self._fields[name] = self._encoded.pop(name)()

    def kept(self, keep: np.ndarray) -> _Stored:
        """The texts of the records at these positions (ascending), renumbered."""
        fields = {}
        for name, (positions, values) in self.fields.items():
            inside = np.isin(positions, keep)
            fields[name] = (np.searchsorted(keep, positions[inside]), values[inside])
        return _Stored.of_fields(fields, len(keep))

    def of(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The records that stored an answer to name: positions and answers (objects)."""
        if name in self._encoded:
            self._decode(name)
        found = self._fields.get(name)
        if found is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        return found

    def column(self, name: str) -> np.ndarray:
        """Every record's answer to name (None where it stored none), as objects."""
        column = self._columns.get(name)
        if column is None:
            positions, values = self.of(name)
            column = self._columns[name] = np.full(self.n, None, dtype=object)
            column[positions] = values
        return column


def _ticked(choices: tuple[str, ...], row: np.ndarray) -> list[str] | None:
    flags = np.unpackbits(row, bitorder="little")
    if not flags[len(choices)]:
        return None
    return [c for c, on in zip(choices, flags.tolist(), strict=False) if on]


def _answer(layout: Layout, name: str, kind: str, value: int) -> Any:
    if kind == "one":
        choices = layout.slots[name].choices
        return choices[value] if value < len(choices) else None
    if kind == "date":
        return (
            ""
            if value == EMPTY_DATE
            else (dt.date.fromordinal(value).isoformat() if value else None)
        )
    return None if value == NO_NUMBER else value
