"""Local time in SQL by epoch arithmetic plus the zone's offset, and the buckets it gives.

A row's local wall time is its epoch milliseconds plus its zone's UTC offset at that
instant, chosen from the zone's offset changes within the query interval (a CASE on a
handful of instants; ``MEASURED.md`` rule 3: 4-6x faster than a per-row zone conversion).
Buckets of fixed length (minute to hour) are returned as their UTC start in epoch ms, so
the two 01:00 hours of a fall-back night stay apart; calendar buckets (day to year) as
the epoch ms of their first local day, so a day is one bucket whatever its length.
``labels`` turns either into the labelled bucket starts of ``timebuckets``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlglot import exp

from workbench.timebuckets import labelled, zone_offsets
from workbench.timeframe import Interval, day_start

DAY_MS = 86_400_000
FIXED_MS = {
    "minute": 60_000,
    "fifteen_minute": 900_000,
    "thirty_minute": 1_800_000,
    "hour": 3_600_000,
}
WEEK_SHIFT_MS = {"monday": 3 * DAY_MS, "sunday": 4 * DAY_MS}  # 1970-01-01 was a Thursday
TRUNCATED = {"month": "MONTH", "quarter": "QUARTER", "year": "YEAR"}


def _n(value: int) -> exp.Literal:
    return exp.Literal.number(value)


def epoch_ms(column: exp.Expression) -> exp.Expression:
    return exp.func("unix_millis", column)


def offset_ms(column: exp.Expression, interval: Interval) -> exp.Expression:
    """The zone's UTC offset in ms at each row's instant, for rows inside ``interval``."""
    changes = zone_offsets(interval.zone, interval.start, interval.end)
    if len(changes) == 1:
        return _n(changes[0][1] * 1000)
    ifs = [
        exp.If(
            this=exp.LT(
                this=epoch_ms(column.copy()), expression=_n(int(moment.timestamp() * 1000))
            ),
            true=_n(previous * 1000),
        )
        for (moment, _), (_, previous) in zip(changes[1:], changes[:-1], strict=True)
    ]
    return exp.Paren(this=exp.Case(ifs=ifs, default=_n(changes[-1][1] * 1000)))


def local_ms(column: exp.Expression, interval: Interval) -> exp.Expression:
    """Local wall time as epoch milliseconds (as if the wall clock were UTC)."""
    return exp.Paren(this=exp.Add(this=epoch_ms(column), expression=offset_ms(column, interval)))


def _floor_to(value: exp.Expression, size: int, shift: int = 0) -> exp.Expression:
    shifted = exp.Add(this=value, expression=_n(shift)) if shift else value
    return exp.Sub(
        this=value.copy(), expression=exp.Mod(this=exp.Paren(this=shifted), expression=_n(size))
    )


def bucket(column: exp.Expression, interval: Interval, granularity: str, week_start: str):
    """The bucket of each row's time: see the module doc for what the value means."""
    if granularity == "none":
        return epoch_ms(column)
    wall = local_ms(column, interval)
    if granularity in FIXED_MS:
        return exp.Sub(
            this=_floor_to(wall, FIXED_MS[granularity]), expression=offset_ms(column, interval)
        )
    if granularity == "day":
        return _floor_to(wall, DAY_MS)
    if granularity == "week":
        return _floor_to(wall, 7 * DAY_MS, WEEK_SHIFT_MS[week_start])
    as_time = exp.UnixToTime(this=wall, scale=exp.UnixToTime.MILLIS)
    return epoch_ms(exp.TimestampTrunc(this=as_time, unit=exp.var(TRUNCATED[granularity])))


def part(column: exp.Expression, interval: Interval, which: str) -> exp.Expression:
    """The local hour (0-23), weekday (0 = Monday) or date of each row's time."""
    wall = local_ms(column, interval)
    days = exp.IntDiv(this=wall, expression=_n(DAY_MS))
    if which == "hour":
        return exp.IntDiv(
            this=exp.Paren(this=exp.Mod(this=wall, expression=_n(DAY_MS))), expression=_n(3_600_000)
        )
    if which == "weekday":
        return exp.Mod(this=exp.Paren(this=exp.Add(this=days, expression=_n(3))), expression=_n(7))
    midnight = exp.UnixToTime(this=_floor_to(wall, DAY_MS), scale=exp.UnixToTime.MILLIS)
    return exp.Cast(this=midnight, to=exp.DataType.build("date"))


def labels(values: pd.Series, interval: Interval, granularity: str) -> pd.Series:
    """Bucket values from SQL as bucket starts: wall time with the zone's offset then."""
    tz = interval.tz
    cache: dict[int, dt.datetime] = {}

    def label(value: int) -> dt.datetime:
        if value not in cache:
            moment = dt.datetime.fromtimestamp(value / 1000, dt.UTC)
            if granularity not in FIXED_MS and granularity != "none":
                moment = day_start(moment.date(), tz)  # a calendar bucket: its first local day
            cache[value] = labelled(moment, tz)
        return cache[value]

    return pd.Series([label(int(v)) for v in values], index=values.index, dtype=object)
