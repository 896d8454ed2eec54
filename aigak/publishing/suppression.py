"""Small-cell suppression of report tables, so that no published count identifies anyone.

Primary: every count from 1 to 4 is shown as `<5`. Complementary (secondary): a table's
counts are tied by sums - deceased + survivors = total in each row, the rows of a column
add up to its denominator, the denominator and the missing ones to the column's number
of records, the rows of a group to its subtotal - and wherever a sum would leave exactly
one hidden cell, or only cells of 1-4 (two of them making 8 are both 4), another cell of
that sum is hidden too (shown as `x`), again and again until none does. Sums combine, so
then linear programming attacks the table as someone who knows every sum would: each
small count whose smallest and largest possible values meet gets one more complement in
a sum that holds it, until none is pinned. Only sums that hold in the table are used.

The complementary cell chosen is the smallest count of at least 9 in the sum, else the
largest below it, zeros last: with a hidden 1-4 beside a hidden count of 9 or more, their
sum leaves the small count any of its four values even to someone who knows that `x` is
never 1-4.

Limits: sums between tables (T02 against T04, T13 against T14) are not followed; the
report's tables are suppressed one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Cell = tuple[Any, ...]
SMALL = range(1, 5)
PRIMARY = "<5"
SECONDARY = "x"
WIDE = 9  # a complementary count from here on leaves a hidden 1-4 fully ambiguous


@dataclass
class Grid:
    """The counts of one table, the sums that tie them, and which ones are fixed (known
    from elsewhere, never hidden as a complement)."""

    values: dict[Cell, int] = field(default_factory=dict)
    sums: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    fixed: set[Cell] = field(default_factory=set)

    def add_sum(self, total: Cell, parts: Iterable[Cell]) -> None:
        """Tie `total` to `parts` when every cell exists and the sum holds."""
        parts = list(parts)
        if len(parts) < 2 or any(c not in self.values for c in [total, *parts]):
            return
        if sum(self.values[c] for c in parts) == self.values[total]:
            self.sums.append((total, parts))


def suppress(grid: Grid) -> dict[Cell, str]:
    """The hidden cells: `<5` for counts 1-4, `x` for the complementary ones.

    >>> g = Grid({("a",): 3, ("b",): 20, ("c",): 12, ("t",): 35})
    >>> g.add_sum(("t",), [("a",), ("b",), ("c",)])
    >>> suppress(g)
    {('a',): '<5', ('c',): 'x'}
    """
    hidden = {c: PRIMARY for c, v in grid.values.items() if v in SMALL}
    _by_sums(grid, hidden)
    # Sums combine: two sums that each keep an `x` can still pin a small count together.
    # Linear programming finds those; each gets one more complement, until none is left.
    while True:
        pinned = disclosed(grid, hidden)
        widened = [c for c in pinned if _widen(grid, hidden, c)]
        if not widened:
            return hidden
        _by_sums(grid, hidden)


def _by_sums(grid: Grid, hidden: dict[Cell, str]) -> None:
    changed = True
    while changed:
        changed = False
        for total, parts in grid.sums:
            cells = [total, *parts]
            marks = [hidden[c] for c in cells if c in hidden]
            # One hidden cell is given by the others; several that are all 1-4 are pinned
            # when their sum is small or large (two making 8 are both 4): a hidden count
            # that is not small keeps them open.
            if not marks or (len(marks) > 1 and SECONDARY in marks):
                continue
            changed |= _hide_one(grid, hidden, cells)


def _hide_one(grid: Grid, hidden: dict[Cell, str], cells: list[Cell]) -> bool:
    candidates = [c for c in cells if c not in hidden and c not in grid.fixed]
    if not candidates:
        return False
    hidden[min(candidates, key=lambda c: _preference(grid.values[c]))] = SECONDARY
    return True


def _widen(grid: Grid, hidden: dict[Cell, str], cell: Cell) -> bool:
    """Hide one more count in a sum that holds the pinned `cell`."""
    for total, parts in grid.sums:
        cells = [total, *parts]
        if cell in cells and _hide_one(grid, hidden, cells):
            return True
    return False


def disclosed(grid: Grid, hidden: dict[Cell, str]) -> dict[Cell, int]:
    """The counts hidden as `<5` whose value the table's sums pin down.

    Each hidden count is an unknown, each sum an equation; a `<5` lies in 1-4 and any
    other hidden count is 0 or more. The smallest and largest value a small count can
    take (linear programming): when they meet, it is disclosed.
    """
    unknown = sorted(hidden, key=repr)
    if not any(hidden[c] == PRIMARY for c in unknown):
        return {}
    from scipy.optimize import linprog  # loaded when statistics are made, not at start-up

    column = {cell: j for j, cell in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in grid.sums:
        row = [0.0] * len(unknown)
        known = 0
        for cell, sign in [(total, 1), *((p, -1) for p in parts)]:
            if cell in column:
                row[column[cell]] += sign
            else:
                known -= sign * grid.values[cell]
        if any(row):
            rows.append(row)
            rhs.append(known)
    bounds = [(1, 4) if hidden[c] == PRIMARY else (0, None) for c in unknown]
    equations: dict[str, Any] = {"A_eq": rows, "b_eq": rhs} if rows else {}
    found = {}
    for cell in unknown:
        if hidden[cell] != PRIMARY:
            continue
        goal = [0.0] * len(unknown)
        goal[column[cell]] = 1.0
        low = linprog(goal, bounds=bounds, **equations).fun
        high = -linprog([-g for g in goal], bounds=bounds, **equations).fun
        if high - low < 0.5:
            found[cell] = round(low)
    return found


def _preference(value: int) -> tuple[int, int]:
    if value >= WIDE:
        return (0, value)
    if value > 0:
        return (1, -value)
    return (2, 0)
