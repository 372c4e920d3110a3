"""Every registered metric equals a pandas oracle over the same rows, on DuckDB and on Spark.

The oracle reads a site's rows for an interval straight from the store's Parquet files
(pyarrow), filters them in pandas and computes each metric's one-line definition in
pandas. The metrics come from the registries, so a new metric is covered as soon as it
is registered (and fails here until ``ORACLE`` says what it means). Exact metrics must
equal the oracle and be identical on both engines; HyperLogLog estimates are compared
with the exact count within a tolerance, never across engines.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engines import ENGINE_NAMES, ENGINES, SPARK_MARKS, engine_for
from sample_store import sample

from workbench.compile import BOT_LOOKBACK
from workbench.dimensions import TIME_COLUMN
from workbench.metrics import METRICS
from workbench.query import BUCKET, Query, Result
from workbench.timebuckets import bucket_starts
from workbench.timeframe import Interval

OT, GIOSG, CLICKY, COUNTLY = "www.opentracker.net", "giosg-shop", "clicky-demo", "countly-app"
HLL_TOLERANCE = 0.04  # 5 standard errors of a 2^14-register HyperLogLog
FLOAT_RTOL = 1e-9  # averages summed in another order


def _nunique(values: pd.Series) -> int:
    return int(values.dropna().nunique())


def _sum(values: pd.Series) -> float | None:
    """SQL's SUM: missing over no values (or only missing ones)."""
    present = values.dropna()
    return None if present.empty else present.sum()


def _mean(values: pd.Series) -> float | None:
    present = values.dropna().astype("float64")
    return None if present.empty else float(present.mean())


def _ratio(top: pd.Series, rows: pd.DataFrame) -> float | None:
    return None if rows.empty else float(top.sum()) / len(rows)


# metric -> its definition in pandas, over one group's rows (bots already left out)
ORACLE: dict[str, dict[str, object]] = {
    "sessions": {
        "sessions": len,
        "users": lambda r: _nunique(r["visitor_id"]),
        "users_approx": lambda r: _nunique(r["visitor_id"]),
        "sessions_approx": lambda r: _nunique(r["session_id"]),
        "new_users": lambda r: _nunique(r.loc[r["is_new"], "visitor_id"]),
        "new_users_approx": lambda r: _nunique(r.loc[r["is_new"], "visitor_id"]),
        "returning_users": lambda r: (
            _nunique(r["visitor_id"]) - _nunique(r.loc[r["is_new"], "visitor_id"])
        ),
        "pageviews": lambda r: _sum(r["pageviews"]),
        "actions": lambda r: _sum(r["actions"]),
        "actions_per_session": lambda r: _ratio(r["actions"], r),
        "pageviews_per_session": lambda r: _ratio(r["pageviews"], r),
        "total_duration": lambda r: _sum(r["duration_s"]),
        "avg_duration": lambda r: _mean(r["duration_s"]),
        "avg_distinct_urls": lambda r: _mean(r["distinct_urls"]),
        "bounce_rate": lambda r: None if r.empty else float((r["actions"] <= 1).mean() * 100),
        "first_seen": lambda r: r["start_ts"].min(),
        "last_seen": lambda r: r["start_ts"].max(),
    },
    "events": {
        "events": lambda r: _sum(r["count"]),
        "events_sum": lambda r: _sum(r["sum"]),
        "events_duration": lambda r: _sum(r["duration_s"]),
        "actions": len,
        "pageviews": lambda r: int((r["type"] == "pageview").sum()),
        "sessions": lambda r: _nunique(r["session_id"]),
        "users": lambda r: _nunique(r["visitor_id"]),
        "users_approx": lambda r: _nunique(r["visitor_id"]),
        "first_seen": lambda r: r["ts"].min(),
        "last_seen": lambda r: r["ts"].max(),
    },
}
COLUMNS = {
    "sessions": [
        "site_id",
        "session_id",
        "visitor_id",
        "start_ts",
        "is_new",
        "pageviews",
        "actions",
        "duration_s",
        "distinct_urls",
        "is_bot",
        "country_code",
        "browser",
    ],
    "events": [
        "site_id",
        "session_id",
        "visitor_id",
        "ts",
        "type",
        "key",
        "count",
        "sum",
        "duration_s",
    ],
}


