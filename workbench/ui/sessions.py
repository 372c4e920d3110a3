"""The Sessions page's data, without Streamlit: its choices in the URL, the filter tree, pages.

A ``SessionView`` is what the page's widgets chose (Opentracker's session-list filters, the
columns, the order, the open session); ``parse_view``/``view_params`` read and write it as
URL parameters (prefixed ``s_``, apart from the global ones). The filters become
Opentracker's own ``c_view_session.jsp`` parameters (``opentracker_params``) and the filter
tree is the dialect's reading of them, so the page and its Opentracker export select the
same visits. ``list_page``, ``session_counts`` and ``every_session`` run the list, its total
(beside the previous period when asked) and the whole list for the CSV export;
``detail`` gathers one visit: its row, its actions, the visitor's other visits;
``timeline`` and ``pin`` draw its actions and its place (shipped topojson, as the maps).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from workbench import filters as f
from workbench.core import Workbench
from workbench.dialects.opentracker_session_fields import SORTED_BY
from workbench.dialects.opentracker_sessions import MAX_ROWS, session_filter
from workbench.dimensions import DIMENSIONS
from workbench.encoders import Table, encode
from workbench.errors import WorkbenchError
from workbench.query import MAX_LIMIT, Cursor, Order, Query, Result
from workbench.reports import SESSION_COLUMNS, compare, session_list
from workbench.timeframe import Interval
from workbench.ui.selection import Selection

PREFIX = "s_"
NEWEST = ""  # the order choice meaning newest first (keyset paging)
PAGE_SIZES = (25, 50, 100)
CHOOSABLE = tuple(n for n, d in DIMENSIONS["sessions"].items() if not d.multi)  # one value a row
OPENTRACKER_PATH = "/api/c_view_session.jsp"
EVENT_COLUMNS = ("ts", "seq", "type", "url", "title", "key", "count", "sum", "duration_s")
OTHER_COLUMNS = (
    "start_ts", "session_id", "duration_s", "pageviews", "entry_url", "referrer_url",
    "country_name", "city", "is_bot",
)  # fmt: skip
DETAIL_COLUMNS = (
    "site_id", "session_id", "visitor_id", "start_ts", "end_ts", "last_seen_ts", "duration_s",
    "is_new", "visit_number", "pageviews", "actions", "entry_url", "entry_title", "exit_url",
    "exit_title", "referrer_url", "referrer_domain", "referrer_type", "search_term",
    "campaign", "country_code", "country_name", "region_name", "city", "latitude",
    "longitude", "organization", "isp", "browser", "os", "device_type", "language", "is_bot",
)  # fmt: skip
ORIGIN = (
    "referrer_url", "referrer_domain", "referrer_type", "search_term", "campaign", "entry_url",
    "entry_title",
)  # fmt: skip
OTHERS_SHOWN = 100
HISTORY_START = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # a visitor's visits: all history


@dataclass(frozen=True)
class SessionFilters:
    """Opentracker's session-list filters, as the page offers them."""

    countries: tuple[str, ...] = ()  # two-letter codes, any of them
    exclude_url: tuple[str, ...] = ()  # words not in the entry or current page URL
    exclude_company: tuple[str, ...] = ()  # words not in the organization
    max_events: int | None = None  # the visitor's pageviews below this
    max_duration: int | None = None  # seconds, below this
    remove_isp: bool = False  # only visits with a known organization
    title: str = ""  # the current page's title (wildcards * and ?)
    search: str = ""  # words in any text column (wildcards * and ?)
    use_or: bool = False  # any word of the search instead of all


@dataclass(frozen=True)
class SessionView:
    """The page's choices: filters, columns, order, page size and the open session."""

    filters: SessionFilters = field(default_factory=SessionFilters)
    columns: tuple[str, ...] = SESSION_COLUMNS
    order: str = NEWEST  # a column, or NEWEST
    descending: bool = True
    size: int = PAGE_SIZES[0]
    session: str | None = None

    @property
    def newest_first(self) -> bool:
        return self.order == NEWEST

    def orders(self) -> tuple[Order, ...]:
        return () if self.newest_first else (Order(self.order, self.descending),)

    def query_columns(self) -> tuple[str, ...]:
        """The chosen columns, and ``session_id`` (a row's detail needs it) if not chosen."""
        return tuple(dict.fromkeys((*self.columns, "session_id")))


