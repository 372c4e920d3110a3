"""Clicky's popular, tally and segmentation types as blocks of type → dates → items."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd

from workbench import filters as f
from workbench.dialects import clicky_types as types
from workbench.dialects.clicky_context import STATS, Context, date_label, type_interval
from workbench.dialects.clicky_filters import (
    NOTHING,
    online_filter,
    visitor_filter,
)
from workbench.dialects.clicky_lists import list_block
from workbench.dialects.clicky_shape import Block
from workbench.query import BUCKET, Order, Query
from workbench.reports import every_bucket, previous_interval
from workbench.timeframe import Interval

# -- blocks -------------------------------------------------------------------------------


def block(ctx: Context, name: str) -> Block:
    kind = types.kind(name)
    if kind == "popular":
        return _popular_block(ctx, name)
    if kind == "tally":
        return _tally_block(ctx, name)
    if kind == "list":
        return list_block(ctx, name)
    if kind == "segmentation":
        return _segmentation_block(ctx)
    _, days = type_interval(ctx, name)
    return Block(name, [(date_label(days), [])])


def _groups(ctx: Context, days: list[dt.date], per_day: bool) -> list[str]:
    return [d.isoformat() for d in days] if per_day else [date_label(days)]


# popular ------------------------------------------------------------------------------------


def _popular_block(ctx: Context, name: str, where: f.Filter | None = None) -> Block:
    interval, days = type_interval(ctx, name)
    spec = types.POPULAR[name]
    per_day = ctx.daily and len(days) > 1
    counted = _popular_counts(ctx, spec, interval, per_day, where)
    previous = None
    if ctx.trends and not per_day:
        before = _popular_counts(ctx, spec, previous_interval(interval), False, where)
        previous = {k: v for (_, k), v in before.items()}
    dates = []
    for label in _groups(ctx, days, per_day):
        values = {k: v for (day, k), v in counted.items() if day == label or not per_day}
        dates.append((label, _popular_items(ctx, name, spec, label, values, previous)))
    return Block(name, dates)


def _popular_counts(
    ctx: Context, spec: types.Popular, interval: Interval, per_day: bool, where
) -> dict[tuple[str, tuple], int]:
    """(date label or "", (title, url, key)) -> value, summed over equal titles."""
    scope = f.all_of(spec.where, _scoped(ctx, spec.table, interval, where))
    frame = ctx.query(
        interval,
        table=spec.table,
        dimensions=spec.dims,
        metrics=(spec.metric,),
        granularity="day" if per_day else "all",
        filter=scope,
    )
    counts: dict[tuple[str, tuple], int] = {}
    for row in frame.to_dict("records"):
        day = row[BUCKET].date().isoformat() if per_day else ""
        value = int(row[spec.metric])
        raw = types._text(row[spec.dims[0]])
        if spec.bucket is not None:
            keys = [(spec.bucket(row[spec.dims[0]]), "", "")]
        elif spec.split_words:
            keys = [(w, "", w) for w in dict.fromkeys(raw.lower().split())]
        else:
            keys = [(spec.title(row), spec.url(row) if spec.url else "", raw)]
        for key in keys:
            if key[0]:
                counts[(day, key)] = counts.get((day, key), 0) + value
    return counts


def _popular_items(ctx, name, spec, label, values, previous) -> list[dict]:
    total = sum(values.values())
    ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0][0]))
    items = []
    for (title, url, key), value in ranked:
        if not _passes(ctx, title, url, key):
            continue
        item = {
            "value": str(value),
            "value_percent": f"{100 * value / total:.1f}" if total else "0.0",
            "title": title,
            "stats_url": _stats_url(ctx, name, spec, label, key),
        }
        if url:
            item["url"] = url
        if previous is not None:
            trend = _trend(value, previous.get((title, url, key), 0))
            if trend is not None:
                item["trend"] = trend
        items.append(item)
    return _paged(ctx, items)


def _passes(ctx: Context, title: str, url: str, key: str) -> bool:
    if ctx.item is not None and ctx.item not in (title, url, key):
        return False
    if ctx.filter:
        negated = ctx.filter.startswith("!")
        needle = ctx.filter[1:] if negated else ctx.filter
        found = needle.lower() in title.lower()
        return found != negated
    return True


def _paged(ctx: Context, items: list) -> list:
    return items[ctx.offset : ctx.offset + ctx.limit]


def _trend(value: float, before: float) -> str | None:
    if not before:
        return None
    return str(max(-999, min(999, round(100 * (value - before) / before))))


def _stats_url(ctx: Context, name: str, spec, label: str, key: str) -> str:
    query = {"site_id": ctx.clicky_id, "date": label}
    if spec.stats and key:
        query[spec.stats] = key
        return f"{STATS}visitors?{urlencode(query)}"
    return f"{STATS}{name}?{urlencode(query)}"


# tally --------------------------------------------------------------------------------------


def _tally_block(ctx: Context, name: str, where: f.Filter | None = None) -> Block:
    spec = types.TALLIES[name]
    interval, days = type_interval(ctx, name)
    if name == "visitors-online":
        return Block(name, [(ctx.today.isoformat(), [{"value": _online(ctx, where)}])], True)
    if ctx.hourly:
        frame = _tally_frame(ctx, spec, interval, "hour", where)
        dates = []
        for day in days:
            rows = [r for r in frame.to_dict("records") if r[BUCKET].date() == day]
            items = [
                {"hour": str(r[BUCKET].hour), "value": types.tally_text(r[spec.metric], spec.fmt)}
                for r in rows
            ]
            dates.append((day.isoformat(), items))
        return Block(name, dates, tally=True, per_day=True)
    if ctx.daily and len(days) > 1:
        frame = _tally_frame(ctx, spec, interval, "day", where)
        by_day = {r[BUCKET].date(): r[spec.metric] for r in frame.to_dict("records")}
        dates = [
            (d.isoformat(), [{"value": types.tally_text(by_day.get(d), spec.fmt)}]) for d in days
        ]
        return Block(name, dates, tally=True, per_day=True)
    value = _tally_value(ctx, spec, interval, where)
    item = {"value": types.tally_text(value, spec.fmt)}
    if ctx.trends:
        before = _tally_value(ctx, spec, previous_interval(interval), where)
        trend = _trend(float(value or 0), float(before or 0))
        if trend is not None:
            item["trend"] = trend
    return Block(name, [(date_label(days), [item])], tally=True, per_day=ctx.daily)


def _tally_frame(ctx, spec: types.Tally, interval, granularity, where) -> pd.DataFrame:
    """Every sessions tally of a request comes from one Query per span and granularity."""
    if spec.table == "sessions":
        key = (interval, granularity, where)
        if key not in ctx.cache:
            metrics = tuple(
                dict.fromkeys(t.metric for t in types.TALLIES.values() if t.table == "sessions")
            )
            ctx.cache[key] = _series(ctx, interval, granularity, metrics, "sessions", where)
        return ctx.cache[key]
    scope = f.all_of(spec.where, _scoped(ctx, "events", interval, where))
    return _series(ctx, interval, granularity, (spec.metric,), "events", scope)


def _series(ctx, interval, granularity, metrics, table, where) -> pd.DataFrame:
    q = Query(
        interval,
        sites=(ctx.site_id,),
        table=table,
        metrics=metrics,
        granularity=granularity,
        filter=where,
        order=(Order(BUCKET),) if granularity != "all" else (),
    )
    frame = ctx.wb.query(q).frame
    return every_bucket(frame, q) if granularity != "all" else frame


def _tally_value(ctx, spec: types.Tally, interval, where) -> object:
    frame = _tally_frame(ctx, spec, interval, "all", where)
    return frame[spec.metric].iloc[0] if len(frame) else 0


def _online(ctx: Context, where: f.Filter | None) -> str:
    interval = Interval(ctx.now - dt.timedelta(days=1), ctx.now, ctx.zone)
    frame = ctx.query(interval, metrics=("sessions",), filter=f.all_of(online_filter(ctx), where))
    return str(int(frame["sessions"].iloc[0])) if len(frame) else "0"


# segmentation ---------------------------------------------------------------------------


SUMMARY = (
    ("Visitors", "sessions", "int"),
    ("Unique visitors", "users", "int"),
    ("New visitors", "new_users", "int"),
    ("Actions", "actions", "int"),
    ("Average actions per visit", "actions_per_session", "one_decimal"),
    ("Total time", "total_duration", "pretty"),
    ("Average time per visit", "avg_duration", "pretty"),
    ("Bounce rate", "bounce_rate", "int"),
)


def _segmentation_block(ctx: Context) -> Block:
    interval, days = type_interval(ctx, types.SEGMENTATION)
    asked = (ctx.req.param("segments") or "").lower().split(",")
    valid = {"summary", *types.POPULAR, *types.TALLIES}
    segments = [s.strip() for s in asked if s.strip() in valid] or ["summary"]
    segments = list(dict.fromkeys(segments))
    where = visitor_filter(ctx, interval) or f.And(())
    saved = (ctx.daily, ctx.hourly, ctx.trends, ctx.item)
    ctx.daily = ctx.hourly = ctx.trends = False
    ctx.item = None
    entries = []
    try:
        for name in segments:
            if name == "summary":
                frame = ctx.query(interval, metrics=tuple(m for _, m, _ in SUMMARY), filter=where)
                row = frame.iloc[0] if len(frame) else {}
                items = [
                    {"title": title, "value": types.tally_text(row.get(m), fmt)}
                    for title, m, fmt in SUMMARY
                ]
            elif name in types.TALLIES:
                items = _tally_block(ctx, name, where).dates[0][1]
            else:
                items = _popular_block(ctx, name, where).dates[0][1]
            entries.append({"segment": name, "items": items})
    finally:
        ctx.daily, ctx.hourly, ctx.trends, ctx.item = saved
    return Block(types.SEGMENTATION, [(date_label(days), entries)])


def _scoped(ctx: Context, table: str, interval: Interval, where: f.Filter | None):
    """A visits filter on ``table``: as is on sessions, as their session ids on events."""
    if where is None or table == "sessions":
        return where
    frame = ctx.query(interval, dimensions=("session_id",), filter=where, limit=100_000)
    ids = tuple(frame["session_id"])
    return f.In("session_id", ids) if ids else NOTHING
