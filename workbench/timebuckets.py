"""Time buckets per granularity, a zone's UTC-offset changes, and Java-pattern timestamps."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from workbench.errors import WorkbenchError, invalid
from workbench.timeframe import Interval, check_aware, day_start, zone

GRANULARITIES = (
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
WEEK_STARTS = ("monday", "sunday")
MAX_BUCKETS = 1_000_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WEEKDAYS = {"monday": 0, "sunday": 6}
# fixed-length granularities -> bucket length in seconds, aligned on the local wall clock
_FIXED: dict[str, int] = {"minute": 60, "fifteen_minute": 900, "thirty_minute": 1800, "hour": 3600}


def _add_months(day: date, n: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 + n, 12)
    return date(year, month0 + 1, 1)


# calendar granularities -> (first local date of the bucket holding a date, next bucket's)
_CALENDAR: dict[str, tuple[Callable[[date, str], date], Callable[[date], date]]] = {
    "day": (lambda d, ws: d, lambda d: d + timedelta(days=1)),
    "week": (
        lambda d, ws: d - timedelta(days=(d.weekday() - _WEEKDAYS[ws]) % 7),
        lambda d: d + timedelta(days=7),
    ),
    "month": (lambda d, ws: d.replace(day=1), lambda d: _add_months(d, 1)),
    "quarter": (
        lambda d, ws: date(d.year, (d.month - 1) // 3 * 3 + 1, 1),
        lambda d: _add_months(d, 3),
    ),
    "year": (lambda d, ws: date(d.year, 1, 1), lambda d: date(d.year + 1, 1, 1)),
}


def _check(granularity: str, week_start: str) -> None:
    if granularity not in GRANULARITIES:
        raise invalid("granularity", granularity, GRANULARITIES, code="invalid_granularity")
    if week_start not in WEEK_STARTS:
        raise invalid("week_start", week_start, WEEK_STARTS)


def _offset_seconds(ts: datetime) -> int:
    return int(ts.utcoffset().total_seconds())


def labelled(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` as wall time with the fixed offset ``tz`` has then (e.g. +03:00).

    Bucket starts carry a ``datetime.timezone`` rather than the ZoneInfo because Python
    compares and hashes two datetimes sharing one tzinfo by wall time, which would make
    the two 01:00 buckets of a fall-back night equal.
    """
    return moment.astimezone(timezone(moment.astimezone(tz).utcoffset()))


def bucket_start(
    ts: datetime, granularity: str, zone_name: str, week_start: str = "monday"
) -> datetime:
    """The start of the bucket holding the instant ``ts``, as wall time and offset in the zone.

    Minute to hour buckets align on the local wall clock at the offset in force at ``ts``
    (epoch + offset, floored), so the two 01:00 hours of a fall-back night are different
    buckets and +05:45 zones get hours at :15 UTC. Day and longer buckets start at the
    local midnight of their first day (the DST jump if midnight does not exist); weeks
    start on ``week_start``. ``none`` (Druid: no bucketing) returns ``ts`` unchanged; ``all``
    has no bucket without a query interval, so it raises (see ``bucket_starts``).
    """
    _check(granularity, week_start)
    tz = zone(zone_name)
    local = check_aware(ts, "ts").astimezone(tz)
    if granularity == "none":
        return labelled(local, tz)
    if granularity == "all":
        valid = "a bucketing granularity; the one 'all' bucket starts at the interval start"
        raise invalid("granularity", granularity, valid, code="invalid_granularity")
    if granularity in _FIXED:
        utc = local.astimezone(UTC)
        wall = utc - _EPOCH + timedelta(seconds=_offset_seconds(local))
        return labelled(utc - wall % timedelta(seconds=_FIXED[granularity]), tz)
    first_day, _ = _CALENDAR[granularity]
    return labelled(day_start(first_day(local.date(), week_start), tz), tz)


