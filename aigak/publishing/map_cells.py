"""Small-cell suppression of the counts public pages show.

A count from 1 to 4 is shown as ``<5``; zero may show as 0. A row of parts that add up to
a total (deceased, survivors and the rest) must not let a suppressed part be worked out
from the others: when any part is suppressed the total is withheld too, and a single
suppressed part takes the next smallest part with it.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
SUPPRESSED = "<5"
WITHHELD = "*"


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown(count: int) -> str:
    """The count as a public page shows it.

    >>> [shown(n) for n in (0, 1, 4, 5, 12)]
    ['0', '<5', '<5', '5', '12']
    """
    return SUPPRESSED if is_small(count) else str(count)


@dataclass
class Row:
    """One row of a public table: its parts as shown and its total as shown."""

    parts: dict[str, str]
    total: str
    # The value a chart may draw for each part: exact, or THRESHOLD for a suppressed one.
    drawn: dict[str, int]


def suppress_row(parts: dict[str, int]) -> Row:
    """Parts and their total, suppressed. A page may leave a part out (the rest, say):
    it still counts here, so that it cannot be worked out either.

    >>> suppress_row({"deceased": 12, "survivors": 30, "other": 2}).parts
    {'deceased': '*', 'survivors': '30', 'other': '<5'}
    >>> suppress_row({"deceased": 3, "survivors": 2}).total
    '*'
    >>> suppress_row({"deceased": 7, "survivors": 9}).total
    '16'
    """
    text = {name: shown(n) for name, n in parts.items()}
    small = [name for name, n in parts.items() if is_small(n)]
    if len(small) == 1:
        others = sorted((n, name) for name, n in parts.items() if n > 0 and name not in small)
        if others:
            text[others[0][1]] = WITHHELD
    total = sum(parts.values())
    if small:
        total_text = SUPPRESSED if is_small(total) else WITHHELD
    else:
        total_text = str(total)
    drawn = {
        name: (n if text[name] == str(n) else THRESHOLD) if n else 0 for name, n in parts.items()
    }
    return Row(parts=text, total=total_text, drawn=drawn)
