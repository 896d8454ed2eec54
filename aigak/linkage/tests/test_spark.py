"""The same model on Spark (`--engine spark`), run only where pyspark is installed."""

from __future__ import annotations

import pytest

from aigak.linkage.matching import link_lists
from aigak.linkage.synthetic import link_benchmark

pytestmark = pytest.mark.sqlite_run  # no database: the SQLite run covers it

pytest.importorskip("pyspark")


def test_it_links_on_spark_as_it_does_on_duckdb():
    # Small enough that the priors are the model: training on Spark takes minutes.
    left, right, truth = link_benchmark(50, seed=2)
    on_duckdb = link_lists(left, right, engine="duckdb")
    on_spark = link_lists(left, right, engine="spark")
    pairs = {e: set(r.links[["left_id", "right_id"]].itertuples(index=False, name=None))
             for e, r in [("duckdb", on_duckdb), ("spark", on_spark)]}  # fmt: skip
    assert pairs["spark"] == pairs["duckdb"]
    assert len(pairs["spark"] & truth) >= 0.9 * len(truth)
    merged = on_spark.links.merge(on_duckdb.links, on=["left_id", "right_id"])
    assert (merged["probability_x"] - merged["probability_y"]).abs().max() < 1e-6
