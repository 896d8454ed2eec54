"""``comments.Comments`` puts a table's comments in the order Python's stable sort by
(str(record id), field) gives, and makes the same dicts as one dict per comment would."""

from __future__ import annotations

import pytest

from aigak.reports.comments import Comments, _order

IDS = [
    ["V-10", "V-9", "v-1", "V-10", "Ж-2", "V-1\x00", "V-1", 7, "10", "V-9"],
    ["b\x00", "b", "a", "b\x00\x00", "b"],  # ids that differ by trailing NULs only
    ["x", "x", "x"],  # ties kept in their order
]


@pytest.mark.parametrize("ids", IDS)
def test_order_is_pythons_stable_sort(ids):
    fields = [("z_other", "a_other")[i % 2] for i in range(len(ids))]
    pairs = list(zip(map(str, ids), fields, strict=True))
    assert _order(ids, fields) == sorted(range(len(ids)), key=pairs.__getitem__)


def test_comments_as_dicts_in_order():
    parts = [
        (["V-2", "V-1"], [0, 2], "f_other", ["two", "one"], ["a", ["x", "y"]]),
        (["V-1"], [1], "e_other", ["first"], None),
    ]
    found = Comments(parts, ("deceased", "survivors", ""), keyed=True).dicts()
    assert found == [
        {"record_id": "V-1", "column": "survivors", "field": "e_other", "text": "first",
         "key": None},
        {"record_id": "V-1", "column": None, "field": "f_other", "text": "one",
         "key": ["x", "y"]},
        {"record_id": "V-2", "column": "deceased", "field": "f_other", "text": "two",
         "key": "a"},
    ]  # fmt: skip
    plain = Comments(parts, ("deceased", "survivors", ""), keyed=False).dicts()
    assert [c["text"] for c in plain] == ["first", "one", "two"] and "key" not in plain[0]
    assert Comments([], ("a", ""), keyed=True).dicts() == []
