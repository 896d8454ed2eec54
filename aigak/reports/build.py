"""Build a named report over the live records: spec + questionnaire + filters -> tables.

Reading streams ``Record.live`` answers of the spec's questionnaire with the filters
applied in SQL where they can be (record status, select_one, dates, numbers); what SQL
cannot say portably (a ticked select_multiple choice) is checked in Python. The
answers are read as JSON text through a server-side cursor on PostgreSQL and parsed
with orjson when it is installed, so a million records never sit in memory at once.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from aigak.questionnaires.models import Questionnaire
from aigak.questionnaires.registry import get_questionnaire
from aigak.questionnaires.xlsform import FormDefinition
from aigak.records.models import Record
from aigak.reports import engine
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
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    _loads = json.loads

READ_CHUNK = 5000


@dataclass
class BuiltReport:
    spec: ReportSpec
    definition: FormDefinition
    conditions: list[Condition]
    data: dict[str, Any]
    lang: str = "en"
    timings: dict[str, float] = field(default_factory=dict)

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


def read_answers(
    questionnaire: Questionnaire,
    definition: FormDefinition,
    conditions: list[Condition],
    chunk_size: int = READ_CHUNK,
) -> Iterator[dict[str, Any]]:
    """The answers of the live records that satisfy the conditions, streamed."""
    records = Record.live.filter(questionnaire=questionnaire)
    records, in_python = apply_sql(records, conditions, definition)
    query = records.values_list("record_id", "answers").order_by()
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    connection = connections[query.db]
    if connection.vendor == "sqlite":  # bytes: orjson parses them without a str copy
        column = f'"{Record._meta.db_table}"."answers"'
        sql = sql.replace(column, f"CAST({column} AS BLOB)", 1)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            for record_id, raw in rows:
                answers = _loads(raw) if isinstance(raw, str | bytes | memoryview) else dict(raw)
                if in_python and not matches(answers, in_python):
                    continue
                answers.setdefault("record_id", record_id)
                yield answers


def build_report(
    name: str,
    where: list[str] | tuple[str, ...] = (),
    *,
    lang: str = "en",
    diagrams: bool = False,
) -> BuiltReport:
    spec, questionnaire, definition, conditions = prepare(name, where)
    plan = engine.Plan(spec, definition)
    started = time.perf_counter()
    computing = 0.0
    # Millions of short-lived dicts and a growing list of comments would make the cyclic
    # garbage collector rescan everything again and again; nothing here makes cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        answers = read_answers(questionnaire, definition, conditions)
        for chunk in engine.chunked(answers, READ_CHUNK):
            t0 = time.perf_counter()
            plan.add(chunk)
            computing += time.perf_counter() - t0
        t0 = time.perf_counter()
        data = engine.result(plan, lang=lang, filters=as_json(conditions), diagrams=diagrams)
        computing += time.perf_counter() - t0
    finally:
        if collecting:
            gc.enable()
    total = time.perf_counter() - started
    return BuiltReport(
        spec=spec,
        definition=definition,
        conditions=conditions,
        data=data,
        lang=lang,
        timings={"read": total - computing, "compute": computing, "total": total},
    )
