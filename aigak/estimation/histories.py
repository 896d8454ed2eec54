"""Capture histories: who was recorded on which list, and how many people share each history.

A capture table has one column per list (0/1) and a `count` column; each row is a capture
history and the number of people who have it. The all-zero history is never observed, so it
is never in the table. Everything here checks its input and says which file, row and column
is at fault, because an estimate built on a mistyped cell looks just as valid as a good one.

>>> table = CaptureTable.from_rows(["A", "B"], [((1, 0), 30), ((0, 1), 20), ((1, 1), 10)])
>>> table.observed, table.list_totals()
(60, {'A': 40, 'B': 30})
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

COUNT_COLUMN = "count"
MAX_LISTS = 8  # the log-linear model search grows too slow beyond (minutes at 9)


class HistoryError(ValueError):
    """Bad capture-history input; names the file, row and column at fault where known."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source, self.row, self.column, self.reason = source, row, column, message
        where = [part for part in (source, f"row {row}" if row else None) if part]
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class CannotEstimate(ValueError):
    """The data are well formed, but the population size does not exist for them."""


@dataclass(frozen=True)
class CaptureTable:
    """Distinct capture histories and their counts.

    `histories` holds one row per distinct observed history (0/1 per list, in `lists`
    order); `counts` how many people have it. Zero counts are allowed and kept.
    """

    lists: tuple[str, ...]
    histories: np.ndarray
    counts: np.ndarray
    source: str = "<table>"

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_rows(
        cls,
        lists: Sequence[str],
        rows: Iterable[tuple[Sequence[int], int]],
        source: str = "<table>",
    ) -> CaptureTable:
        """Build from (history, count) pairs; equal histories are added up."""
        merged: dict[tuple[int, ...], int] = {}
        for history, count in rows:
            key = tuple(int(x) for x in history)
            merged[key] = merged.get(key, 0) + int(count)
        k = len(lists)
        histories = np.array(sorted(merged), dtype=np.int8).reshape(-1, k)
        counts = np.array([merged[tuple(h)] for h in histories.tolist()], dtype=np.int64)
        table = cls(tuple(lists), histories, counts, source)
        table.validate()
        return table

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        lists: Sequence[str] | None = None,
        *,
        count_column: str = COUNT_COLUMN,
        source: str = "<table>",
        first_row: int = 1,
    ) -> CaptureTable:
        """Build from dict-like rows (CSV rows, a DataFrame's records), checking each cell.

        Without `lists`, every key but `count_column` is a list. Row numbers in messages
        start at `first_row` (2 for a CSV file with a header line).
        """
        records = list(records)
        if lists is None:
            lists = [key for key in (records[0] if records else {}) if key != count_column]
        lists = [str(name) for name in lists]
        _check_list_names(lists, source)
        pairs = []
        for offset, record in enumerate(records):
            pairs.append(_history(record, lists, count_column, source, first_row + offset))
        if not pairs:
            raise HistoryError("the table has no capture histories", source=source)
        return cls.from_rows(lists, pairs, source)

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        lists: Sequence[str] | None = None,
        *,
        count_column: str = COUNT_COLUMN,
        source: str = "<table>",
    ) -> CaptureTable:
        """Build from a pandas DataFrame (one column per list plus `count_column`)."""
        if count_column not in frame.columns:
            raise HistoryError(f"there is no {count_column!r} column", source=source)
        return cls.from_records(
            frame.to_dict("records"), lists, count_column=count_column, source=source
        )

    # -- facts about the table ----------------------------------------------------------

    @property
    def k(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        return int(self.counts.sum())

    def list_totals(self) -> dict[str, int]:
        totals = (self.histories * self.counts[:, None]).sum(axis=0)
        return {name: int(total) for name, total in zip(self.lists, totals, strict=True)}

    def cell_vector(self) -> np.ndarray:
        """Counts for all 2^k - 1 observable histories, indexed by `history_index - 1`.

        History index: bit j (value 2**j) is set when the person is on list j.
        """
        vector = np.zeros(2**self.k - 1, dtype=np.float64)
        weights = 1 << np.arange(self.k)
        index = self.histories.astype(np.int64) @ weights
        np.add.at(vector, index - 1, self.counts)
        return vector

    def validate(self) -> None:
        """Shape and value checks that hold for any table, whatever built it."""
        _check_list_names(list(self.lists), self.source)
        if self.histories.ndim != 2 or self.histories.shape[1] != self.k:
            raise HistoryError("histories do not match the lists", source=self.source)
        if np.any((self.histories != 0) & (self.histories != 1)):
            raise HistoryError("a history holds a value other than 0 or 1", source=self.source)
        if np.any(self.histories.sum(axis=1) == 0):
            raise HistoryError("the all-zero history cannot be observed", source=self.source)
        if np.any(self.counts < 0):
            raise HistoryError("a count is negative", source=self.source)

    def check_estimable(self) -> None:
        """Raise CannotEstimate when no population size can be estimated from these lists."""
        if self.observed == 0:
            raise CannotEstimate(f"{self.source}: no one is recorded on any list")
        for name, total in self.list_totals().items():
            if total == 0:
                raise CannotEstimate(f"{self.source}: list {name!r} records no one")
        on_several = self.histories.sum(axis=1) >= 2
        if not np.any(on_several & (self.counts > 0)):
            raise CannotEstimate(
                f"{self.source}: no person is on more than one list; without overlap between "
                "the lists there is nothing to estimate the unrecorded from"
            )
        for j, name in enumerate(self.lists):
            shared = self.counts[(self.histories[:, j] == 1) & on_several].sum()
            if shared == 0:
                raise CannotEstimate(
                    f"{self.source}: list {name!r} shares no one with any other list, so how "
                    "much it misses cannot be estimated"
                )

    def select(self, mask: np.ndarray) -> CaptureTable:
        return CaptureTable(self.lists, self.histories[mask], self.counts[mask], self.source)


def read_capture_csv(
    path: str | Path, *, strata_column: str | None = None, count_column: str = COUNT_COLUMN
) -> dict[str | None, CaptureTable]:
    """Read a capture-history CSV; one table per stratum (key None when not stratified)."""
    source = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header, body = _read_rows(handle, source)
    except FileNotFoundError:
        raise HistoryError("no such file", source=source) from None
    except UnicodeDecodeError:
        raise HistoryError("the file is not UTF-8 text", source=source) from None
    return _tables_from_rows(header, body, source, strata_column, count_column)


def read_capture_bytes(
    data: bytes,
    source: str,
    *,
    strata_column: str | None = None,
    count_column: str = COUNT_COLUMN,
) -> dict[str | None, CaptureTable]:
    """As read_capture_csv, for a file's content (an upload); `source` names it in messages."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HistoryError("the file is not UTF-8 text", source=source) from None
    header, body = _read_rows(io.StringIO(text, newline=""), source)
    return _tables_from_rows(header, body, source, strata_column, count_column)


def _read_rows(
    handle: Iterable[str], source: str
) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
        body = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise HistoryError(f"not a readable CSV file ({error})", source=source) from None
    return header, body


def _tables_from_rows(
    header: list[str] | None,
    body: list[tuple[int, list[str]]],
    source: str,
    strata_column: str | None,
    count_column: str,
) -> dict[str | None, CaptureTable]:
    if not header:
        raise HistoryError("the file is empty; expected a header row", source=source)
    header = [name.strip() for name in header]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise HistoryError("the column appears twice", source=source, row=1, column=duplicates[0])
    if count_column not in header:
        raise HistoryError(f"there is no {count_column!r} column", source=source, row=1)
    if strata_column is not None and strata_column not in header:
        raise HistoryError(
            f"there is no {strata_column!r} column to stratify by", source=source, row=1
        )
    lists = [name for name in header if name not in (count_column, strata_column)]
    _check_list_names(lists, source)

    groups: dict[str | None, list[tuple[int, dict[str, str]]]] = {}
    for line, values in body:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise HistoryError(
                f"the row has {len(values)} fields, the header {len(header)}",
                source=source,
                row=line,
            )
        record = dict(zip(header, values, strict=True))
        key: str | None = None
        if strata_column is not None:
            key = record[strata_column].strip()
            if not key:
                raise HistoryError(
                    "the stratum is empty", source=source, row=line, column=strata_column
                )
        groups.setdefault(key, []).append((line, record))
    if not groups:
        raise HistoryError("the file has a header but no rows", source=source)

    tables = {}
    for key, numbered in groups.items():
        pairs = []
        for line, record in numbered:
            pairs.append(_history(record, lists, count_column, source, line))
        label = source if key is None else f"{source} [{strata_column}={key}]"
        tables[key] = CaptureTable.from_rows(lists, pairs, label)
    return tables


def _history(
    record: Any, lists: Sequence[str], count_column: str, source: str, row: int
) -> tuple[tuple[int, ...], int]:
    """One row of a table (a dict-like record): its history and its count, checked."""
    history = tuple(_cell_01(record.get(name), source, row, name) for name in lists)
    count = _cell_count(record.get(count_column), source, row, count_column)
    if not any(history):
        raise HistoryError(
            "the history is all zeros; people recorded on no list cannot be in the "
            "table (that number is what is being estimated)",
            source=source,
            row=row,
        )
    return history, count


def _check_list_names(lists: Sequence[str], source: str) -> None:
    if len(lists) < 2:
        found = ", ".join(repr(name) for name in lists) or "none"
        raise HistoryError(
            f"at least two list columns are needed to estimate from overlap (found {found})",
            source=source,
        )
    if len(lists) > MAX_LISTS:
        raise HistoryError(f"at most {MAX_LISTS} lists are supported", source=source)
    for name in lists:
        if not str(name).strip():
            raise HistoryError("a list column has no name", source=source, row=1)


def _cell_01(value: Any, source: str, row: int, column: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | np.integer) and value in (0, 1):
        return int(value)
    if isinstance(value, float | np.floating) and value in (0.0, 1.0):
        return int(value)
    text = "" if value is None else str(value).strip()
    if text in ("0", "1"):
        return int(text)
    shown = "empty" if text == "" else repr(text)
    raise HistoryError(
        f"a list column must hold 0 or 1, not {shown}", source=source, row=row, column=column
    )


def _cell_count(value: Any, source: str, row: int, column: str) -> int:
    number: float | None
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, float | np.floating):
        number = float(value)
    else:
        text = "" if value is None else str(value).strip()
        try:
            number = float(text)
        except ValueError:
            number = None
    if number is None or math.isnan(number) or math.isinf(number):
        shown = "empty" if value is None or str(value).strip() == "" else repr(str(value))
        raise HistoryError(
            f"the count must be a whole number, not {shown}", source=source, row=row, column=column
        )
    if number < 0:
        raise HistoryError(
            f"the count is negative ({value})", source=source, row=row, column=column
        )
    if number != int(number):
        raise HistoryError(
            f"the count must be a whole number, not {value}", source=source, row=row, column=column
        )
    return int(number)
