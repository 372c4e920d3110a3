"""The core reports, each a Query plus its finishing touch: top locations, the session list,
segmentation, and a period-over-period comparison of any of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from workbench import filters as f
from workbench.core import Workbench
from workbench.engines import Engine
from workbench.errors import invalid
from workbench.query import BUCKET, Cursor, Order, Query, Result
from workbench.timebuckets import bucket_starts
from workbench.timeframe import Interval

LEVELS = {  # detail level -> (its dimensions, the parent codes it needs)
    "country": (("country_code", "country_name"), ()),
    "region": (("region_code", "region_name"), ("country",)),
    "city": (("city", "region_code", "country_code"), ("country", "region")),
}
SESSION_COLUMNS = (
    "start_ts",
    "session_id",
    "visitor_id",
    "country_name",
    "city",
    "duration_s",
    "pageviews",
    "entry_url",
    "referrer_url",
)


def top_locations(
    wb: Workbench,
    interval: Interval,
    level: str = "country",
    *,
    sites: tuple[str, ...] = (),
    country: str | None = None,
    region: str | None = None,
    where: f.Filter | None = None,
    limit: int | None = None,
    approximate: bool = False,
    include_bots: bool = False,
    engine: Engine | None = None,
) -> Result:
    """Countries, the regions of ``country`` or the cities of ``country``/``region``.

    Each row has users, sessions and ``share`` (its users over all rows' users, as
    Opentracker's percentage). Rows are ordered by users, then by the location whose first
    visit came earliest (the rule that reproduces Opentracker's documented order), then by
    code. Visits with an unknown location are a row of their own (null code).
    """
    if level not in LEVELS:
        raise invalid("level", level, LEVELS)
    dims, parents = LEVELS[level]
    given = {"country": country, "region": region}
    for parent in parents:
        if not given[parent]:
            raise invalid(parent, given[parent], f"a {parent} code for level={level!r}")
    scope = [f.Eq("country_code", country)] if "country" in parents else []
    scope += [f.Eq("region_code", region)] if "region" in parents else []
    q = Query(
        interval,
        sites=sites,
        dimensions=dims,
        metrics=("users", "sessions", "first_seen"),
        filter=f.all_of(where, *scope),
        order=(Order("users", True), Order("first_seen"), Order(dims[0])),
        approximate=approximate,
        include_bots=include_bots,
    )
    result = wb.query(q, engine)
    frame = result.frame.drop(columns="first_seen")
    total = frame["users"].sum()
    frame["share"] = frame["users"] / total if total else 0.0
    if limit is not None:
        frame = frame.head(limit)
    return replace(result, frame=frame.reset_index(drop=True))


def session_list(
    wb: Workbench,
    interval: Interval,
    *,
    sites: tuple[str, ...] = (),
    columns: tuple[str, ...] = SESSION_COLUMNS,
    where: f.Filter | None = None,
    order: tuple[Order, ...] = (),
    limit: int = 100,
    offset: int = 0,
    cursor: Cursor | None = None,
    include_bots: bool = False,
    engine: Engine | None = None,
) -> Result:
    """Visits with the chosen columns, newest first unless ordered otherwise.

    Page with ``cursor=result.next_cursor`` (newest-first lists) or with ``offset``.
    """
    q = Query(
        interval,
        sites=sites,
        dimensions=columns,
        filter=where,
        order=order,
        limit=limit,
        offset=offset,
        cursor=cursor,
        include_bots=include_bots,
    )
    return wb.query(q, engine)


def segmentation(
    wb: Workbench,
    interval: Interval,
    metrics: tuple[str, ...],
    dimensions: tuple[str, ...] = (),
    granularity: str = "day",
    *,
    sites: tuple[str, ...] = (),
    table: str = "sessions",
    where: f.Filter | None = None,
    week_start: str = "monday",
    approximate: bool = False,
    include_bots: bool = False,
    engine: Engine | None = None,
) -> Result:
    """Metrics per time bucket (in the interval's zone) and per group of ``dimensions``.

    Without dimensions the series has every bucket of the interval, empty ones included
    (counts 0, averages missing), so that a chart shows the gaps.
    """
    q = Query(
        interval,
        sites=sites,
        table=table,
        dimensions=dimensions,
        metrics=metrics,
        granularity=granularity,
        week_start=week_start,
        filter=where,
        order=(Order(BUCKET), *(Order(d) for d in dimensions)) if granularity != "all" else (),
        approximate=approximate,
        include_bots=include_bots,
    )
    result = wb.query(q, engine)
    if dimensions or granularity in ("all", "none"):
        return result
    return replace(result, frame=every_bucket(result.frame, q))


def every_bucket(frame: pd.DataFrame, q: Query) -> pd.DataFrame:
    """``frame`` (one row per bucket) with a row for every bucket of ``q``'s interval."""
    starts = bucket_starts(q.interval, q.granularity, q.week_start)
    full = pd.DataFrame({BUCKET: pd.Series(starts, dtype=object)})
    merged = full.merge(frame, on=BUCKET, how="left")
    for name, m in q.measures():
        if m.additive:  # a count or a sum is 0 over no rows; an average is missing
            filled = merged[name].fillna(0)
            integral = pd.api.types.is_integer_dtype(frame[name].dtype)
            merged[name] = filled.astype("int64") if integral else filled
    return merged


def previous_interval(interval: Interval) -> Interval:
    """The span just before ``interval``: as many local days when it is whole local days
    (a clock change in either span does not shift the days), else the same length."""
    first, after = (interval.start.astimezone(interval.tz), interval.end.astimezone(interval.tz))
    if Interval.from_dates(first.date(), first.date(), interval.zone).start == interval.start and (
        Interval.from_dates(after.date(), after.date(), interval.zone).start == interval.end
    ):
        days = (after.date() - first.date()).days
        return Interval.from_dates(
            first.date() - dt.timedelta(days=days),
            first.date() - dt.timedelta(days=1),
            interval.zone,
        )
    length = interval.end - interval.start
    return Interval(interval.start - length, interval.start, interval.zone)


def compare(
    wb: Workbench,
    report,
    interval: Interval,
    previous: Interval | None = None,
    **arguments: object,
) -> Result:
    """Any report on ``interval`` beside the same report on ``previous`` (default: the span
    of equal length just before), matched by dimension values, or by bucket position for a
    time series. Each metric gains ``<metric>_previous`` and ``<metric>_change`` (relative:
    0.25 is +25%; missing when the previous value is 0 or missing; none for an instant such as
    first_seen)."""
    previous = previous or previous_interval(interval)
    current, before = report(wb, interval, **arguments), report(wb, previous, **arguments)
    metrics = [c for c in current.frame.columns if c in set(current.query.metrics) | {"share"}]
    keys = [c for c in current.frame.columns if c not in metrics and c != BUCKET]
    left, right = current.frame.copy(), before.frame.copy()
    if BUCKET in left:
        left["_position"], right["_position"] = _positions(left), _positions(right)
        right = right.drop(columns=BUCKET)
        keys = ["_position", *keys]
    if not keys:
        left["_all"], right["_all"] = 0, 0
        keys = ["_all"]
    right = right.rename(columns={m: f"{m}_previous" for m in metrics})
    merged = left.merge(right[[*keys, *(f"{m}_previous" for m in metrics)]], on=keys, how="left")
    for m in metrics:
        if not pd.api.types.is_numeric_dtype(current.frame[m]):
            continue  # an instant (first_seen): a previous value, but no relative change
        was = pd.to_numeric(merged[f"{m}_previous"], errors="coerce")
        now = pd.to_numeric(merged[m], errors="coerce")
        merged[f"{m}_change"] = (now - was) / was.where(was != 0)
    merged = merged.drop(columns=[c for c in ("_position", "_all") if c in merged])
    return replace(current, frame=merged)


def _positions(frame: pd.DataFrame) -> pd.Series:
    order = {b: i for i, b in enumerate(sorted(set(frame[BUCKET])))}
    return frame[BUCKET].map(order)
