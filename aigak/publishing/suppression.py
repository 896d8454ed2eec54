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

A whole report goes through `suppress` as one grid (`aigak.publishing.linked` adds the
identities between its tables), so the attack sees every published table at once.
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
PULLS = 3  # programmes pulling every hidden count at once, before one count at a time


@dataclass
class Grid:
    """The counts of one table, the sums that tie them, and which ones are fixed (known
    from elsewhere, never hidden as a complement)."""

    values: dict[Cell, int] = field(default_factory=dict)
    sums: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    fixed: set[Cell] = field(default_factory=set)
    # Counts that take part in sums but are published nowhere (a column's number of
    # records): unknown to the attack, never a complement, fine to work out.
    unpublished: set[Cell] = field(default_factory=set)

    def add_sum(self, total: Cell, parts: Iterable[Cell]) -> None:
        """Tie `total` to `parts` when every cell exists and the sum holds."""
        parts = list(parts)
        if len(parts) < 2 or any(c not in self.values for c in [total, *parts]):
            return
        if sum(self.values[c] for c in parts) == self.values[total]:
            self.sums.append((total, parts))

    def add_same(self, one: Cell, other: Cell) -> None:
        """Tie two cells that count the same records (in two tables), when they agree."""
        if one in self.values and other in self.values and self.values[one] == self.values[other]:
            self.sums.append((one, [other]))


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
    holding = _holding(grid)
    while True:
        pinned = disclosed(grid, hidden)
        closed: set[Cell] = set()
        widened = [c for c in pinned if _widen(grid, hidden, c, holding, closed)]
        if not widened:
            return hidden
        _by_sums(grid, hidden)


def _by_sums(grid: Grid, hidden: dict[Cell, str]) -> None:
    changed = True
    while changed:
        changed = False
        for total, parts in grid.sums:
            cells = [total, *parts]
            if grid.unpublished.intersection(cells):
                continue  # an unknown that is not shown: the attack decides
            marks = [hidden[c] for c in cells if c in hidden]
            # One hidden cell is given by the others; several that are all 1-4 are pinned
            # when their sum is small or large (two making 8 are both 4): a hidden count
            # that is not small keeps them open.
            if not marks or (len(marks) > 1 and SECONDARY in marks):
                continue
            changed |= _hide_one(grid, hidden, cells)


def _hide_one(grid: Grid, hidden: dict[Cell, str], cells: list[Cell]) -> bool:
    candidates = [
        c for c in cells if c not in hidden and c not in grid.fixed and c not in grid.unpublished
    ]
    if not candidates:
        return False
    hidden[min(candidates, key=lambda c: _preference(grid.values[c]))] = SECONDARY
    return True


def _holding(grid: Grid) -> dict[Cell, list[int]]:
    """The sums (their places in `grid.sums`) that hold each cell."""
    holding: dict[Cell, list[int]] = {}
    for k, (total, parts) in enumerate(grid.sums):
        for cell in (total, *parts):
            holding.setdefault(cell, []).append(k)
    return holding


def _widen(
    grid: Grid,
    hidden: dict[Cell, str],
    cell: Cell,
    holding: dict[Cell, list[int]],
    closed: set[Cell],
) -> bool:
    """Hide one more count in a sum that holds the pinned `cell`; when every count of
    those sums is hidden already, in the nearest sum reached through hidden counts.

    Breadth first, from `cell` through hidden (or unpublished) counts: each step tries,
    in the grid's order, the sums that hold a count reached in the step before and were
    not met in an earlier step (those were tried then, and nothing has been hidden since).

    `closed`: the counts reached by walks that found nothing to hide since the last count
    was hidden. A walk from one of them would reach the same counts through the same
    sums, all full: on a small database, where nearly every count is hidden, hundreds of
    pinned counts share one such part of the grid, and each walked all of it."""
    if cell in closed:
        return False
    reached, frontier = {cell}, {cell}
    tried: set[int] = set()
    while frontier:
        met = sorted({k for c in frontier for k in holding.get(c, ())} - tried)
        tried.update(met)
        for k in met:
            total, parts = grid.sums[k]
            if _hide_one(grid, hidden, [total, *parts]):
                closed.clear()
                return True
        frontier = {
            c
            for k in met
            for c in (grid.sums[k][0], *grid.sums[k][1])
            if c not in reached and (c in hidden or c in grid.unpublished)
        }
        reached |= frontier
    closed.update(reached)
    return False


