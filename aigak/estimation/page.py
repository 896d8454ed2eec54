"""What the estimation page shows besides the models: the overlap of the lists as a table
and as an UpSet-style diagram, warnings when the lists are too small or too sparse for the
models, and the headline latent-class estimate once its background run is done.

The page fits the log-linear and heterogeneity models in the request (`run`) and the
latent-class model (LCMCR) with the command's default settings outside it
(`aigak.estimation.runs`); `Outcome.attach` adds a run's state or result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from aigak.estimation.estimates import estimate_table
from aigak.estimation.histories import CannotEstimate, CaptureTable
from aigak.estimation.models import LcmcrRun
from aigak.estimation.results import EstimationResult, ModelResult
from aigak.estimation.runs import model_of
from aigak.runs.models import RunStatus

MAX_LISTS = 6  # 63 cells; the model search on more lists takes longer than a page may
SMALL_OBSERVED = 50  # fewer people than this on all lists together: a warning
SMALL_SHARED = 10  # a list sharing fewer people than this with the others: a warning
SPARSE_SHARE = 0.5  # more than this share of the cells empty: a warning
FAR_BEYOND = 5.0  # an estimate this many times the number observed: a warning


@dataclass
class Cell:
    """One capture history: on which lists (in the table's order) and how many people."""

    marks: tuple[bool, ...]
    count: int

    @property
    def lists_on(self) -> int:
        return sum(self.marks)


@dataclass
class Outcome:
    """Everything the page shows for one table."""

    table: CaptureTable
    cells: list[Cell]
    list_totals: list[tuple[str, int]]
    diagram: Diagram
    warnings: list[str] = field(default_factory=list)
    result: EstimationResult | None = None
    reason: str | None = None  # why no estimate exists
    lcmcr_run: LcmcrRun | None = None  # the background run of the headline model

    @property
    def models(self) -> list[ModelResult]:
        return [] if self.result is None else self.result.models

    @property
    def needs_lcmcr(self) -> bool:
        """The headline is the latent-class model (three lists or more) and there are
        estimates at all."""
        return self.result is not None and self.table.k >= 3

    @property
    def lcmcr_pending(self) -> bool:
        """The headline's run has not given its result (yet)."""
        return self.needs_lcmcr and self.lcmcr is None

    @property
    def headline(self) -> ModelResult | None:
        if self.result is None or self.lcmcr_pending:
            return None
        return self.result.headline

    def attach(self, run: LcmcrRun) -> None:
        """The headline's background run: its result when done (the headline), else its
        state."""
        self.lcmcr_run = run
        if self.result is None or run.status != RunStatus.DONE:
            return
        self.result.models = [m for m in self.result.models if m.name != "lcmcr"]
        self.result.models.append(model_of(run))
        self.result.model = "lcmcr"
        self.warnings += result_warnings(self.table, self.result)

    @property
    def lcmcr(self) -> ModelResult | None:
        if self.result is None:
            return None
        found = [model for model in self.result.models if model.name == "lcmcr"]
        return found[0] if found else None

    @property
    def uncertainty(self) -> str:
        """How uncertain the headline is, in words (empty without a headline)."""
        headline = self.headline
        if headline is None or not headline.ok or headline.estimate is None:
            return ""
        return uncertainty_words(headline, bool(self.warnings))

    @property
    def unrecorded(self) -> float | None:
        headline = self.headline
        if headline is None or not headline.ok or headline.estimate is None:
            return None
        return headline.estimate - self.table.observed


WIDE = 1.0  # an interval wider than the estimate itself: very uncertain
MIDDLE = 0.4  # wider than this share of the estimate: uncertain


def uncertainty_words(headline: ModelResult, warned: bool) -> str:
    """ "Fairly precise", "uncertain" or "very uncertain", with the interval in words; a
    warning about the lists makes it one step less certain."""
    if headline.ci95 is None:
        return _("How uncertain this number is cannot be said: the model gave no interval.")
    low, high = headline.ci95
    if high is None:
        return _("Very uncertain: the data set no upper limit on the total.")
    spread = (high - low) / max(float(headline.estimate or 0), 1.0)
    level = 2 if spread > WIDE else 1 if spread > MIDDLE else 0
    level = min(2, level + warned)
    words = {
        "low": number_format(round(low), force_grouping=True),
        "high": number_format(round(high), force_grouping=True),
    }
    if level == 2:
        return (
            _(
                "Very uncertain: the true total could be anywhere from %(low)s to %(high)s, and "
                "the warnings above may make even that range wrong."
            )
            % words
        )
    if level == 1:
        return _("Uncertain: the true total is probably between %(low)s and %(high)s.") % words
    return (
        _(
            "Fairly precise, if the assumptions below hold: the true total is probably between "
            "%(low)s and %(high)s."
        )
        % words
    )


def cells(table: CaptureTable) -> list[Cell]:
    """Every observable history (2^k - 1 of them, empty ones too), most people first."""
    counts = {
        tuple(int(x) for x in h): int(c) for h, c in zip(table.histories, table.counts, strict=True)
    }
    out = [
        Cell(tuple(bool(x) for x in history), counts.get(history, 0))
        for history in product((1, 0), repeat=table.k)
        if any(history)
    ]
    return sorted(out, key=lambda cell: (-cell.count, -cell.lists_on))


def table_warnings(table: CaptureTable, all_cells: list[Cell]) -> list[str]:
    """Plain-language warnings about lists too small or too sparse for the models."""
    out = []
    if table.observed < SMALL_OBSERVED:
        out.append(
            _(
                "Only %(count)s people are on the lists together: every estimate from so "
                "few is very uncertain, whatever its interval says."
            )
            % {"count": table.observed}
        )
    on_several = table.histories.sum(axis=1) >= 2
    for j, name in enumerate(table.lists):
        shared = int(table.counts[(table.histories[:, j] == 1) & on_several].sum())
        if 0 < shared < SMALL_SHARED:
            out.append(
                ngettext(
                    "List “%(list)s” shares only %(count)s person with the other lists: how "
                    "much it misses rests on very few people.",
                    "List “%(list)s” shares only %(count)s people with the other lists: how "
                    "much it misses rests on very few people.",
                    shared,
                )
                % {"list": shown_name(name), "count": shared}
            )
    empty = sum(1 for cell in all_cells if cell.count == 0)
    if table.k >= 3 and empty > SPARSE_SHARE * len(all_cells):
        out.append(
            _(
                "%(empty)s of the %(cells)s possible overlaps are empty: the table is sparse, "
                "and models with interactions between lists may be unstable or fail."
            )
            % {"empty": empty, "cells": len(all_cells)}
        )
    return out


def result_warnings(table: CaptureTable, result: EstimationResult) -> list[str]:
    out = []
    headline = result.headline
    if headline.ok and headline.estimate is not None:
        if headline.estimate > FAR_BEYOND * table.observed:
            out.append(
                _(
                    "The estimate is more than %(times)s times the number of people on the "
                    "lists: the lists overlap too little to say much about the people none "
                    "of them recorded."
                )
                % {"times": int(FAR_BEYOND)}
            )
        if headline.ci95 is not None and headline.ci95[1] is None:
            out.append(_("The interval has no upper end: the data do not bound the total."))
    lcmcr = [model for model in result.models if model.name == "lcmcr"]
    if lcmcr and lcmcr[0].ok and not lcmcr[0].details["convergence"]["converged"]:
        out.append(
            _(
                "The latent-class sampler did not pass its convergence check with its default "
                "settings; run `aigak estimate` on the downloaded capture histories with "
                "longer settings before relying on its number."
            )
        )
    return out


def needs_lcmcr(table: CaptureTable) -> bool:
    """Whether the page's estimate of a table has a latent-class headline to run: three
    lists or more, no more than the page takes, and an overlap to estimate from."""
    if not 3 <= table.k <= MAX_LISTS:
        return False
    try:
        table.check_estimable()
    except CannotEstimate:
        return False
    return True


# Why no estimate exists (aigak.estimation.histories, in English for the command), for the
# page in the reader's language.
REASONS = [
    (r"^no one is recorded on any list", gettext_noop("No one is recorded on any list.")),
    (r"^list '(?P<list>.+)' records no one", gettext_noop("The list “%(list)s” records no one.")),
    (r"^no person is on more than one list", gettext_noop(
        "No one is on more than one list: without people the lists share, nothing tells how "
        "many people all of them missed.")),
    (r"^list '(?P<list>.+)' shares no one with any other list", gettext_noop(
        "The list “%(list)s” shares no one with the other lists, so how many people it missed "
        "cannot be estimated.")),
]  # fmt: skip


def reason_in_words(reason: str) -> str:
    for pattern, sentence in REASONS:
        found = re.match(pattern, reason)
        if found:
            return _(sentence) % found.groupdict() if "%(" in sentence else _(sentence)
    return reason


def run(table: CaptureTable) -> Outcome:
    """Fit the models the request fits (all but LCMCR) to a table as the page does."""
    all_cells = cells(table)
    outcome = Outcome(
        table=table,
        cells=all_cells,
        list_totals=list(table.list_totals().items()),
        diagram=upset(table, all_cells),
        warnings=table_warnings(table, all_cells),
    )
    if table.k > MAX_LISTS:
        outcome.reason = _(
            "the page estimates from at most %(most)s lists; use the command `aigak estimate` "
            "for more"
        ) % {"most": MAX_LISTS}
        return outcome
    try:
        outcome.result = estimate_table(table, None)
    except CannotEstimate as error:
        outcome.reason = reason_in_words(str(error).split(": ", 1)[-1])
        return outcome
    if not outcome.needs_lcmcr:  # else the headline's warnings come with its run
        outcome.warnings += result_warnings(table, outcome.result)
    return outcome


# -- the diagram ------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str  # the lists of the history, for the tooltip


@dataclass
class Dot:
    x: float
    y: float
    on: bool


@dataclass
class Diagram:
    """An UpSet plot (Lex et al. 2014) laid out for an SVG: one column per history with at
    least one person, a bar of its count above and below it dots for the lists it is on;
    on the left each list's name and a bar of its total."""

    width: float
    height: float
    bars: list[Bar]
    dots: list[Dot]
    links: list[tuple[float, float, float]]  # x, y from, y to: lines joining a column's dots
    rows: list[tuple[str, float, float, int]]  # list name, y, total bar width, total
    axis_y: float
    matrix_x: float


def shown_name(name: str) -> str:
    """A list's name as the page shows it: the database's column in the reader's words."""
    return _("the database") if name == "database" else name


def upset(table: CaptureTable, all_cells: list[Cell]) -> Diagram:
    shown = [cell for cell in all_cells if cell.count > 0]
    column, row, bar_height, left, total_bar = 22.0, 20.0, 140.0, 240.0, 80.0
    top = 18.0
    axis_y = top + bar_height
    matrix_top = axis_y + 12.0
    most = max((cell.count for cell in shown), default=1) or 1
    bars, dots, links = [], [], []
    for index, cell in enumerate(shown):
        x = left + index * column
        height = max(bar_height * cell.count / most, 1.0)
        names = [shown_name(name) for name, on in zip(table.lists, cell.marks, strict=True) if on]
        bars.append(Bar(x + 3, axis_y - height, column - 6, height, cell.count, " + ".join(names)))
        ys = []
        for j, on in enumerate(cell.marks):
            y = matrix_top + j * row + row / 2
            dots.append(Dot(x + column / 2, y, on))
            if on:
                ys.append(y)
        if len(ys) > 1:
            links.append((x + column / 2, min(ys), max(ys)))
    totals = table.list_totals()
    largest = max(totals.values(), default=1) or 1
    rows = [
        (shown_name(name), matrix_top + j * row + row / 2, max(total_bar * totals[name] / largest, 1.0),
         totals[name])
        for j, name in enumerate(table.lists)
    ]  # fmt: skip
    width = left + max(len(shown), 1) * column + 10
    height = matrix_top + table.k * row + 8
    return Diagram(width, height, bars, dots, links, rows, axis_y, left)
