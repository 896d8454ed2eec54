"""Worker processes (each reading a range of record ids) give the report of one process."""

from __future__ import annotations

import pytest
from django.db import connection

from aigak.records.demo import load_demo
from aigak.reports import blocks, build


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", [(), ("region=almaty",), ("essence=beaten", "gender=male")])
def test_worker_processes_give_the_report_of_one_process(monkeypatch, settings, tmp_path, where):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes open their own connection: the SQLite test database "
                    "lives in memory")  # fmt: skip
    settings.DATA_DIR = tmp_path
    load_demo()
    one = build.build_report("qantar2022", where, workers=1, diagrams=True)
    monkeypatch.setattr(build, "PARALLEL_FROM", 1)
    monkeypatch.setattr(blocks, "BLOCK", 100)  # ranges fall on blocks: the demo in several
    several = build.build_report("qantar2022", where, workers=3, diagrams=True)
    assert one.timings["processes"] == 1
    assert several.timings["processes"] == 3
    assert several.data == one.data
    assert one.data["n_records"] > 0
