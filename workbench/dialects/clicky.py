"""Clicky's Analytics API (seed 003): ``GET /api/stats/4``, every type, every output.

A request names a site (``site_id`` + ``sitekey``) and comma-separated ``type``s; each
type becomes one block of the documented nesting type → dates → items (``clicky_shape``)
from Queries on the store (``clicky_types`` says what each type counts). Errors are only
for credentials, ``site_id``, ``type`` and an unsafe ``json_callback``/``json_var``; every
other invalid value falls back to its default, as the document says (an invalid or too
long ``date`` becomes today).

Decisions where the document is silent (see also ``clicky_types`` and ``clicky_shape``):

- Errors come in the requested ``output`` (json ``[{"error": ...}]``, which clients test
  as ``data[0].error``) with HTTP 401 for a missing or wrong sitekey and 400 for the
  rest, so that ``workbench export`` exits non-zero and the server's failed-login limit
  counts wrong sitekeys (Clicky's own status is not documented). An unknown site and a
  wrong sitekey give the same message. ``alert_id`` names an alert,
  and the store keeps none: an error.
- "today" is the site's local date of ``now`` (the request's, else the store's clock).
  Date ranges may span 366 days (a Pro account), visitors-list, actions-list and
  segmentation 31 days; longer ranges become today. A range's date key is
  ``YYYY-MM-DD,YYYY-MM-DD``; with ``daily=1`` one block per day, newest first.
- ``limit`` (default 50, 1 to 1,000, ``all`` = 5,000) and ``page`` apply to each date
  group of each type. ``value_percent`` is the item's share of all items of its group
  (before ``filter``, ``item`` and paging), one decimal; items without a value (an
  unknown browser, a direct visit's referrer) are left out.
- Tally items are ``{"value"}``; hourly items ``{"hour": "0".."23", "value"}`` per day
  (local hours; a DST day has 23 or 25). ``hourly=1`` with a type other than visitors or
  actions is ignored (as an invalid value), as is ``item`` with several types.
  ``actions-average`` has one decimal, ``time-average`` whole seconds, ``bounce-rate`` a
  whole percent; ``*-pretty`` reads ``1h 2m 3s``.
- ``trends=1`` adds ``trend`` (whole percent change against the span of equal length just
  before, -999 to 999; left out when the earlier value is 0) to totals, not to per-day
  values.
- ``filter`` is a case-insensitive substring of an item's title (``!`` negates); ``item``
  an exact title, URL or value.
- visitors-online and ``online=1``: visits heard from in the last 15 minutes before now.
- visitors-list fields follow the document's order; ``web_browser`` and
  ``operating_system`` are the family names ("Firefox", "Windows"); ``custom`` holds the
  ``username`` and ``email`` custom data; ``goals`` is never present (no goals are
  recorded). ``null_values=1`` writes every field, empty ones as "". ``visitor-details``
  keeps the named fields (unknown names are ignored; none known: all fields).
- ``time_pretty`` is written as the seed's example output prints it
  (``Mon Apr 13 2015, 4:39pm``, ``2pm`` on the hour), in the site's time zone.
- Visitor filters (visitors-list and segmentation): ``ip_address`` and ``uid`` override the
  others; ``ip_address`` takes IPv4/IPv6 addresses, IPv4 ``low,high`` ranges and ``|``;
  ``actions`` and ``time`` take ``N``, ``>N``, ``<N`` or ``N,M``; ``browser``/``os`` a
  family optionally followed by a version prefix (``firefox 3.5``); ``country`` a code;
  ``language`` a tag prefix (``en``); ``domain``, ``link``, ``landing``, ``exit``,
  ``search``, ``hostname``, ``org`` are case-insensitive substrings; ``href`` and
  ``search-local`` match visits with such a page or internal search; ``heatmap``,
  ``shorturl``, ``goal`` and ``split`` match no visit (none recorded). An unreadable
  value is ignored.
- ``session_id`` finds a visit whatever the date. ``time_offset`` (1 to 86,400 seconds)
  replaces ``date`` for visitors-list and actions-list.
- segmentation: ``segments`` (default ``summary``) are popular or tally types computed on
  the filtered visits; the date group holds one ``{"segment", "items"}`` per segment.
- searches-unique / links-unique: terms and links whose first visit ever falls in the range.
- ``stats_url`` links to Clicky's own stats pages for the site, as Clicky's do.
- ``heatmap_url``, ``video_meta`` and ``app`` are accepted and change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from workbench import filters as f
from workbench.api import Request, Response, route
from workbench.dialects import clicky_types as types
from workbench.dialects.clicky_filters import (
    NOTHING,
    action_filter,
    online_filter,
    visitor_filter,
)
from workbench.dialects.clicky_shape import OUTPUTS, Block, Wrapping, error, render
from workbench.encoders import check_js_name
from workbench.errors import WorkbenchError
from workbench.identities import site_by
from workbench.query import BUCKET, Order, Query
from workbench.reports import every_bucket, previous_interval
from workbench.timeframe import Interval, clicky_range
from workbench.timeframe import zone as zone_info

DEFAULT_LIMIT, MAX_LIMIT, ALL_LIMIT = 50, 1000, 5000
MAX_DAYS, LIMITED_DAYS = 366, 31
MAX_OFFSET = 86_400
STATS = "https://clicky.com/stats/"
HISTORY_START = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
CUSTOM_KEYS = ("username", "email")
VISITOR_FIELDS = (
    "time",
    "time_pretty",
    "time_total",
    "ip_address",
    "session_id",
    "actions",
    "total_visits",
    "first_visit",
    "web_browser",
    "operating_system",
    "screen_resolution",
    "javascript",
    "language",
    "referrer_url",
    "referrer_domain",
    "referrer_search",
    "referrer_type",
    "geolocation",
    "latitude",
    "longitude",
    "hostname",
    "organization",
    "campaign",
    "goals",
    "custom",
    "stats_url",
)
VISITOR_COLUMNS = (
    "start_ts",
    "duration_s",
    "ip_address",
    "session_id",
    "actions",
    "visit_number",
    "first_visit_ts",
    "first_session_id",
    "browser",
    "os",
    "screen_resolution",
    "javascript",
    "language",
    "referrer_url",
    "referrer_domain",
    "search_term",
    "referrer_type",
    "city",
    "region_name",
    "country_name",
    "country_code",
    "latitude",
    "longitude",
    "hostname",
    "organization",
    "campaign",
    *(f"property.{k}" for k in CUSTOM_KEYS),
)


class ClickyError(Exception):
    """A request Clicky refuses, answered as its documented error with ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Context:
    """One request's site, clock and presentation parameters."""

    wb: object
    req: Request
    site_id: str
    clicky_id: str
    zone: str
    now: dt.datetime
    today: dt.date
    limit: int = DEFAULT_LIMIT
    page: int = 1
    daily: bool = False
    hourly: bool = False
    trends: bool = False
    item: str | None = None
    filter: str | None = None
    null_values: bool = False
    multi_values: bool = False
    cache: dict = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def query(self, interval: Interval, **parts) -> pd.DataFrame:
        return self.wb.query(Query(interval, sites=(self.site_id,), **parts)).frame


