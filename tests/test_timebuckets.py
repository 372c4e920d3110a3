"""Time buckets across DST and odd offsets, zone offset changes, and Java date patterns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from workbench.errors import WorkbenchError
from workbench.timebuckets import (
    GRANULARITIES,
    WEEK_STARTS,
    bucket_start,
    bucket_starts,
    format_java,
    zone_offsets,
)
from workbench.timeframe import Interval, zone


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(text: str, zone_name: str) -> Interval:
    return Interval.from_dates(date.fromisoformat(text), date.fromisoformat(text), zone_name)


def iso(values: list[datetime]) -> list[str]:
    return [value.isoformat() for value in values]


def assert_error(call, code: str, *fragments: str) -> WorkbenchError:
    with pytest.raises(WorkbenchError) as info:
        call()
    assert info.value.code == code
    for fragment in fragments:
        assert fragment in info.value.message
    return info.value


def test_public_constants():
    assert GRANULARITIES == (
        "all",
        "none",
        "minute",
        "fifteen_minute",
        "thirty_minute",
        "hour",
        "day",
        "week",
        "month",
        "quarter",
        "year",
    )
    assert WEEK_STARTS == ("monday", "sunday")


# ---------------------------------------------------------------- DST days


@pytest.mark.parametrize(
    ("zone_name", "when", "hours"),
    [
        ("Europe/Helsinki", "2024-03-31", 23),
        ("Europe/Helsinki", "2024-10-27", 25),
        ("Australia/Sydney", "2024-04-07", 25),
        ("Australia/Sydney", "2024-10-06", 23),
        ("America/New_York", "2024-03-10", 23),
        ("America/New_York", "2024-11-03", 25),
        ("Asia/Kolkata", "2024-03-31", 24),
        ("Asia/Kathmandu", "2024-10-27", 24),
    ],
)
def test_bucket_counts_on_dst_days(zone_name, when, hours):
    interval = day(when, zone_name)
    assert len(bucket_starts(interval, "day")) == 1
    assert len(bucket_starts(interval, "hour")) == hours
    assert len(bucket_starts(interval, "thirty_minute")) == hours * 2
    assert len(bucket_starts(interval, "fifteen_minute")) == hours * 4
    assert len(bucket_starts(interval, "minute")) == hours * 60
    assert iso(bucket_starts(interval, "all")) == [interval.local_start.isoformat()]
    for granularity in ("hour", "day", "week", "month", "quarter", "year"):
        starts = bucket_starts(interval, granularity)
        assert starts == sorted(starts)
        assert len(set(starts)) == len(starts)


def test_day_bucket_on_23_and_25_hour_days():
    assert iso(bucket_starts(day("2024-03-31", "Europe/Helsinki"), "day")) == [
        "2024-03-31T00:00:00+02:00"
    ]
    # a late-evening instant of a 25-hour day still belongs to that day's bucket
    start = bucket_start(utc("2024-10-27T21:30:00"), "day", "Europe/Helsinki")
    assert start.isoformat() == "2024-10-27T00:00:00+03:00"
    start = bucket_start(utc("2024-04-06T14:30:00"), "day", "Australia/Sydney")
    assert start.isoformat() == "2024-04-07T00:00:00+11:00"


def test_fall_back_hour_gives_two_distinct_01_00_buckets():
    new_york = "America/New_York"
    first = bucket_start(utc("2024-11-03T05:30:00"), "hour", new_york)
    second = bucket_start(utc("2024-11-03T06:30:00"), "hour", new_york)
    assert first.isoformat() == "2024-11-03T01:00:00-04:00"
    assert second.isoformat() == "2024-11-03T01:00:00-05:00"
    assert first != second  # fixed-offset labels: ZoneInfo datetimes would compare equal
    assert len({first, second}) == 2
    assert iso(bucket_starts(day("2024-11-03", new_york), "hour")[:4]) == [
        "2024-11-03T00:00:00-04:00",
        "2024-11-03T01:00:00-04:00",
        "2024-11-03T01:00:00-05:00",
        "2024-11-03T02:00:00-05:00",
    ]
    helsinki = [s.isoformat() for s in bucket_starts(day("2024-10-27", "Europe/Helsinki"), "hour")]
    assert "2024-10-27T03:00:00+03:00" in helsinki
    assert "2024-10-27T03:00:00+02:00" in helsinki


def test_spring_forward_skips_the_missing_hour():
    starts = iso(bucket_starts(day("2024-03-31", "Europe/Helsinki"), "hour"))
    assert starts[2:4] == ["2024-03-31T02:00:00+02:00", "2024-03-31T04:00:00+03:00"]
    starts = iso(bucket_starts(day("2024-10-06", "Australia/Sydney"), "hour"))
    assert starts[1:3] == ["2024-10-06T01:00:00+10:00", "2024-10-06T03:00:00+11:00"]


@pytest.mark.parametrize("zone_name", ["Europe/Helsinki", "America/New_York", "Australia/Sydney"])
@pytest.mark.parametrize("granularity", ["fifteen_minute", "hour", "day", "week"])
def test_every_instant_falls_in_an_enumerated_bucket(zone_name, granularity):
    interval = Interval(utc("2024-03-01T00:00:00"), utc("2024-11-10T00:00:00"), zone_name)
    starts = set(bucket_starts(interval, granularity))
    moment = interval.start
    while moment < interval.end:
        start = bucket_start(moment, granularity, zone_name)
        assert start in starts
        assert start <= moment
        moment += timedelta(minutes=131)  # lands on every quarter-hour offset over time


# ---------------------------------------------------------------- offsets that are not whole hours


@pytest.mark.parametrize(
    ("zone_name", "granularity", "expected"),
    [
        # 2024-05-01T10:10Z is 15:40 in Kolkata (+05:30) and 15:55 in Kathmandu (+05:45)
        ("Asia/Kolkata", "minute", "2024-05-01T15:40:00+05:30"),
        ("Asia/Kolkata", "fifteen_minute", "2024-05-01T15:30:00+05:30"),
        ("Asia/Kolkata", "thirty_minute", "2024-05-01T15:30:00+05:30"),
        ("Asia/Kolkata", "hour", "2024-05-01T15:00:00+05:30"),
        ("Asia/Kolkata", "day", "2024-05-01T00:00:00+05:30"),
        ("Asia/Kathmandu", "fifteen_minute", "2024-05-01T15:45:00+05:45"),
        ("Asia/Kathmandu", "thirty_minute", "2024-05-01T15:30:00+05:45"),
        ("Asia/Kathmandu", "hour", "2024-05-01T15:00:00+05:45"),
        ("Asia/Kathmandu", "day", "2024-05-01T00:00:00+05:45"),
        ("UTC", "hour", "2024-05-01T10:00:00+00:00"),
        ("UTC", "none", "2024-05-01T10:10:00+00:00"),
    ],
)
def test_bucket_start_in_odd_offsets(zone_name, granularity, expected):
    assert bucket_start(utc("2024-05-01T10:10:00"), granularity, zone_name).isoformat() == expected


def test_kathmandu_hours_start_at_quarter_past_utc():
    starts = bucket_starts(day("2024-05-01", "Asia/Kathmandu"), "hour")
    assert len(starts) == 24
    assert starts[0].astimezone(UTC).isoformat() == "2024-04-30T18:15:00+00:00"
    assert {s.astimezone(UTC).minute for s in starts} == {15}


# ---------------------------------------------------------------- weeks, months, quarters, years


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [("monday", "2024-10-28T00:00:00+02:00"), ("sunday", "2024-10-27T00:00:00+03:00")],
)
def test_week_start(week_start, expected):
    # 2024-10-29 is a Tuesday; Sunday 2024-10-27 began in summer time
    start = bucket_start(utc("2024-10-29T12:00:00"), "week", "Europe/Helsinki", week_start)
    assert start.isoformat() == expected


@pytest.mark.parametrize(
    ("week_start", "firsts"),
    [
        ("monday", ["09-30", "10-07", "10-14", "10-21", "10-28"]),
        ("sunday", ["09-29", "10-06", "10-13", "10-20", "10-27"]),
    ],
)
def test_week_buckets_of_october(week_start, firsts):
    october = Interval.from_dates(date(2024, 10, 1), date(2024, 10, 31), "UTC")
    starts = bucket_starts(october, "week", week_start)
    assert [s.strftime("%m-%d") for s in starts] == firsts


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        ("month", "2024-08-01T00:00:00+03:00"),
        ("quarter", "2024-07-01T00:00:00+03:00"),
        ("year", "2024-01-01T00:00:00+02:00"),
    ],
)
def test_calendar_bucket_start(granularity, expected):
    start = bucket_start(utc("2024-08-15T12:00:00"), granularity, "Europe/Helsinki")
    assert start.isoformat() == expected


def test_calendar_buckets_over_a_year():
    year = Interval.from_dates(date(2024, 1, 1), date(2024, 12, 31), "Europe/Helsinki")
    months = bucket_starts(year, "month")
    assert len(months) == 12
    assert months[2].isoformat() == "2024-03-01T00:00:00+02:00"
    assert months[3].isoformat() == "2024-04-01T00:00:00+03:00"
    assert iso(bucket_starts(year, "quarter")) == [
        "2024-01-01T00:00:00+02:00",
        "2024-04-01T00:00:00+03:00",
        "2024-07-01T00:00:00+03:00",
        "2024-10-01T00:00:00+03:00",
    ]
    assert iso(bucket_starts(year, "year")) == ["2024-01-01T00:00:00+02:00"]
    assert len(bucket_starts(year, "day")) == 366


def test_buckets_overlapping_a_partial_interval():
    interval = Interval(utc("2024-02-14T10:07:00"), utc("2024-02-14T11:31:00"), "Asia/Kathmandu")
    assert iso(bucket_starts(interval, "thirty_minute")) == [
        "2024-02-14T15:30:00+05:45",
        "2024-02-14T16:00:00+05:45",
        "2024-02-14T16:30:00+05:45",
        "2024-02-14T17:00:00+05:45",
    ]
    assert iso(bucket_starts(interval, "month")) == ["2024-02-01T00:00:00+05:45"]


@pytest.mark.parametrize(
    ("call", "code", "fragments"),
    [
        (lambda: bucket_start(utc("2024-01-01T00:00:00"), "second", "UTC"), "invalid_granularity",
         ["granularity", "'second'", "fifteen_minute"]),
        (lambda: bucket_start(utc("2024-01-01T00:00:00"), "all", "UTC"), "invalid_granularity",
         ["'all'", "interval start"]),
        (lambda: bucket_starts(day("2024-01-01", "UTC"), "none"), "invalid_granularity",
         ["'none'"]),
        (lambda: bucket_starts(day("2024-01-01", "UTC"), "Hour"), "invalid_granularity",
         ["'Hour'"]),
        (lambda: bucket_start(utc("2024-01-01T00:00:00"), "week", "UTC", "saturday"),
         "invalid_parameter", ["week_start", "'saturday'", "monday"]),
        (lambda: bucket_start(datetime(2024, 1, 1), "hour", "UTC"), "invalid_parameter", ["ts"]),
        (lambda: bucket_start(utc("2024-01-01T00:00:00"), "hour", "Moon/Base"),
         "invalid_time_zone", ["'Moon/Base'"]),
        (lambda: bucket_starts(Interval.from_dates(date(2000, 1, 1), date(2024, 1, 1), "UTC"),
                               "minute"), "invalid_granularity", ["'minute'", "1000000"]),
    ],
)  # fmt: skip
def test_bucket_errors(call, code, fragments):
    assert_error(call, code, *fragments)


# ---------------------------------------------------------------- zone offsets


def test_zone_offsets_helsinki_2024():
    rows = zone_offsets("Europe/Helsinki", utc("2024-01-01T00:00:00"), utc("2025-01-01T00:00:00"))
    assert rows == [
        (utc("2024-01-01T00:00:00"), 7200),
        (utc("2024-03-31T01:00:00"), 10800),
        (utc("2024-10-27T01:00:00"), 7200),
    ]


def test_zone_offsets_sydney_and_new_york():
    sydney = zone_offsets(
        "Australia/Sydney", utc("2024-01-01T00:00:00"), utc("2025-01-01T00:00:00")
    )
    assert sydney == [
        (utc("2024-01-01T00:00:00"), 39600),
        (utc("2024-04-06T16:00:00"), 36000),
        (utc("2024-10-05T16:00:00"), 39600),
    ]
    start = datetime(2024, 3, 1, tzinfo=zone("America/New_York"))
    rows = zone_offsets("America/New_York", start, start + timedelta(days=30))
    assert rows == [(utc("2024-03-01T05:00:00"), -18000), (utc("2024-03-10T07:00:00"), -14400)]
    assert rows[0][0].tzinfo is UTC


@pytest.mark.parametrize(("zone_name", "offset"), [("Asia/Kolkata", 19800), ("UTC", 0)])
def test_zone_offsets_without_dst(zone_name, offset):
    start = utc("2024-01-01T00:00:00")
    assert zone_offsets(zone_name, start, utc("2025-01-01T00:00:00")) == [(start, offset)]


def test_zone_offsets_at_the_edges():
    change = utc("2024-03-31T01:00:00")
    assert zone_offsets("Europe/Helsinki", change, change + timedelta(hours=1)) == [(change, 10800)]
    before = change - timedelta(hours=1)
    assert zone_offsets("Europe/Helsinki", before, change) == [(before, 7200)]
    odd = change - timedelta(microseconds=1500)
    assert zone_offsets("Europe/Helsinki", odd, change + timedelta(seconds=1)) == [
        (odd, 7200),
        (change, 10800),
    ]


def test_zone_offsets_agree_with_zoneinfo_hour_by_hour():
    tz = zone("America/Santiago")
    start, end = utc("2023-01-01T00:00:00"), utc("2025-01-01T00:00:00")
    rows = zone_offsets("America/Santiago", start, end)
    assert len(rows) == 5
    moment = start
    while moment < end:
        expected = [offset for at, offset in rows if at <= moment][-1]
        assert moment.astimezone(tz).utcoffset() == timedelta(seconds=expected)
        moment += timedelta(minutes=37)


def test_zone_offsets_errors():
    start = utc("2024-01-01T00:00:00")
    assert_error(lambda: zone_offsets("Europe/Helsinki", start, start), "invalid_interval")
    assert_error(
        lambda: zone_offsets("Nowhere/Land", start, start + timedelta(1)), "invalid_time_zone"
    )
    naive = datetime(2024, 2, 1)
    assert_error(lambda: zone_offsets("UTC", start, naive), "invalid_interval", "end")


# ---------------------------------------------------------------- Java SimpleDateFormat

PLUS5 = timezone(timedelta(hours=5))
# SimpleDateFormat's own examples: 2001-07-04 12:08:56.235 in America/Los_Angeles
JULY4 = datetime(2001, 7, 4, 19, 8, 56, 235000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ts", "pattern", "tz", "expected"),
    [
        (datetime.fromtimestamp(1321472680.399, UTC), "MMM dd hh:mm a", PLUS5, "Nov 17 12:44 AM"),
        (datetime.fromtimestamp(1321472680.399, UTC), "yyyy-dd-MM", PLUS5, "2011-17-11"),
        (datetime.fromtimestamp(1321472680.399, UTC), "HH:mm:ss.SSS z", PLUS5,
         "00:44:40.399 GMT+05:00"),
        (JULY4, "yyyy.MM.dd G 'at' HH:mm:ss z", "America/Los_Angeles", "2001.07.04 AD at 12:08:56 PDT"),
        (JULY4, "EEE, MMM d, ''yy", "America/Los_Angeles", "Wed, Jul 4, '01"),
        (JULY4, "h:mm a", "America/Los_Angeles", "12:08 PM"),
        (JULY4, "hh 'o''clock' a, z", "America/Los_Angeles", "12 o'clock PM, PDT"),
        (JULY4, "K:mm a, z", "America/Los_Angeles", "0:08 PM, PDT"),
        (JULY4, "yyyyy.MMMMM.dd GGG hh:mm aaa", "America/Los_Angeles", "02001.July.04 AD 12:08 PM"),
        (JULY4, "EEE, d MMM yyyy HH:mm:ss Z", "America/Los_Angeles", "Wed, 4 Jul 2001 12:08:56 -0700"),
        (JULY4, "yyMMddHHmmssZ", "America/Los_Angeles", "010704120856-0700"),
        (JULY4, "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "America/Los_Angeles", "2001-07-04T12:08:56.235-0700"),
        (JULY4, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "America/Los_Angeles",
         "2001-07-04T12:08:56.235-07:00"),
        (JULY4, "EEEE d MMMM", "UTC", "Wednesday 4 July"),
        (JULY4, "X XX XXX", "UTC", "Z Z Z"),
        (JULY4, "X XX XXX Z", "Asia/Kathmandu", "+05 +0545 +05:45 +0545"),
        (JULY4, "z", "Asia/Kathmandu", "GMT+05:45"),
        (JULY4, "z", "Europe/Helsinki", "EEST"),
        (JULY4, "M/d/yy S", "UTC", "7/4/01 235"),
        (utc("2024-01-01T00:05:00"), "k K H h a", "UTC", "24 0 0 12 AM"),
        (utc("2024-01-01T12:05:00"), "kk KK HH hh a", "UTC", "12 00 12 12 PM"),
        (utc("2024-01-01T23:05:00"), "k K H h", "UTC", "23 11 23 11"),
        (utc("2024-01-01T00:00:00"), "'It''s' yyyy", "UTC", "It's 2024"),
        (utc("2024-01-01T00:00:00"), "''''", "UTC", "''"),
        (utc("2024-01-01T00:00:00"), "'yyyy: 'yyyy", "UTC", "yyyy: 2024"),
        (utc("2024-01-01T00:00:00"), "", "UTC", ""),
    ],
)  # fmt: skip
def test_format_java(ts, pattern, tz, expected):
    assert format_java(ts, pattern, tz) == expected


@pytest.mark.parametrize(
    ("pattern", "fragments"),
    [
        ("YYYY-'W'ww-u", ["'Y'", "supported"]),
        ("yyyy-MM-dd Q", ["'Q'"]),
        ("D", ["'D'"]),
        ("'unterminated", ["'unterminated", "quote"]),
        ("hh 'o''clock' a, zzzz", ["zzzz", "long zone names"]),
        ("XXXX", ["XXXX"]),
    ],
)
def test_format_java_errors(pattern, fragments):
    assert_error(lambda: format_java(JULY4, pattern, "UTC"), "invalid_pattern", *fragments)


def test_format_java_rejects_naive_and_unknown_zone():
    assert_error(lambda: format_java(datetime(2024, 1, 1), "yyyy", "UTC"), "invalid_parameter")
    assert_error(lambda: format_java(JULY4, "yyyy", "Mars/Base"), "invalid_time_zone")
