"""The DuckDB contender of bench/report_bench.py: the same records, the same tables.

``load`` copies the fields the qantar2022 spec reads out of the benchmark database (read
as the report reads them, ``build.read_columns``) into a DuckDB table with one typed
column per field (choices and texts VARCHAR, ticked choices VARCHAR[], dates DATE,
numbers INTEGER): DuckDB's own columnar form, as the coded form is Aigak's. ``tables``
gives, per table of the spec, the SQL a DuckDB user would write for the same counts
(GROUP BY with the breakdown column; unnest for ticked choices; the denominators; ages
from the birth date or the stated age; mean and sample sd; the comments with their record
ids). ``run`` times each table's queries, results fetched into Python.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

KINDS = {"one": "VARCHAR", "text": "VARCHAR", "many": "VARCHAR[]", "date": "DATE", "int": "INTEGER"}


def load(path: Path) -> tuple[int, float]:
    """Write the DuckDB file from the Django database (configured); (rows, seconds)."""
    import duckdb
    import pyarrow as pa

    from aigak.reports import build, coded

    started = time.perf_counter()
    spec, questionnaire, definition, conditions = build.prepare("qantar2022")
    layout = coded.layout_of(questionnaire)
    assert layout is not None
    slots = list(layout.slots.values())
    kinds = {s.name: s.kind for s in slots}
    kinds[spec.record_id_field] = "text"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    columns = ", ".join(f'"{s.name}" {KINDS[kinds[s.name]]}' for s in slots)
    con.execute(f"CREATE TABLE t ({columns})")
    rows = 0
    fields = tuple(kinds)
    for texts, values, n in build.read_columns(questionnaire, definition, conditions, fields):
        arrays = {}
        for name in fields:
            column = texts.get(name)
            answers = (
                [None if t is None else orjson.loads(t) for t in column]
                if column is not None
                else list(values[name])
            )
            arrays[name] = _arrow(pa, kinds[name], answers)
        chunk = pa.table(arrays)  # noqa: F841 - read by name in the SQL below
        select = ", ".join(
            f'TRY_CAST("{s.name}" AS DATE)' if s.kind == "date" else f'"{s.name}"' for s in slots
        )
        con.execute(f"INSERT INTO t SELECT {select} FROM chunk")
        rows += n
    con.execute("CHECKPOINT")
    con.close()
    return rows, time.perf_counter() - started


def _arrow(pa: Any, kind: str, answers: list[Any]) -> Any:
    if kind == "int":
        return pa.array([a if type(a) is int else None for a in answers], pa.int32())
    if kind == "many":
        lists = [[str(x) for x in a] if isinstance(a, list) else None for a in answers]
        return pa.array(lists, pa.list_(pa.string()))
    return pa.array([None if a is None else str(a) for a in answers], pa.string())


def tables(spec: Any, layout: Any) -> dict[str, list[str]]:
    """Per table id, the SQL queries that give its counts, denominators and comments."""
    bd = f'"{spec.breakdown_field}"'
    out = {}
    for t in (*spec.tables, *spec.diagrams):
        where = " AND ".join(f"\"{name}\" = '{value}'" for name, value in t.where) or "TRUE"
        source = f"(SELECT *, {_age(spec)} AS age FROM t WHERE {where})"
        field = _expr(spec, t.field)
        many = t.field in layout.slots and layout.slots[t.field].kind == "many"
        queries = []
        if t.kind in ("single", "age_bracket"):
            queries.append(f"SELECT {field}, {bd}, count(*) FROM {source} GROUP BY ALL")
        elif t.kind == "multiple":
            queries.append(
                f"SELECT c, {bd}, count(*) FROM (SELECT unnest({field}) AS c, {bd} FROM {source}) "
                "GROUP BY ALL"
            )
            queries.append(
                f"SELECT {bd}, count(*) FROM {source} WHERE len({field}) > 0 GROUP BY ALL"
            )
        elif t.kind == "cross":
            by = f'"{t.by}"'
            if many:
                queries.append(
                    f"SELECT {by}, c, {bd}, count(*) FROM "
                    f"(SELECT {by}, unnest({field}) AS c, {bd} FROM {source}) GROUP BY ALL"
                )
                queries.append(
                    f"SELECT {by}, {bd}, count(*) FROM {source} WHERE len({field}) > 0 GROUP BY ALL"
                )
            else:
                queries.append(f"SELECT {by}, {field}, {bd}, count(*) FROM {source} GROUP BY ALL")
        elif t.kind in ("by_month", "by_day"):
            cut = "%Y-%m" if t.kind == "by_month" else "%Y-%m-%d"
            queries.append(
                f"SELECT strftime({field}, '{cut}'), {bd}, count(*) FROM {source} GROUP BY ALL"
            )
        else:  # mean_sd
            value = "age" if t.value == "age" else f'"{t.value}"'
            queries.append(f"SELECT {field}, count({value}), avg({value}), stddev_samp({value}) "
                           f"FROM {source} WHERE {value} IS NOT NULL GROUP BY ALL")  # fmt: skip
        queries.append(f"SELECT {bd}, count(*) FROM {source} GROUP BY ALL")  # in scope
        key = f", {field}" if t.field else ""
        for c in t.comments:
            queries.append(f'SELECT "{spec.record_id_field}", {bd}{key}, "{c}" FROM {source} '
                           f"WHERE \"{c}\" IS NOT NULL AND \"{c}\" <> ''")  # fmt: skip
        if t.row_texts:
            queries.append(f'SELECT DISTINCT {field}, "{t.row_texts}" FROM {source} '
                           f'WHERE "{t.row_texts}" IS NOT NULL')  # fmt: skip
        out[t.id] = queries
    return out


def _age(spec: Any) -> str:
    if not spec.age:
        return "NULL"
    ref = spec.age.reference.isoformat()
    born = f"date_sub('year', \"{spec.age.birth_date}\", DATE '{ref}')"
    return (f"coalesce(CASE WHEN {born} >= 0 THEN {born} END, "
            f"CASE WHEN \"{spec.age.age_stated}\" >= 0 THEN \"{spec.age.age_stated}\" END)")  # fmt: skip


def _expr(spec: Any, name: str) -> str:
    if name != "age_bracket":
        return f'"{name}"' if name else "NULL"
    cases = []
    for b in spec.age.brackets:
        low = "TRUE" if b.low is None else f"age >= {b.low}"
        high = "TRUE" if b.high is None else f"age <= {b.high}"
        cases.append(f"WHEN {low} AND {high} THEN '{b.key}'")
    return f"CASE {' '.join(cases)} END"


def run(path: Path, threads: int) -> dict[str, Any]:
    """Time every table's queries (results fetched); seconds per table and in all."""
    import duckdb

    from aigak.reports import build, coded

    spec, questionnaire, _, _ = build.prepare("qantar2022")
    layout = coded.layout_of(questionnaire)
    started = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True)
    con.execute(f"SET threads = {threads}")
    opened = time.perf_counter() - started
    seconds, cpu = {}, {}
    for table_id, queries in tables(spec, layout).items():
        t0, c0 = time.perf_counter(), time.process_time()  # CPU: all of DuckDB's threads
        for sql in queries:
            try:
                con.execute(sql).fetchall()
            except Exception as exc:
                raise SystemExit(f"{table_id}: {sql}: {exc}") from None
        seconds[table_id] = time.perf_counter() - t0
        cpu[table_id] = time.process_time() - c0
    con.close()
    return {"open_s": opened, "tables": seconds, "tables_cpu": cpu,
            "total_s": time.perf_counter() - started}  # fmt: skip
