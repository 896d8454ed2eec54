"""Build a named report over the live records: spec + questionnaire + filters -> tables.

Reading streams ``Record.live`` answers of the spec's questionnaire with the filters
applied in SQL where they can be (record status, select_one, dates, numbers); what SQL
cannot say portably (a ticked select_multiple choice) is checked in Python. A report
reads only the fields its spec needs: the database takes them out of the answers JSON
(``jsonb_build_array(answers -> 'f', ...)`` on PostgreSQL, ``json_extract(answers,
'$.f', ...)`` on SQLite) and sends one JSON array per record, parsed with orjson; the
select_multiple answers come each as its JSON text (``answers -> 'f'``), which the
engine decodes once per distinct text. The records come in chunks of 20,000 (a
server-side cursor on PostgreSQL), so a million records never sit in memory at once.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import get_questionnaire
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.models import Record
from aigak.reports import blocks, coded, coded_read, engine
from aigak.reports.coded import Layout
from aigak.reports.filters import (
    Condition,
    apply_sql,
    as_json,
    describe,
    matches,
    parse_where,
    resolve,
)
from aigak.reports.spec import ReportSpec, check_against, load_spec

try:  # orjson parses the stored JSON three to four times faster than json
    from orjson import dumps as _dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    _loads = json.loads  # type: ignore[assignment]
    _dumps = json.dumps  # type: ignore[assignment]

READ_CHUNK = 20_000
CODED_CHUNK = 100_000  # a span of record ids (coded rows are about 100 bytes: larger chunks)
PARALLEL_FROM = 100_000


@dataclass
class BuiltReport:
    spec: ReportSpec
    definition: FormDefinition
    conditions: list[Condition]
    data: dict[str, Any]
    lang: str = "en"
    timings: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return describe(self.conditions, self.definition, self.lang)


def prepare(
    name: str, where: list[str] | tuple[str, ...] = ()
) -> tuple[ReportSpec, Questionnaire, FormDefinition, list[Condition]]:
    """Load and check the spec, its questionnaire and the filters (raises on bad input)."""
    spec = load_spec(name)
    questionnaire = get_questionnaire(spec.questionnaire)
    definition = questionnaire.definition
    check_against(spec, definition)
    conditions = resolve(parse_where(where), definition, spec.aliases)
    return spec, questionnaire, definition, conditions


def _records(
    questionnaire: Questionnaire,
    definition: FormDefinition,
    conditions: list[Condition],
    id_range: tuple[int, int] | None,
) -> tuple[Any, list[Condition]]:
    """The live records in the report (a queryset, in id_range) and the conditions SQL
    cannot check."""
    records = Record.live.filter(questionnaire=questionnaire)
    if id_range is not None:
        records = records.filter(pk__gte=id_range[0], pk__lt=id_range[1])
    return apply_sql(records, conditions, definition)


# A field name that can go into the SQL text as it is (XLSForm names are identifiers).
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _json_text(vendor: str, column: str, name: str) -> str:
    """SQL for the JSON text of one answer (NULL when the record has no such key)."""
    if vendor == "postgresql":
        return f"({column} -> '{_plain(name)}')::text"
    return f"{column} -> '$.\"{_plain(name)}\"'"


def _json_array(vendor: str, column: str, names: list[str]) -> str:
    """SQL for a JSON array of several answers (null where a record has no such key):
    one text for the database to make and for orjson to parse, not one per field."""
    if vendor == "postgresql":
        inner = ", ".join(f"{column} -> '{_plain(n)}'" for n in names)
        return f"jsonb_build_array({inner})::text"
    if len(names) < 2:  # json_extract with one path gives the value, not an array
        return f"json_array({', '.join(_json_text(vendor, column, n) for n in names)})"
    paths = ", ".join(f"'$.\"{_plain(n)}\"'" for n in names)
    return f"json_extract({column}, {paths})"


def _plain(name: str) -> str:
    if not _PLAIN_NAME.fullmatch(name):
        raise ValueError(f"field name {name!r} cannot be read in SQL")
    return name


def read_columns(
    questionnaire: Questionnaire,
    definition: FormDefinition,
    conditions: list[Condition],
    fields: tuple[str, ...],
    chunk_size: int = READ_CHUNK,
    id_range: tuple[int, int] | None = None,
    uncoded: Layout | None = None,
) -> Iterator[tuple[engine.Texts, dict[str, Sequence[Any]], int]]:
    """The given answer fields of the live records that satisfy the conditions, in
    chunks of columns: (texts, values, number of records), as ``Plan.add_columns``
    takes them. The database takes the fields out of the answers JSON: the
    select_multiple answers (and ``record_id``) each as its JSON text, which the engine
    decodes once per distinct text; all other answers in one JSON array per record,
    parsed here. A record without a ``record_id`` answer gets its record's id. With
    ``uncoded``, only the records without a valid coded row of that layout."""
    records, in_python = _records(questionnaire, definition, conditions, id_range)
    if uncoded is not None:
        records = coded_read.uncoded(records, uncoded)
    query = records.values_list("record_id", "answers").order_by()
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    connection = connections[query.db]
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):  # pragma: no cover
        raise NotImplementedError(f"reports read from {vendor}")
    names = list(dict.fromkeys([*fields, *(c.field for c in in_python)]))
    filtered = {c.field for c in in_python}
    # One array per record for most fields: one value for the database to send (on SQLite
    # one search of the JSON text, not one per field) and one orjson call per record.
    as_text = [n for n in names if n == "record_id" or n in filtered or _multiple(definition, n)]
    in_array = [n for n in names if n not in as_text]
    column = f'"{Record._meta.db_table}"."answers"'
    select = [_json_text(vendor, column, n) for n in as_text]
    if in_array:
        select.append(_json_array(vendor, column, in_array))
    sql = sql.replace(column, ", ".join(select) or "NULL", 1)
    if uncoded is not None:
        sql = coded_read.through_live_index(sql, connection)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            if in_python:
                rows = [row for row in rows if matches(_decoded(as_text, row), in_python)]
                if not rows:
                    continue
            ids, *columns = zip(*rows, strict=True)
            texts: engine.Texts = dict(zip(as_text, columns, strict=False))
            if "record_id" in texts:
                texts["record_id"] = [
                    _dumps(i) if t is None else t
                    for t, i in zip(texts["record_id"], ids, strict=True)
                ]
            values: dict[str, Sequence[Any]] = {}
            if in_array:
                arrays = map(_loads, columns[-1])
                values = dict(zip(in_array, zip(*arrays, strict=True), strict=True))
            yield texts, values, len(rows)


def _multiple(definition: FormDefinition, name: str) -> bool:
    f = definition.fields.get(name)
    return f is not None and f.type == "select_multiple"


def _decoded(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    return {n: _loads(t) for n, t in zip(names, row[1:], strict=False) if t is not None}


def _count(
    spec: ReportSpec,
    questionnaire: Questionnaire,
    definition: FormDefinition,
    conditions: list[Condition],
    id_range: tuple[int, int] | None = None,
    use_coded: bool = True,
    comments: bool = True,
) -> tuple[engine.Plan, float, float]:
    """The counts over the records (in id_range): (plan, seconds reading, computing).
    The records with a valid coded row are read from it, the others from their answers."""
    plan = engine.Plan(spec, definition, comments)
    started, used = time.perf_counter(), time.process_time()
    computing = 0.0
    layout = coded.layout_of(questionnaire) if use_coded else None
    records, in_python = _records(questionnaire, definition, conditions, id_range)
    if not coded_read.usable(layout, plan, in_python):
        layout = None
    if layout is not None:
        # all the live records (no filter in SQL): read through the coded form's blocks
        whole = (questionnaire.pk, id_range) if len(in_python) == len(conditions) else None
        live: list[int | None] = []
        chunks = coded_read.read_coded(plan, layout, records, in_python, CODED_CHUNK, whole, live)
        for chunk in chunks:
            t0 = time.perf_counter()
            plan.add_chunk(chunk)
            computing += time.perf_counter() - t0
        # Without filters, counting the live records is cheaper than asking for the
        # records without a valid coded row, which probes the coded form per record; the
        # blocks' checks counted them already, span by span, as each span was read.
        if not conditions and _live_count(records, live) == plan.n_records:
            plan.read_cpu = time.process_time() - used - sum(plan.cpu.values())
            return plan, time.perf_counter() - started - computing, computing
    fields = plan.raw_fields
    parts = read_columns(
        questionnaire, definition, conditions, fields, id_range=id_range, uncoded=layout
    )
    for texts, values, n in parts:
        t0 = time.perf_counter()
        plan.add_columns(texts, n, values)
        computing += time.perf_counter() - t0
    reading = time.perf_counter() - started - computing
    plan.read_cpu = time.process_time() - used - sum(plan.cpu.values())
    return plan, reading, computing


def _live_count(records: QuerySet, live: list[int | None]) -> int:
    """The number of live records read: the sum of the blocks' counts when every span
    was read through a block (counted in the statement that read it), else counted."""
    if live and None not in live:
        return sum(n for n in live if n is not None)
    return coded_read.count_live(records)


def _compute_part(
    name: str,
    where: tuple[str, ...],
    id_range: tuple[int, int],
    use_coded: bool,
    comments: bool,
) -> tuple[engine.Plan, float, float]:
    """One worker process's share of the records, as _count gives it."""
    counted = _count(*prepare(name, where), id_range, use_coded, comments)
    connections.close_all()  # the connection this process opened
    return counted