# -- the URL --------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


def _whole(text: str, name: str, problems: list[str]) -> int | None:
    if not text:
        return None
    if re.fullmatch(r"[0-9]{1,9}", text) and int(text) > 0:
        return int(text)
    problems.append(f"{name}: {text!r} is not a whole number above 0; ignored.")
    return None


def _countries(text: str, problems: list[str]) -> tuple[str, ...]:
    codes = []
    for code in _words(text):
        if re.fullmatch(r"[A-Za-z]{2}", code):
            codes.append(code.upper())
        else:
            problems.append(f"country codes: {code!r} is not a two-letter code; ignored.")
    return tuple(dict.fromkeys(codes))


def _search(text: str) -> str:
    """The search text, or "" when it has no word (only spaces and commas)."""
    return text.strip() if re.sub(r"[\s,]", "", text) else ""


def parse_filters(values: Mapping[str, str], problems: list[str]) -> SessionFilters:
    """The filters of ``values`` (URL parameters without the prefix, or the form's text)."""
    return SessionFilters(
        countries=_countries(values.get("cc", ""), problems),
        exclude_url=_words(values.get("exclude_url", "")),
        exclude_company=_words(values.get("exclude_company", "")),
        max_events=_whole(values.get("max_events", ""), "max events", problems),
        max_duration=_whole(values.get("max_duration", ""), "max duration", problems),
        remove_isp=values.get("no_isp") == "1",
        title=values.get("title", ""),
        search=_search(values.get("search", "")),
        use_or=values.get("any") == "1",
    )


def parse_view(params: Mapping[str, str]) -> tuple[SessionView, tuple[str, ...]]:
    """The view in URL ``params`` (global ones ignored), and what was ignored as invalid."""
    mine = {k[len(PREFIX) :]: v for k, v in params.items() if k.startswith(PREFIX)}
    problems: list[str] = []
    filters = parse_filters(mine, problems)
    columns = _words(mine.get("columns", "")) or SESSION_COLUMNS
    unknown = [c for c in columns if c not in CHOOSABLE]
    if unknown:
        problems.append(f"columns: {', '.join(unknown)} unknown; ignored.")
        columns = tuple(c for c in columns if c in CHOOSABLE) or SESSION_COLUMNS
    order = mine.get("order", NEWEST)
    if order not in (NEWEST, *CHOOSABLE):
        problems.append(f"order: {order!r} is not a column; newest first instead.")
        order = NEWEST
    size = int(mine["size"]) if mine.get("size") in {str(s) for s in PAGE_SIZES} else PAGE_SIZES[0]
    view = SessionView(
        filters, columns, order, mine.get("asc") != "1", size, mine.get("session") or None
    )
    return view, tuple(problems)


def view_params(view: SessionView) -> dict[str, str]:
    """The URL parameters of ``view`` (defaults left out, so links stay short)."""
    fl = view.filters
    values = {
        "cc": ",".join(fl.countries),
        "exclude_url": ",".join(fl.exclude_url),
        "exclude_company": ",".join(fl.exclude_company),
        "max_events": str(fl.max_events or ""),
        "max_duration": str(fl.max_duration or ""),
        "no_isp": "1" if fl.remove_isp else "",
        "title": fl.title,
        "search": fl.search,
        "any": "1" if fl.use_or else "",
        "columns": "" if view.columns == SESSION_COLUMNS else ",".join(view.columns),
        "order": view.order,
        "asc": "1" if not view.newest_first and not view.descending else "",
        "size": "" if view.size == PAGE_SIZES[0] else str(view.size),
        "session": view.session or "",
    }
    return {PREFIX + k: v for k, v in values.items() if v}


# -- the filter tree ------------------------------------------------------------------------


def opentracker_params(filters: SessionFilters) -> dict[str, str]:
    """The filters as ``c_view_session.jsp`` parameters (absent ones left out)."""
    params = {
        "includeCountryCode": ",".join(filters.countries),
        "excludeInUrl": ",".join(filters.exclude_url),
        "excludeInFilteredCompany": ",".join(filters.exclude_company),
        "maxEventThreshold": str(filters.max_events or ""),
        "maxDuration": str(filters.max_duration or ""),
        "removeIsp": "true" if filters.remove_isp else "",
        "filterByCurrentTitle": filters.title,
        "search": filters.search,
        "useOr": "true" if filters.use_or and filters.search else "",
    }
    return {k: v for k, v in params.items() if v}


