"""The engines a compiled Query runs on: DuckDB over the store's files, or Spark (local)."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import pandas as pd
from sqlglot import exp

from workbench.compile import Compiled
from workbench.store import Store


class Engine(Protocol):
    dialect: str
    stops_early: bool  # a newest-first list is read window by window, newest first

    def source(self, table: str, start: dt.datetime, end: dt.datetime) -> exp.Expression: ...

    def run(self, compiled: Compiled) -> pd.DataFrame: ...


class DuckDBEngine:
    """DuckDB reading only the store's files that overlap a query's interval."""

    dialect = "duckdb"
    stops_early = True

    def __init__(self, store: Store) -> None:
        self.store = store

    def source(self, table: str, start: dt.datetime, end: dt.datetime) -> exp.Expression:
        paths = exp.Array(
            expressions=[exp.Literal.string(p) for p in self.store.files(table, start, end)]
        )
        flag = exp.EQ(this=exp.column("hive_partitioning"), expression=exp.false())
        return exp.Table(this=exp.Anonymous(this="read_parquet", expressions=[paths, flag]))

    def run(self, compiled: Compiled) -> pd.DataFrame:
        with self.store.cursor() as cur:
            return cur.execute(compiled.sql, compiled.params).df()


class SparkEngine:
    """Spark SQL (local mode or a cluster) over the same Parquet files, as they lie."""

    dialect = "spark"
    stops_early = False

    def __init__(self, store: Store, spark) -> None:
        self.store, self.spark = store, spark
        self._version: int | None = None

    def source(self, table: str, start: dt.datetime, end: dt.datetime) -> exp.Expression:
        snapshot = self.store.snapshot
        if snapshot.version != self._version:
            for name in ("sites", "sessions", "events"):
                frame = self.spark.read.parquet(*self.store.files(name))
                frame.createOrReplaceTempView(f"workbench_{name}")
            self._version = snapshot.version
        return exp.to_table(f"workbench_{table}")

    def run(self, compiled: Compiled) -> pd.DataFrame:
        frame = self.spark.sql(compiled.sql, args=compiled.params).toPandas()
        for name, dtype in frame.dtypes.items():  # the session zone is UTC: say so
            if pd.api.types.is_datetime64_dtype(dtype) and getattr(dtype, "tz", None) is None:
                frame[name] = frame[name].dt.tz_localize("UTC")
        return frame
