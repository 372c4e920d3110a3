"""Dates, periods, relative date expressions and time zones as Intervals; `now` is passed in."""

from __future__ import annotations

import difflib
import functools
import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, available_timezones

from workbench.errors import WorkbenchError, invalid

_ZONE_EXAMPLE = "an IANA time zone name such as 'Europe/Helsinki' or 'UTC'"


# ---------------------------------------------------------------- time zones and instants


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str, *, param: str = "time_zone") -> ZoneInfo:
    """The IANA zone ``name`` ("UTC", "Europe/Helsinki"); unknown ones raise invalid_time_zone."""
    names = _zone_names()
    if isinstance(name, str) and name in names:
        return ZoneInfo(name)
    valid = _ZONE_EXAMPLE
    hints = _zone_suggestions(str(name), names)
    if hints:
        valid += f" (did you mean {' or '.join(map(repr, hints))}?)"
    raise invalid(param, name, valid, code="invalid_time_zone")


def _zone_suggestions(name: str, names: frozenset[str]) -> list[str]:
    """Up to three zone names close to ``name``: case slips, a bare city, or difflib matches."""
    by_lower = {n.lower(): n for n in names}
    key = name.strip().lower().replace(" ", "_")
    cities = sorted(n for n in names if n.lower().rsplit("/", 1)[-1] == key)
    close = difflib.get_close_matches(key, list(by_lower), n=3, cutoff=0.6)
    exact = [by_lower[key]] if key in by_lower else []
    return list(dict.fromkeys(exact + cities + [by_lower[c] for c in close]))[:3]


def check_aware(value: object, param: str) -> datetime:
    """``value`` if it is a timezone-aware datetime, else an ``invalid_parameter`` error."""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    raise invalid(param, value, "a timezone-aware datetime")


def local_date(now: datetime, zone_name: str) -> date:
    """The calendar date that ``now`` falls on in ``zone_name`` (the "today" of that zone)."""
    return check_aware(now, "now").astimezone(zone(zone_name)).date()