def where(filters: SessionFilters, selection: Selection | None = None) -> f.Filter | None:
    """The filter tree of ``filters`` (Opentracker's reading of the same parameters), within
    the selection's segment if given."""
    return f.all_of(
        selection.where if selection else None, session_filter(opentracker_params(filters))
    )


# -- the list -------------------------------------------------------------------------------


def list_page(
    wb: Workbench,
    selection: Selection,
    interval: Interval,
    view: SessionView,
    at: Cursor | int | None = None,
) -> Result:
    """One page of the list: after a cursor (newest first) or from an offset (other orders)."""
    return session_list(
        wb,
        interval,
        sites=selection.sites,
        columns=view.query_columns(),
        where=where(view.filters, selection),
        order=view.orders(),
        limit=view.size,
        offset=at if isinstance(at, int) else 0,
        cursor=at if isinstance(at, Cursor) else None,
        include_bots=selection.include_bots,
    )


def session_count(
    wb: Workbench,
    interval: Interval,
    *,
    sites: tuple[str, ...],
    where: f.Filter | None,
    include_bots: bool,
) -> Result:
    """The number of visits under a filter (one row, ``sessions``)."""
    q = Query(interval, sites=sites, metrics=("sessions",), filter=where, include_bots=include_bots)
    return wb.query(q)


def session_counts(
    wb: Workbench, selection: Selection, interval: Interval, filters: SessionFilters
) -> Result:
    """The total of the list, with ``sessions_previous`` and ``sessions_change`` if compared."""
    arguments = {
        "sites": selection.sites,
        "where": where(filters, selection),
        "include_bots": selection.include_bots,
    }
    if selection.compare:
        return compare(wb, session_count, interval, **arguments)
    return session_count(wb, interval, **arguments)


def every_session(
    wb: Workbench, selection: Selection, interval: Interval, view: SessionView
) -> pd.DataFrame:
    """Every row of the list under the view (all pages), with the chosen columns."""
    whole = replace(view, size=MAX_LIMIT)
    frames, at = [], None
    while True:
        page = list_page(wb, selection, interval, whole, at)
        frames.append(page.frame)
        if len(page.frame) < MAX_LIMIT:
            break
        at = page.next_cursor if view.newest_first else (at or 0) + MAX_LIMIT
        if at is None:
            break
    return shown(pd.concat(frames, ignore_index=True), view, interval.zone)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV (formula-like cells neutralised by the encoder)."""
    return encode("csv", Table.of(frame.columns, frame.itertuples(index=False))).body


def shown(frame: pd.DataFrame, view: SessionView | None, zone: str) -> pd.DataFrame:
    """Rows as the screen shows them: the view's columns, times in ``zone``."""
    out = frame[list(view.columns)].copy() if view is not None else frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert(zone)
    return out


# -- one session ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """One visit: its row, its actions in time order and the visitor's other visits."""

    session: pd.Series
    events: pd.DataFrame
    others: pd.DataFrame

    @property
    def origin(self) -> dict[str, object]:
        """Where the visit came from (missing values as None)."""
        return {k: _value(self.session.get(k)) for k in ORIGIN}

    @property
    def pin(self) -> tuple[float, float] | None:
        lat, lon = _value(self.session.get("latitude")), _value(self.session.get("longitude"))
        return None if lat is None or lon is None else (float(lat), float(lon))


