"""Multi-valued dimensions (visited_url, room) group and filter as Druid's do, on both engines.

The oracle is pandas over the sample's rows: a visit counts once under each of its values
when grouped; a filter keeps a visit when any of its values passes (its negation when none
does); a list of visits refuses them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from engines import ENGINES, engine_for
from sample_store import sample

from workbench import filters as f
from workbench.errors import WorkbenchError
from workbench.query import Query
from workbench.timeframe import Interval

SITE = "giosg-shop"
MONTH = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), "Europe/Helsinki")
MISSING = "<none>"


def visits() -> pd.DataFrame:
    return sample().sql(
        "SELECT session_id, visitor_id, properties['rooms'] AS rooms FROM sessions "
        "WHERE site_id = $site AND start_ts >= $start AND start_ts < $end AND NOT is_bot",
        {"site": SITE, "start": MONTH.start, "end": MONTH.end},
    )


def visited(sessions: pd.DataFrame) -> pd.DataFrame:
    """(session_id, visited_url) of the visits' pageviews, each pair once."""
    views = sample().sql(
        "SELECT DISTINCT session_id, url AS visited_url FROM events WHERE site_id = $site "
        "AND type = 'pageview' AND url IS NOT NULL",
        {"site": SITE},
    )
    return views[views["session_id"].isin(sessions["session_id"])]


def rooms(sessions: pd.DataFrame) -> pd.DataFrame:
    listed = sessions.dropna(subset=["rooms"]).assign(room=lambda d: d["rooms"].str.split(","))
    pairs = listed.explode("room").assign(room=lambda d: d["room"].str.strip())
    return pairs[pairs["room"] != ""][["session_id", "room"]].drop_duplicates()


def grouped(pairs: pd.DataFrame, sessions: pd.DataFrame, name: str) -> pd.DataFrame:
    """A visit under each of its values; visits without one under a missing value."""
    joined = sessions.merge(pairs, on="session_id", how="left")
    joined[name] = joined[name].fillna(MISSING)
    return joined.groupby(name).agg(
        sessions=("session_id", "size"), users=("visitor_id", "nunique")
    )


def answer(q: Query, engine: str) -> pd.DataFrame:
    return sample().query(q, engine_for(engine, sample().store)).frame


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("name", "pairs_of", "several"),
    [("visited_url", visited, True), ("room", rooms, False)],  # the sample's visits: one room
)
def test_grouped_a_visit_counts_under_each_value(engine, name, pairs_of, several) -> None:
    q = Query(MONTH, sites=(SITE,), dimensions=(name,), metrics=("sessions", "users"))
    got = answer(q, engine).fillna({name: MISSING}).set_index(name)
    sessions = visits()
    want = grouped(pairs_of(sessions), sessions, name)
    assert len(want) > 3
    pd.testing.assert_frame_equal(
        got.sort_index()[["sessions", "users"]], want.sort_index(), check_dtype=False
    )
    assert (got["sessions"].sum() > len(sessions)) == several  # counted under each value


@pytest.mark.parametrize("engine", ENGINES)
def test_a_filter_keeps_a_visit_when_any_value_passes(engine: str) -> None:
    sessions = visits()
    pairs = visited(sessions)
    test = f.Contains("visited_url", "/tuote/")
    hits = set(pairs[pairs["visited_url"].str.contains("/tuote/", regex=False)]["session_id"])
    for tree, want in ((test, len(hits)), (f.Not(test), len(sessions) - len(hits))):
        q = Query(MONTH, sites=(SITE,), metrics=("sessions",), filter=tree)
        assert answer(q, engine)["sessions"].tolist() == [want]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_visit_without_values_is_null(engine: str) -> None:
    sessions = visits()
    with_room = rooms(sessions)["session_id"].nunique()
    for tree, want in (
        (f.IsNull("room"), len(sessions) - with_room),
        (f.Not(f.IsNull("room")), with_room),
    ):
        q = Query(MONTH, sites=(SITE,), metrics=("sessions",), filter=tree)
        assert answer(q, engine)["sessions"].tolist() == [want]


def test_grouped_and_filtered_with_approximate_users() -> None:
    q = Query(
        MONTH,
        sites=(SITE,),
        dimensions=("room",),
        metrics=("users",),
        filter=f.Eq("country_name", "Finland"),
        approximate=True,
    )
    exact = sample().query(q.replace(approximate=False)).frame.set_index("room")["users"]
    estimate = sample().query(q).frame.set_index("room")["users"]
    assert set(estimate.index) == set(exact.index)
    assert ((estimate - exact).abs() <= exact * 0.1 + 2).all()


@pytest.mark.parametrize(
    "changes",
    [{"dimensions": ("session_id", "visited_url")}, {"dimensions": ("session_id",), "order": ()}],
)
def test_a_list_of_visits_refuses_them(changes) -> None:
    from workbench.query import Order

    if "order" in changes:
        changes = {**changes, "order": (Order("room"),)}
    with pytest.raises(WorkbenchError, match="multi-valued") as error:
        Query(MONTH, sites=(SITE,), **changes)
    assert error.value.code == "multi_valued"