def local_instant(wall: datetime, tz: tzinfo) -> datetime:
    """The first UTC instant at which the wall clock in ``tz`` reads ``wall`` (naive) or later.

    An ambiguous wall time (the repeated hour when clocks fall back) gives the earlier
    instant; a wall time inside a gap (clocks spring forward) gives the transition
    instant, which is where a day or bucket starting at that wall time really begins.
    """
    naive = wall.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a gap: fold=1 reads the wall with the later offset, landing before the transition.
    lo = int(naive.replace(tzinfo=tz, fold=1).astimezone(UTC).timestamp())
    hi = int(first.timestamp()) + 1
    while hi - lo > 1:  # transitions fall on whole seconds
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def day_start(day: date, tz: tzinfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``tz`` (local midnight, or the DST jump)."""
    return local_instant(datetime.combine(day, time()), tz)


# ---------------------------------------------------------------- intervals


@dataclass(frozen=True)
class Interval:
    """The half-open span [start, end) of UTC instants, read as local time in the zone ``zone``."""

    start: datetime
    end: datetime
    zone: str

    def __post_init__(self) -> None:
        zone(self.zone, param="zone")
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise invalid(name, value, "a timezone-aware datetime", code="invalid_interval")
        if self.end <= self.start:
            raise WorkbenchError(
                "invalid_interval",
                f"interval: end {self.end.isoformat()} is not after start "
                f"{self.start.isoformat()}; expected an end later than the start",
            )
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))

    @classmethod
    def from_dates(cls, first: date, last: date, zone_name: str) -> Interval:
        """The local calendar days ``first`` to ``last`` inclusive, from midnight to midnight."""
        tz = zone(zone_name)
        try:
            after = last + timedelta(days=1)
        except OverflowError:
            raise invalid(
                "last", last, "a date before 9999-12-31", code="invalid_interval"
            ) from None
        return cls(day_start(first, tz), day_start(after, tz), zone_name)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.tz)

    @property
    def duration(self) -> timedelta:
        """Elapsed time, so a local day is 23 or 25 hours long on DST days."""
        return self.end - self.start

    def contains(self, ts: datetime) -> bool:
        return self.start <= check_aware(ts, "ts") < self.end

    def dates(self) -> list[date]:
        """Every local calendar date that some instant of the interval falls on."""
        first = self.local_start.date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.tz).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# ---------------------------------------------------------------- Opentracker


def _months_back(day: date, n: int) -> date:
    """``day`` moved back ``n`` calendar months, the day clamped to the month's length."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - n, 12)
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


# unit -> (name, largest N, how far back N of them reach from an exclusive end date)
_PERIOD_UNITS: dict[str, tuple[str, int, Callable[[date, int], date] | None]] = {
    "d": ("days", 36_600, lambda end, n: end - timedelta(days=n)),
    "w": ("weeks", 5_220, lambda end, n: end - timedelta(weeks=n)),
    "m": ("months", 1_200, _months_back),
    "h": ("hours", 878_400, None),
}
_PERIOD_VALID = (
    "N followed by a unit, d (days), w (weeks), m (months) or h (hours), with N ≥ 1, "
    "e.g. 1d, 3w, 12h; a bare unit means 1 (d = 1d); there is no year unit (use 12m)"
)


def parse_period(text: str) -> tuple[int, str]:
    """An Opentracker ``period`` such as ``3w`` as ``(3, "w")``; a bare unit (``d``) means 1."""
    match = re.fullmatch(r"([0-9]*)([dwmh])", text) if isinstance(text, str) else None
    if match is None:
        raise invalid("period", text, _PERIOD_VALID, code="invalid_period")
    count = int(match[1]) if match[1] else 1
    name, most, _ = _PERIOD_UNITS[match[2]]
    if not 1 <= count <= most:
        raise invalid("period", text, f"between 1 and {most} {name}", code="invalid_period")
    return count, match[2]


def _parse_ymd(text: str, param: str) -> date:
    """A strict ``yyyy-MM-dd`` calendar date."""
    if isinstance(text, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise invalid(param, text, "a date written yyyy-MM-dd, e.g. 2024-11-19", code="invalid_date")


def _parse_unix_time(text: str) -> datetime:
    """Seconds since the epoch, or milliseconds when written with 13 or more digits."""
    if isinstance(text, str) and re.fullmatch(r"[0-9]{1,16}", text):
        millis = int(text) if len(text) >= 13 else int(text) * 1000
        try:
            return datetime.fromtimestamp(millis // 1000, UTC) + timedelta(
                milliseconds=millis % 1000
            )
        except (OverflowError, ValueError, OSError):
            pass
    valid = "whole seconds since 1970-01-01T00:00Z (or milliseconds, 13 digits), e.g. 1732000000"
    raise invalid("unixTime", text, valid, code="invalid_date")


def opentracker_interval(
    *,
    date: str | None,
    unix_time: str | None,
    period: str | None,
    zone_name: str,
    now: datetime,
) -> Interval:
    """The span an Opentracker request covers: ``period`` reaching back from the anchor.

    - Absent parameters may be ``None`` or ``""``; ``period`` defaults to ``1d``.
    - ``date`` is strict ``yyyy-MM-dd``. ``unixTime`` is whole seconds, or milliseconds
      when it has 13 or more digits (``1321472680`` and ``1321472680399`` agree).
    - Days, weeks, months: the N days / 7N days / N calendar months that end with, and
      include, the anchor date. The anchor is ``date``, else the local date of
      ``unixTime``, else the local date of ``now``. Months step back by calendar month
      with the day clamped: ``1m`` on 2024-03-30 is [2024-02-29, 2024-03-31).
    - Hours: the N elapsed hours ending at ``unixTime`` (exclusive), else at ``now``;
      with ``date``, the last N hours of that local day.
    - Both ``date`` and ``unixTime``: both are validated, ``date`` wins.
    - Local days are midnight to midnight in ``zone_name`` (23 or 25 hours on DST days).
    """
    tz = zone(zone_name, param="timeZone")
    now = check_aware(now, "now")
    count, unit = parse_period(period or "1d")
    day = _parse_ymd(date, "date") if date else None
    instant = _parse_unix_time(unix_time) if unix_time else None
    moment = instant or now
    try:
        back = _PERIOD_UNITS[unit][2]
        if back is None:
            end = moment if day is None else day_start(day + timedelta(days=1), tz)
            return Interval(end - timedelta(hours=count), end, zone_name)
        anchor = day or moment.astimezone(tz).date()
        return Interval.from_dates(back(anchor + timedelta(days=1), count), anchor, zone_name)
    except WorkbenchError:
        raise
    except (OverflowError, ValueError):
        raise invalid(
            "period", period, "a span within years 1 to 9999", code="invalid_period"
        ) from None


# ---------------------------------------------------------------- Clicky


def _sunday_week(day: date, weeks_back: int) -> tuple[date, date]:
    first = day - timedelta(days=(day.weekday() + 1) % 7 + 7 * weeks_back)
    return first, first + timedelta(days=6)


def _month_of(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _month_back(today: date, n: int) -> tuple[date, date]:
    first = _months_back(today.replace(day=1), n)
    return _month_of(first.year, first.month)


def _days_back(today: date, first: int, last: int) -> tuple[date, date]:
    return today - timedelta(days=first), today - timedelta(days=last)


def _positive(text: str) -> int:
    if int(text) < 1:
        raise ValueError("X must be at least 1")
    return int(text)


_Rule = Callable[[re.Match[str], date], tuple[date, date]]
_YMD = r"([0-9]{4}-[0-9]{2}-[0-9]{2})"
# Clicky's documented form -> (regular expression, rule giving (first, last) for today)
_CLICKY_FORMS: dict[str, tuple[str, _Rule]] = {
    "YYYY-MM-DD": (_YMD, lambda m, t: (date.fromisoformat(m[1]),) * 2),
    "YYYY-MM-DD,YYYY-MM-DD": (
        _YMD + "," + _YMD,
        lambda m, t: (date.fromisoformat(m[1]), date.fromisoformat(m[2])),
    ),
    "YYYY-MM": (r"([0-9]{4})-([0-9]{2})", lambda m, t: _month_of(int(m[1]), int(m[2]))),
    "YYYY": (r"([0-9]{4})", lambda m, t: (date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))),
    "today": ("today", lambda m, t: (t, t)),
    "yesterday": ("yesterday", lambda m, t: _days_back(t, 1, 1)),
    "X-days-ago": (r"([0-9]+)-days-ago", lambda m, t: _days_back(t, int(m[1]), int(m[1]))),
    "last-X-days": (r"last-([0-9]+)-days", lambda m, t: _days_back(t, _positive(m[1]) - 1, 0)),
    "previous-X-days": (r"previous-([0-9]+)-days", lambda m, t: _days_back(t, _positive(m[1]), 1)),
    "this-month": ("this-month", lambda m, t: _month_back(t, 0)),
    "last-month": ("last-month", lambda m, t: _month_back(t, 1)),
    "X-months-ago": (r"([0-9]+)-months-ago", lambda m, t: _month_back(t, int(m[1]))),
    "this-week": ("this-week", lambda m, t: _sunday_week(t, 0)),
    "last-week": ("last-week", lambda m, t: _sunday_week(t, 1)),
    "X-weeks-ago": (r"([0-9]+)-weeks-ago", lambda m, t: _sunday_week(t, int(m[1]))),
}
_CLICKY_VALID = "a Clicky date: " + ", ".join(_CLICKY_FORMS) + " (X a whole number)"


def _clicky_form(expr: str) -> tuple[re.Match[str], _Rule] | None:
    for pattern, rule in _CLICKY_FORMS.values() if isinstance(expr, str) else ():
        if (match := re.fullmatch(pattern, expr)) is not None:
            return match, rule
    return None


def clicky_range(expr: str, today: date) -> tuple[date, date]:
    """The first and last local dates (inclusive) of a Clicky ``date`` expression.

    Weeks run Sunday to Saturday. ``X`` is at least 1 in ``last-X-days`` and
    ``previous-X-days``; ``0-days-ago`` (and weeks, months) means the current one.
    Anything else, an impossible date, or a range ending before it starts raises
    ``invalid_date``; Clicky itself falls back to today, which is the dialect's business.
    """
    found = _clicky_form(expr)
    try:
        span = found[1](found[0], today) if found else None
    except (ValueError, OverflowError):  # an impossible date, or too far back
        span = None
    if span is None:
        raise invalid("date", expr, _CLICKY_VALID, code="invalid_date")
    first, last = span
    if last < first:
        raise WorkbenchError(
            "invalid_date",
            f"date: invalid value {expr!r}: the range ends before it starts; "
            "expected YYYY-MM-DD,YYYY-MM-DD with the first date not after the second",
        )
    return first, last


def clicky_interval(expr: str, zone_name: str, today: date) -> Interval:
    """A Clicky ``date`` expression as local midnight-to-midnight bounds in ``zone_name``."""
    first, last = clicky_range(expr, today)
    return Interval.from_dates(first, last, zone_name)


# ---------------------------------------------------------------- giosg (ISO-8601)


def _parse_instant(text: str, field: str, tz: ZoneInfo | None) -> datetime:
    try:
        ts = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        valid = "an ISO-8601 instant such as '2019-01-01T00:00:00.000+02:00'"
        raise invalid(field, text, valid, code="invalid_date") from None
    if ts.tzinfo is not None:
        return ts
    if tz is None:
        valid = "an instant with a UTC offset (e.g. +02:00 or Z), or an interval.time_zone"
        raise invalid(field, text, valid, code="invalid_date")
    return local_instant(ts, tz)


def iso_interval(start: str, end: str, zone_name: str | None = None) -> Interval:
    """A giosg ``interval``: two ISO-8601 instants, read as the half-open [start, end).

    Instants with an offset (``+02:00``, ``Z``) are exact; a naive one is read as wall
    time in ``zone_name`` (the earlier instant if ambiguous, the DST jump if it falls in a
    gap) and is an error without a zone. ``end`` is kept as given: giosg's example ends at
    ``23:59:59.999``, so the last millisecond is left out unless the caller widens it. The
    Interval's zone is ``zone_name``, or UTC when none is given.
    """
    tz = zone(zone_name, param="interval.time_zone") if zone_name is not None else None
    first = _parse_instant(start, "interval.start", tz)
    after = _parse_instant(end, "interval.end", tz)
    return Interval(first, after, zone_name or "UTC")
