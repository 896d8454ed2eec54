"""Compute a report spec over answer sets: plain dicts in, the contract's JSON out.

The engine knows nothing of the database: it reads any iterable of answer dicts (as
stored in ``Record.answers``), in chunks, so the same code runs on five hand-made
dicts in a test and on a million records streamed from PostgreSQL. Each chunk is
turned into columns once: every field the spec reads is taken out of all records in
one pass, the breakdown column and each choice field become arrays of small integer
codes (numpy, ``aigak.reports.columns``), and a table is counted with one ``bincount``
over its codes (``aigak.reports.tables``). Only the date tables, the free-text comments
and ``mean_sd`` over a plain number keep a Python ``Counter``. Five records and a
million are counted alike. This module holds the compiled spec (``Plan``) and the whole
report.

Semantics (report-contract.md): a column's denominator is the records in it that
answered; ``missing`` the ones that did not; multiple choice counts a record once per
ticked row with the records that ticked anything as denominator; percentages are
rounded half away from zero to one decimal (Decimal), ``null`` when the denominator
is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from time import perf_counter, process_time
from typing import Any

import numpy as np

from aigak.questionnaires.ages import age_on, whole_years
from aigak.questionnaires.xlsform import FormDefinition, pick
from aigak.reports.columns import Answers, Chunk, CodeBook, Texts
from aigak.reports.spec import AGE_BRACKET, DERIVED, ReportSpec
from aigak.reports.tables import accumulator, mean_sd, percent

__all__ = ["CHUNK", "Plan", "Texts", "chunked", "compute", "mean_sd", "percent", "result"]

CHUNK = 20_000


def chunked(items: Iterable[Answers], size: int) -> Iterator[list[Answers]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Plan:
    """The compiled spec: accumulators per table, code books, age lookups, labels."""

    def __init__(self, spec: ReportSpec, definition: FormDefinition, comments: bool = True):
        self.spec = spec
        self.definition = definition
        self.split = tuple(spec.breakdown)  # e.g. ("deceased", "survivors")
        self.column_of = {value: i for i, value in enumerate(spec.breakdown.values())}
        self.column_names = (*self.split, "")  # by code; "" = outside the breakdown
        self.birth_field = spec.age.birth_date if spec.age else ""
        self.stated_field = spec.age.age_stated if spec.age else ""
        bracket_keys = [b.key for b in spec.age.brackets] if spec.age else []
        self.top_age = 0
        self.bracket_codes = np.zeros(1, dtype=np.int64)
        if spec.age:
            self.top_age = max((b.low or 0) for b in spec.age.brackets) + 1
            index = {key: i for i, key in enumerate(bracket_keys)}
            none = len(bracket_keys)
            bracket_of = [
                next((b.key for b in spec.age.brackets if b.holds(age)), None)
                for age in range(self.top_age + 1)
            ]
            # the last entry is what an unknown age (-1) indexes
            self.bracket_codes = np.array(
                [none if k is None else index[k] for k in bracket_of] + [none], dtype=np.int64
            )
        self._books: dict[str, CodeBook] = {AGE_BRACKET: CodeBook(bracket_keys)}
        self._birth_ages: dict[str, int | None] = {}
        self.raw_fields = self._raw_fields()
        self.raw_template = dict.fromkeys((*self.raw_fields, ""))
        self.raw_getter = itemgetter(*self.raw_fields, "")  # "": always a tuple
        self.tables = [accumulator(self, t, comments) for t in (*spec.tables, *spec.diagrams)]
        self.n_records = 0
        self.seconds = dict.fromkeys((t.spec.id for t in self.tables), 0.0)  # per table
        self.cpu = dict.fromkeys(self.seconds, 0.0)  # the same in CPU time (this process)
        self.read_cpu = 0.0  # CPU time reading (set by the caller that reads)
        self.result_cpu = dict.fromkeys(self.seconds, 0.0)  # making each table's JSON part

    def _raw_fields(self) -> tuple[str, ...]:
        """The answer fields the tables read (not the derived age and bracket)."""
        names = [self.spec.record_id_field, self.spec.breakdown_field]
        if self.birth_field:
            names += [self.birth_field, self.stated_field]
        for t in (*self.spec.tables, *self.spec.diagrams):
            names += [t.field, t.by, t.value, t.row_texts, *t.comments]
            names += [name for name, _ in t.where]
        return tuple(dict.fromkeys(n for n in names if n and n not in DERIVED))

    def code_book(self, name: str) -> CodeBook:
        book = self._books.get(name)
        if book is None:
            book = self._books[name] = CodeBook(self.definition.fields[name].choice_names())
        return book

    def ages(self, births: Sequence[Any], stated: Sequence[Any]) -> list[int | None]:
        memo = self._birth_ages
        out: list[int | None] = []
        for birth, approx in zip(births, stated, strict=True):
            if birth:
                age = memo.get(birth, -1)
                if age == -1:
                    age = memo[birth] = self._age_at_reference(birth)
                if age is not None:
                    out.append(age)
                    continue
            out.append(whole_years(approx))
        return out

    def _age_at_reference(self, birth: Any) -> int | None:
        assert self.spec.age is not None
        return age_on(birth, self.spec.age.reference)

    def add(self, answers: list[Answers]) -> None:
        self.add_chunk(Chunk(self, answers))

    def add_columns(
        self, texts: Texts, n: int, values: dict[str, Sequence[Any]] | None = None
    ) -> None:
        """Count n records given as columns: the JSON texts of some of the fields the
        spec reads (``raw_fields``), the answers of the others (see Chunk)."""
        self.add_chunk(Chunk(self, texts=texts, values=values, n=n))

    def add_chunk(self, chunk: Chunk) -> None:
        self.n_records += chunk.n
        seconds, cpu = self.seconds, self.cpu
        for table in self.tables:
            started, used = perf_counter(), process_time()
            table.add(chunk.view(table.spec.where))
            seconds[table.spec.id] += perf_counter() - started
            cpu[table.spec.id] += process_time() - used
        chunk.close()

    def merge(self, other: Plan) -> None:
        """Add another plan's counts (the same spec over other records) to this one."""
        self.n_records += other.n_records
        for mine, theirs in zip(self.tables, other.tables, strict=True):
            mine.merge(theirs)
            self.seconds[mine.spec.id] += other.seconds[theirs.spec.id]
            self.cpu[mine.spec.id] += other.cpu[theirs.spec.id]
        self.read_cpu += other.read_cpu

    def choices(self, name: str, lang: str) -> list[tuple[str, str]]:
        if name == AGE_BRACKET:
            assert self.spec.age is not None
            return [(b.key, pick(b.label, lang, "en") or b.key) for b in self.spec.age.brackets]
        f = self.definition.fields[name]
        default = self.definition.default_language
        return [(c.name, pick(c.label, lang, default) or c.name) for c in f.choices]

    def field_label(self, name: str, lang: str) -> str:
        if name in self.definition.fields:
            return self.definition.label(name, lang)
        return name


