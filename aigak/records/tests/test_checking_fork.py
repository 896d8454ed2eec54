"""The import's checking processes are forked with the parent's objects frozen: the
child's collector runs, but never walks (or frees) what it inherited."""

from __future__ import annotations

import gc

from aigak.records import bulk_check


def _state(_: object) -> tuple[bool, int]:
    return gc.isenabled(), gc.get_freeze_count()


def test_the_children_collect_but_leave_what_they_inherited_alone(tmp_path):
    before = gc.isenabled()
    with bulk_check._forked_pool(1, (None, str(tmp_path), ())) as pool:
        enabled, frozen = pool.apply(_state, (None,))
    assert enabled is True
    assert frozen > 1000  # the interpreter's and the test's objects, left to the parent
    assert gc.isenabled() == before and gc.get_freeze_count() == 0  # the parent as it was