def bucket_starts(
    interval: Interval, granularity: str, week_start: str = "monday"
) -> list[datetime]:
    """Every bucket start whose bucket overlaps ``interval``, labelled as ``bucket_start`` does.

    The first start may precede ``interval.start``. ``all`` gives the interval start
    (Druid stamps its one bucket with the interval start). ``none`` means no bucketing
    (each millisecond its own bucket), which cannot be enumerated, so it raises, as does a
    list longer than ``MAX_BUCKETS``.
    """
    _check(granularity, week_start)
    if granularity == "all":
        return [labelled(interval.start, interval.tz)]
    size = _FIXED.get(granularity, 86_400 * 7 if granularity == "week" else 86_400)
    if granularity == "none" or interval.duration.total_seconds() / size > MAX_BUCKETS:
        valid = f"a granularity giving at most {MAX_BUCKETS} buckets; 'none' cannot be enumerated"
        raise invalid("granularity", granularity, valid, code="invalid_granularity")
    if granularity in _FIXED:
        return _fixed_starts(interval, timedelta(seconds=size))
    first_day, next_day = _CALENDAR[granularity]
    day, starts = first_day(interval.local_start.date(), week_start), []
    while (start := day_start(day, interval.tz)) < interval.end:
        starts.append(labelled(start, interval.tz))
        try:
            day = next_day(day)
        except (OverflowError, ValueError):  # past 9999-12-31
            break
    return starts


def _fixed_starts(interval: Interval, step: timedelta) -> list[datetime]:
    """Wall-clock-aligned starts, computed per stretch of constant UTC offset."""
    stretches = zone_offsets(interval.zone, interval.start, interval.end)
    ends = [moment for moment, _ in stretches[1:]] + [interval.end]
    starts: set[datetime] = set()
    for (begin, offset), end in zip(stretches, ends, strict=True):
        moment = begin - (begin - _EPOCH + timedelta(seconds=offset)) % step
        while moment < end:
            starts.add(moment)
            moment += step
    return [labelled(moment, interval.tz) for moment in sorted(starts)]


_SCAN_SECONDS = 3600  # no tzdb zone changes its offset twice within an hour


