"""Events page: Countly custom events per key, per day and per segmentation value."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from workbench.encoders import Table, encode
from workbench.errors import WorkbenchError
from workbench.sites import site_keys
from workbench.timeframe import Interval
from workbench.ui import events, filters, images, state
from workbench.ui.dashboard import masked
from workbench.ui.filters import Context
from workbench.ui.selection import Selection
from workbench.ui.text import plain

NO_SEGMENT = ""
KEY, METRIC, SEGMENT = "events_key", "events_metric", "events_segment"  # the widgets
_VIEW, _PARAMS = "events_view", "events_params"  # session_state: the View and its URL params


@st.cache_data(show_spinner=False, max_entries=64)
def _per_key(
    version: int, selection: Selection, interval: Interval, sides: tuple[str, ...]
) -> tuple[pd.DataFrame, int | None]:
    return events.per_key(state.workbench(), selection, interval, sides)


@st.cache_data(show_spinner=False, max_entries=64)
def _segments(version: int, sites: tuple[str, ...], key: str) -> list[str]:
    return events.segment_keys(state.workbench(), sites, key)


@st.cache_data(show_spinner=False, max_entries=64)
def _over_time(
    version: int, selection: Selection, interval: Interval, key: str, sides: tuple[str, ...]
) -> pd.DataFrame:
    return events.over_time(state.workbench(), selection, interval, key, sides)


@st.cache_data(show_spinner=False, max_entries=64)
def _breakdown(
    version: int,
    selection: Selection,
    interval: Interval,
    key: str,
    segment: str,
    sides: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    wb = state.workbench()
    totals = events.breakdown(wb, selection, interval, key, segment, sides)
    daily = events.breakdown_over_time(wb, selection, interval, key, segment)
    return totals, daily


def csv(frame: pd.DataFrame) -> bytes:
    return encode("csv", Table.of(frame.columns, frame.itertuples(index=False))).body


def column_config(frame: pd.DataFrame) -> dict:
    """Each metric's definition as its column's help; changes as percentages."""
    config = {}
    for name, text in events.definitions().items():
        label = events.LABELS.get(name, name)
        config[name] = st.column_config.NumberColumn(label, help=text, format="localized")
    for column in frame.columns:
        if column.endswith("_change"):
            config[column] = st.column_config.NumberColumn(column, format="percent")
        elif column.endswith("_previous"):
            config[column] = st.column_config.NumberColumn(column, format="localized")
    return config


def no_events(ctx: Context) -> None:
    """Say why the page is empty, and offer the store's Countly apps."""
    st.info("The chosen sites have no custom events in this period. Countly apps record them.")
    apps = ctx.wb.sites().dropna(subset=["countly_app_id"])["site_id"].tolist()
    for app in apps:
        if st.button(f"Show {app}", key=f"events_app_{app}"):
            ctx.set_view(selection=replace(ctx.selection, sites=(app,)))


def url_view() -> events.View:
    """The page's choices in the URL (restored when the sidebar's Apply dropped them)."""
    if not any(events.is_param(k) for k in st.query_params) and _PARAMS in st.session_state:
        st.query_params.update(st.session_state[_PARAMS])
    view, problems = events.parse_view({k: st.query_params[k] for k in st.query_params})
    for problem in problems:
        st.warning(plain(problem))
    return view


def sync_widgets(ctx: Context, view: events.View, keys: list[str]) -> None:
    """Set the widgets from the URL's view when it changed (a link), once checked against
    the data; keep each widget's value among its options."""
    view, problems = events.checked(
        view, keys, lambda k: _segments(state.data_version(), ctx.selection.sites, k)
    )
    for problem in problems:
        st.warning(plain(problem))
    if st.session_state.get(_VIEW) != view:
        st.session_state.update(
            {_VIEW: view, KEY: view.key, METRIC: view.metric, SEGMENT: view.segment}
        )
    if st.session_state.get(KEY) not in keys:
        st.session_state[KEY] = keys[0]


def write_url(view: events.View) -> None:
    """The page's choices into the URL, so the view is a link."""
    params = events.view_params(view)
    st.session_state.update({_PARAMS: params, _VIEW: view})
    for name in [k for k in st.query_params if events.is_param(k) and k not in params]:
        del st.query_params[name]
    st.query_params.update(params)


def choices(ctx: Context, keys: list[str]) -> events.View:
    """The event, the metric and the segmentation key to break it down by."""
    cells = st.columns(3)
    key = cells[0].selectbox("Event", keys, key=KEY)
    metric = cells[1].selectbox(
        "Metric", events.METRICS, format_func=events.LABELS.get, key=METRIC,
        help="Count: occurrences; Sum: summed values; Duration: the events' seconds.",
    )  # fmt: skip
    segments = [NO_SEGMENT, *_segments(state.data_version(), ctx.selection.sites, key)]
    if st.session_state.get(SEGMENT) not in segments:  # another event: its own segments
        st.session_state[SEGMENT] = NO_SEGMENT
    segment = cells[2].selectbox(
        "Segment by", segments, key=SEGMENT, format_func=lambda s: s or "no segmentation"
    )
    return events.View(key, metric, segment)


