"""The core reports on the sample: top locations, session list paging, segmentation, compare."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sample_store import sample

from workbench import filters as f
from workbench.errors import WorkbenchError
from workbench.query import BUCKET, Order
from workbench.reports import (
    compare,
    previous_interval,
    segmentation,
    session_list,
    top_locations,
)
from workbench.timebuckets import bucket_starts
from workbench.timeframe import Interval

OT = "www.opentracker.net"
NY = "America/New_York"
MONTH = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), NY)


def sessions_of(interval: Interval, site: str = OT) -> pd.DataFrame:
    return sample().sql(
        "SELECT * FROM sessions WHERE site_id = $site AND start_ts >= $start "
        "AND start_ts < $end AND NOT is_bot",
        {"site": site, "start": interval.start, "end": interval.end},
    )


def test_top_countries_count_exact_users_and_share() -> None:
    got = top_locations(sample(), MONTH, sites=(OT,)).frame
    rows = sessions_of(MONTH)
    want = rows.groupby("country_code", dropna=False).agg(
        users=("visitor_id", "nunique"), sessions=("session_id", "size")
    )
    assert len(got) == len(want)
    for row in got.itertuples():
        assert (row.users, row.sessions) == tuple(want.loc[row.country_code])
    assert got["share"].sum() == pytest.approx(1.0)
    assert got["users"].is_monotonic_decreasing


def test_regions_of_a_country_and_cities_of_a_region() -> None:
    regions = top_locations(sample(), MONTH, "region", sites=(OT,), country="US").frame
    rows = sessions_of(MONTH)
    us = rows[rows["country_code"] == "US"]
    assert regions["sessions"].sum() == len(us)
    top = regions.iloc[0]["region_code"]
    cities = top_locations(sample(), MONTH, "city", sites=(OT,), country="US", region=top).frame
    there = us[us["region_code"] == top]
    assert cities["sessions"].sum() == len(there)
    assert set(cities["city"].dropna()) == set(there["city"].dropna())
    assert cities["users"].iloc[0] == there.groupby("city")["visitor_id"].nunique().max()


def test_a_drill_down_level_needs_its_parents() -> None:
    with pytest.raises(WorkbenchError, match="country"):
        top_locations(sample(), MONTH, "region", sites=(OT,))
    with pytest.raises(WorkbenchError, match="'town'"):
        top_locations(sample(), MONTH, "town", sites=(OT,))


def test_bots_are_left_out_and_counted() -> None:
    result = top_locations(sample(), MONTH, sites=(OT,))
    bots = sample().sql(
        "SELECT count(*) AS n FROM sessions WHERE site_id = $site AND start_ts >= $start "
        "AND start_ts < $end AND is_bot",
        {"site": OT, "start": MONTH.start, "end": MONTH.end},
    )["n"][0]
    assert bots > 0 and result.excluded_bots == bots


def test_bots_can_be_kept_in_top_locations_and_segmentation() -> None:
    kept = top_locations(sample(), MONTH, sites=(OT,), include_bots=True)
    left = top_locations(sample(), MONTH, sites=(OT,))
    assert kept.frame["sessions"].sum() == left.frame["sessions"].sum() + left.excluded_bots
    assert kept.excluded_bots is None  # nothing was left out
    series = segmentation(sample(), MONTH, ("sessions",), (), "all", sites=(OT,), include_bots=True)
    assert series.frame["sessions"].sum() == kept.frame["sessions"].sum()


def test_session_list_pages_by_cursor_and_by_offset_alike() -> None:
    where = f.And((f.In("country_code", ("US", "IN", "DE")), f.Not(f.Eq("browser", "Chrome"))))
    whole = session_list(sample(), MONTH, sites=(OT,), where=where, limit=250).frame
    first = session_list(sample(), MONTH, sites=(OT,), where=where, limit=100)
    second = session_list(
        sample(), MONTH, sites=(OT,), where=where, limit=100, cursor=first.next_cursor
    )
    by_offset = session_list(sample(), MONTH, sites=(OT,), where=where, limit=100, offset=100)
    assert list(first.frame["session_id"]) == list(whole["session_id"][:100])
    assert list(second.frame["session_id"]) == list(whole["session_id"][100:200])
    assert list(by_offset.frame["session_id"]) == list(second.frame["session_id"])
    assert whole["start_ts"].is_monotonic_decreasing
    assert set(whole["country_name"]) <= {"United States", "India", "Germany"}


def test_the_last_page_has_no_next_cursor() -> None:
    day = Interval.from_dates(dt.date(2024, 11, 19), dt.date(2024, 11, 19), NY)
    total = len(sessions_of(day))
    page = session_list(sample(), day, sites=(OT,), limit=1000)
    rest = session_list(sample(), day, sites=(OT,), limit=1000, cursor=page.next_cursor)
    last = session_list(sample(), day, sites=(OT,), limit=1000, cursor=rest.next_cursor)
    assert len(page.frame) + len(rest.frame) + len(last.frame) == total
    assert last.next_cursor is None and len(last.frame) == total - 2000


def test_session_list_in_another_order() -> None:
    day = Interval.from_dates(dt.date(2024, 11, 19), dt.date(2024, 11, 19), NY)
    longest = session_list(sample(), day, sites=(OT,), order=(Order("duration_s", True),), limit=5)
    assert (
        longest.frame["duration_s"].tolist()
        == sorted(sessions_of(day)["duration_s"], reverse=True)[:5]
    )
    assert longest.next_cursor is None  # offset pages any other order


def test_daily_segmentation_has_every_local_day() -> None:
    quiet = f.Eq("country_code", "FJ")  # a country with days without a visit
    result = segmentation(
        sample(), MONTH, ("sessions", "users", "avg_duration"), sites=(OT,), where=quiet
    )
    frame = result.frame
    assert list(frame[BUCKET]) == bucket_starts(MONTH, "day")
    assert len(frame) == 30 and (frame["sessions"] == 0).any()
    assert frame.loc[frame["sessions"] == 0, "avg_duration"].isna().all()
    rows = sessions_of(MONTH)
    assert frame["sessions"].sum() == (rows["country_code"] == "FJ").sum()


def test_segmentation_by_a_dimension_per_week() -> None:
    result = segmentation(
        sample(), MONTH, ("sessions",), ("device_type",), "week", sites=(OT,), week_start="sunday"
    )
    frame = result.frame
    assert {b.weekday() for b in frame[BUCKET]} == {6}
    assert frame["sessions"].sum() == len(sessions_of(MONTH))


def test_compare_with_the_previous_period() -> None:
    result = compare(sample(), top_locations, MONTH, sites=(OT,))
    frame = result.frame.set_index("country_code")
    before = top_locations(sample(), previous_interval(MONTH), sites=(OT,)).frame
    before = before.set_index("country_code")
    us = frame.loc["US"]
    assert us["users_previous"] == before.loc["US", "users"]
    assert us["users_change"] == pytest.approx(us["users"] / before.loc["US", "users"] - 1)


@pytest.mark.parametrize(
    ("interval", "previous"),
    [  # whole local days: as many local days before, across New York's clock change (Nov 3)
        (MONTH, Interval.from_dates(dt.date(2024, 9, 21), dt.date(2024, 10, 20), NY)),
        (
            Interval.from_dates(dt.date(2024, 11, 4), dt.date(2024, 11, 10), NY),
            Interval.from_dates(dt.date(2024, 10, 28), dt.date(2024, 11, 3), NY),
        ),
        (  # not whole days: the same length just before
            Interval(
                dt.datetime(2024, 11, 19, 10, tzinfo=dt.UTC),
                dt.datetime(2024, 11, 19, 16, tzinfo=dt.UTC),
                NY,
            ),
            Interval(
                dt.datetime(2024, 11, 19, 4, tzinfo=dt.UTC),
                dt.datetime(2024, 11, 19, 10, tzinfo=dt.UTC),
                NY,
            ),
        ),
    ],
)
def test_the_previous_period(interval: Interval, previous: Interval) -> None:
    assert previous_interval(interval) == previous


def test_compare_a_time_series_by_bucket_position() -> None:
    week = Interval.from_dates(dt.date(2024, 11, 13), dt.date(2024, 11, 19), NY)
    result = compare(sample(), segmentation, week, metrics=("sessions",), sites=(OT,))
    frame = result.frame
    assert len(frame) == 7
    before = segmentation(sample(), previous_interval(week), ("sessions",), sites=(OT,)).frame
    assert frame["sessions_previous"].tolist() == before["sessions"].tolist()


def test_an_instant_metric_has_a_previous_value_but_no_change() -> None:
    result = compare(sample(), segmentation, MONTH, metrics=("sessions", "first_seen"), sites=(OT,))
    row = result.frame.iloc[0]
    assert "first_seen_previous" in result.frame and "first_seen_change" not in result.frame
    assert row["first_seen_previous"] < row["first_seen"]
    assert "sessions_change" in result.frame
