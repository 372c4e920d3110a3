"""Spark reads a store's Parquet files as they lie and agrees with DuckDB on them."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sample_store import sample

pyspark = pytest.importorskip("pyspark")  # a test extra; `make test` installs it
pytestmark = pytest.mark.slow

if shutil.which("java") is None:  # pragma: no cover - Java is part of the machine
    pytest.fail("Spark needs Java 17+ on PATH")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("workbench-store-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_reads_the_sample_store_as_it_lies(spark) -> None:
    snapshot = sample().store.snapshot
    sessions = spark.read.parquet(*snapshot.paths("sessions"))
    events = spark.read.parquet(*snapshot.paths("events"))
    assert sessions.count() == snapshot.rows("sessions")
    assert events.count() == snapshot.rows("events")

    site, day = "www.opentracker.net", dt.datetime(2024, 11, 19, 5, tzinfo=dt.UTC)
    sessions.createOrReplaceTempView("sessions")
    got = spark.sql(
        "SELECT country_code, count(DISTINCT visitor_id) AS users, count(*) AS sessions, "
        "sum(pageviews) AS pageviews FROM sessions WHERE site_id = :site AND NOT is_bot "
        "AND start_ts >= :start AND start_ts < :end GROUP BY country_code",
        args={"site": site, "start": day, "end": day + dt.timedelta(days=1)},
    ).toPandas()
    want = sample().sql(
        "SELECT country_code, count(DISTINCT visitor_id) AS users, count(*) AS sessions, "
        "sum(pageviews) AS pageviews FROM sessions WHERE site_id = $site AND NOT is_bot "
        "AND start_ts >= $start AND start_ts < $end GROUP BY country_code",
        {"site": site, "start": day, "end": day + dt.timedelta(days=1)},
    )
    key = ["country_code"]
    got = (
        got.sort_values(key)
        .reset_index(drop=True)
        .astype({"users": "int64", "sessions": "int64", "pageviews": "int64"})
    )
    want = (
        want.sort_values(key)
        .reset_index(drop=True)
        .astype({"users": "int64", "sessions": "int64", "pageviews": "int64"})
    )
    assert len(want) == 98
    assert got.to_dict("records") == want.to_dict("records")


def test_spark_reads_the_table_folders_too(spark) -> None:
    root = sample().path
    n = spark.read.parquet(str(root / "sessions")).count()
    assert n == sample().store.snapshot.rows("sessions")
