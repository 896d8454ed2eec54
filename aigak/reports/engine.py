"""Compute a report spec over answer sets: plain dicts in, the contract's JSON out.

The engine knows nothing of the database: it reads any iterable of answer dicts (as
stored in ``Record.answers``), in chunks, so the same code runs on five hand-made
dicts in a test and on a million records streamed from PostgreSQL. Each chunk is
turned into columns once: every field the spec reads is taken out of all records in
one pass, the breakdown column and each choice field become arrays of small integer
codes (numpy), and a table is counted with one ``bincount`` over its codes. Only the
date tables, the free-text comments and ``mean_sd`` over a plain number keep a Python
``Counter``. There is one code path: five records and a million are counted alike.

Semantics (report-contract.md): a column's denominator is the records in it that
answered; ``missing`` the ones that did not; multiple choice counts a record once per
ticked row with the records that ticked anything as denominator; percentages are
rounded half away from zero to one decimal (Decimal), ``null`` when the denominator
is 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import partial
from itertools import compress, islice, repeat
from operator import eq, itemgetter
from typing import Any

import numpy as np

try:  # orjson parses JSON texts three to four times faster than json
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    from json import loads as _loads  # type: ignore[assignment]

from aigak.questionnaires.xlsform import FormDefinition, pick
from aigak.reports.spec import AGE, AGE_BRACKET, DERIVED, TOTAL, ReportSpec, TableSpec

CHUNK = 20_000
ONE_DECIMAL = Decimal("0.1")

Answers = dict[str, Any]
Texts = dict[str, Sequence["str | bytes | None"]]  # field -> its JSON text per record
Where = tuple[tuple[str, str], ...]
Codes = np.ndarray  # int64 codes, one per record


def percent(count: int, denominator: int) -> float | None:
    """100 x count / denominator, half away from zero to one decimal.

    >>> percent(18, 32), percent(1, 32), percent(0, 0), percent(2, 3)
    (56.3, 3.1, None, 66.7)
    """
    if not denominator:
        return None
    value = Decimal(100 * count) / Decimal(denominator)
    return float(value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def mean_sd(n: int, total: int | float, squares: int | float) -> tuple[float | None, ...]:
    """Mean and sample standard deviation (n - 1) from n, sum and sum of squares.

    >>> mean_sd(3, 6, 14)
    (2.0, 1.0)
    >>> mean_sd(1, 47, 2209)
    (47.0, None)
    """
    if n == 0:
        return None, None
    with localcontext() as ctx:
        ctx.prec = 40
        s, q = Decimal(total), Decimal(squares)
        mean = (s / n).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
        if n < 2:
            return float(mean), None
        variance = (n * q - s * s) / (n * (n - 1))
        sd = max(variance, Decimal(0)).sqrt().quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return float(mean), float(sd)


def chunked(items: Iterable[Answers], size: int) -> Iterator[list[Answers]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class CodeBook(dict):
    """Value -> code: the known choices 0..m-1 in questionnaire order; anything else
    (no answer, an unknown value) is m. None is stored so that a missing answer is a
    plain dict hit."""

    def __init__(self, names: Sequence[str]):
        super().__init__((name, i) for i, name in enumerate(names))
        self.size = len(names)  # the code of "anything else"
        self[None] = self.size

    def __missing__(self, key: Any) -> int:
        return self.size

    def code(self, value: Any) -> int:
        """The code of one answer (an unhashable one is "anything else")."""
        return self[value] if _hashable(value) else self.size

    def codes(self, values: Sequence[Any]) -> Codes:
        try:
            return np.fromiter(map(self.__getitem__, values), np.int64, len(values))
        except TypeError:  # an unhashable answer (a list where one value belongs)
            return np.fromiter(
                (self[v] if _hashable(v) else self.size for v in values), np.int64, len(values)
            )


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _bincount(codes: Codes, size: int) -> np.ndarray:
    return np.bincount(codes, minlength=size).astype(np.int64)


class Chunk:
    """One chunk of answer sets as columns: every field the tables read, taken out once
    (a list of answers per field), and the breakdown column of every record as a code
    (0..k-1 for the spec's columns, k for a record outside them)."""

    def __init__(
        self,
        plan: Plan,
        answers: list[Answers] | None = None,
        *,
        texts: Texts | None = None,
        values: dict[str, Sequence[Any]] | None = None,
        n: int = 0,
    ):
        """From answer dicts, or from columns as a database gives them out of its JSON
        column: ``values``, the answers of some fields per record, and ``texts``, the
        JSON text of the other fields per record (None where the record has no such
        answer); together every field the spec reads. A text column is decoded one
        distinct text at a time, and coded without being decoded record by record."""
        self.plan = plan
        self.texts = texts
        if texts is not None:
            self.n = n
            self.raw: dict[str, Sequence[Any]] = Decoded(texts, values or {})
        else:
            answers = answers or []
            self.n = len(answers)
            template, getter = plan.raw_template, plan.raw_getter
            rows = [getter({**template, **a}) for a in answers]
            columns = list(zip(*rows, strict=True)) if rows else [()] * (len(plan.raw_fields) + 1)
            self.raw = dict(zip(plan.raw_fields, columns, strict=False))  # "" is dropped
        of, none = plan.column_of, len(plan.split)
        self.column = self.mapped(
            plan.spec.breakdown_field, lambda v: of.get(str(v), none), np.int64
        )
        self._views: dict[Where, View] = {}
        self._codes: dict[str, Codes] = {}
        self._ticks: dict[str, Ticks] = {}
        self._ages: Codes | None = None

    def mapped(self, name: str, fn: Any, dtype: Any) -> np.ndarray:
        """fn of every record's answer to name, as an array: from JSON texts, fn runs
        once per distinct text."""
        texts = self._texts(name)
        if texts is None:
            return np.fromiter(map(fn, self.raw[name]), dtype, self.n)
        return np.fromiter(map(Memo(fn).__getitem__, texts), dtype, self.n)

    def _texts(self, name: str) -> Sequence[str | bytes | None] | None:
        """The JSON texts of a field, if it came so (else its answers are in raw)."""
        return None if self.texts is None else self.texts.get(name)

    def pick(self, name: str, positions: list[int]) -> list[Any]:
        """The answers to name of the records at these positions (decoding only those)."""
        if self.texts is None or name in self.raw:
            values = self.raw[name]
            return [values[i] for i in positions]
        texts = self.texts[name]
        return [None if (t := texts[i]) is None else _loads(t) for i in positions]

    def close(self) -> None:
        """Drop the views (they point back at the chunk): a report runs with the cyclic
        garbage collector off, so the chunk must be freed by reference counting."""
        self._views.clear()

    def view(self, where: Where) -> View:
        view = self._views.get(where)
        if view is None:
            index = None
            if where:
                mask = np.ones(self.n, dtype=bool)
                for name, wanted in where:
                    if self._texts(name) is None:
                        values = self.raw[name]
                        mask &= np.fromiter(map(eq, values, repeat(wanted)), bool, self.n)
                    else:
                        mask &= self.mapped(name, partial(eq, wanted), bool)
                index = np.flatnonzero(mask)
            view = self._views[where] = View(self, index)
        return view

    def codes(self, name: str) -> Codes:
        codes = self._codes.get(name)
        if codes is None:
            if name == AGE_BRACKET:
                codes = self.plan.bracket_codes[np.minimum(self.ages(), self.plan.top_age)]
            elif self._texts(name) is None:
                codes = self.plan.code_book(name).codes(self.raw[name])
            else:
                codes = self.mapped(name, self.plan.code_book(name).code, np.int64)
            self._codes[name] = codes
        return codes

    def ticks(self, name: str) -> Ticks:
        ticks = self._ticks.get(name)
        if ticks is None:
            book = self.plan.code_book(name)
            texts = self._texts(name)
            if texts is None:
                ticks = Ticks(book, values=self.raw[name])
            else:
                ticks = Ticks(book, texts=texts, n=self.n)
            self._ticks[name] = ticks
        return ticks

    def ages(self) -> Codes:
        """Whole years at the reference date; -1 where neither birth nor age is known."""
        if self._ages is None:
            plan = self.plan
            births = self.raw[plan.birth_field]
            stated = self.raw[plan.stated_field] if plan.stated_field else [None] * self.n
            ages = plan.ages(births, stated)
            self._ages = np.fromiter((-1 if a is None else a for a in ages), np.int64, self.n)
        return self._ages


class Memo(dict):
    """JSON text -> fn(decoded answer) (or the answer itself, without fn), worked out
    once per distinct text as a lookup misses; None (no answer) is fn(None)."""

    def __init__(self, fn: Any):
        super().__init__()
        self.fn = fn
        self[None] = None if fn is None else fn(None)

    def __missing__(self, text: str | bytes) -> Any:
        value = _loads(text)
        value = self[text] = value if self.fn is None else self.fn(value)
        return value


class Decoded(dict):
    """Answer columns decoded from their JSON texts on first use, each distinct text
    parsed once (the records of a chunk share few distinct answers)."""

    def __init__(self, texts: Texts, values: dict[str, Sequence[Any]]):
        super().__init__(values)
        self.texts = texts

    def __missing__(self, name: str) -> list[Any]:
        values = self[name] = list(map(Memo(None).__getitem__, self.texts[name]))
        return values


class Ticks:
    """A select_multiple field of a chunk, by distinct ticked set: ``sets`` gives each
    record's set (0 = nothing ticked), ``choices[set, choice]`` how often a set ticks a
    choice (the last choice code: anything unknown), ``ticked`` / ``knows`` whether a set
    ticks anything / a known choice. Records share few distinct sets, so a table counts
    records per set and multiplies by ``choices``."""

    def __init__(
        self,
        book: CodeBook,
        values: Sequence[Any] = (),
        texts: Sequence[str | bytes | None] | None = None,
        n: int = 0,
    ):
        found: dict[tuple[Any, ...], int] = {(): 0}
        add = found.setdefault  # one hash per record (a tuple does not keep its hash)
        if texts is None:
            self.sets = np.array(
                [add(tuple(t), len(found)) if t else 0 for t in values], dtype=np.int64
            )
        else:  # one decoding per distinct text (a text keeps its hash)
            memo = Memo(lambda t: add(tuple(t), len(found)) if t else 0)
            self.sets = np.fromiter(map(memo.__getitem__, texts), np.int64, n)
        self.choices = np.zeros((len(found), book.size + 1), dtype=np.int64)
        for ticked, row in found.items():
            if ticked:
                self.choices[row] = _bincount(book.codes(list(ticked)), book.size + 1)
        self.ticked = self.choices.sum(axis=1) > 0
        self.knows = self.choices[:, : book.size].sum(axis=1) > 0


class View:
    """The records of a chunk a table reads: all, or those its `where` keeps."""

    def __init__(self, chunk: Chunk, index: np.ndarray | None):
        self.chunk = chunk
        self.index = index
        self.n = chunk.n if index is None else len(index)
        self.column = chunk.column if index is None else chunk.column[index]
        self._raw: dict[str, Sequence[Any]] = {}

    def raw(self, name: str) -> Sequence[Any]:
        values = self._raw.get(name)
        if values is None:
            values = self.chunk.raw[name]
            if self.index is not None:
                values = [values[i] for i in self.index.tolist()]
            self._raw[name] = values
        return values

    def pick(self, name: str, positions: list[int]) -> list[Any]:
        """The answers to name of the view's records at these positions."""
        if self.index is not None:
            positions = self.index[positions].tolist()
        return self.chunk.pick(name, positions)

    def codes(self, name: str) -> Codes:
        codes = self.chunk.codes(name)
        return codes if self.index is None else codes[self.index]

    def ticks(self, name: str) -> tuple[Ticks, Codes]:
        """A select_multiple field: its ticked sets, and the set of each record."""
        ticks = self.chunk.ticks(name)
        return ticks, ticks.sets if self.index is None else ticks.sets[self.index]

    def ages(self) -> Codes:
        ages = self.chunk.ages()
        return ages if self.index is None else ages[self.index]


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
        self.tables = [_accumulator(self, t, comments) for t in (*spec.tables, *spec.diagrams)]
        self.n_records = 0

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
            out.append(_whole(approx))
        return out

    def _age_at_reference(self, birth: Any) -> int | None:
        assert self.spec.age is not None
        try:
            born = dt.date.fromisoformat(str(birth)[:10])
        except ValueError:
            return None
        ref = self.spec.age.reference
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        return age if age >= 0 else None

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
        for table in self.tables:
            table.add(chunk.view(table.spec.where))
        chunk.close()

    def merge(self, other: Plan) -> None:
        """Add another plan's counts (the same spec over other records) to this one."""
        self.n_records += other.n_records
        for mine, theirs in zip(self.tables, other.tables, strict=True):
            mine.merge(theirs)

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


def _number(value: Any) -> bool:
    """A stored number (not text, not a yes/no) that a mean can take."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# --- accumulators ------------------------------------------------------------------


class Table:
    """Counts for one table; subclasses per kind. Counts are numpy arrays indexed by
    breakdown code (0..k-1, k = outside the breakdown) and choice code."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        self.plan = plan
        self.spec = spec
        self.width = len(plan.column_names)
        self.in_scope = np.zeros(self.width, dtype=np.int64)  # records per column
        self.comment_fields = spec.comments if comments else ()
        self.comments: list[dict[str, Any]] = []
        self.row_texts: dict[Any, dict[str, None]] = defaultdict(dict)

    def add(self, view: View) -> None:
        self.in_scope += _bincount(view.column, self.width)
        if not view.n:
            return
        self.count(view)
        if self.comment_fields:
            self.collect_comments(view)
        if self.spec.row_texts:
            keys, texts = view.raw(self.spec.field), view.raw(self.spec.row_texts)
            for i in compress(range(len(texts)), texts):
                if keys[i] is not None:
                    self.row_texts[keys[i]][str(texts[i])] = None

    def count(self, view: View) -> None:
        raise NotImplementedError

    def merge(self, other: Table) -> None:
        for name, value in vars(other).items():
            if isinstance(value, np.ndarray):
                setattr(self, name, getattr(self, name) + value)
            elif isinstance(value, Counter):
                getattr(self, name).update(value)
        self.comments.extend(other.comments)
        for key, texts in other.row_texts.items():
            self.row_texts[key].update(texts)

    def collect_comments(self, view: View) -> None:
        names = self.plan.column_names
        for name in self.comment_fields:
            texts = view.raw(name)
            found = list(compress(range(len(texts)), texts))
            if not found:
                continue
            ids = view.pick(self.plan.spec.record_id_field, found)
            keys = view.pick(self.spec.field, found) if self.spec.field else None
            columns = view.column[found].tolist()
            for j, (i, c) in enumerate(zip(found, columns, strict=True)):
                entry = {
                    "record_id": ids[j],
                    "column": names[c] or None,
                    "field": name,
                    "text": str(texts[i]),
                }
                if keys is not None:
                    entry["key"] = keys[j]
                self.comments.append(entry)

    # -- output helpers
    def sorted_comments(self) -> list[dict[str, Any]]:
        """In record id order: the same however the records were chunked or split."""
        return sorted(self.comments, key=lambda c: (str(c["record_id"]), c["field"]))

    def column_totals(self, per_column: Sequence[int] | np.ndarray) -> dict[str, int]:
        """Counts per shown column from counts per breakdown code (last = no breakdown)."""
        values = [int(v) for v in per_column]
        out = dict(zip(self.plan.split, values, strict=False))
        out[TOTAL] = sum(values)
        return {c: out[c] for c in self.spec.columns}

    def base(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.spec.id,
            "title": self.spec.title_in(lang),
            "field": self.spec.field_name,
            "kind": self.spec.kind,
            "columns": list(self.spec.columns),
        }

    def result(self, lang: str) -> dict[str, Any]:
        raise NotImplementedError

    def rows(
        self, choices: list[tuple[str, str]], counts: np.ndarray, denominator: dict[str, int]
    ) -> list[dict[str, Any]]:
        """One row per choice from counts[choice code, breakdown code]."""
        rows = []
        for code, (key, label) in enumerate(choices):
            per_col = self.column_totals(counts[code])
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "counts": per_col,
                    "percent": {c: percent(per_col[c], denominator[c]) for c in per_col},
                }
            )
        return rows


