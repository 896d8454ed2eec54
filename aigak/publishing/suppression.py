"""Small-cell suppression of report tables, so that no published count identifies anyone.

Primary: every count from 1 to 4 is shown as `<5`. Complementary (secondary): a table's
counts are tied by sums - deceased + survivors = total in each row, the rows of a column
add up to its denominator, the denominator and the missing ones to the column's number
of records, the rows of a group to its subtotal - and wherever a sum would leave exactly
one hidden cell, another cell of that sum is hidden too (shown as `x`), again and again
until no sum has a single hidden cell. Only sums that hold in the table are used.

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
    changed = True
    while changed:
        changed = False
        for total, parts in grid.sums:
            cells = [total, *parts]
            if sum(c in hidden for c in cells) != 1:
                continue
            candidates = [c for c in cells if c not in hidden and c not in grid.fixed]
            if not candidates:
                continue
            hidden[min(candidates, key=lambda c: _preference(grid.values[c]))] = SECONDARY
            changed = True
    return hidden


def _preference(value: int) -> tuple[int, int]:
    if value >= WIDE:
        return (0, value)
    if value > 0:
        return (1, -value)
    return (2, 0)
