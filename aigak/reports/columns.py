"""A chunk of records as columns: code books, the chunk, its views, ticked sets.

Every field the spec reads is taken out of the chunk's records once; the breakdown and
each choice field become numpy arrays of small integer codes (``CodeBook``), a
select_multiple field its distinct ticked sets (``Ticks``). The answers come as dicts,
as the JSON texts a database gives out of its answers column (decoded once per distinct
text), or as the coded form kept beside the records (``aigak.reports.coded``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from itertools import compress, repeat
from operator import eq
from typing import TYPE_CHECKING, Any

import numpy as np

try:  # orjson parses JSON texts three to four times faster than json
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is optional
    from json import loads as _loads  # type: ignore[assignment]

from aigak.reports.spec import AGE_BRACKET

if TYPE_CHECKING:
    from aigak.reports.engine import Plan

Answers = dict[str, Any]
Texts = dict[str, Sequence["str | bytes | None"]]  # field -> its JSON text per record
Where = tuple[tuple[str, str], ...]
Codes = np.ndarray  # int64 codes, one per record


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


def distinct(values: np.ndarray) -> tuple[np.ndarray, Codes]:
    """``np.unique(values, return_inverse=True)`` of whole numbers (1-D): by counting,
    without a sort, when their span is small (days, ages, masks of a few choices)."""
    if len(values):
        low, high = int(values.min()), int(values.max())
        if high - low <= max(1 << 20, 4 * len(values)):
            shifted = (values - values.dtype.type(low)).astype(np.intp)
            seen = np.bincount(shifted, minlength=high - low + 1) > 0
            number = np.cumsum(seen) - 1
            found = (np.flatnonzero(seen) + low).astype(values.dtype)
            return found, number[shifted].astype(np.int64)
    found, inverse = np.unique(values, return_inverse=True)
    return found, inverse.ravel().astype(np.int64)


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

    def present(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """The records whose answer to name is not empty (a comment, a text to list):
        their positions and these answers."""
        values = self.raw[name]
        found = list(compress(range(len(values)), values))
        return np.array(found, dtype=np.int64), [values[i] for i in found]

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

    def days(self, name: str) -> Codes | None:
        """A date field as day numbers (coded chunks only; None: read its answers)."""
        return None

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

    def present(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """The view's records whose answer to name is not empty: their positions in the
        view and these answers."""
        positions, values = self.chunk.present(name)
        if self.index is None or not len(positions):
            return positions, values
        at = np.searchsorted(self.index, positions)
        inside = at < len(self.index)
        inside[inside] = self.index[at[inside]] == positions[inside]
        keep = np.flatnonzero(inside)
        return at[keep], [values[i] for i in keep.tolist()]

    def codes(self, name: str) -> Codes:
        codes = self.chunk.codes(name)
        return codes if self.index is None else codes[self.index]

    def ticks(self, name: str) -> tuple[Ticks, Codes]:
        """A select_multiple field: its ticked sets, and the set of each record."""
        ticks = self.chunk.ticks(name)
        return ticks, ticks.sets if self.index is None else ticks.sets[self.index]

    def days(self, name: str) -> Codes | None:
        days = self.chunk.days(name)
        return days if days is None or self.index is None else days[self.index]

    def ages(self) -> Codes:
        ages = self.chunk.ages()
        return ages if self.index is None else ages[self.index]
