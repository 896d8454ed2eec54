"""Accumulators: the counts of one table over chunks, and its part of the report JSON.

Counts are numpy arrays indexed by breakdown code (0..k-1, k = outside the breakdown)
and choice code; only the date tables and ``mean_sd`` over a plain number keep a
``Counter``. Percentages and means are rounded half away from zero to one decimal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING, Any

import numpy as np

from aigak.reports.columns import _bincount, distinct
from aigak.reports.comments import Comments, Part
from aigak.reports.spec import AGE, AGE_BRACKET, TOTAL, TableSpec

if TYPE_CHECKING:
    from aigak.reports.columns import View
    from aigak.reports.engine import Plan

ONE_DECIMAL = Decimal("0.1")


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


def _number(value: Any) -> bool:
    """A stored number (not text, not a yes/no) that a mean can take."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class Table:
    """Counts for one table; subclasses per kind. Counts are numpy arrays indexed by
    breakdown code (0..k-1, k = outside the breakdown) and choice code."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        self.plan = plan
        self.spec = spec
        self.width = len(plan.column_names)
        self.in_scope = np.zeros(self.width, dtype=np.int64)  # records per column
        self.comment_fields = spec.comments if comments else ()
        # per field and chunk: (record ids, column codes, field, texts, keys or None)
        self.comments: list[Part] = []
        self.row_texts: dict[Any, dict[str, None]] = defaultdict(dict)

    def add(self, view: View) -> None:
        self.in_scope += _bincount(view.column, self.width)
        if not view.n:
            return
        self.count(view)
        if self.comment_fields:
            self.collect_comments(view)
        if self.spec.row_texts:
            positions, texts = view.present(self.spec.row_texts)
            keys = view.pick(self.spec.field, positions.tolist())
            for key, text in zip(keys, texts, strict=True):
                if key is not None:
                    self.row_texts[key][str(text)] = None

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
        """The comments of the view's records, as columns (one part per field and
        chunk): a dict per comment is made only for the report's JSON."""
        for name in self.comment_fields:
            positions, texts = view.present(name)
            if not texts:
                continue
            found = positions.tolist()
            ids = view.pick(self.plan.spec.record_id_field, found)
            keys = view.pick(self.spec.field, found) if self.spec.field else None
            columns = view.column[positions].tolist()
            self.comments.append((ids, columns, name, list(map(str, texts)), keys))

    # -- output helpers
    def sorted_comments(self) -> list[dict[str, Any]]:
        """In record id order: the same however the records were chunked or split."""
        if not self.comments:
            return []
        return Comments(self.comments, self.plan.column_names, bool(self.spec.field)).dicts()

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


def _day_text(day: int) -> str | None:
    """A coded date's text (0: no answer, negative: an empty text)."""
    return dt.date.fromordinal(day).isoformat() if day > 0 else None


class DateTable(Table):
    """by_month / by_day: rows are the dates that occur, ascending."""

    def __init__(self, plan: Plan, spec: TableSpec, comments: bool):
        super().__init__(plan, spec, comments)
        self.length = 7 if spec.kind == "by_month" else 10
        self.counts: Counter[tuple[str | None, int]] = Counter()  # (date, column code)
        # coded days, counted per chunk: (first day, counts[day - first, column code])
        self.day_parts: list[tuple[int, np.ndarray]] = []

    def count(self, view: View) -> None:
        days = view.days(self.spec.field)
        if days is not None and self._count_days(days, view.column):
            return
        if days is not None:  # coded: count per (day, column), then name the days
            days_found, inverse = distinct(days)
            width = self.width
            per_day = _bincount(inverse.ravel() * width + view.column, len(days_found) * width)
            for flat in np.flatnonzero(per_day).tolist():
                day, c = divmod(flat, width)
                key = _day_text(int(days_found[day]))
                self.counts[(key[: self.length] if key else None, c)] += int(per_day[flat])
            return
        values, columns = view.raw(self.spec.field), view.column.tolist()
        try:  # count the stored dates (few distinct), then cut each to its day or month
            counted = Counter(zip(values, columns, strict=True))
        except TypeError:  # an unhashable answer
            counted = Counter(zip(map(_text_or_none, values), columns, strict=True))
        length = self.length
        for (d, c), n in counted.items():
            key = d[:length] if isinstance(d, str) and len(d) >= length else None
            self.counts[(key, c)] += n

    def _count_days(self, days: np.ndarray, column: np.ndarray) -> bool:
        """Count coded days per (day, column) in one bincount over their span, the days
        named only once for the report (``_name_days``); False when the span is wide.
        A day of 0 or less (no answer, an empty text) has no row: it is not counted."""
        dated = days > 0
        if not dated.any():
            return True
        days, column = days[dated], column[dated]
        low, high = int(days.min()), int(days.max())
        if high - low > max(1 << 12, len(days)):
            return False
        flat = (days - low).astype(np.intp) * self.width + column
        span = (high - low + 1) * self.width
        self.day_parts.append((low, _bincount(flat, span).reshape(-1, self.width)))
        return True

    def merge(self, other: Table) -> None:
        super().merge(other)
        assert isinstance(other, DateTable)
        self.day_parts.extend(other.day_parts)

    def _name_days(self) -> None:
        """The counted days (all chunks added up) into ``counts``, named once each."""
        if not self.day_parts:
            return
        low = min(first for first, _ in self.day_parts)
        high = max(first + len(part) for first, part in self.day_parts)
        total = np.zeros((high - low, self.width), dtype=np.int64)
        for first, part in self.day_parts:
            total[first - low : first - low + len(part)] += part
        self.day_parts = []
        for row in np.flatnonzero(total.any(axis=1)).tolist():
            key = dt.date.fromordinal(low + row).isoformat()[: self.length]
            for c, n in enumerate(total[row].tolist()):
                if n:
                    self.counts[(key, c)] += n

    def result(self, lang: str) -> dict[str, Any]:
        self._name_days()
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


def accumulator(plan: Plan, spec: TableSpec, comments: bool) -> Table:
    if spec.kind in ("single", "age_bracket"):
        return SingleTable(plan, spec, comments)
    if spec.kind in ("by_month", "by_day"):
        return DateTable(plan, spec, comments)
    if spec.kind == "multiple":
        return MultipleTable(plan, spec, comments)
    if spec.kind == "cross":
        return CrossTable(plan, spec, comments)
    return MeanTable(plan, spec, comments)