# -- the endpoint -------------------------------------------------------------------------


@route("/api/stats/4")
def stats(wb, req: Request) -> Response:
    """Clicky's ``/api/stats/4``: the requested types in the requested output."""
    output = req.param("output", "xml")
    output = output if output in OUTPUTS else "xml"
    wrapping = Wrapping()
    try:
        wrapping = _wrapping(req, output)
        ctx = _context(wb, req)
        names = _types(req)
        _presentation(ctx, names)
        return render([_block(ctx, name) for name in names], output, wrapping)
    except ClickyError as problem:
        return error(str(problem), output, wrapping, problem.status)


def _wrapping(req: Request, output: str) -> Wrapping:
    if output != "json":
        return Wrapping()
    names = {}
    for param in ("json_callback", "json_var"):
        value = req.param(param)
        if value is not None:
            try:
                names[param] = check_js_name(value, param)
            except WorkbenchError as problem:
                raise ClickyError(problem.message) from None
    return Wrapping(names.get("json_callback"), names.get("json_var"))


def _context(wb, req: Request) -> Context:
    site_id, sitekey = req.param("site_id"), req.param("sitekey")
    if site_id is None:
        raise ClickyError("site_id is required: the numeric ID of your site.")
    if not site_id.isdigit():
        raise ClickyError(f"site_id: invalid value {site_id!r}; expected a numeric site ID.")
    if sitekey is None:
        raise ClickyError("sitekey is required: the 12-16 character key of your site.", 401)
    site = site_by(wb, "clicky_site_id", site_id)
    expected = str(site.get("clicky_sitekey") or "") if site else ""
    if not site or not expected or not secrets.compare_digest(sitekey, expected):
        raise ClickyError("Invalid site_id or sitekey.", 401)
    zone = str(site["time_zone"])
    now = req.now or wb.clock(wall_clock(), zone).now
    today = now.astimezone(zone_info(zone)).date()
    return Context(wb, req, str(site["site_id"]), site_id, zone, now, today)


