"""Where Splink runs: DuckDB in this process (the default), or Spark for national lists.

`open_engine("duckdb")` gives an in-memory DuckDB using every core; `open_engine("spark")`
starts a local Spark session (pyspark must be installed, and Java 17) unless one is
already active, in which case it is reused: for a cluster, call `matching.link_lists`
from a Spark job whose session is already set up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ENGINES = ("duckdb", "spark")
# Past this DuckDB spills to disk, which keeps a million-row job under 8 GB in all.
DUCKDB_MEMORY_LIMIT = "4GB"
# A local Spark session: all cores, few partitions (many small ones only add scheduling).
SPARK_MASTER = "local[*]"
SPARK_PARTITIONS = "4"


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here; the message says what is missing."""


@dataclass
class Engine:
    dialect: str
    db_api: Any

    def register(self, frame, dataset_display_name: str):
        return self.db_api.register(frame, dataset_display_name=dataset_display_name)


@contextmanager
def open_engine(name: str) -> Iterator[Engine]:
    if name == "duckdb":
        yield from _duckdb()
    elif name == "spark":
        yield from _spark()
    else:
        raise EngineUnavailable(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


def _duckdb() -> Iterator[Engine]:
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix="aigak-linkage-")
    connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    connection.execute(f"SET temp_directory = '{spill}'")
    connection.execute("SET preserve_insertion_order = false")
    try:
        yield Engine("duckdb", DuckDBAPI(connection=connection))
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def _spark() -> Iterator[Engine]:
    import warnings

    # pyspark warns on every conversion that it "does not yet fully support pandas 3";
    # the frames handed over here are plain strings and integers.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError:
        raise EngineUnavailable(
            "--engine spark needs pyspark (pip install pyspark) and Java 17"
        ) from None
    active = SparkSession.getActiveSession()
    session = active
    scratch = tempfile.mkdtemp(prefix="aigak-spark-")
    if session is None:
        try:
            session = (
                SparkSession.builder.master(SPARK_MASTER)
                .appName("aigak-linkage")
                .config("spark.jars", similarity_jar_location())
                .config("spark.sql.shuffle.partitions", SPARK_PARTITIONS)
                .config("spark.default.parallelism", SPARK_PARTITIONS)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.ansi.enabled", "false")
                .getOrCreate()
            )
        except Exception as exc:  # noqa: BLE001 - Java missing shows as many error types
            raise EngineUnavailable(f"could not start Spark ({exc})") from None
        session.sparkContext.setLogLevel("ERROR")
        session.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
    try:
        yield Engine("spark", SparkAPI(spark_session=session, break_lineage_method="persist"))
    finally:
        if active is None:
            session.stop()
        shutil.rmtree(scratch, ignore_errors=True)