class SingleTable(Table):
    """select_one and age brackets: one answer per record."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.size = plan.code_book(spec.field).size + 1
        self.counts = np.zeros((self.size, self.width), dtype=np.int64)  # [choice, column]

    def count(self, view: View) -> None:
        flat = view.codes(self.spec.field) * self.width + view.column
        self.counts += _bincount(flat, self.size * self.width).reshape(self.size, self.width)

    def result(self, lang: str) -> dict[str, Any]:
        choices = self.plan.choices(self.spec.field, lang)
        known = self.counts[: len(choices)]
        denominator = self.column_totals(known.sum(axis=0))
        in_scope = self.column_totals(self.in_scope)
        rows = self.rows(choices, known, denominator)
        if self.spec.row_texts:
            for row in rows:
                row["texts"] = sorted(self.row_texts.get(row["key"], {}))
        return {
            **self.base(lang),
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "rows": rows,
            "comments": self.sorted_comments(),
        }


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class DateTable(Table):
    """by_month / by_day: rows are the dates that occur, ascending."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.length = 7 if spec.kind == "by_month" else 10
        self.counts: Counter[tuple[str | None, int]] = Counter()  # (date, column code)

    def count(self, view: View) -> None:
        values, columns = view.raw(self.spec.field), view.column.tolist()
        try:  # count the stored dates (few distinct), then cut each to its day or month
            counted = Counter(zip(values, columns, strict=True))
        except TypeError:  # an unhashable answer
            counted = Counter(zip(map(_text_or_none, values), columns, strict=True))
        length = self.length
        for (d, c), n in counted.items():
            key = d[:length] if isinstance(d, str) and len(d) >= length else None
            self.counts[(key, c)] += n

    def result(self, lang: str) -> dict[str, Any]:
        dates = sorted({d for (d, _), n in self.counts.items() if d is not None and n})
        counts = np.zeros((len(dates), self.width), dtype=np.int64)
        row_of = {d: i for i, d in enumerate(dates)}
        for (d, c), n in self.counts.items():
            if d in row_of:
                counts[row_of[d], c] += n
        denominator = self.column_totals(counts.sum(axis=0))
        in_scope = self.column_totals(self.in_scope)
        return {
            **self.base(lang),
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "rows": self.rows([(d, d) for d in dates], counts, denominator),
            "comments": self.sorted_comments(),
        }


