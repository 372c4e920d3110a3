"""Opentracker's session list ``c_view_session.jsp`` (seed 001): parameters in, rows out.

The response is the document's: 69 columns (``field``/``label``/``className``/``width``
in the example's order), the example's table description (``hidden``, ``expandable``,
``popUpColumns``, ... verbatim; ``expandDataIndex`` and ``equivalentColumns`` name
columns by position, so they are re-pointed when ``showColumns`` changes the columns;
``expandUrl`` is kept as documented although the workbench serves no
``cassandraPageViews.jsp``), then the rows in ``resultsList``. ``rows`` is the number of
rows in ``resultsList``. ``dataType`` is json (``{"resultsList": [{field: value}]}``),
html, jsondatatable or csv.

Rendering rules (read off the example's rows, VENDOR-NOTES; ``now`` is the request's,
else the store's clock as for every Opentracker endpoint):

- A visit is ``online`` while its last event (``last_seen_ts``, else ``end_ts``) lies
  within ``ONLINE_WINDOW`` (5 minutes; the example bounds it between 45 s and 41 min)
  before now, ``offline`` otherwise (also when it lies after now); ``status`` is
  ``puppet_`` + that.
- ``duration``/``currentVisitDuration``: an online visit's is now - start, an offline
  visit's its stored duration (end - start), ``s.e.`` (single event) when end = start;
  whole seconds rounded half up, written ``20h 44m 57s``, ``3m 16s`` or ``20s``.
- ``lastEvent`` and ``firstMeasurement`` are written with ``dateFormat`` (Java
  SimpleDateFormat, default ``MMM dd hh:mm a``, English) in ``timeZone`` (default the
  first site's zone), using the zone rules of today's tz database. The document's
  server used older rules (VENDOR-NOTES): its November strings are UTC+5 and its June
  and October ``firstMeasurement`` strings UTC+6 (Yekaterinburg before Russia's 2011
  change). No current zone has exactly those offsets in 2011, so with a zone that is
  UTC+5 all year (``Asia/Karachi``, ``Etc/GMT-5``) every documented string is reproduced
  except those two ``firstMeasurement`` values, which come out one hour earlier
  (``Oct 02 03:38 PM`` for the document's ``Oct 02 04:38 PM``).
- Other derived columns: ``flag`` lower-case country code; ``visits_pageviews``
  ``visits (pageviews)``; ``browser`` name + version; ``platform`` the source's own string
  if kept, else OS + version; ``resolution`` ``1600 x 900``; ``*_root_url`` the URL
  without its query; ``inet_aton`` the IPv4 address as a number; ``referrer`` Google's
  ``/url?`` redirect shown as ``/search?``; ``referrersLogo`` the referrer's registrable
  domain (``ot2.opentracker.net`` -> ``opentracker.net``; a two-letter country domain
  under co/com/net/org/gov/ac/edu/ne/or/go keeps three labels, ``google.co.uk``) and
  ``session_referrer_hostname`` its first label; ``session_referrer_unix_timestamp`` the
  start when there is a referrer; ``type`` is ``session``. Times are epoch milliseconds.

Decisions where the document is silent:

- No parameter is required (the document's own csv example has neither ``session_id``
  nor ``date``). Without ``date`` the list covers ``period`` up to today (recent
  sessions); ``session_id`` (comma-separated ids allowed) without ``date`` or ``period``
  searches the whole history.
- Order and paging: newest activity first (``end_ts`` descending, then ``session_id``),
  which is the example's order (its rows 39 and 40 are in end order, not start order).
  ``nextToken`` keeps the documented ``timestampday.timestamphouroffset`` shape: the
  second number is the end (epoch ms) of the page's last row, the first the UTC day
  that millisecond falls on. The next page holds the rows that ended before it. So that
  this resumes exactly after the last row, a page never splits rows with the same end
  millisecond: ``limit`` is, as documented, a minimum and a page grows to include them
  all. The documented token (``1321401600000.1321466400000``) is accepted (rows that
  ended before 2011-11-16T18:00Z). Pass the same parameters again with the token; it is
  returned in jsondatatable only (``""`` on the last page) but accepted with every
  ``dataType``.
- ``orderCriteria``: comma-separated columns of the field list, each optionally followed
  by ``asc`` (the default) or ``desc`` (``duration desc,country``); it orders the whole
  selection (derived columns by the column they come from: ``duration`` by the stored
  duration). An ordered list is not paged: its ``nextToken`` is ``""``, and a
  ``nextToken`` with ``orderCriteria`` is an error.
- ``filtered_company`` (added, last, when ``excludeInFilteredCompany``,
  ``includeCountryCode``, ``excludeInUrl`` or ``maxEventThreshold`` is given; with
  ``showColumns``, only if named there, and it may be named without them) is the
  visitor's organization (``company/ org``); empty when only an ISP is known.
- ``removeIsp=true`` keeps only visits with a known organization (drops visits known by
  their ISP alone).
- ``includeCountryCode``, ``excludeInUrl``, ``excludeInFilteredCompany``: comma-separated
  lists; codes and words compare case-insensitively; ``excludeInUrl`` looks at the
  entry and exit (current) page URLs. ``maxEventThreshold`` keeps visitors whose total
  pageviews are below it, ``maxDuration`` visits whose stored duration is below it
  (strictly below, as documented).
- ``search``: words split on spaces and commas; a word matches a visit when one of its
  text columns (``SEARCHED``) contains it, case-insensitively, ``*`` matching any run of
  characters and ``?`` one; all words must match, any with ``useOr=true``.
- ``filterByCurrentTitle``: the current (exit) title equals it, case-sensitively;
  ``*``/``?`` are wildcards.
- ``unknownCity``/``unknownRegion`` replace an empty, missing or ``Unknown`` city /
  region name; ``gbCountryCode`` replaces ``GB`` in ``country_code`` only;
  ``mapEuToCountryDomain=true`` shows a visit located in ``EU``/``Europe`` as the
  country of its site's country-code domain (``.de`` -> Germany, ``.uk`` -> United
  Kingdom; a generic domain such as ``.net`` changes nothing).
- ``showColumns``: the named columns in the given order (repeats dropped); an unknown
  name is an error listing the valid ones.
- ``metaCsv`` (csv only, default true): lines ``site``, ``start date``, ``end date``
  (yyyy-MM-dd, local) and ``title`` (the ``title`` parameter, default ``Visitor
  sessions``), a blank line, then the table.
- ``locale`` and ``ignoreLocale`` are validated; dates stay English and labels as
  documented (no translations are known). A merge of sites uses the first site's zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from workbench import filters as f
from workbench.api import Request, Response, route
from workbench.dialects import opentracker as ot
from workbench.dialects.opentracker_formats import Listing, render
from workbench.dialects.opentracker_session_fields import (
    ALL_COLUMNS,
    COLUMNS,
    COMPANY_LABEL,
    FIELDS,
    FILTERED_COMPANY,
    HIDDEN,
    LABELS,
    SORTED_BY,
    description,
)
from workbench.dialects.opentracker_session_rows import EPOCH, Options, instant, render_row
from workbench.errors import WorkbenchError, invalid
from workbench.query import MAX_LIMIT, Order
from workbench.reports import session_list
from workbench.timebuckets import format_java
from workbench.timeframe import Interval, opentracker_interval
from workbench.timeframe import zone as zone_info

DATA_TYPES = ("json", "html", "jsondatatable", "csv")
DEFAULT_LIMIT, MAX_ROWS = 40, 1000
DEFAULT_DATE_FORMAT = "MMM dd hh:mm a"
DEFAULT_TITLE = "Visitor sessions"
DAY_MS = 86_400_000
COMPANY_TRIGGERS = (
    "excludeInFilteredCompany",
    "includeCountryCode",
    "excludeInUrl",
    "maxEventThreshold",
)
TOKEN_SHAPE = (
    "timestampday.timestamphouroffset as a previous page returned it, e.g. "
    "1321401600000.1321466400000 (the UTC day's first millisecond, then a millisecond "
    "of that day)"
)

INTEGERS = ("visit_number", "pageviews", "visitor_pageviews", "duration_s")
SEARCHED = (
    "entry_url", "entry_title", "exit_url", "exit_title", "referrer_url", "search_term",
    "country_name", "region_name", "city", "organization", "isp", "isp_organization",
    "hostname", "browser", "os", "ip_address", "session_id", "visitor_id",
)  # fmt: skip


@route("/c_view_session.jsp", "/api/c_view_session.jsp")
@ot.answer
def c_view_session(wb, req: Request) -> Response:
    """The list of sessions (visits), newest activity first, as Opentracker lists them."""
    sites = ot.sites(wb, req)
    data_type = ot.choice(req, "dataType", DATA_TYPES, "json")
    ot.locale(req)
    ot.flag(req, "ignoreLocale")
    zone = req.param("timeZone") or str(sites[0]["time_zone"])
    zone_info(zone, param="timeZone")
    now = req.clock(wb, zone)
    date_format = _date_format(req.param("dateFormat", DEFAULT_DATE_FORMAT), zone)
    limit = _whole(req, "limit", DEFAULT_LIMIT, 1, MAX_ROWS)
    columns = _columns(req)
    order = _order(req.param("orderCriteria"))
    token = _token(req.param("nextToken"))
    if token is not None and order:
        raise invalid("nextToken", req.param("nextToken"), "no nextToken with orderCriteria")
    options = Options(
        zone=zone,
        now=now,
        date_format=date_format,
        unknown_city=req.param("unknownCity"),
        unknown_region=req.param("unknownRegion"),
        gb_code=req.param("gbCountryCode"),
        eu_to_domain=ot.flag(req, "mapEuToCountryDomain"),
        site_names={str(s["site_id"]): str(s["opentracker_site"]) for s in sites},
    )
    meta_csv = ot.flag(req, "metaCsv", default=True)
    interval = _interval(req, zone, now)
    where = _where(req)
    page = _page(wb, interval, tuple(options.site_names), where, order, limit, token)
    rows = [render_row(row, columns, options) for row in page.rows]
    listing = Listing(
        columns,
        [COMPANY_LABEL if c == FILTERED_COMPANY else LABELS[c] for c in columns],
        [[cells[c] for c in columns] for cells in rows],
        sort_values=[[cells.get(f"sort:{c}", cells[c]) for c in columns] for cells in rows],
        hidden=HIDDEN,
        extra={"nextToken": page.next_token},
        trailer=description(columns),
        preamble=_meta(req, options, interval) if meta_csv and data_type == "csv" else [],
    )
    return render(listing, data_type)


# -- parameters ---------------------------------------------------------------------------


def _whole(req: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = req.param(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise invalid(name, raw, f"a whole number from {low:,} to {high:,}")
    return int(raw)


def _date_format(pattern: str, zone: str) -> str:
    try:
        format_java(EPOCH, pattern, zone)
    except WorkbenchError as error:
        detail = error.message.split("; ", 1)[-1].removeprefix("expected ")
        valid = f"a Java SimpleDateFormat pattern such as yyyy-dd-MM or {DEFAULT_DATE_FORMAT}"
        raise invalid("dateFormat", pattern, f"{valid} ({detail})") from None
    return pattern


def _words(req: Request, name: str, separators: str = ",") -> list[str]:
    raw = req.param(name)
    if raw is None:
        return []
    words = [w.strip() for w in re.split(f"[{separators}]", raw) if w.strip()]
    if not words:
        raise invalid(name, raw, "one or more comma-separated words")
    return words


def _columns(req: Request) -> tuple[str, ...]:
    raw = req.param("showColumns")
    company = any(req.param(p) is not None for p in COMPANY_TRIGGERS)
    if raw is None:
        return (*FIELDS, FILTERED_COMPANY) if company else FIELDS
    names = [n.strip() for n in raw.split(",") if n.strip()]
    for name in names:
        if name not in ALL_COLUMNS:
            raise invalid("showColumns", name, ALL_COLUMNS)
    if not names:
        raise invalid("showColumns", raw, "comma-separated column names")
    return tuple(dict.fromkeys(names))


def _order(raw: str | None) -> tuple[Order, ...]:
    if raw is None:
        return ()
    orders = []
    for item in raw.split(","):
        parts = item.split()
        if not parts or len(parts) > 2 or parts[0] not in SORTED_BY:
            valid = (
                "comma-separated columns, each optionally followed by asc or desc "
                f"(e.g. 'duration desc,country'); columns: {', '.join(SORTED_BY)}"
            )
            raise invalid("orderCriteria", item.strip() or raw, valid)
        direction = parts[1].lower() if len(parts) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise invalid("orderCriteria", item.strip(), f"{parts[0]} asc or {parts[0]} desc")
        if SORTED_BY[parts[0]]:
            orders.append(Order(SORTED_BY[parts[0]], direction == "desc"))
    chosen = {o.field: o for o in reversed(orders)}  # the first mention of a column wins
    return tuple(chosen[o.field] for o in orders if chosen[o.field] is o)


def _token(raw: str | None) -> int | None:
    """The millisecond a page resumes before."""
    if raw is None:
        return None
    match = re.fullmatch(r"([0-9]{1,15})\.([0-9]{1,15})", raw)
    if match is None:
        raise invalid("nextToken", raw, TOKEN_SHAPE)
    day, at = int(match[1]), int(match[2])
    if day % DAY_MS or not day <= at < day + DAY_MS:
        raise invalid("nextToken", raw, TOKEN_SHAPE)
    return at


def _interval(req: Request, zone: str, now: dt.datetime) -> Interval:
    date, period = req.param("date"), req.param("period")
    if req.param("session_id") is not None and date is None and period is None:
        return Interval(EPOCH, now + dt.timedelta(days=1), zone)
    return opentracker_interval(date=date, unix_time=None, period=period, zone_name=zone, now=now)


FILTER_PARAMS = (
    "session_id", "includeCountryCode", "excludeInUrl", "excludeInFilteredCompany",
    "maxEventThreshold", "maxDuration", "removeIsp", "filterByCurrentTitle", "search", "useOr",
)  # fmt: skip


def session_filter(params: Mapping[str, str]) -> f.Filter | None:
    """The filter tree of the list's filter parameters (``FILTER_PARAMS``) as this endpoint
    reads them, for a front end that offers the same filters (the app's Sessions page);
    a bad value raises naming the parameter, as a request would."""
    return _where(Request("GET", "/c_view_session.jsp", dict(params)))


def _where(req: Request) -> f.Filter | None:
    parts: list[f.Filter | None] = []
    ids = _words(req, "session_id")
    if ids:
        parts.append(f.In("session_id", tuple(ids)))
    codes = _words(req, "includeCountryCode")
    for code in codes:
        if not re.fullmatch(r"[A-Za-z]{2}", code):
            raise invalid("includeCountryCode", code, "two-letter country codes, e.g. US,GB")
    if codes:
        parts.append(f.In("country_code", tuple(c.upper() for c in codes)))
    for word in _words(req, "excludeInUrl"):
        for column in ("entry_url", "exit_url"):
            parts.append(f.Not(f.Contains(column, word, case_insensitive=True)))
    for word in _words(req, "excludeInFilteredCompany"):
        parts.append(f.Not(f.Contains("organization", word, case_insensitive=True)))
    events = _whole(req, "maxEventThreshold", None, 1, 1_000_000_000)
    if events is not None:
        parts.append(f.Range("visitor_pageviews", high=events, high_strict=True))
    seconds = _whole(req, "maxDuration", None, 1, 1_000_000_000)
    if seconds is not None:
        parts.append(f.Range("duration_s", high=seconds, high_strict=True))
    if ot.flag(req, "removeIsp"):
        parts += [f.Not(f.IsNull("organization")), f.Not(f.Eq("organization", ""))]
    title = req.param("filterByCurrentTitle")
    if title is not None:
        parts.append(f.Wildcard("exit_title", title))
    parts.append(_search(req))
    return f.all_of(*parts)


def _search(req: Request) -> f.Filter | None:
    words = _words(req, "search", separators=r",\s")
    use_or = ot.flag(req, "useOr")
    if not words:
        return None
    each = [
        f.Or(tuple(f.Wildcard(c, f"*{w}*", case_insensitive=True) for c in SEARCHED)) for w in words
    ]
    return f.Or(tuple(each)) if use_or else f.And(tuple(each))


# -- the page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, object]]
    next_token: str


NEWEST = (Order("end_ts", True), Order("session_id", True))


def _page(wb, interval, sites, where, order, limit, token) -> Page:
    """``limit`` rows (more when rows share the last row's end millisecond) and the token
    of the next page ("" if none, and for an ordered list)."""

    def fetch(condition, count, by=NEWEST):
        result = session_list(
            wb,
            interval,
            sites=sites,
            columns=COLUMNS,
            where=f.all_of(where, condition),
            order=by,
            limit=count,
        )
        return _records(result.frame)

    if order:
        return Page(fetch(None, limit, (*order, *NEWEST)), "")
    before = None if token is None else f.Range("end_ts", high=instant(token), high_strict=True)
    rows = fetch(before, limit + 1)
    if len(rows) <= limit:
        return Page(rows, "")
    last = rows[limit - 1]["end_ts"]
    page = rows[:limit]
    if rows[limit]["end_ts"] == last:  # never split rows ending in the same millisecond
        seen = {r["session_id"] for r in page}
        ties = fetch(f.all_of(before, f.Eq("end_ts", instant(last))), MAX_LIMIT)
        page += [r for r in ties if r["session_id"] not in seen]
        more = bool(fetch(f.Range("end_ts", high=instant(last), high_strict=True), 1))
    else:
        more = True
    return Page(page, f"{last - last % DAY_MS}.{last}" if more else "")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as plain values: times as epoch ms, missing values as None."""
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, object] = {}
        for name, value in record.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                row[name] = None
            elif isinstance(value, pd.Timestamp | dt.datetime):
                row[name] = (pd.Timestamp(value) - pd.Timestamp(EPOCH)) // pd.Timedelta("1ms")
            elif name in INTEGERS:
                row[name] = int(value)
            elif isinstance(value, float):
                row[name] = float(value)
            else:
                row[name] = value
        rows.append(row)
    return rows


# -- rows ---------------------------------------------------------------------------------


def _meta(req: Request, options: Options, interval: Interval) -> list[list[str]]:
    last = (interval.end - dt.timedelta(milliseconds=1)).astimezone(interval.tz).date()
    return [
        ["site", ", ".join((options.site_names or {}).values())],
        ["start date", interval.local_start.date().isoformat()],
        ["end date", last.isoformat()],
        ["title", req.param("title", DEFAULT_TITLE)],
        [],
    ]