def disclosed(grid: Grid, hidden: dict[Cell, str]) -> dict[Cell, int]:
    """The counts hidden as `<5` whose value the table's sums pin down.

    Each hidden count is an unknown, each sum an equation; a `<5` lies in 1-4 and any
    other hidden count is 0 or more. The smallest and largest value a small count can
    take (linear programming): when they meet, it is disclosed.
    """
    if not any(mark == PRIMARY for mark in hidden.values()):
        return {}
    hidden = {**{c: SECONDARY for c in grid.unpublished if c in grid.values}, **hidden}
    unknown = sorted(hidden, key=repr)
    # Loaded when statistics are made, not at start-up.
    import numpy

    column = {cell: j for j, cell in enumerate(unknown)}
    equations: list[tuple[dict[int, float], float]] = []
    for total, parts in grid.sums:
        row: dict[int, float] = {}
        known = 0
        for cell, sign in [(total, 1), *((p, -1) for p in parts)]:
            if cell in column:
                row[column[cell]] = row.get(column[cell], 0.0) + sign
            else:
                known -= sign * grid.values[cell]
        row = {j: v for j, v in row.items() if v}
        if row:
            equations.append((row, known))
    if not equations:
        return {}  # hidden counts in no sum keep all of 1-4
    small = [hidden[c] == PRIMARY for c in unknown]
    programme = _Programme(small, equations)
    low = numpy.full(len(unknown), numpy.inf)
    high = numpy.full(len(unknown), -numpy.inf)

    def solve(goal: Any) -> None:
        found = programme.solve(goal)
        if found is not None:  # the true counts always solve it
            numpy.minimum(low, found, out=low)
            numpy.maximum(high, found, out=high)

    # Every solution found shows values each unknown can take: a small count seen at two
    # values is open and needs no programme of its own. Two programmes pulling the counts
    # one way or the other (fixed pseudo-random weights, so that no sum is indifferent) open most of them. Unknowns that
    # share no equation cannot narrow each other, so one programme can take the smallest
    # (or largest) value of one count in each linked part of the report at once.
    weights = numpy.random.default_rng(17).uniform(-1.0, 1.0, size=(PULLS, len(unknown)))
    for pull in weights:
        solve(pull)
        solve(-pull)
    queues = [
        [j for j in members if hidden[unknown[j]] == PRIMARY]
        for members in _components(len(unknown), [row for row, _ in equations])
    ]
    while True:
        picked = []
        for queue in queues:
            while queue and high[queue[0]] - low[queue[0]] >= 0.5:
                queue.pop(0)
            if queue:
                picked.append(queue.pop(0))
        if not picked:
            break
        for direction in (1.0, -1.0):
            goal = numpy.zeros(len(unknown))
            goal[picked] = direction
            solve(goal)
    return {
        unknown[j]: round(low[j])
        for j in range(len(unknown))
        if hidden[unknown[j]] == PRIMARY and high[j] - low[j] < 0.5
    }


class _Programme:
    """The attack's linear programme, made once: the hidden counts (`small`: a `<5`, in
    1-4, else 0 or more) and the sums they take part in; only the goal changes between
    solutions. HiGHS (`highspy`, the solver SciPy's `linprog` uses too) keeps the last
    solution's basis and starts the next from it: a few pivots each, where `linprog` made
    and solved the programme anew every time (about 30 ms each, and a small database
    asks for some 2,000)."""

    def __init__(self, small: list[bool], equations: list[tuple[dict[int, float], float]]):
        import highspy
        import numpy

        self.numpy, self.optimal = numpy, highspy.HighsModelStatus.kOptimal
        self.solver = _silent_solver()
        self.count = len(small)
        self.columns = numpy.arange(self.count, dtype=numpy.int32)
        self.solver.addVars(
            self.count,
            numpy.array([1.0 if s else 0.0 for s in small]),
            numpy.array([4.0 if s else highspy.kHighsInf for s in small]),
        )
        for row, known in equations:
            columns = numpy.fromiter(row, dtype=numpy.int32, count=len(row))
            values = numpy.fromiter(row.values(), dtype=float, count=len(row))
            self.solver.addRow(known, known, len(row), columns, values)

    def solve(self, goal: Any) -> Any:
        """The hidden counts at an optimum of `goal` (minimised), or None if none found."""
        self.solver.changeColsCost(self.count, self.columns, self.numpy.asarray(goal, float))
        self.solver.run()
        if self.solver.getModelStatus() != self.optimal:
            return None
        return self.numpy.array(self.solver.getSolution().col_value)


def _silent_solver() -> Any:
    """A HiGHS solver that prints nothing. Made as `highspy.Highs` makes one, it prints
    its banner on the process's standard output (past Python's `sys.stdout`) at its first
    call after the options: here that is the call that turns the output off."""
    import highspy

    class Silent(highspy.Highs):
        def enableCallbacks(self) -> Any:  # the first call of `Highs.__init__`
            self.setOptionValue("output_flag", False)
            self.setOptionValue("threads", 1)  # no pool of threads for a few pivots
            return super().enableCallbacks()

    return Silent()


def _components(n: int, rows: list[dict[int, float]]) -> list[list[int]]:
    """The unknowns 0..n-1 grouped by the equations that join them."""
    parent = list(range(n))

    def root(j: int) -> int:
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    for row in rows:
        first, *rest = row
        for j in rest:
            parent[root(j)] = root(first)
    members: dict[int, list[int]] = {}
    for j in range(n):
        members.setdefault(root(j), []).append(j)
    return list(members.values())


def _preference(value: int) -> tuple[int, int]:
    if value >= WIDE:
        return (0, value)
    if value > 0:
        return (1, -value)
    return (2, 0)