def _ranges(workers: int) -> list[tuple[int, int]] | None:
    """Primary-key ranges of about equal span, or None when one process is enough.

    Decided on the span of ids of the whole table (both ends of the primary key index,
    read at once): counting the records that match would read the whole table first."""
    if workers < 2:
        return None
    ids = Record.objects.values_list("pk", flat=True)
    low, last = ids.order_by("pk").first(), ids.order_by("-pk").first()
    if low is None or last is None or last - low + 1 < PARALLEL_FROM:
        return None
    # on the bounds of the coded form's blocks, so that each is read whole by one process
    block = blocks.BLOCK
    low, high = low // block * block, -(-(last + 1) // block) * block
    step = -(-(high - low) // workers // block) * block
    return [(start, min(start + step, high)) for start in range(low, high, step)]


def build_report(
    name: str,
    where: list[str] | tuple[str, ...] = (),
    *,
    lang: str = "en",
    diagrams: bool = False,
    workers: int | None = None,
    use_coded: bool = True,
) -> BuiltReport:
    """The report over the live records; from PARALLEL_FROM records on, several processes
    (one per CPU, at most four) each read and count a range of records. Without
    ``use_coded`` every record is read from its answers (the coded form is ignored)."""
    built = build_reports(
        name, (lang,), where, diagrams=diagrams, workers=workers, use_coded=use_coded
    )
    return built[lang]


def build_reports(
    name: str,
    langs: Sequence[str],
    where: list[str] | tuple[str, ...] = (),
    *,
    diagrams: bool = False,
    workers: int | None = None,
    use_coded: bool = True,
    comments: bool = True,
) -> dict[str, BuiltReport]:
    """The report in each of ``langs``, from one reading and counting of the records (the
    languages differ only in their labels, so they count the same moment). Without
    ``comments`` the tables' free-text comments are neither read nor kept (their lists
    stay empty): the public statistics never show them."""
    where = tuple(where)
    spec, questionnaire, definition, conditions = prepare(name, where)
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    started = time.perf_counter()
    # Millions of short-lived dicts and a growing list of comments would make the cyclic
    # garbage collector rescan everything again and again; nothing here makes cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        ranges = _ranges(workers)
        if ranges is None:
            plan, reading, computing = _count(
                spec, questionnaire, definition, conditions, use_coded=use_coded,
                comments=comments,
            )  # fmt: skip
        else:
            connections.close_all()  # each process opens its own connection
            context = multiprocessing.get_context("fork")
            k = len(ranges)
            with ProcessPoolExecutor(k, mp_context=context) as pool:
                parts = list(pool.map(_compute_part, [name] * k, [where] * k, ranges,
                                      [use_coded] * k, [comments] * k))  # fmt: skip
            plan = parts[0][0]
            for other, _, _ in parts[1:]:
                plan.merge(other)
            reading = sum(p[1] for p in parts)
            computing = sum(p[2] for p in parts)
        t0 = time.perf_counter()
        data = {
            lang: engine.result(plan, lang=lang, filters=as_json(conditions), diagrams=diagrams)
            for lang in langs
        }
        computing += time.perf_counter() - t0
    finally:
        if collecting:
            gc.enable()
    timings = {
        "read": reading,
        "compute": computing,
        "total": time.perf_counter() - started,
        "processes": len(ranges) if ranges else 1,
        "tables": plan.seconds,  # computing, per table (summed over processes)
        "tables_cpu": plan.cpu,  # the same in CPU time
        "read_cpu": plan.read_cpu,  # CPU time reading (summed over processes)
        "results_cpu": plan.result_cpu,  # CPU time making each table's part of the report
    }
    return {
        lang: BuiltReport(spec, definition, conditions, data[lang], lang, timings) for lang in langs
    }
