"""The rows of the public map's and timeline's tables, suppressed.

Each row is a sum: deceased + survivors + not known = all victims. `suppression` hides
its counts from 1 to 4 (`<5`) and the complementary cells that would give them away
(`x`). A chart draws what the table shows: a `<5` as 5, an `x` not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from aigak.publishing.suppression import PRIMARY, Grid, suppress

THRESHOLD = 5
TOTAL = ("total",)


@dataclass
class Row:
    """One row of a public table: its parts and total as shown, and what a chart draws."""

    parts: dict[str, str]
    total: str
    drawn: dict[str, int]


def suppress_row(parts: dict[str, int]) -> Row:
    """Parts and their total, suppressed. A page may leave a part out (the not known,
    say): it still counts here, so that it cannot be worked out either.

    >>> row = suppress_row({"deceased": 12, "survivors": 30, "other": 2})
    >>> row.parts, row.total
    ({'deceased': 'x', 'survivors': '30', 'other': '<5'}, '44')
    >>> suppress_row({"deceased": 7, "survivors": 9, "other": 0}).total
    '16'
    """
    total = sum(parts.values())
    grid = Grid({(name,): n for name, n in parts.items()} | {TOTAL: total})
    grid.add_sum(TOTAL, [(name,) for name in parts])
    hidden = suppress(grid)
    text = {name: hidden.get((name,), str(n)) for name, n in parts.items()}
    drawn = {
        name: n if (name,) not in hidden else (THRESHOLD if hidden[(name,)] == PRIMARY else 0)
        for name, n in parts.items()
    }
    return Row(parts=text, total=hidden.get(TOTAL, str(total)), drawn=drawn)
