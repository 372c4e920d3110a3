"""Zones, Intervals, Opentracker periods, Clicky date expressions and giosg ISO intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from workbench.errors import WorkbenchError
from workbench.timeframe import (
    Interval,
    clicky_interval,
    clicky_range,
    day_start,
    iso_interval,
    local_date,
    opentracker_interval,
    parse_period,
    zone,
)

TODAY = date(2024, 10, 29)  # the date seed 003's Clicky examples were computed for


def d(text: str) -> date:
    return date.fromisoformat(text)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone_name: str) -> datetime:
    """Aware wall time in ``zone_name`` (fold 0)."""
    return datetime.fromisoformat(text).replace(tzinfo=zone(zone_name))


def assert_error(call, code: str, *fragments: str) -> WorkbenchError:
    with pytest.raises(WorkbenchError) as info:
        call()
    assert info.value.code == code
    for fragment in fragments:
        assert fragment in info.value.message
    return info.value


# ---------------------------------------------------------------- zones


@pytest.mark.parametrize("name", ["UTC", "Europe/Helsinki", "Asia/Kathmandu", "America/New_York"])
def test_zone_ok(name):
    assert zone(name).key == name


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Europe/Helsink", "Europe/Helsinki"),
        ("helsinki", "Europe/Helsinki"),
        ("europe/helsinki", "Europe/Helsinki"),
        ("Kolkata", "Asia/Kolkata"),
        ("Mars/Olympus_Mons", None),
        ("", None),
    ],
)
def test_zone_unknown(name, suggestion):
    error = assert_error(lambda: zone(name), "invalid_time_zone", repr(name), "Europe/Helsinki")
    if suggestion:
        assert f"did you mean {suggestion!r}" in error.message


def test_zone_error_names_the_callers_parameter():
    assert_error(lambda: zone("Nowhere", param="timeZone"), "invalid_time_zone", "timeZone")


def test_local_date_and_day_start():
    now = utc("2024-11-19T22:30:00")
    assert local_date(now, "America/New_York") == d("2024-11-19")
    assert local_date(now, "Asia/Tokyo") == d("2024-11-20")
    assert day_start(d("2024-03-31"), zone("Europe/Helsinki")) == utc("2024-03-30T22:00:00")
    # Chile springs forward at midnight: the day starts at the jump, 01:00 local
    santiago = day_start(d("2024-09-08"), zone("America/Santiago"))
    assert santiago == utc("2024-09-08T04:00:00")


# ---------------------------------------------------------------- Interval


def test_interval_normalises_to_utc_and_reads_locally():
    start = datetime(2019, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    interval = Interval(start, start + timedelta(days=1), "Europe/Helsinki")
    assert interval.start == utc("2018-12-31T22:00:00")
    assert interval.start.tzinfo is UTC
    assert interval.local_start.isoformat() == "2019-01-01T00:00:00+02:00"
    assert interval.local_end.isoformat() == "2019-01-02T00:00:00+02:00"
    assert interval.dates() == [d("2019-01-01")]
    assert interval.duration == timedelta(days=1)
    assert interval.contains(utc("2019-01-01T21:59:59"))
    assert not interval.contains(utc("2019-01-01T22:00:00"))


@pytest.mark.parametrize(
    ("zone_name", "day", "hours"),
    [
        ("Europe/Helsinki", "2024-03-31", 23),
        ("Europe/Helsinki", "2024-10-27", 25),
        ("Australia/Sydney", "2024-04-07", 25),
        ("Australia/Sydney", "2024-10-06", 23),
        ("America/New_York", "2024-03-10", 23),
        ("America/New_York", "2024-11-03", 25),
        ("America/Santiago", "2024-09-08", 23),
        ("Asia/Kathmandu", "2024-03-31", 24),
    ],
)
def test_interval_from_dates_on_dst_days(zone_name, day, hours):
    interval = Interval.from_dates(d(day), d(day), zone_name)
    assert interval.duration == timedelta(hours=hours)
    assert interval.dates() == [d(day)]


def test_interval_dates_across_months():
    interval = Interval.from_dates(d("2024-02-27"), d("2024-03-02"), "Asia/Kolkata")
    assert [str(x) for x in interval.dates()] == [
        "2024-02-27",
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
        "2024-03-02",
    ]


def test_interval_end_not_after_start():
    start, end = utc("2024-10-05T00:00:00"), utc("2024-10-01T00:00:00")
    error = assert_error(lambda: Interval(start, end, "UTC"), "invalid_interval")
    assert start.isoformat() in error.message
    assert end.isoformat() in error.message
    assert_error(lambda: Interval(start, start, "UTC"), "invalid_interval", start.isoformat())


def test_interval_rejects_naive_datetimes_and_unknown_zones():
    naive = datetime(2024, 1, 1)
    assert_error(lambda: Interval(naive, utc("2024-02-01T00:00:00"), "UTC"), "invalid_interval")
    start, end = utc("2024-01-01T00:00:00"), utc("2024-02-01T00:00:00")
    assert_error(lambda: Interval(start, end, "Mars/Base"), "invalid_time_zone", "Mars/Base")


# ---------------------------------------------------------------- Opentracker periods


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d", (1, "d")),
        ("d", (1, "d")),
        ("3w", (3, "w")),
        ("w", (1, "w")),
        ("2m", (2, "m")),
        ("m", (1, "m")),
        ("12h", (12, "h")),
        ("h", (1, "h")),
        ("07d", (7, "d")),
    ],
)
def test_parse_period_ok(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text", ["0d", "3y", "-1d", "abc", "", "1D", "d3", " 1d", "1.5d", "99999d", "1dd"]
)
def test_parse_period_error(text):
    assert_error(lambda: parse_period(text), "invalid_period", "period", repr(text))


def ot(zone_name="UTC", *, date=None, unix_time=None, period=None, now=None):
    now = now or utc("2024-11-19T12:00:00")
    return opentracker_interval(
        date=date, unix_time=unix_time, period=period, zone_name=zone_name, now=now
    )


@pytest.mark.parametrize(
    ("kwargs", "first", "last"),
    [
        ({"date": "2024-11-19", "period": "3w"}, "2024-10-30", "2024-11-19"),
        ({"date": "2024-11-19", "period": "1m"}, "2024-10-20", "2024-11-19"),
        ({"date": "2024-11-19", "period": "m"}, "2024-10-20", "2024-11-19"),
        ({"date": "2024-11-19", "period": "2m"}, "2024-09-20", "2024-11-19"),
        ({"date": "2024-11-19", "period": "1d"}, "2024-11-19", "2024-11-19"),
        ({"date": "2024-11-19", "period": "d"}, "2024-11-19", "2024-11-19"),
        ({"date": "2024-11-19"}, "2024-11-19", "2024-11-19"),
        ({"date": "2024-11-19", "period": "w"}, "2024-11-13", "2024-11-19"),
        ({"date": "2024-11-19", "period": "7d"}, "2024-11-13", "2024-11-19"),
        ({"date": "2024-03-30", "period": "1m"}, "2024-02-29", "2024-03-30"),
        ({"date": "2023-03-30", "period": "1m"}, "2023-02-28", "2023-03-30"),
        ({"date": "2024-01-15", "period": "2m"}, "2023-11-16", "2024-01-15"),
        ({"date": "2024-02-29", "period": "12m"}, "2023-03-01", "2024-02-29"),
        ({"period": "1d"}, "2024-11-19", "2024-11-19"),
        ({}, "2024-11-19", "2024-11-19"),
        ({"date": "", "unix_time": "", "period": ""}, "2024-11-19", "2024-11-19"),
        ({"unix_time": "1321472680", "period": "2d"}, "2011-11-15", "2011-11-16"),
        ({"unix_time": "1321472680399", "period": "2d"}, "2011-11-15", "2011-11-16"),
        ({"date": "2024-11-19", "unix_time": "1321472680"}, "2024-11-19", "2024-11-19"),
    ],
)
def test_opentracker_day_periods_utc(kwargs, first, last):
    interval = ot(**kwargs)
    assert interval.dates() == [
        d(first) + timedelta(days=i) for i in range((d(last) - d(first)).days + 1)
    ]
    assert interval.local_start == local(first + "T00:00:00", "UTC")
    assert interval.local_end == local(last + "T00:00:00", "UTC") + timedelta(days=1)


def test_opentracker_three_weeks_is_21_local_days():
    interval = ot("Europe/Helsinki", date="2024-11-19", period="3w")
    assert interval.local_start == local("2024-10-30T00:00:00", "Europe/Helsinki")
    assert interval.local_end == local("2024-11-20T00:00:00", "Europe/Helsinki")
    assert len(interval.dates()) == 21
    assert interval.duration == timedelta(days=21)
    # a week spanning the fall-back night of 2024-10-27 is one hour longer
    spanning = ot("Europe/Helsinki", date="2024-10-31", period="w")
    assert spanning.local_start == local("2024-10-25T00:00:00", "Europe/Helsinki")
    assert spanning.duration == timedelta(days=7, hours=1)


@pytest.mark.parametrize(
    ("zone_name", "kwargs", "day"),
    [
        # now = 2024-11-19T22:30Z is still the 19th in New York and already the 20th in Tokyo
        ("America/New_York", {}, "2024-11-19"),
        ("Asia/Tokyo", {}, "2024-11-20"),
        ("Asia/Kathmandu", {}, "2024-11-20"),
        # 1321472680 = 2011-11-16T19:44:40Z: the 17th in Karachi (+05:00), the 16th in UTC
        ("Asia/Karachi", {"unix_time": "1321472680"}, "2011-11-17"),
        ("Asia/Karachi", {"unix_time": "1321472680399"}, "2011-11-17"),
        ("America/Los_Angeles", {"unix_time": "1321472680"}, "2011-11-16"),
        ("Asia/Tokyo", {"date": "2024-11-19"}, "2024-11-19"),
    ],
)
def test_opentracker_anchor_is_a_local_date(zone_name, kwargs, day):
    interval = ot(zone_name, now=utc("2024-11-19T22:30:00"), **kwargs)
    assert interval.dates() == [d(day)]
    assert interval.local_start == local(day + "T00:00:00", zone_name)
    assert interval.zone == zone_name


@pytest.mark.parametrize(
    ("kwargs", "start", "end"),
    [
        ({"period": "12h"}, "2024-11-19T00:00:00", "2024-11-19T12:00:00"),
        ({"period": "h"}, "2024-11-19T11:00:00", "2024-11-19T12:00:00"),
        ({"unix_time": "1321472680", "period": "h"}, "2011-11-16T18:44:40", "2011-11-16T19:44:40"),
        (
            {"unix_time": "1321472680399", "period": "2h"},
            "2011-11-16T17:44:40.399",
            "2011-11-16T19:44:40.399",
        ),
        ({"date": "2024-11-19", "period": "12h"}, "2024-11-19T12:00:00", "2024-11-20T00:00:00"),
        ({"date": "2024-11-19", "period": "36h"}, "2024-11-18T12:00:00", "2024-11-20T00:00:00"),
    ],
)
def test_opentracker_hour_periods_utc(kwargs, start, end):
    interval = ot(**kwargs)
    assert (interval.start, interval.end) == (utc(start), utc(end))


def test_opentracker_hours_with_a_date_on_a_dst_day_count_elapsed_hours():
    interval = ot("Europe/Helsinki", date="2024-10-27", period="24h")
    assert interval.local_end == local("2024-10-28T00:00:00", "Europe/Helsinki")
    assert interval.duration == timedelta(hours=24)
    assert interval.local_start.isoformat() == "2024-10-27T01:00:00+03:00"


@pytest.mark.parametrize(
    ("kwargs", "code", "fragments"),
    [
        ({"date": "2024-11-31"}, "invalid_date", ["date", "'2024-11-31'", "yyyy-MM-dd"]),
        ({"date": "19-11-2024"}, "invalid_date", ["date", "'19-11-2024'"]),
        ({"date": "20241119"}, "invalid_date", ["date", "'20241119'"]),
        ({"unix_time": "abc"}, "invalid_date", ["unixTime", "'abc'"]),
        ({"unix_time": "-5"}, "invalid_date", ["unixTime", "'-5'"]),
        ({"unix_time": "1.5"}, "invalid_date", ["unixTime", "'1.5'"]),
        ({"date": "2024-11-19", "unix_time": "x"}, "invalid_date", ["unixTime", "'x'"]),
        ({"period": "3y"}, "invalid_period", ["period", "'3y'", "no year unit"]),
        ({"period": "0d"}, "invalid_period", ["period", "'0d'"]),
        ({"date": "0001-01-05", "period": "3w"}, "invalid_period", ["period", "'3w'"]),
    ],
)
def test_opentracker_errors(kwargs, code, fragments):
    assert_error(lambda: ot(**kwargs), code, *fragments)


def test_opentracker_bad_zone_and_naive_now():
    assert_error(lambda: ot("Mars/Base"), "invalid_time_zone", "timeZone", "'Mars/Base'")
    assert_error(lambda: ot(now=datetime(2024, 1, 1)), "invalid_parameter", "now")


# ---------------------------------------------------------------- Clicky


@pytest.mark.parametrize(
    ("expr", "first", "last"),
    [
        # every example of seed 003, computed there for today = 2024-10-29
        ("2024-10-29", "2024-10-29", "2024-10-29"),
        ("2024-09-01,2024-09-30", "2024-09-01", "2024-09-30"),
        ("2024-10", "2024-10-01", "2024-10-31"),
        ("2023", "2023-01-01", "2023-12-31"),
        ("today", "2024-10-29", "2024-10-29"),
        ("yesterday", "2024-10-28", "2024-10-28"),
        ("3-days-ago", "2024-10-26", "2024-10-26"),
        ("last-3-days", "2024-10-27", "2024-10-29"),
        ("previous-3-days", "2024-10-26", "2024-10-28"),
        ("this-month", "2024-10-01", "2024-10-31"),
        ("last-month", "2024-09-01", "2024-09-30"),
        ("3-months-ago", "2024-07-01", "2024-07-31"),
        ("this-week", "2024-10-27", "2024-11-02"),
        ("last-week", "2024-10-20", "2024-10-26"),
        ("3-weeks-ago", "2024-10-06", "2024-10-12"),
        # edges
        ("2024-10-05,2024-10-05", "2024-10-05", "2024-10-05"),
        ("0-days-ago", "2024-10-29", "2024-10-29"),
        ("last-1-days", "2024-10-29", "2024-10-29"),
        ("previous-1-days", "2024-10-28", "2024-10-28"),
        ("last-30-days", "2024-09-30", "2024-10-29"),
        ("0-weeks-ago", "2024-10-27", "2024-11-02"),
        ("1-weeks-ago", "2024-10-20", "2024-10-26"),
        ("0-months-ago", "2024-10-01", "2024-10-31"),
        ("10-months-ago", "2023-12-01", "2023-12-31"),
        ("12-months-ago", "2023-10-01", "2023-10-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2023-02", "2023-02-01", "2023-02-28"),
        ("1900-02", "1900-02-01", "1900-02-28"),
        ("2000-02", "2000-02-01", "2000-02-29"),
        ("2024-02-29", "2024-02-29", "2024-02-29"),
        ("2024", "2024-01-01", "2024-12-31"),
    ],
)
def test_clicky_range_seed_examples_and_edges(expr, first, last):
    assert clicky_range(expr, TODAY) == (d(first), d(last))


@pytest.mark.parametrize(
    ("expr", "today", "first", "last"),
    [
        ("last-month", "2024-01-15", "2023-12-01", "2023-12-31"),
        ("2-months-ago", "2024-01-31", "2023-11-01", "2023-11-30"),
        ("1-months-ago", "2024-03-31", "2024-02-01", "2024-02-29"),
        ("this-month", "2024-02-10", "2024-02-01", "2024-02-29"),
        ("this-month", "2100-02-10", "2100-02-01", "2100-02-28"),
        ("this-week", "2025-01-01", "2024-12-29", "2025-01-04"),
        ("this-week", "2024-10-27", "2024-10-27", "2024-11-02"),
        ("this-week", "2024-11-02", "2024-10-27", "2024-11-02"),
        ("last-week", "2025-01-02", "2024-12-22", "2024-12-28"),
        ("yesterday", "2024-03-01", "2024-02-29", "2024-02-29"),
        ("previous-2-days", "2024-01-01", "2023-12-30", "2023-12-31"),
        ("last-60-days", "2024-03-01", "2024-01-02", "2024-03-01"),
    ],
)
def test_clicky_range_relative_to_other_days(expr, today, first, last):
    assert clicky_range(expr, d(today)) == (d(first), d(last))


@pytest.mark.parametrize(
    "expr",
    [
        "2024-13-01",
        "2023-02-29",
        "2024-10-32",
        "2024-13",
        "2024-00",
        "0000",
        "last-x-days",
        "last-0-days",
        "previous-0-days",
        "tomorrow",
        "Today",
        "",
        "2024-1-01",
        "2024-10-01,",
        "2024-10-01,2024-10",
        "3-days",
        "999999999-days-ago",
        " today",
    ],
)
def test_clicky_range_malformed(expr):
    assert_error(lambda: clicky_range(expr, TODAY), "invalid_date", "date", repr(expr))


def test_clicky_range_end_before_start():
    assert_error(
        lambda: clicky_range("2024-10-05,2024-10-01", TODAY),
        "invalid_date",
        "'2024-10-05,2024-10-01'",
        "ends before it starts",
    )


def test_clicky_interval_uses_local_midnights():
    interval = clicky_interval("last-week", "America/New_York", TODAY)
    assert interval.local_start.isoformat() == "2024-10-20T00:00:00-04:00"
    assert interval.local_end.isoformat() == "2024-10-27T00:00:00-04:00"
    month = clicky_interval("2024-11", "America/New_York", TODAY)
    assert month.duration == timedelta(days=30, hours=1)  # 2024-11-03 has 25 hours
    assert_error(lambda: clicky_interval("soon", "UTC", TODAY), "invalid_date", "'soon'")


# ---------------------------------------------------------------- giosg ISO intervals


def test_iso_interval_giosg_example():
    interval = iso_interval(
        "2019-01-01T00:00:00.000+02:00", "2019-01-01T23:59:59.999+02:00", "Europe/Helsinki"
    )
    assert interval.start == utc("2018-12-31T22:00:00")
    assert interval.end == utc("2019-01-01T21:59:59.999")  # kept as given, not widened
    assert interval.zone == "Europe/Helsinki"
    assert interval.local_start.isoformat() == "2019-01-01T00:00:00+02:00"
    assert interval.dates() == [d("2019-01-01")]


@pytest.mark.parametrize(
    ("start", "end", "zone_name", "utc_start", "utc_end", "zone_kept"),
    [
        ("2019-01-01T00:00:00+02:00", "2019-01-02T00:00:00+02:00", None, "2018-12-31T22:00:00",
         "2019-01-01T22:00:00", "UTC"),
        ("2019-01-01T00:00:00Z", "2019-01-02T00:00:00Z", None, "2019-01-01T00:00:00",
         "2019-01-02T00:00:00", "UTC"),
        ("2019-01-01T00:00:00", "2019-01-02T00:00:00", "Europe/Helsinki", "2018-12-31T22:00:00",
         "2019-01-01T22:00:00", "Europe/Helsinki"),
        ("2019-07-01T00:00:00.000", "2019-07-01T12:00:00.000", "Europe/Helsinki",
         "2019-06-30T21:00:00", "2019-07-01T09:00:00", "Europe/Helsinki"),
        # naive inside the spring-forward gap: the instant clocks jump
        ("2024-03-31T03:30:00", "2024-03-31T05:00:00", "Europe/Helsinki", "2024-03-31T01:00:00",
         "2024-03-31T02:00:00", "Europe/Helsinki"),
        # naive in the repeated fall-back hour: the earlier of the two
        ("2024-10-27T03:30:00", "2024-10-27T05:00:00", "Europe/Helsinki", "2024-10-27T00:30:00",
         "2024-10-27T03:00:00", "Europe/Helsinki"),
        # offsets win over the zone; mixing offset and naive is fine
        ("2019-01-01T00:00:00+05:30", "2019-01-01T12:00:00", "Asia/Kolkata",
         "2018-12-31T18:30:00", "2019-01-01T06:30:00", "Asia/Kolkata"),
    ],
)  # fmt: skip
def test_iso_interval_ok(start, end, zone_name, utc_start, utc_end, zone_kept):
    interval = iso_interval(start, end, zone_name)
    assert (interval.start, interval.end) == (utc(utc_start), utc(utc_end))
    assert interval.zone == zone_kept


@pytest.mark.parametrize(
    ("start", "end", "zone_name", "code", "fragments"),
    [
        ("2019-01-01T00:00:00", "2019-01-02T00:00:00+02:00", None, "invalid_date",
         ["interval.start", "'2019-01-01T00:00:00'", "offset"]),
        ("2019-01-01T00:00:00Z", "2019-01-02T00:00:00", None, "invalid_date",
         ["interval.end", "'2019-01-02T00:00:00'"]),
        ("2019-13-01T00:00:00Z", "2019-01-02T00:00:00Z", None, "invalid_date",
         ["interval.start", "'2019-13-01T00:00:00Z'", "ISO-8601"]),
        ("2019-01-01T00:00:00Z", "yesterday", None, "invalid_date", ["interval.end", "'yesterday'"]),
        ("2019-01-02T00:00:00Z", "2019-01-01T00:00:00Z", None, "invalid_interval",
         ["2019-01-02T00:00:00+00:00", "2019-01-01T00:00:00+00:00"]),
        ("2019-01-01T00:00:00", "2019-01-02T00:00:00", "Europe/Helsinky", "invalid_time_zone",
         ["interval.time_zone", "'Europe/Helsinky'", "Europe/Helsinki"]),
    ],
)  # fmt: skip
def test_iso_interval_errors(start, end, zone_name, code, fragments):
    assert_error(lambda: iso_interval(start, end, zone_name), code, *fragments)
