"""A bad Query is refused when made: a WorkbenchError naming the bad value and what is valid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sample_store import sample

from workbench import filters as f
from workbench.errors import WorkbenchError
from workbench.query import Cursor, Order, Query
from workbench.timeframe import Interval

START = dt.datetime(2024, 11, 1, tzinfo=dt.UTC)
IV = Interval(START, START + dt.timedelta(days=7), "UTC")


def q(**kw) -> Callable[[], object]:
    return lambda: Query(IV, **kw)


def leaf(node: f.Filter, table: str = "sessions") -> Callable[[], object]:
    return q(
        table=table, metrics=("sessions",) if table == "sessions" else ("events",), filter=node
    )


# name -> (what raises, its code, texts the message must hold: the bad value, valid choices)
CASES: dict[str, tuple[Callable[[], object], str, tuple[str, ...]]] = {
    "unknown-dimension": (
        q(dimensions=("contry_code",), metrics=("sessions",)),
        "unknown_dimension",
        ("'contry_code'", "country_code", "browser", "property.KEY"),
    ),
    "unknown-events-dimension": (
        q(table="events", dimensions=("browser",), metrics=("events",)),
        "unknown_dimension",
        ("'browser'", "type", "segmentation.KEY"),
    ),
    "unknown-metric": (
        q(metrics=("visits",)),
        "unknown_metric",
        ("'visits'", "sessions", "users", "bounce_rate"),
    ),
    "metric-of-events": (
        q(metrics=("events_sum",)),
        "unknown_metric",
        ("'events_sum'", "bounce_rate", "it is a metric of table='events'"),
    ),
    "metric-of-sessions": (
        q(table="events", metrics=("bounce_rate",)),
        "unknown_metric",
        ("'bounce_rate'", "events_sum", "it is a metric of table='sessions'"),
    ),
    "limit-0": (q(metrics=("sessions",), limit=0), "invalid_limit", ("limit", "0", "1 to 100,000")),
    "limit-too-big": (
        q(metrics=("sessions",), limit=100_001),
        "invalid_limit",
        ("100001", "1 to 100,000"),
    ),
    "limit-text": (q(metrics=("sessions",), limit="10"), "invalid_limit", ("'10'", "an integer")),
    "limit-bool": (q(metrics=("sessions",), limit=True), "invalid_limit", ("True", "an integer")),
    "negative-offset": (
        q(metrics=("sessions",), offset=-1),
        "invalid_parameter",
        ("offset", "-1", "≥ 0"),
    ),
    "filter-unknown-dimension": (
        leaf(f.Eq("brwser", "Chrome")),
        "unknown_dimension",
        ("filter", "'brwser'", "browser"),
    ),
    "range-on-text": (
        leaf(f.Range("browser", 1, 2)),
        "invalid_filter",
        ("Range(browser)", "number/time", "browser is text"),
    ),
    "wildcard-on-number": (
        leaf(f.Wildcard("pageviews", "1*")),
        "invalid_filter",
        ("Wildcard(pageviews)", "text", "pageviews is number"),
    ),
    "case-insensitive-on-number": (
        leaf(f.Eq("pageviews", 1, case_insensitive=True)),
        "invalid_filter",
        ("pageviews", "case_insensitive only on text"),
    ),
    "invalid-regex": (
        leaf(f.Regex("browser", "Chrome(")),
        "invalid_filter",
        ("'Chrome('", "a valid regular expression"),
    ),
    "in-without-values": (leaf(f.In("browser", ())), "invalid_filter", ("In with at least one",)),
    "range-without-bounds": (
        leaf(f.Range("pageviews")),
        "invalid_filter",
        ("Range with a low or a high bound",),
    ),
    "not-a-filter": (leaf("browser = 'x'"), "invalid_parameter", ("\"browser = 'x'\"", "filters")),
    "cursor-with-custom-order": (
        q(dimensions=("session_id",), order=(Order("session_id"),), cursor=Cursor(1, "s")),
        "invalid_parameter",
        (Cursor(1, "s").token, "newest-first list", "offset"),
    ),
    "cursor-on-aggregate": (
        q(metrics=("sessions",), cursor=Cursor(1, "s")),
        "invalid_parameter",
        (Cursor(1, "s").token, "newest-first list"),
    ),
    "approximate-with-exact-metrics": (
        q(metrics=("sessions", "pageviews"), approximate=True),
        "exact_only",
        ("approximate", "sessions, pageviews is always exact", "users", "new_users"),
    ),
    "approximate-with-returning-users": (
        q(metrics=("users", "returning_users"), approximate=True),
        "exact_only",
        ("'returning_users'", "a difference of two estimates", "users"),
    ),
    "unknown-granularity": (
        q(metrics=("sessions",), granularity="fortnight"),
        "invalid_granularity",
        ("'fortnight'", "day", "week", "hour"),
    ),
    "granularity-on-a-list": (
        q(dimensions=("session_id",), granularity="day"),
        "invalid_parameter",
        ("'day'", "'all' for a list"),
    ),
    "unknown-week-start": (
        q(metrics=("sessions",), granularity="week", week_start="saturday"),
        "invalid_parameter",
        ("'saturday'", "monday", "sunday"),
    ),
    "unknown-table": (
        q(table="visits", metrics=("sessions",)),
        "unknown_table",
        ("'visits'", "sessions", "events"),
    ),
    "order-by-unknown-field": (
        q(metrics=("sessions",), dimensions=("browser",), order=(Order("users"),)),
        "invalid_order",
        ("'users'", "browser", "sessions"),
    ),
    "duplicate-metric": (
        q(metrics=("sessions", "sessions")),
        "invalid_parameter",
        ("'sessions'", "each name once"),
    ),
    "end-before-start": (
        lambda: Interval(START, START - dt.timedelta(days=1), "UTC"),
        "invalid_interval",
        ("2024-10-31", "2024-11-01", "an end later than the start"),
    ),
    "empty-interval": (
        lambda: Interval(START, START, "UTC"),
        "invalid_interval",
        ("2024-11-01", "an end later than the start"),
    ),
}


@pytest.mark.parametrize(("make", "code", "texts"), CASES.values(), ids=CASES.keys())
def test_bad_input_names_the_value_and_what_is_valid(make, code: str, texts: tuple) -> None:
    with pytest.raises(WorkbenchError) as caught:
        make()
    assert caught.value.code == code, caught.value.message
    for text in texts:
        assert text in caught.value.message


def test_an_unknown_site_is_refused_by_the_workbench() -> None:
    query = Query(IV, sites=("www.opentracker.net", "nope.example"), metrics=("sessions",))
    with pytest.raises(WorkbenchError) as caught:
        sample().query(query)
    assert caught.value.code == "unknown_site"
    for text in ("'nope.example'", "www.opentracker.net", "giosg-shop", "countly-app"):
        assert text in caught.value.message


def test_a_workbench_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'fortnight'"):
        Query(IV, metrics=("sessions",), granularity="fortnight")