def _value(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def detail(
    wb: Workbench, selection: Selection, interval: Interval, session_id: str, now: dt.datetime
) -> Detail | None:
    """The visit ``session_id`` of the selected sites and period (None if it is not there)."""
    found = session_list(
        wb,
        interval,
        sites=selection.sites,
        columns=DETAIL_COLUMNS,
        where=f.Eq("session_id", session_id),
        limit=1,
        include_bots=True,
    ).frame
    if found.empty:
        return None
    row = found.iloc[0]
    return Detail(row, actions(wb, row, interval.zone), other_visits(wb, row, interval.zone, now))


def actions(wb: Workbench, session: pd.Series, zone: str) -> pd.DataFrame:
    """The visit's events in time order (the events table, by ``session_id``)."""
    last = max(t for t in (session["end_ts"], session["last_seen_ts"]) if pd.notna(t))
    span = Interval(session["start_ts"].to_pydatetime(), last + pd.Timedelta(seconds=1), zone)
    q = Query(
        span,
        sites=(str(session["site_id"]),),
        table="events",
        dimensions=EVENT_COLUMNS,
        filter=f.Eq("session_id", str(session["session_id"])),
        order=(Order("ts"), Order("seq")),
        limit=MAX_LIMIT,
        include_bots=True,
    )
    return shown(wb.query(q).frame, None, zone)


def other_visits(wb: Workbench, session: pd.Series, zone: str, now: dt.datetime) -> pd.DataFrame:
    """The visitor's other visits to the site, over all its history, newest first."""
    if pd.isna(session["visitor_id"]):
        return pd.DataFrame(columns=list(OTHER_COLUMNS))
    frame = session_list(
        wb,
        Interval(HISTORY_START, now + dt.timedelta(days=1), zone),
        sites=(str(session["site_id"]),),
        columns=OTHER_COLUMNS,
        where=f.And(
            (
                f.Eq("visitor_id", str(session["visitor_id"])),
                f.Not(f.Eq("session_id", str(session["session_id"]))),
            )
        ),
        order=(Order("start_ts", True),),
        limit=OTHERS_SHOWN,
        include_bots=True,
    ).frame
    return shown(frame, None, zone)


# -- the Opentracker request ----------------------------------------------------------------


def opentracker_order(view: SessionView) -> str | None:
    """The view's order as ``orderCriteria`` (None: newest first, or no Opentracker column)."""
    if view.newest_first:
        return None
    names = {column: name for name, column in reversed(SORTED_BY.items()) if column}
    name = names.get(view.order)
    return None if name is None else f"{name} {'desc' if view.descending else 'asc'}"


def opentracker_url(
    selection: Selection,
    view: SessionView,
    site_ids: Mapping[str, str | None],
    zone: str,
    today: dt.date,
    data_type: str = "json",
) -> str:
    """The ``c_view_session.jsp`` request for the same visits (``site_ids``: site ->
    opentracker_site; at most ``MAX_ROWS``, the endpoint's largest page)."""
    missing = [s for s in selection.sites if not site_ids.get(s)]
    if missing:
        raise WorkbenchError(
            "no_opentracker_site",
            f"site: {', '.join(missing)} has no Opentracker identity; the Opentracker format "
            "needs sites that have one",
        )
    first, last = selection.days(today)
    params = {
        "site": ",".join(str(site_ids[s]) for s in selection.sites),
        "period": f"{(last - first).days + 1}d",
        "date": last.isoformat(),
        "timeZone": zone,
        **opentracker_params(view.filters),
        "orderCriteria": opentracker_order(view) or "",
        "limit": str(MAX_ROWS),
        "dataType": data_type,
    }
    return f"{OPENTRACKER_PATH}?{urlencode({k: v for k, v in params.items() if v})}"


# -- figures --------------------------------------------------------------------------------


def timeline(events: pd.DataFrame) -> go.Figure:
    """The visit's actions along time, one row per kind of action."""
    labels = [_label(e) for e in events.itertuples(index=False)]
    fig = go.Figure(
        go.Scatter(
            x=events["ts"],
            y=events["type"],
            mode="lines+markers",
            text=labels,
            hovertemplate="%{x|%H:%M:%S} %{y}<br>%{text}<extra></extra>",
            marker={"size": 11, "color": "#1f77b4"},
            line={"color": "#bbb", "width": 1},
        )
    )
    fig.update_layout(
        height=220, margin={"l": 0, "r": 0, "t": 10, "b": 0}, xaxis_title=None, yaxis_title=None
    )
    return fig


def _label(event: tuple) -> str:
    text = next((str(v) for v in (event.title, event.url, event.key) if _value(v)), "")
    return text[:120]


def pin(place: tuple[float, float]) -> go.Figure:
    """A map with one pin at (latitude, longitude), drawn from the shipped topojson."""
    lat, lon = place
    fig = go.Figure(go.Scattergeo(lat=[lat], lon=[lon], marker={"size": 14, "color": "#d62728"}))
    fig.update_geos(
        showcountries=True,
        countrycolor="#999",
        showland=True,
        landcolor="#eef0f3",
        showframe=False,
        projection_type="natural earth",
        resolution=110,
        center={"lat": lat, "lon": lon},
        projection_scale=3,
    )
    fig.update_layout(height=300, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig
