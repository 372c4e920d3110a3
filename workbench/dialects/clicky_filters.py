"""Clicky's visitors-list / segmentation filters and actions-list filters, as filter trees.

See ``clicky``'s docstring for the rules; an unreadable value is ignored (its default).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import TYPE_CHECKING

from workbench import filters as f
from workbench.dialects import clicky_types as types
from workbench.timeframe import Interval

if TYPE_CHECKING:
    from workbench.dialects.clicky import Context

ONLINE_SECONDS = 15 * 60  # visitors-online and online=1: heard from in the last 15 minutes
ACTION_TYPES = {  # actions-list action_type -> the events it selects
    "pageview": f.Eq("type", "pageview"),
    "download": f.Eq("type", "download"),
    "outbound": f.Eq("type", "outbound"),
    "event": f.In("type", ("click", "custom")),
    "click": f.In("type", ("click", "custom")),
    "video": f.Wildcard("type", "video_*"),
    "search": f.Eq("type", "search"),
}
NOTHING = f.Or(())  # matches no row


def online_filter(ctx: Context) -> f.Filter:
    return f.Range("last_seen_ts", ctx.now - dt.timedelta(seconds=ONLINE_SECONDS), None)


# -- visitor and action filters -------------------------------------------------------------


def _number_filter(column: str, text: str) -> f.Filter | None:
    text = text.strip().replace(" ", "")
    if m := re.fullmatch(r"([<>])(\d+)", text):
        n = float(m[2])
        return (
            f.Range(column, n, None, low_strict=True)
            if m[1] == ">"
            else f.Range(column, None, n, high_strict=True)
        )
    if m := re.fullmatch(r"(\d+),(\d+)", text):
        return f.Range(column, float(m[1]), float(m[2]))
    if text.isdigit():
        return f.Eq(column, int(text))
    return None


def _family(name_col: str, version_col: str, text: str) -> f.Filter:
    words = text.strip().split()
    if len(words) > 1 and re.fullmatch(r"[0-9][0-9.]*", words[-1]):
        name, version = " ".join(words[:-1]), words[-1]
        return f.And(
            (f.Eq(name_col, name, True), f.Wildcard(version_col, version.replace("*", "") + "*"))
        )
    return f.Eq(name_col, text.strip(), True)


def _addresses(text: str) -> tuple[list[str], list[tuple[ipaddress.IPv4Address, ...]]]:
    singles, ranges = [], []
    for part in text.split("|"):
        part = part.strip()
        try:
            if "," in part:
                low, high = (ipaddress.IPv4Address(x.strip()) for x in part.split(",", 1))
                ranges.append((min(low, high), max(low, high)))
            elif part:
                singles.append(str(ipaddress.ip_address(part)))
        except ValueError:
            continue
    return singles, ranges


def _ip_filter(ctx: Context, interval: Interval, text: str) -> f.Filter | None:
    singles, ranges = _addresses(text)
    if not singles and not ranges:
        return None
    matched = list(singles)
    if ranges:
        seen = ctx.query(interval, dimensions=("ip_address",), metrics=("sessions",))
        for value in seen["ip_address"].dropna():
            try:
                address = ipaddress.ip_address(value)
            except ValueError:
                continue
            if address.version == 4 and any(lo <= address <= hi for lo, hi in ranges):
                matched.append(value)
    return f.In("ip_address", tuple(dict.fromkeys(matched))) if matched else NOTHING


def _event_sessions(ctx: Context, interval: Interval, test: f.Filter) -> f.Filter:
    frame = ctx.query(
        interval, table="events", dimensions=("session_id",), metrics=("actions",), filter=test
    )
    ids = tuple(frame["session_id"])
    return f.In("session_id", ids) if ids else NOTHING


def visitor_filter(ctx: Context, interval: Interval) -> f.Filter | None:
    """The visits the visitors-list / segmentation filters select (None: all)."""
    p = ctx.req.param
    if (ip := p("ip_address")) is not None and (found := _ip_filter(ctx, interval, ip)):
        return found
    if (uid := p("uid")) is not None:
        return f.Eq("visitor_id", uid.strip())
    tests: list[f.Filter | None] = []
    if p("new_visitors") == "1":
        tests.append(f.Eq("is_new", True))
    if p("returning_visitors") == "1":
        tests.append(f.Eq("is_new", False))
    if p("online") == "1":
        tests.append(online_filter(ctx))
    for param in ("heatmap", "shorturl", "goal", "split"):
        if p(param) not in (None, "0"):
            tests.append(NOTHING)
    for param, column in (("actions", "actions"), ("time", "duration_s")):
        if (value := p(param)) is not None:
            tests.append(_number_filter(column, value))
    contains = {
        "landing": "entry_url",
        "exit": "exit_url",
        "search": "search_term",
        "domain": "referrer_domain",
        "link": "referrer_url",
        "hostname": "hostname",
        "org": "organization",
    }
    for param, column in contains.items():
        if (value := p(param)) is not None:
            tests.append(f.Contains(column, value.strip(), True))
    if (value := p("href")) is not None:
        test = f.And((f.Eq("type", "pageview"), f.Contains("url", value.strip(), True)))
        tests.append(_event_sessions(ctx, interval, test))
    if (value := p("search-local")) is not None:
        test = f.And((f.Eq("type", "search"), f.Contains("search_term", value.strip(), True)))
        tests.append(_event_sessions(ctx, interval, test))
    if (value := p("browser")) is not None:
        tests.append(_family("browser", "browser_version", value))
    if (value := p("os")) is not None:
        tests.append(_family("os", "os_version", value))
    equal = {
        "resolution": "screen_resolution",
        "country": "country_code",
        "city": "city",
        "campaign": "campaign",
    }
    for param, column in equal.items():
        if (value := p(param)) is not None:
            tests.append(f.Eq(column, value.strip(), True))
    if (value := p("language")) is not None:
        tests.append(f.Wildcard("language", value.strip().replace("*", "") + "*", True))
    if (value := p("source")) is not None:
        titles = {v.lower(): k for k, v in types.SOURCES.items()}
        wanted = value.strip().lower()
        tests.append(f.Eq("referrer_type", titles.get(wanted, wanted), True))
    for name, value in ctx.req.params.items():
        m = re.fullmatch(r"custom\[(.+)\]", name)
        if m and value != "":
            tests.append(f.Eq(f"property.{m[1]}", value))
    return f.all_of(*tests)


def action_filter(ctx: Context, interval: Interval) -> f.Filter | None:
    """The actions the actions-list filters select (None: all)."""
    p = ctx.req.param
    tests: list[f.Filter | None] = []
    if (value := p("session_id")) is not None:
        tests.append(f.Eq("session_id", value.strip()))
    if (value := p("action_type")) is not None:
        tests.append(ACTION_TYPES.get(value.strip().lower()))
    if (value := p("href")) is not None:
        tests.append(f.Contains("url", value.strip(), True))
    if (value := p("uid")) is not None:
        tests.append(f.Eq("visitor_id", value.strip()))
    if (value := p("ip_address")) is not None and (found := _ip_filter(ctx, interval, value)):
        if found is NOTHING:
            tests.append(NOTHING)
        else:
            wide = Interval(interval.start - dt.timedelta(days=1), interval.end, ctx.zone)
            frame = ctx.query(wide, dimensions=("session_id",), filter=found, limit=100_000)
            ids = tuple(frame["session_id"])
            tests.append(f.In("session_id", ids) if ids else NOTHING)
    return f.all_of(*tests)
