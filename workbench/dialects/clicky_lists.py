"""Clicky's chronological types: visitors-list, actions-list and the recent/unique lists."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pandas as pd

from workbench import filters as f
from workbench.dialects import clicky_types as types
from workbench.dialects.clicky_context import (
    CUSTOM_KEYS,
    HISTORY_START,
    MAX_LIMIT,
    MAX_OFFSET,
    STATS,
    VISITOR_COLUMNS,
    VISITOR_FIELDS,
    Context,
    date_label,
    type_interval,
)
from workbench.dialects.clicky_filters import (
    action_filter,
    visitor_filter,
)
from workbench.dialects.clicky_shape import Block
from workbench.timeframe import Interval
from workbench.timeframe import zone as zone_info


def _list_interval(ctx: Context, name: str) -> tuple[Interval, str]:
    raw = (ctx.req.param("time_offset") or "").strip()
    if name in ("visitors-list", "actions-list") and raw.isdigit():
        seconds = int(raw)
        if 1 <= seconds <= MAX_OFFSET:
            interval = Interval(ctx.now - dt.timedelta(seconds=seconds), ctx.now, ctx.zone)
            days = sorted({interval.local_start.date(), interval.local_end.date()})
            return interval, date_label(days)
    interval, days = type_interval(ctx, name)
    return interval, date_label(days)


def list_block(ctx: Context, name: str) -> Block:
    interval, label = _list_interval(ctx, name)
    if name == "visitors-list":
        items = _visitors(ctx, interval)
    elif name == "actions-list":
        items = _actions(ctx, interval)
    elif name in ("searches-recent", "links-recent"):
        items = _recent(ctx, interval, name)
    else:
        items = _unique(ctx, interval, name)
    return Block(name, [(label, items)])


def _limit(ctx: Context, name: str) -> int:
    return min(ctx.limit, MAX_LIMIT) if name in types.LIMITED else ctx.limit


def _epoch(ts) -> str:
    return str(int(pd.Timestamp(ts).timestamp()))


def time_pretty(ts: dt.datetime) -> str:
    """``Mon Apr 13 2015, 4:39pm`` (``2pm`` on the hour), as the seed's example prints it."""
    minutes = f":{ts.minute:02d}" if ts.minute else ""
    half = "am" if ts.hour < 12 else "pm"
    return f"{ts:%a %b} {ts.day} {ts.year}, {ts.hour % 12 or 12}{minutes}{half}"


def _pretty(ctx: Context, ts) -> str:
    return time_pretty(pd.Timestamp(ts).to_pydatetime().astimezone(zone_info(ctx.zone)))


