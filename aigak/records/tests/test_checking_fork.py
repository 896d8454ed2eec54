"""The import's checking processes: forked with the parent's objects frozen (the child's
collector runs, but never walks or frees what it inherited), and a process that dies
costs no row and no wait: the rest of the file is checked by the importing process."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import random
import signal
from collections.abc import Iterator

from aigak.questionnaires.xlsform import load_xlsform
from aigak.records import bulk_check
from aigak.records.tests import victim_fixture as vf


def _state(_: object) -> tuple[bool, int]:
    return gc.isenabled(), gc.get_freeze_count()


def test_the_children_collect_but_leave_what_they_inherited_alone(tmp_path):
    before = gc.isenabled()
    with bulk_check._forked_pool(1, (None, str(tmp_path), ())) as pool:
        enabled, frozen = pool.submit(_state, None).result()
    assert enabled is True
    assert frozen > 1000  # the interpreter's and the test's objects, left to the parent
    assert gc.isenabled() == before and gc.get_freeze_count() == 0  # the parent as it was


@contextlib.contextmanager
def _at_most(seconds: int) -> Iterator[None]:
    """A wait for ever (a pool waiting on a dead process) fails the test instead."""

    def stop(*_: object) -> None:
        raise TimeoutError(f"no answer in {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _checked_ahead(definition, rows, folder):
    with bulk_check.checked_ahead(definition, rows, folder) as ahead:
        return list(ahead.results)


def test_a_checking_process_that_dies_costs_no_row_and_no_wait(tmp_path, monkeypatch, caplog):
    definition = load_xlsform(vf.build_xlsform())
    rng = random.Random(5)
    rows = [(n, vf.random_row(rng, n), None) for n in range(1, 4501)]
    parent, check = os.getpid(), bulk_check._check

    def dying(form, chunk, preparers=()):  # in the forked processes too
        if os.getpid() != parent and chunk[0][0] == 2001:
            os._exit(70)  # as a crash would: no exception, no answer
        return check(form, chunk, preparers)

    monkeypatch.setattr(bulk_check, "_check", dying)
    monkeypatch.setattr(bulk_check, "_workers", lambda: 2)
    folder = bulk_check.CheckedFile()
    with _at_most(60), caplog.at_level(logging.WARNING, logger=bulk_check.__name__):
        chunks = _checked_ahead(definition, rows, folder.folder.name)
    folder.places = [place for _, place in chunks]
    written = [row.record_id for batch in folder.batches() for row in batch]
    folder.close()

    assert [n for chunk, _ in chunks for n, _, _ in chunk] == list(range(1, 4501))
    assert written == [raw["record_id"] for _, raw, _ in rows]
    assert "a checking process of the import stopped" in caplog.text