def _types(req: Request) -> list[str]:
    if req.param("alert_id") is not None:
        raise ClickyError(f"alert_id: no alert {req.param('alert_id')!r}; no alerts are kept.")
    raw = req.param("type")
    if raw is None:
        raise ClickyError(f"type is required; valid types: {', '.join(types.TYPES)}.")
    names = list(dict.fromkeys(t.strip().lower() for t in raw.split(",") if t.strip()))
    for name in names or [raw]:
        if name not in types.TYPES:
            raise ClickyError(
                f"type: invalid value {name!r}; valid types: {', '.join(types.TYPES)}."
            )
    return names


def _presentation(ctx: Context, names: list[str]) -> None:
    p = ctx.req.param
    limit = (p("limit") or "").strip().lower()
    if limit == "all":
        ctx.limit = ALL_LIMIT
    elif limit.isdigit() and 1 <= int(limit) <= MAX_LIMIT:
        ctx.limit = int(limit)
    page = (p("page") or "").strip()
    ctx.page = int(page) if page.isdigit() and int(page) >= 1 else 1
    ctx.daily = p("daily") == "1"
    hourly_ok = all(types.TALLIES.get(n) and types.TALLIES[n].hourly for n in names)
    ctx.hourly = p("hourly") == "1" and hourly_ok
    ctx.daily = ctx.daily or ctx.hourly
    ctx.trends = p("trends") == "1"
    ctx.item = p("item") if len(names) == 1 else None
    ctx.filter = p("filter")
    ctx.null_values = p("null_values") == "1"
    ctx.multi_values = p("custom_keys_multi_values") == "1"


# -- dates --------------------------------------------------------------------------------


def _span(ctx: Context, max_days: int) -> tuple[dt.date, dt.date]:
    """The requested dates; invalid, too long or ending before it starts: today."""
    expr = ctx.req.param("date", "today")
    try:
        first, last = clicky_range(expr.strip().lower(), ctx.today)
    except WorkbenchError:
        return ctx.today, ctx.today
    if (last - first).days + 1 > max_days:
        return ctx.today, ctx.today
    return first, last


def _interval(ctx: Context, name: str) -> tuple[Interval, list[dt.date]]:
    max_days = LIMITED_DAYS if name in types.LIMITED else MAX_DAYS
    first, last = _span(ctx, max_days)
    interval = Interval.from_dates(first, last, ctx.zone)
    return interval, [last - dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _label(days: list[dt.date]) -> str:
    first, last = min(days), max(days)
    return first.isoformat() if first == last else f"{first.isoformat()},{last.isoformat()}"


# -- blocks -------------------------------------------------------------------------------


def _block(ctx: Context, name: str) -> Block:
    kind = types.kind(name)
    if kind == "popular":
        return _popular_block(ctx, name)
    if kind == "tally":
        return _tally_block(ctx, name)
    if kind == "list":
        return _list_block(ctx, name)
    if kind == "segmentation":
        return _segmentation_block(ctx)
    _, days = _interval(ctx, name)
    return Block(name, [(_label(days), [])])


def _groups(ctx: Context, days: list[dt.date], per_day: bool) -> list[str]:
    return [d.isoformat() for d in days] if per_day else [_label(days)]


# popular ------------------------------------------------------------------------------------


def _popular_block(ctx: Context, name: str, where: f.Filter | None = None) -> Block:
    interval, days = _interval(ctx, name)
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
    interval, days = _interval(ctx, name)
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
    return Block(name, [(_label(days), [item])], tally=True, per_day=ctx.daily)


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


# lists --------------------------------------------------------------------------------------


def _list_interval(ctx: Context, name: str) -> tuple[Interval, str]:
    raw = (ctx.req.param("time_offset") or "").strip()
    if name in ("visitors-list", "actions-list") and raw.isdigit():
        seconds = int(raw)
        if 1 <= seconds <= MAX_OFFSET:
            interval = Interval(ctx.now - dt.timedelta(seconds=seconds), ctx.now, ctx.zone)
            days = sorted({interval.local_start.date(), interval.local_end.date()})
            return interval, _label(days)
    interval, days = _interval(ctx, name)
    return interval, _label(days)


def _list_block(ctx: Context, name: str) -> Block:
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
    interval, days = _interval(ctx, types.SEGMENTATION)
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
    return Block(types.SEGMENTATION, [(_label(days), entries)])


def _scoped(ctx: Context, table: str, interval: Interval, where: f.Filter | None):
    """A visits filter on ``table``: as is on sessions, as their session ids on events."""
    if where is None or table == "sessions":
        return where
    frame = ctx.query(interval, dimensions=("session_id",), filter=where, limit=100_000)
    ids = tuple(frame["session_id"])
    return f.In("session_id", ids) if ids else NOTHING