# --- the whole report ----------------------------------------------------------------


def compute(
    spec: ReportSpec,
    definition: FormDefinition,
    answers: Iterable[Answers],
    *,
    lang: str = "en",
    filters: dict[str, Any] | None = None,
    chunk_size: int = CHUNK,
    diagrams: bool = False,
) -> dict[str, Any]:
    """The report as the JSON contract shapes it (tables in spec order).

    ``filters`` only describes the scope; select the answers before calling.
    With ``diagrams`` the spec's extra diagram tables come under ``"diagrams"``.
    """
    plan = Plan(spec, definition)
    for chunk in chunked(answers, chunk_size):
        plan.add(chunk)
    return result(plan, lang=lang, filters=filters, diagrams=diagrams)


def result(
    plan: Plan, *, lang: str = "en", filters: dict[str, Any] | None = None, diagrams: bool = False
) -> dict[str, Any]:
    n_tables = len(plan.spec.tables)
    out: dict[str, Any] = {
        "report": plan.spec.name,
        "n_records": plan.n_records,
        "filters": dict(filters or {}),
        "tables": [_result(plan, t, lang) for t in plan.tables[:n_tables]],
    }
    if diagrams:
        out["diagrams"] = [_result(plan, t, lang) for t in plan.tables[n_tables:]]
    return out


def _result(plan: Plan, table: Any, lang: str) -> dict[str, Any]:
    """A table's part of the report, its CPU time kept in ``plan.result_cpu``."""
    used = process_time()
    out: dict[str, Any] = table.result(lang)
    kept = getattr(plan, "result_cpu", None)  # a plan-like object (tests) may not keep it
    if kept is not None:
        kept[table.spec.id] += process_time() - used
    return out