def zone_offsets(zone_name: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """``(start, offset)`` then ``(instant, new offset)`` for each offset change in [start, end).

    Instants are aware UTC datetimes and offsets are seconds east of UTC. The zone is
    sampled hourly and each change located to the second by bisection.
    """
    span = Interval(start, end, zone_name)
    tz = span.tz

    def offset_at(second: int) -> int:
        return _offset_seconds(datetime.fromtimestamp(second, tz))

    current = _offset_seconds(span.start.astimezone(tz))
    rows = [(span.start, current)]
    lo, stop = math.floor(span.start.timestamp()), math.ceil(span.end.timestamp())
    while lo < stop:
        hi = min(lo + _SCAN_SECONDS, stop)
        if offset_at(hi) == current:
            lo = hi
            continue
        while hi - lo > 1:  # offset(lo) == current != offset(hi)
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if offset_at(mid) == current else (lo, mid)
        moment = datetime.fromtimestamp(hi, UTC)
        if moment >= span.end:
            break
        current = offset_at(hi)
        rows.append((moment, current))
        lo = hi
    return rows


# Java SimpleDateFormat, for vendors whose date formats are Java patterns (Opentracker)

_MONTHS = "January February March April May June July August September October November December"
_MONTH_NAMES = tuple(_MONTHS.split())
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
_DAY_NAMES = tuple(_DAYS.split())


def _num(value: int, width: int) -> str:
    return str(value).zfill(width)


def _offset(ts: datetime, colon: bool, minutes: bool = True) -> str:
    seconds = _offset_seconds(ts)
    hours, mins = divmod(abs(seconds) // 60, 60)
    sign = "-" if seconds < 0 else "+"
    return f"{sign}{hours:02d}" + ((":" if colon else "") + f"{mins:02d}" if minutes else "")


def _iso_offset(ts: datetime, n: int) -> str:
    if n > 3:
        raise WorkbenchError(
            "invalid_pattern", f"pattern: {'X' * n!r} is not valid; use X, XX or XXX"
        )
    return "Z" if not ts.utcoffset() else _offset(ts, colon=n == 3, minutes=n > 1)


def _zone_abbreviation(ts: datetime, n: int) -> str:
    if n > 3:
        valid = "z, zz or zzz (short names such as EET); long zone names are not available"
        raise WorkbenchError(
            "invalid_pattern", f"pattern: {'z' * n!r} is not supported; use {valid}"
        )
    name = ts.tzname() or ""
    return name if name.isalpha() else "GMT" + _offset(ts, colon=True)


# pattern letter -> renderer of (local time, letter count)
_JAVA_FIELDS: dict[str, Callable[[datetime, int], str]] = {
    "G": lambda t, n: "AD",
    "y": lambda t, n: _num(t.year % 100, 2) if n == 2 else _num(t.year, n),
    "M": lambda t, n: (
        _MONTH_NAMES[t.month - 1][: None if n > 3 else 3] if n >= 3 else _num(t.month, n)
    ),
    "d": lambda t, n: _num(t.day, n),
    "E": lambda t, n: _DAY_NAMES[t.weekday()][: None if n > 3 else 3],
    "a": lambda t, n: "AM" if t.hour < 12 else "PM",
    "H": lambda t, n: _num(t.hour, n),
    "k": lambda t, n: _num(t.hour or 24, n),
    "K": lambda t, n: _num(t.hour % 12, n),
    "h": lambda t, n: _num(t.hour % 12 or 12, n),
    "m": lambda t, n: _num(t.minute, n),
    "s": lambda t, n: _num(t.second, n),
    "S": lambda t, n: _num(t.microsecond // 1000, n),
    "z": _zone_abbreviation,
    "Z": lambda t, n: _offset(t, colon=False),
    "X": _iso_offset,
}


def _java_tokens(pattern: str) -> list[tuple[str, str]]:
    """``pattern`` as ("field", "yyyy") and ("text", "x") tokens, parsed the way Java does.

    A single quote opens or closes quoted text; two quotes are a quote, inside or outside.
    """
    tokens: list[tuple[str, str]] = []
    i, quoted = 0, False
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("''", i):
            tokens.append(("text", "'"))
            i += 2
        elif char == "'":
            quoted, i = not quoted, i + 1
        elif quoted or not (char.isascii() and char.isalpha()):
            tokens.append(("text", char))
            i += 1
        elif char in _JAVA_FIELDS:
            run = len(pattern) - i - len(pattern[i:].lstrip(char))
            tokens.append(("field", char * run))
            i += run
        else:
            raise WorkbenchError(
                "invalid_pattern",
                f"pattern: letter {char!r} in {pattern!r} is not supported; supported letters "
                f"are {' '.join(_JAVA_FIELDS)}, and text in single quotes is copied as is",
            )
    if quoted:
        raise invalid(
            "pattern", pattern, "quoted text closed by a single quote", code="invalid_pattern"
        )
    return tokens


def format_java(ts: datetime, pattern: str, tz: tzinfo | str) -> str:
    """``ts`` rendered in ``tz`` with a Java SimpleDateFormat ``pattern``, in English.

    Letters G y M d H h m s S E a k K z Z X and quoted text ('...', '' for a quote) are
    supported; any other letter, ``zzzz`` (long zone names) and ``XXXX`` raise
    ``invalid_pattern``.
    """
    local = check_aware(ts, "ts").astimezone(zone(tz) if isinstance(tz, str) else tz)
    parts = [
        text if kind == "text" else _JAVA_FIELDS[text[0]](local, len(text))
        for kind, text in _java_tokens(pattern)
    ]
    return "".join(parts)