def exports(ctx: Context, name: str, tables: dict[str, pd.DataFrame], fig: go.Figure) -> None:
    """CSV of each table, PNG and SVG of the chart."""
    cells = st.columns(len(tables) + 2)
    for cell, (label, frame) in zip(cells, tables.items(), strict=False):
        cell.download_button(
            f"{label} CSV", csv(frame), f"{name}-{label.lower()}.csv", "text/csv",
            on_click="ignore", icon=":material/download:",
        )  # fmt: skip
    cells[-2].download_button(
        "PNG chart", lambda: images.png(fig), f"{name}.png", "image/png", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    cells[-1].download_button(
        "SVG chart", lambda: images.svg(fig), f"{name}.svg", "image/svg+xml",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def countly(ctx: Context, key: str, segment: str) -> None:
    """Countly's ``events`` and ``get_events`` answers for the first chosen Countly app."""
    sites = ctx.wb.sites().set_index("site_id")["countly_app_id"]
    apps = [s for s in ctx.selection.sites if pd.notna(sites.get(s))]
    if not apps:
        st.caption("Countly format: none of the chosen sites is a Countly app.")
        return
    today_only = ctx.selection.period == "1d"
    try:
        urls = events.countly_urls(site_keys(ctx.wb.store, apps[0]), key, segment, today_only)
    except WorkbenchError as error:
        st.caption(plain(error.message))
        return
    cells = st.columns(len(urls))
    for cell, (method, url) in zip(cells, urls.items(), strict=True):
        cell.download_button(
            f"Countly {method} json", lambda url=url: ctx.wb.request(url, now=ctx.clock.now).body,
            f"countly-{method}-{apps[0]}.json", "application/json", on_click="ignore",
            icon=":material/download:",
        )  # fmt: skip
    span = "today" if today_only else "the app's whole history"
    st.caption(
        f"Countly requests for {apps[0]} ({span}, per year, month, day in the app's time zone, "
        f"{ctx.site_zones[apps[0]]}; bots left out; no segment; the read key hidden):"
    )
    for url in urls.values():
        st.code(masked(url), language=None)


@st.fragment
def event_view(ctx: Context, keys: pd.DataFrame, sides: tuple[str, ...]) -> None:
    """One event over time or by a segmentation key: chart, table, exports; choosing
    another event, metric or segment reruns only this panel."""
    view = choices(ctx, keys["key"].tolist())
    write_url(view)
    key, metric, segment = view.key, view.metric, view.segment
    version = state.data_version()
    with st.spinner("Breaking the event down…"):
        daily = _over_time(version, ctx.selection, ctx.interval, key, sides)
        tables = {"Events": keys, "Daily": daily}
        title = f"{events.label(key)}: {events.LABELS[metric]} ({ctx.zone})"
        if segment:
            totals, by_day = _breakdown(version, ctx.selection, ctx.interval, key, segment, sides)
            fig = events.segment_chart(
                by_day, segment, metric, f"{title} by {events.label(segment)}"
            )
            tables["Breakdown"] = totals
        else:
            fig = events.chart(daily, metric, title)
    st.plotly_chart(fig, key="events_chart")
    st.subheader("By segment value" if segment else "Over time")  # no data in markdown
    shown = tables.get("Breakdown", daily)
    st.dataframe(shown, hide_index=True, column_config=column_config(shown), key="events_table")
    exports(ctx, f"events-{events.file_name(key)}", tables, fig)
    countly(ctx, key, segment)


def page() -> None:
    ctx = filters.context()
    st.title("Events")
    view = url_view()
    sides = ("previous",) if ctx.selection.compare else ()
    try:
        with st.spinner("Counting events…"):
            keys, bots = _per_key(state.data_version(), ctx.selection, ctx.interval, sides)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    if ctx.selection.include_bots:
        ctx.bots_slot.caption("Events of bot sessions are included.")
    else:
        ctx.bots_slot.caption(f"{bots or 0:,} events of bot sessions left out.")
    if ctx.selection.segment and not events.segment_applies(ctx.selection):
        st.caption(
            "The sidebar's segment names session fields that events do not have: "
            "events are shown for every session."
        )
    if keys.empty:
        no_events(ctx)
        return
    st.subheader("Custom events")
    st.dataframe(keys, hide_index=True, column_config=column_config(keys), key="events_keys")
    sync_widgets(ctx, view, keys["key"].tolist())
    event_view(ctx, keys, sides)


page()
