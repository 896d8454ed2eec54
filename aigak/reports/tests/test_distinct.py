"""``columns.distinct`` gives what ``np.unique(..., return_inverse=True)`` gives, by
counting when the span is small and by sorting when it is not; ``coded_read._Stored``
groups a chunk's texts by field in record order."""

from __future__ import annotations

import numpy as np
import pytest

from aigak.reports.coded_read import _Stored
from aigak.reports.columns import distinct

CASES = [
    np.array([738000, 0, -1, 738000, 737990, 0], dtype="<i4"),  # days: none, empty, dates
    np.array([5, 3, 5, 1 << 17, 0], dtype="<u8"),  # masks of a few choices
    np.array([1 << 62, 3, 1 << 62, 7], dtype="<u8"),  # masks of many choices: sorted
    np.array([-(2**31), 40, 12, 40], dtype="<i4"),  # no number beside ages: sorted
    np.array([], dtype="<i4"),
]


@pytest.mark.parametrize("values", CASES)
def test_distinct_is_unique_with_inverse(values):
    found, inverse = distinct(values)
    expected, where = np.unique(values, return_inverse=True)
    assert found.dtype == values.dtype
    assert found.tolist() == expected.tolist()
    assert inverse.tolist() == where.ravel().tolist()


def test_stored_texts_by_field_in_record_order():
    texts = ['{"a": "x", "b": ["p"]}', "", '{"b": []}', "", '{"a": "", "c": 3}']
    stored = _Stored(texts, len(texts))
    positions, values = stored.of("a")
    assert positions.tolist() == [0, 4] and values.tolist() == ["x", ""]
    positions, values = stored.of("b")
    assert positions.tolist() == [0, 2] and values.tolist() == [["p"], []]
    assert stored.column("c").tolist() == [None, None, None, None, 3]
    assert stored.of("missing")[0].tolist() == []
    assert _Stored(["", ""], 2).column("a").tolist() == [None, None]