def _present(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    if isinstance(value, float) and value != value:
        return False
    return value != "" and value != {}


def _finish(ctx: Context, item: dict, fields: tuple[str, ...]) -> dict:
    if ctx.null_values:
        return {k: (item.get(k) if _present(item.get(k)) else "") for k in fields}
    return {k: item[k] for k in fields if _present(item.get(k))}


def _visitor_fields(ctx: Context) -> tuple[str, ...]:
    asked = ctx.req.param("visitor-details") or ctx.req.param("visitor_details")
    if not asked:
        return VISITOR_FIELDS
    wanted = {a.strip() for a in asked.split(",")}
    chosen = tuple(f_ for f_ in VISITOR_FIELDS if f_ in wanted)
    return chosen or VISITOR_FIELDS


def _visitors(ctx: Context, interval: Interval) -> list[dict]:
    session = ctx.req.param("session_id")
    where = visitor_filter(ctx, interval)
    if session is not None:
        interval = Interval(HISTORY_START, ctx.now + dt.timedelta(days=1), ctx.zone)
        where = f.Eq("session_id", session)
    frame = ctx.query(
        interval,
        dimensions=VISITOR_COLUMNS,
        filter=where,
        limit=_limit(ctx, "visitors-list"),
        offset=ctx.offset,
    )
    fields = _visitor_fields(ctx)
    return [_finish(ctx, _visitor(ctx, row), fields) for row in frame.to_dict("records")]


def _number(value: object) -> str | None:
    if not _present(value):
        return None
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


def _visitor(ctx: Context, row: dict) -> dict:
    t = types._text
    first_visit = None
    if _present(row["first_visit_ts"]):
        first_visit = {"time": _epoch(row["first_visit_ts"])}
        if _present(row["first_session_id"]):
            first_visit["session_id"] = t(row["first_session_id"])
    custom = {k: t(row[f"property.{k}"]) for k in CUSTOM_KEYS if t(row[f"property.{k}"])}
    if ctx.multi_values:
        custom = {k: [v] for k, v in custom.items()}
    has_referrer = bool(t(row["referrer_url"]))
    javascript = row["javascript"]
    return {
        "time": _epoch(row["start_ts"]),
        "time_pretty": _pretty(ctx, row["start_ts"]),
        "time_total": _number(row["duration_s"]),
        "ip_address": t(row["ip_address"]),
        "session_id": t(row["session_id"]),
        "actions": _number(row["actions"]),
        "total_visits": _number(row["visit_number"]),
        "first_visit": first_visit,
        "web_browser": t(row["browser"]),
        "operating_system": t(row["os"]),
        "screen_resolution": t(row["screen_resolution"]),
        "javascript": None if not _present(javascript) else ("1" if javascript else "0"),
        "language": t(row["language"]),
        "referrer_url": t(row["referrer_url"]),
        "referrer_domain": t(row["referrer_domain"]),
        "referrer_search": t(row["search_term"]),
        "referrer_type": t(row["referrer_type"]) if has_referrer else None,
        "geolocation": types.geolocation(
            row["city"], row["region_name"], row["country_name"], row["country_code"]
        ),
        "latitude": _number(row["latitude"]),
        "longitude": _number(row["longitude"]),
        "hostname": t(row["hostname"]),
        "organization": t(row["organization"]),
        "campaign": t(row["campaign"]),
        "goals": None,
        "custom": custom,
        "stats_url": f"{STATS}visitors-session?"
        + urlencode({"site_id": ctx.clicky_id, "session_id": t(row["session_id"])}),
    }


ACTION_FIELDS = (
    "time",
    "time_pretty",
    "ip_address",
    "session_id",
    "action_type",
    "action_title",
    "action_url",
    "referrer_url",
    "referrer_domain",
    "referrer_search",
    "stats_url",
)


def _actions(ctx: Context, interval: Interval) -> list[dict]:
    frame = ctx.query(
        interval,
        table="events",
        dimensions=("ts", "session_id", "type", "title", "url", "referrer_url", "seq"),
        filter=action_filter(ctx, interval),
        limit=_limit(ctx, "actions-list"),
        offset=ctx.offset,
    )
    rows = frame.to_dict("records")
    sessions = {}
    ids = tuple(dict.fromkeys(types._text(r["session_id"]) for r in rows))
    if ids:
        wide = Interval(interval.start - dt.timedelta(days=1), interval.end, ctx.zone)
        found = ctx.query(
            wide,
            dimensions=("session_id", "ip_address", "search_term"),
            filter=f.In("session_id", ids),
            limit=len(ids),
        )
        sessions = {r["session_id"]: r for r in found.to_dict("records")}
    items = []
    for row in rows:
        t = types._text
        session = sessions.get(row["session_id"], {})
        referrer = t(row["referrer_url"])
        kind = t(row["type"])
        item = {
            "time": _epoch(row["ts"]),
            "time_pretty": _pretty(ctx, row["ts"]),
            "ip_address": t(session.get("ip_address")),
            "session_id": t(row["session_id"]),
            "action_type": "click" if kind == "custom" else kind,
            "action_title": t(row["title"]),
            "action_url": t(row["url"]),
            "referrer_url": referrer if kind == "pageview" else "",
            "referrer_domain": _domain(referrer) if kind == "pageview" else "",
            "referrer_search": t(session.get("search_term")) if row["seq"] == 1 else "",
            "stats_url": f"{STATS}visitors-session?"
            + urlencode({"site_id": ctx.clicky_id, "session_id": t(row["session_id"])}),
        }
        items.append(_finish(ctx, item, ACTION_FIELDS))
    return items


def _domain(url: str) -> str:
    match = re.match(r"[a-z][a-z0-9+.\-]*://([^/:?#]+)", url, re.I)
    host = match[1].lower() if match else ""
    return host.removeprefix("www.")


def _recent(ctx: Context, interval: Interval, name: str) -> list[dict]:
    column = "search_term" if name.startswith("searches") else "referrer_url"
    scope = f.Not(f.IsNull("search_term")) if column == "search_term" else types.NOT_SEARCH
    frame = ctx.query(
        interval,
        dimensions=("start_ts", column),
        filter=scope,
        limit=ctx.limit,
        offset=ctx.offset,
    )
    return [
        _recent_item(ctx, row["start_ts"], row[column], column) for row in frame.to_dict("records")
    ]


def _recent_item(ctx: Context, ts, value: object, column: str) -> dict:
    key = "search" if column == "search_term" else "link"
    text = types._text(value)
    query = urlencode({"site_id": ctx.clicky_id, key: text})
    item = {
        "time": _epoch(ts),
        "time_pretty": _pretty(ctx, ts),
        "item": text,
        "stats_url": f"{STATS}visitors?{query}",
    }
    return _finish(ctx, item, tuple(item))


def _unique(ctx: Context, interval: Interval, name: str) -> list[dict]:
    column = "search_term" if name.startswith("searches") else "referrer_url"
    scope = f.Not(f.IsNull("search_term")) if column == "search_term" else types.NOT_SEARCH
    history = Interval(HISTORY_START, interval.end, ctx.zone)
    frame = ctx.query(history, dimensions=(column,), metrics=("first_seen",), filter=scope)
    firsts = frame[pd.to_datetime(frame["first_seen"], utc=True) >= interval.start]
    firsts = firsts.sort_values(["first_seen", column], ascending=[False, True])
    rows = firsts.to_dict("records")[ctx.offset : ctx.offset + ctx.limit]
    return [_recent_item(ctx, r["first_seen"], r[column], column) for r in rows]