@dataclass(frozen=True)
class Case:
    """One query shape, run with every metric of its table."""

    name: str
    table: str
    site: str | None  # None: every site
    first: dt.date
    last: dt.date
    zone: str
    dimensions: tuple[str, ...] = ()
    granularity: str = "all"
    week_start: str = "monday"
    include_bots: bool = False
    spark: bool = True  # False: DuckDB only (local Spark takes seconds a query)
    expect: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def interval(self) -> Interval:
        return Interval.from_dates(self.first, self.last, self.zone)

    def query(self) -> Query:
        return Query(
            self.interval,
            sites=(self.site,) if self.site else (),
            table=self.table,
            dimensions=self.dimensions,
            metrics=tuple(METRICS[self.table]),
            granularity=self.granularity,
            week_start=self.week_start,
            include_bots=self.include_bots,
        )


D = dt.date
NY, HELSINKI, LA = "America/New_York", "Europe/Helsinki", "America/Los_Angeles"
CASES = [
    Case("sessions-total", "sessions", OT, D(2024, 10, 28), D(2024, 11, 10), NY),
    Case(
        "sessions-by-country",
        "sessions",
        OT,
        D(2024, 11, 1),
        D(2024, 11, 7),
        NY,
        dimensions=("country_code",),
    ),
    Case(
        "sessions-every-site-by-browser",
        "sessions",
        None,
        D(2024, 11, 4),
        D(2024, 11, 10),
        "UTC",
        dimensions=("site_id", "browser"),
        spark=False,
    ),
    Case(
        "sessions-with-bots",
        "sessions",
        OT,
        D(2024, 11, 5),
        D(2024, 11, 5),
        NY,
        dimensions=("country_code",),
        include_bots=True,
    ),
    Case(
        "sessions-day-new-york-fall-back",
        "sessions",
        OT,
        D(2024, 10, 30),
        D(2024, 11, 6),
        NY,
        granularity="day",
        expect={"2024-11-03T00:00:00-04:00": "25 hours", "2024-11-04T00:00:00-05:00": "EST"},
    ),
    Case(
        "sessions-day-helsinki-fall-back",
        "sessions",
        GIOSG,
        D(2024, 10, 24),
        D(2024, 10, 30),
        HELSINKI,
        granularity="day",
        expect={"2024-10-27T00:00:00+03:00": "25 hours", "2024-10-28T00:00:00+02:00": "EET"},
    ),
    Case(
        "sessions-week-monday",
        "sessions",
        CLICKY,
        D(2024, 10, 2),
        D(2024, 11, 19),
        LA,
        granularity="week",
        expect={"2024-09-30T00:00:00-07:00": "the Monday before the start"},
    ),
    Case(
        "sessions-week-sunday",
        "sessions",
        CLICKY,
        D(2024, 10, 2),
        D(2024, 11, 19),
        LA,
        granularity="week",
        week_start="sunday",
        expect={
            "2024-09-29T00:00:00-07:00": "the Sunday before the start",
            "2024-11-03T00:00:00-07:00": "the week of the fall-back",
            "2024-11-10T00:00:00-08:00": "PST",
        },
    ),
    Case(
        "sessions-hour-fall-back",
        "sessions",
        OT,
        D(2024, 11, 3),
        D(2024, 11, 3),
        NY,
        granularity="hour",
        expect={"2024-11-03T01:00:00-04:00": "first 01:00", "2024-11-03T01:00:00-05:00": "second"},
    ),
    Case("events-by-type", "events", OT, D(2024, 11, 1), D(2024, 11, 7), NY, dimensions=("type",)),
    Case(
        "events-with-bots",
        "events",
        OT,
        D(2024, 11, 5),
        D(2024, 11, 5),
        NY,
        dimensions=("type",),
        include_bots=True,
        spark=False,
    ),
    Case(
        "events-by-key",
        "events",
        COUNTLY,
        D(2024, 11, 1),
        D(2024, 11, 14),
        "Europe/Istanbul",
        dimensions=("key",),
    ),
    Case(
        "events-by-type-day-helsinki-fall-back",
        "events",
        GIOSG,
        D(2024, 10, 25),
        D(2024, 10, 29),
        HELSINKI,
        dimensions=("type",),
        granularity="day",
        expect={"2024-10-27T00:00:00+03:00": "25 hours"},
    ),
    Case(
        "events-hour-fall-back",
        "events",
        OT,
        D(2024, 11, 3),
        D(2024, 11, 3),
        NY,
        granularity="hour",
        expect={"2024-11-03T01:00:00-04:00": "first 01:00", "2024-11-03T01:00:00-05:00": "second"},
        spark=False,
    ),
]
# -- the oracle ---------------------------------------------------------------------------


