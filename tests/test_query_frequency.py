"""Countly's frequency range (hours since the visitor's previous visit) on both engines.

The oracle is pandas over the sample: each visit's previous visit is the same visitor's
latest earlier start on the site, looked for as far back as the last range reaches.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from engines import ENGINES, engine_for
from sample_store import sample

from workbench import filters as f
from workbench.dimensions import FREQUENCY_HOURS, FREQUENCY_LOOKBACK
from workbench.query import Query
from workbench.timeframe import Interval

SITE = "countly-app"
MONTH = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), "UTC")


def oracle() -> pd.Series:
    rows = (
        sample()
        .sql(
            "SELECT session_id, visitor_id, start_ts, is_new, is_bot FROM sessions "
            "WHERE site_id = $site AND start_ts >= $start AND start_ts < $end",
            {"site": SITE, "start": MONTH.start - FREQUENCY_LOOKBACK, "end": MONTH.end},
        )
        .sort_values(["start_ts", "session_id"])
    )
    rows["previous"] = rows.groupby("visitor_id")["start_ts"].shift()
    hours = (rows["start_ts"] - rows["previous"]).dt.total_seconds() / 3600
    bucket = np.searchsorted(np.array(FREQUENCY_HOURS), hours, side="right") + 1
    rows["bucket"] = np.where(rows["previous"].isna(), len(FREQUENCY_HOURS) + 1, bucket)
    rows.loc[rows["is_new"], "bucket"] = 0
    inside = rows[(rows["start_ts"] >= MONTH.start) & ~rows["is_bot"]]
    return inside.groupby("bucket").size().rename("sessions")


@pytest.mark.parametrize("engine", ENGINES)
def test_every_range_counts_as_the_oracle(engine: str) -> None:
    q = Query(MONTH, sites=(SITE,), dimensions=("frequency_bucket",), metrics=("sessions",))
    got = sample().query(q, engine_for(engine, sample().store)).frame
    got = got.set_index("frequency_bucket")["sessions"].sort_index()
    want = oracle()
    assert len(want) >= 10  # nearly every range occurs in the sample
    assert got.to_dict() == want.to_dict()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_filter_on_the_range(engine: str) -> None:
    q = Query(MONTH, sites=(SITE,), metrics=("sessions",), filter=f.In("frequency_bucket", (1, 2)))
    got = sample().query(q, engine_for(engine, sample().store)).frame["sessions"].tolist()
    want = oracle()
    assert got == [want.get(1, 0) + want.get(2, 0)]
