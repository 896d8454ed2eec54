"""The field's reference data sets, as capture histories with counts.

Each was read from the data file the R package ships (an .rda file, read with the `rdata`
Python package), and the individual rows were counted by history where the package gives
one row per individual. The published figures the tests compare against are quoted with
their source next to each test.
"""

from __future__ import annotations

from aigak.estimation.histories import CaptureTable


def _table(lists: list[str], rows: list[tuple[str, int]], source: str) -> CaptureTable:
    return CaptureTable.from_rows(
        lists, [(tuple(int(x) for x in history), count) for history, count in rows], source
    )


# Snowshoe hares, 68 animals caught on 6 trapping occasions (Cormack 1989; Agresti 1994).
# Source: R package Rcapture 1.4-4, data/hare.rda (a 68 x 6 matrix of individuals).
HARE_ROWS = [
    ("111111", 2), ("110010", 1), ("110001", 1), ("101100", 1), ("101010", 1),
    ("101000", 1), ("100111", 1), ("100100", 2), ("100010", 2), ("100001", 1),
    ("100000", 3), ("011111", 1), ("011101", 2), ("011011", 1), ("011001", 2),
    ("010111", 1), ("010101", 3), ("010100", 3), ("010011", 1), ("010010", 3),
    ("010001", 1), ("010000", 6), ("001101", 1), ("001011", 1), ("001001", 2),
    ("001000", 5), ("000111", 1), ("000110", 1), ("000101", 4), ("000100", 3),
    ("000011", 2), ("000010", 4), ("000001", 4),
]  # fmt: skip


def hare() -> CaptureTable:
    return _table([f"c{i}" for i in range(1, 7)], HARE_ROWS, "Rcapture hare")


# HIV-1 infection in Rome, four reporting centres linked (Abeni, Brancato & Perucci 1994,
# Epidemiology 5:410-414). Source: Rcapture 1.4-4, data/HIV.rda (15 histories, counts).
HIV_ROWS = [
    ("1111", 0), ("1110", 3), ("1101", 1), ("1100", 33), ("1011", 0), ("1010", 20),
    ("1001", 6), ("1000", 403), ("0111", 3), ("0110", 35), ("0101", 10), ("0100", 545),
    ("0011", 11), ("0010", 621), ("0001", 205),
]  # fmt: skip


def hiv() -> CaptureTable:
    return _table(["c1", "c2", "c3", "c4"], HIV_ROWS, "Rcapture HIV")


# Killings in Kosovo, 20 March - 22 June 1999: four lists (EXH exhumations, ABA American
# Bar Association, OSCE, HRW Human Rights Watch), 4,400 people (Ball et al. 2002, report
# to the ICTY). Source: R package LCMCR 0.4.14, data/kosovo_aggregate.RData (one row per
# person, counted here by history).
KOSOVO_ROWS = [
    ("1111", 27), ("1110", 181), ("1101", 18), ("1100", 177), ("1011", 42), ("1010", 228),
    ("1001", 106), ("1000", 1131), ("0111", 32), ("0110", 217), ("0101", 31), ("0100", 845),
    ("0011", 123), ("0010", 936), ("0001", 306),
]  # fmt: skip


def kosovo() -> CaptureTable:
    return _table(["EXH", "ABA", "OSCE", "HRW"], KOSOVO_ROWS, "LCMCR kosovo_aggregate")
