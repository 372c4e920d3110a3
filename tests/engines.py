"""The engines a query test runs on: DuckDB, and one local Spark session per test process.

``ENGINES`` parametrizes a test (or a fixture) over both engines; its Spark case is marked
slow and put in the ``spark`` xdist group, so under ``--dist loadgroup`` one worker alone
starts Spark, once, and every Spark test shares its session. ``engine_for(name, store)``
gives the engine object for any store; the ``sample_engine`` fixture gives it for the
sample store. Without pyspark the Spark cases are skipped, saying why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sample_store import sample

from workbench.engines import DuckDBEngine, Engine, SparkEngine
from workbench.store import Store

# pyspark warns on every toPandas while pandas is 3.x; the conversions work (the tests check).
SPARK_WARNINGS = (
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
    "ignore:The copy keyword is deprecated:DeprecationWarning",
)
SPARK_MARKS = (
    pytest.mark.slow,
    pytest.mark.xdist_group("spark"),
    *(pytest.mark.filterwarnings(w) for w in SPARK_WARNINGS),
)
ENGINE_NAMES = ("duckdb", "spark")
ENGINES = [pytest.param("duckdb", id="duckdb"), pytest.param("spark", marks=SPARK_MARKS)]

_spark: dict[str, object] = {}  # "session" -> the SparkSession; "engines" -> root -> engine


def spark_session():
    """This process's local Spark session (made on first use, remade if someone stopped it)."""
    pytest.importorskip("pyspark", reason="pyspark is a test extra (`make test` installs it)")
    if shutil.which("java") is None:  # pragma: no cover - Java is part of the machine
        pytest.skip("Spark needs Java 17+ on PATH")
    session = _spark.get("session")
    if session is None or session.sparkContext._jsc is None:  # tests/test_spark.py stops its own
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[2]")
            .appName("workbench-query-tests")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")  # small data: 200 tasks is all overhead
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        _spark.update(session=session, engines={})
    return session


def engine_for(name: str, store: Store) -> Engine:
    """The engine ``name`` (duckdb or spark) over ``store``; one Spark engine per store."""
    if name == "duckdb":
        return sample().engine if store is sample().store else DuckDBEngine(store)
    if name != "spark":
        raise ValueError(f"engine {name!r}; expected one of {ENGINE_NAMES}")
    session = spark_session()
    engines: dict[Path, SparkEngine] = _spark["engines"]
    root = Path(store.root).resolve()
    if root not in engines:
        engines[root] = SparkEngine(store, session)
    return engines[root]


@pytest.fixture(params=ENGINES)
def sample_engine(request) -> Engine:
    """The sample store's engine, once per engine in ``ENGINES``."""
    return engine_for(request.param, sample().store)
