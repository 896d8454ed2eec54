"""A table's comments in the report: gathered as columns, sorted, then one dict each.

At a million records a report holds about 800,000 comments (record id, column, field,
text and, in most tables, the key). They are kept as columns per field and chunk while
counting; here they are put in record id order by numpy (not a Python sort over a
tuple per comment) and each column reordered in C, and the dicts made from them in one
pass. (Writing their JSON text directly, as orjson Fragments, was measured slower than
dicts that orjson walks.)
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

# one part per field and chunk: (record ids, column codes, field, texts, keys or None)
Part = tuple[list[Any], list[int], str, list[str], list[Any] | None]


class Comments:
    """The comments of one table, sorted by (record id as text, field), stable."""

    def __init__(self, parts: list[Part], column_names: tuple[str, ...], keyed: bool):
        names = [c or None for c in column_names]
        self.keyed = keyed
        self.n = sum(len(p[0]) for p in parts)
        ids = list(chain.from_iterable(p[0] for p in parts))
        fields = list(chain.from_iterable([p[2]] * len(p[0]) for p in parts))
        columns = list(map(names.__getitem__, chain.from_iterable(p[1] for p in parts)))
        texts = list(chain.from_iterable(p[3] for p in parts))
        keys: list[Any] = []
        if keyed:
            keys = list(chain.from_iterable(p[4] or [None] * len(p[0]) for p in parts))
        at = _order(ids, fields) if self.n else []
        self.columns = [
            list(map(c.__getitem__, at)) for c in (ids, columns, fields, texts, keys)[: self.width]
        ]

    @property
    def width(self) -> int:
        return 5 if self.keyed else 4

    def dicts(self) -> list[dict[str, Any]]:
        if self.keyed:
            return [
                {"record_id": i, "column": c, "field": f, "text": t, "key": k}
                for i, c, f, t, k in zip(*self.columns, strict=True)
            ]
        return [
            {"record_id": i, "column": c, "field": f, "text": t}
            for i, c, f, t in zip(*self.columns, strict=True)
        ]


def _order(ids: list[Any], fields: list[str]) -> list[int]:
    """The positions of the comments sorted by (str(record id), field), stable: by numpy
    on the texts (code point order, as Python's), by Python where numpy would not tell
    texts apart (it drops trailing NUL characters)."""
    strings = list(map(str, ids))
    if "\0" in "".join(strings):
        pairs = list(zip(strings, fields, strict=True))
        return sorted(range(len(ids)), key=pairs.__getitem__)
    rank = {name: i for i, name in enumerate(sorted(set(fields)))}
    field_codes = np.fromiter(map(rank.__getitem__, fields), dtype=np.int64, count=len(fields))
    return np.lexsort((field_codes, np.array(strings, dtype=str))).tolist()  # type: ignore[no-any-return]