class MultipleTable(Table):
    """select_multiple: a record counts once in every row it ticked; the denominator is
    the records that ticked at least one known choice."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.book = plan.code_book(spec.field)
        self.size = self.book.size + 1
        self.ticks = np.zeros((self.size, self.width), dtype=np.int64)  # [choice, column]
        self.answered = np.zeros(self.width, dtype=np.int64)

    def count(self, view: View) -> None:
        ticks, sets = view.ticks(self.spec.field)
        n_sets, width = len(ticks.choices), self.width
        per_set = _bincount(sets * width + view.column, n_sets * width).reshape(n_sets, width)
        self.ticks += ticks.choices.T @ per_set
        self.answered += per_set[ticks.knows].sum(axis=0)

    def result(self, lang: str) -> dict[str, Any]:
        choices = self.plan.choices(self.spec.field, lang)
        denominator = self.column_totals(self.answered)
        in_scope = self.column_totals(self.in_scope)
        return {
            **self.base(lang),
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "rows": self.rows(choices, self.ticks[: len(choices)], denominator),
            "comments": self.sorted_comments(),
        }


class CrossTable(Table):
    """`by` x `field`: rows "<by>/<choice>", percentages within each `by` block."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.multiple = (
            spec.field != AGE_BRACKET
            and plan.definition.fields[spec.field].type == "select_multiple"
        )
        self.groups = plan.code_book(spec.by).size + 1
        self.book = plan.code_book(spec.field)
        self.size = self.book.size + 1
        # [group, choice, column]; a select_multiple also counts who ticked anything
        self.counts = np.zeros((self.groups, self.size, self.width), dtype=np.int64)
        self.answered = np.zeros((self.groups, self.width), dtype=np.int64)

    def count(self, view: View) -> None:
        groups, width = view.codes(self.spec.by), self.width
        shape = self.counts.shape
        if not self.multiple:
            flat = (groups * self.size + view.codes(self.spec.field)) * width + view.column
            self.counts += _bincount(flat, self.counts.size).reshape(shape)
            return
        ticks, sets = view.ticks(self.spec.field)
        n_sets = len(ticks.choices)
        flat = (groups * n_sets + sets) * width + view.column
        per_set = _bincount(flat, self.groups * n_sets * width).reshape(self.groups, n_sets, width)
        self.answered += per_set[:, ticks.ticked, :].sum(axis=1)
        self.counts += np.einsum("sc,gsw->gcw", ticks.choices, per_set)

    def result(self, lang: str) -> dict[str, Any]:
        choices = self.plan.choices(self.spec.field, lang)
        groups = self.plan.choices(self.spec.by, lang)
        known = self.counts[:, : len(choices), :]
        # per (group, column): records that answered (a known choice; any tick if multiple)
        answered = self.answered if self.multiple else known.sum(axis=1)
        subtotals = {g: self.column_totals(answered[i]) for i, (g, _) in enumerate(groups)}
        denominator = self.column_totals(answered[: len(groups)].sum(axis=0))
        blocks = [(g, label, known[i]) for i, (g, label) in enumerate(groups)]
        if self.spec.total_block:  # every record, whatever its group
            subtotals[TOTAL] = self.column_totals(answered.sum(axis=0))
            label = self.plan.spec.column_label(TOTAL, lang)
            blocks.append((TOTAL, label, known.sum(axis=0)))
        rows = []
        for g, group_label, counts in blocks:
            for row in self.rows(choices, counts, subtotals[g]):
                row["key"] = f"{g}/{row['key']}"
                row["label"] = f"{group_label} / {row['label']}"
                rows.append(row)
        in_scope = self.column_totals(self.in_scope)
        return {
            **self.base(lang),
            "by": self.spec.by,
            "denominator": denominator,
            "missing": {c: in_scope[c] - denominator[c] for c in denominator},
            "subtotals": subtotals,
            "rows": rows,
            "comments": self.sorted_comments(),
        }