@cache
def _rows(table: str, site: str | None, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """The rows of ``table`` in [start, end), read from the store's Parquet files."""
    files = sample().store.files(table, start, end)
    frame = pa.concat_tables(pq.read_table(p, columns=COLUMNS[table]) for p in files).to_pandas()
    time = frame[TIME_COLUMN[table]]
    keep = (time >= pd.Timestamp(start)) & (time < pd.Timestamp(end))
    if site is not None:
        keep &= frame["site_id"] == site
    return frame[keep].reset_index(drop=True)


def _bot_sessions(case: Case) -> set[str]:
    """Bot visits whose events the events table leaves out (compile.py ``bot_rows``)."""
    iv = case.interval
    visits = _rows("sessions", case.site, iv.start - BOT_LOOKBACK, iv.end)
    return set(visits.loc[visits["is_bot"], "session_id"])


@dataclass(frozen=True)
class Oracle:
    frame: pd.DataFrame  # keys (bucket labels as ISO text, dimensions) and every metric
    bots: int  # rows left out as bot traffic


@cache
def oracle(case: Case) -> Oracle:
    iv = case.interval
    rows = _rows(case.table, case.site, iv.start, iv.end)
    bot = (
        rows["is_bot"] if case.table == "sessions" else rows["session_id"].isin(_bot_sessions(case))
    )
    bots = int(bot.sum())
    if not case.include_bots:
        rows = rows[~bot]
    keys = list(case.dimensions)
    if case.granularity != "all":
        starts = bucket_starts(iv, case.granularity, case.week_start)
        at = np.array([int(s.timestamp() * 1000) for s in starts])
        ms = rows[TIME_COLUMN[case.table]].dt.as_unit("ms").astype("int64")
        index = np.searchsorted(at, ms.to_numpy(), side="right") - 1
        assert (index >= 0).all()
        rows = rows.assign(**{BUCKET: [starts[i].isoformat() for i in index]})
        keys.insert(0, BUCKET)
    definitions = ORACLE[case.table]
    records = []
    groups = rows.groupby(keys, dropna=False, sort=False) if keys else [((), rows)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        record = dict(zip(keys, key, strict=True))
        record.update({name: definitions[name](group) for name in METRICS[case.table]})
        records.append(record)
    return Oracle(pd.DataFrame(records, columns=[*keys, *METRICS[case.table]]), bots)


# -- running and comparing ----------------------------------------------------------------

_results: dict[tuple[str, str], Result] = {}


def result(case: Case, engine: str) -> Result:
    if (case.name, engine) not in _results:
        _results[case.name, engine] = sample().query(
            case.query(), engine_for(engine, sample().store)
        )
    return _results[case.name, engine]


def keyed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` with text keys (ISO bucket labels, '∅' for missing) sorted, for comparing."""
    out = frame.copy()
    for key in keys:
        values = out[key].map(lambda v: v.isoformat() if isinstance(v, dt.datetime) else v)
        out[key] = values.astype(object).where(values.notna(), "∅").astype(str)
    return out.sort_values(keys).reset_index(drop=True) if keys else out


def _keys(case: Case) -> list[str]:
    return ([BUCKET] if case.granularity != "all" else []) + list(case.dimensions)


def _plain(value: object) -> object:
    """A cell as a comparable Python value: times as epoch µs, numbers as float, missing None."""
    if isinstance(value, str):
        return value
    if value is None or (not isinstance(value, dt.datetime) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value).as_unit("us").value
    return float(value)


def mismatches(case: Case, got: Result, engine: str) -> list[str]:
    """What differs between the engine's result and the oracle's, metric by metric."""
    keys = _keys(case)
    want = keyed(oracle(case).frame, keys)
    have = keyed(got.frame, keys)
    assert have[keys].to_dict("records") == want[keys].to_dict("records"), "groups differ"
    assert list(got.frame.columns) == [*keys, *METRICS[case.table]]
    problems = []
    for name, m in METRICS[case.table].items():
        assert (name in got.approximate) == m.approximate, f"{name}: approximate label"
        for i, (a, b) in enumerate(zip(have[name], want[name], strict=True)):
            x, y = _plain(a), _plain(b)
            if m.approximate:  # HyperLogLog: within 5 standard errors, always a float
                ok = isinstance(a, float) and abs(x - y) <= max(2.0, HLL_TOLERANCE * y)
            elif x is None or y is None:
                ok = x is None and y is None
            else:
                exact_type = isinstance(a, float) == isinstance(b, float)
                ok = exact_type and math.isclose(x, y, rel_tol=FLOAT_RTOL)
            if not ok:
                where = {k: have.loc[i, k] for k in keys}
                problems.append(f"{name} {where}: engine {a!r}, oracle {b!r}")
    return problems


def params(cases: list[Case]):
    """(case, engine) for every case on every engine it runs on."""
    found = []
    for case in cases:
        for engine in ENGINES:
            name = engine.values[0]
            if name == "spark" and not case.spark:
                continue
            found.append(pytest.param(case, name, id=f"{case.name}-{name}", marks=engine.marks))
    return found


@pytest.mark.parametrize(("case", "engine"), params(CASES))
def test_every_metric_equals_the_pandas_oracle(case: Case, engine: str) -> None:
    got = result(case, engine)
    problems = mismatches(case, got, engine)
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:20])
    assert len(got.frame) == len(oracle(case).frame) > 0


@pytest.mark.parametrize(("case", "engine"), params(CASES))
def test_bots_are_left_out_and_counted(case: Case, engine: str) -> None:
    got = result(case, engine)
    if case.include_bots:
        assert got.excluded_bots is None
    else:
        assert got.excluded_bots == oracle(case).bots
    if case.site == OT:  # Opentracker's sample has bot traffic every day
        assert oracle(case).bots > 0


@pytest.mark.parametrize(("case", "engine"), params([c for c in CASES if c.granularity != "all"]))
def test_buckets_are_labelled_as_timebuckets_does(case: Case, engine: str) -> None:
    labels = [b.isoformat() for b in result(case, engine).frame[BUCKET]]
    starts = [
        b.isoformat() for b in bucket_starts(case.interval, case.granularity, case.week_start)
    ]
    assert set(labels) == set(starts), "the sample has traffic in every bucket"
    for label, why in case.expect.items():
        assert label in labels, why
    if not case.dimensions:  # ordered by bucket: the two 01:00 hours apart, in order
        assert labels == starts


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.name, marks=SPARK_MARKS) for c in CASES if c.spark]
)
def test_exact_results_are_identical_on_both_engines(case: Case) -> None:
    keys = _keys(case)
    exact = [n for n, m in METRICS[case.table].items() if not m.approximate]
    frames = [keyed(result(case, e).frame, keys) for e in ENGINE_NAMES]
    assert frames[0][keys].to_dict("records") == frames[1][keys].to_dict("records")
    for name in exact:  # equal; float sums only up to the order they were added in
        duck, spark = ([_plain(v) for v in f[name]] for f in frames)
        if frames[0][name].dtype.kind == "f":
            assert [v is None for v in spark] == [v is None for v in duck], name
            assert [v for v in spark if v is not None] == pytest.approx(
                [v for v in duck if v is not None], rel=FLOAT_RTOL
            ), name
        else:
            assert spark == duck, name
        kinds = [f[name].dtype.kind for f in frames]  # counts integers, averages floats
        assert kinds[0] == kinds[1], name
    assert result(case, "spark").excluded_bots == result(case, "duckdb").excluded_bots


def test_every_metric_has_an_oracle() -> None:
    for table, registry in METRICS.items():
        assert set(registry) == set(ORACLE[table]), f"{table}: say what a new metric means"