class MeanTable(Table):
    """Mean, N and sample sd of a whole-number value (age) by a select_one field."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.book = plan.code_book(spec.field)
        self.counts: Counter[tuple[int, Any]] = Counter()  # (group code, value) -> n

    def count(self, view: View) -> None:
        groups, known = view.codes(self.spec.field), self.book.size
        if self.spec.value == AGE:
            ages = view.ages()
            keep = (groups < known) & (ages >= 0)
            groups, ages = groups[keep], ages[keep]
            if not len(ages):
                return
            span = int(ages.max()) + 1
            counted = np.bincount(groups * span + ages)
            for flat in np.flatnonzero(counted).tolist():
                self.counts[divmod(flat, span)] += int(counted[flat])
            return
        pairs = zip(groups.tolist(), view.raw(self.spec.value), strict=True)
        self.counts.update((g, v) for g, v in pairs if g < known and _number(v))

    def result(self, lang: str) -> dict[str, Any]:
        sums: dict[int, list[Any]] = defaultdict(lambda: [0, 0, 0])
        for (g, v), n in self.counts.items():
            acc = sums[g]
            acc[0] += n
            acc[1] += n * v
            acc[2] += n * v * v
        rows = []
        total: list[Any] = [0, 0, 0]
        for code, (key, label) in enumerate(self.plan.choices(self.spec.field, lang)):
            n, s, q = sums.get(code, [0, 0, 0])
            mean, sd = mean_sd(n, s, q)
            rows.append({"key": key, "label": label, "mean": mean, "n": n, "sd": sd})
            total = [total[0] + n, total[1] + s, total[2] + q]
        mean, sd = mean_sd(total[0], total[1], total[2])
        in_scope = int(self.in_scope.sum())
        return {
            **self.base(lang),
            "value": self.spec.value,
            "denominator": {TOTAL: total[0]},
            "missing": {TOTAL: in_scope - total[0]},
            "rows": rows,
            "total": {"mean": mean, "n": total[0], "sd": sd},
            "comments": self.sorted_comments(),
        }


def _accumulator(plan: Plan, spec: TableSpec, comments: bool) -> Table:
    if spec.kind in ("single", "age_bracket"):
        return SingleTable(plan, spec, comments)
    if spec.kind in ("by_month", "by_day"):
        return DateTable(plan, spec, comments)
    if spec.kind == "multiple":
        return MultipleTable(plan, spec, comments)
    if spec.kind == "cross":
        return CrossTable(plan, spec, comments)
    return MeanTable(plan, spec, comments)


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
        "tables": [t.result(lang) for t in plan.tables[:n_tables]],
    }
    if diagrams:
        out["diagrams"] = [t.result(lang) for t in plan.tables[n_tables:]]
    return out
