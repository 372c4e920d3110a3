"""Sessions page: the filtered session list, paged, and one visit's detail when a row is ticked."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

import pandas as pd
import streamlit as st

from workbench.dimensions import dimension
from workbench.errors import WorkbenchError
from workbench.metrics import describe
from workbench.query import Result
from workbench.reports import SESSION_COLUMNS
from workbench.timeframe import Interval
from workbench.ui import filters, images, maps, state
from workbench.ui import sessions as s
from workbench.ui.exports import vendor_buttons
from workbench.ui.filters import Context
from workbench.ui.selection import Selection
from workbench.ui.text import plain

_VIEW = "sessions_view"  # session_state: the view the widgets were last set from
_PAGING = "sessions_paging"  # session_state: (the list's signature, the stack of page starts)
_CLOSED = "sessions_closed"  # session_state: how many times a detail was closed (new table key)
TABLE_KEY = "sessions_table_key"  # session_state: the key of the list's dataframe (for tests)
ORDER_LABEL = "newest first"
MATCH = {"all words (AND)": False, "any word (OR)": True}


# -- cached reports (keyed on the store version) --------------------------------------------


@st.cache_data(show_spinner=False, max_entries=128)
def _page(
    version: int, selection: Selection, interval: Interval, view: s.SessionView, at
) -> Result:
    result = s.list_page(state.workbench(), selection, interval, view, at)
    return replace(result, bots=None)  # the page's bot count comes from its total's query


@st.cache_data(show_spinner=False, max_entries=128)
def _counts(version: int, selection: Selection, interval: Interval, fl: s.SessionFilters) -> Result:
    result = s.session_counts(state.workbench(), selection, interval, fl)
    _ = result.excluded_bots  # counted now, so the cached copy holds a number
    return result


@st.cache_data(show_spinner=False, max_entries=64)
def _detail(
    version: int, selection: Selection, interval: Interval, session_id: str, now: dt.datetime
) -> s.Detail | None:
    return s.detail(state.workbench(), selection, interval, session_id, now)


# -- the view in the URL --------------------------------------------------------------------


def current_view() -> s.SessionView:
    """The view of the URL (or the last one, when another page or the sidebar dropped it)."""
    params = {k: st.query_params[k] for k in st.query_params}
    if not any(k.startswith(s.PREFIX) for k in params) and _VIEW in st.session_state:
        view = st.session_state[_VIEW]
        write_view(view)
    else:
        view, problems = s.parse_view(params)
        for problem in problems:
            st.warning(plain(problem))
    if st.session_state.get(_VIEW) != view:
        _sync_widgets(view)
    st.session_state[_VIEW] = view
    return view


def write_view(view: s.SessionView) -> None:
    """Put the page's choices in the URL, leaving the global filters as they are."""
    for key in [k for k in st.query_params if k.startswith(s.PREFIX)]:
        del st.query_params[key]
    for key, value in s.view_params(view).items():
        st.query_params[key] = value
    st.session_state[_VIEW] = view


def _sync_widgets(view: s.SessionView) -> None:
    fl = view.filters
    st.session_state.update(
        {
            "s_w_cc": ",".join(fl.countries),
            "s_w_exclude_url": ",".join(fl.exclude_url),
            "s_w_exclude_company": ",".join(fl.exclude_company),
            "s_w_max_events": fl.max_events,
            "s_w_max_duration": fl.max_duration,
            "s_w_no_isp": fl.remove_isp,
            "s_w_title": fl.title,
            "s_w_search": fl.search,
            "s_w_match": next(k for k, v in MATCH.items() if v == fl.use_or),
            "s_w_columns": list(view.columns),
            "s_w_order": view.order,
            "s_w_descending": view.descending,
            "s_w_size": view.size,
        }
    )


def form(view: s.SessionView) -> s.SessionView:
    """The filters, columns and order; Apply puts them in the URL (the view to show)."""
    with st.form("session_filters"):
        left, middle, right = st.columns(3)
        left.text_input("Search", key="s_w_search", help="Words in any text column; * and ?")
        left.radio("Match", list(MATCH), key="s_w_match", horizontal=True)
        left.text_input("Current title", key="s_w_title", help="The exit page's title; * and ?")
        middle.text_input("Country codes", key="s_w_cc", help="Comma-separated, e.g. US,GB")
        middle.text_input("Exclude words in URL", key="s_w_exclude_url", help="Comma-separated")
        middle.text_input("Exclude company", key="s_w_exclude_company", help="Comma-separated")
        right.number_input(
            "Max events", min_value=1, step=1, key="s_w_max_events",
            help="Visitors whose total pageviews are below this",
        )  # fmt: skip
        right.number_input(
            "Max duration (s)", min_value=1, step=1, key="s_w_max_duration",
            help="Visits shorter than this",
        )  # fmt: skip
        right.checkbox("Remove ISPs", key="s_w_no_isp", help="Only visits of a known company")
        st.multiselect("Columns", s.CHOOSABLE, key="s_w_columns")
        order, direction, size, apply = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
        order.selectbox(
            "Order by", [s.NEWEST, *s.CHOOSABLE], key="s_w_order",
            format_func=lambda c: c or ORDER_LABEL,
        )  # fmt: skip
        direction.toggle("Descending", key="s_w_descending")
        size.selectbox("Rows per page", s.PAGE_SIZES, key="s_w_size")
        if not apply.form_submit_button("Apply", type="primary"):
            return view
    return _applied()


def _applied() -> s.SessionView:
    ss = st.session_state
    problems: list[str] = []
    values = {
        "cc": ss["s_w_cc"],
        "exclude_url": ss["s_w_exclude_url"],
        "exclude_company": ss["s_w_exclude_company"],
        "max_events": str(int(ss["s_w_max_events"])) if ss["s_w_max_events"] else "",
        "max_duration": str(int(ss["s_w_max_duration"])) if ss["s_w_max_duration"] else "",
        "no_isp": "1" if ss["s_w_no_isp"] else "",
        "title": ss["s_w_title"],
        "search": ss["s_w_search"],
        "any": "1" if MATCH[ss["s_w_match"]] else "",
    }
    fl = s.parse_filters(values, problems)
    view = s.SessionView(
        fl,
        tuple(ss["s_w_columns"]) or SESSION_COLUMNS,
        ss["s_w_order"],
        ss["s_w_descending"],
        ss["s_w_size"],
    )
    write_view(view)
    for problem in problems:
        st.warning(plain(problem))
    return view


# -- the list -------------------------------------------------------------------------------


def totals(ctx: Context, counts: Result) -> int:
    row = counts.frame.iloc[0]
    total = int(row["sessions"])
    cells = st.columns(3)
    delta = None
    if "sessions_change" in row and pd.notna(row["sessions_change"]):
        delta = f"{row['sessions_change']:+.1%} vs previous period"
    help_text = describe("sessions")["sessions"] + " and matching the filters."
    cells[0].metric("Sessions", f"{total:,}", delta, help=help_text)
    if "sessions_previous" in row:
        was = row["sessions_previous"]
        shown = f"{int(was):,}" if pd.notna(was) else "0"
        cells[1].metric("Previous period", shown, help="The same filters, the span just before.")
    return total


def paging(signature: str) -> list:
    """The stack of page starts (None, a Cursor or an offset) of the list ``signature``."""
    held = st.session_state.get(_PAGING)
    if not held or held[0] != signature:
        st.session_state[_PAGING] = (signature, [None])
    return st.session_state[_PAGING][1]


def _next(stack: list, at) -> None:
    stack.append(at)


def _previous(stack: list) -> None:
    if len(stack) > 1:
        stack.pop()


def definitions(frame: pd.DataFrame, table: str) -> dict:
    """Each column's one-line definition, shown on its header."""
    return {c: st.column_config.Column(c, help=dimension(table, c).description) for c in frame}


def list_view(ctx: Context, view: s.SessionView, total: int) -> str | None:
    """One page of the list with its pager; the id of a ticked row, if any."""
    signature = hashlib.sha1(
        repr((ctx.selection, ctx.interval, replace(view, session=None))).encode()
    ).hexdigest()[:12]
    stack = paging(signature)
    result = _page(state.data_version(), ctx.selection, ctx.interval, view, stack[-1])
    frame = s.shown(result.frame, None, ctx.zone)
    key = f"sessions_table_{signature}_{len(stack)}_{st.session_state.get(_CLOSED, 0)}"
    st.session_state[TABLE_KEY] = key
    event = st.dataframe(
        frame, hide_index=True, on_select="rerun", selection_mode="single-row", key=key,
        column_order=list(view.columns), column_config=definitions(frame, "sessions"),
    )  # fmt: skip
    _pager(stack, result, view, total)
    rows = event["selection"]["rows"] if event else []
    return str(frame.iloc[rows[0]]["session_id"]) if rows else None


def _pager(stack: list, result: Result, view: s.SessionView, total: int) -> None:
    start = (len(stack) - 1) * view.size
    more = result.next_cursor is not None if view.newest_first else start + view.size < total
    following = result.next_cursor if view.newest_first else start + view.size
    back, forward, where = st.columns([2, 2, 5], vertical_alignment="center")
    back.button(
        "Previous page", on_click=_previous, args=(stack,), disabled=len(stack) == 1,
        icon=":material/chevron_left:",
    )  # fmt: skip
    forward.button(
        "Next page", on_click=_next, args=(stack, following), disabled=not more,
        icon=":material/chevron_right:",
    )  # fmt: skip
    shown_to = start + len(result.frame)
    where.caption(f"Rows {start + 1 if shown_to else 0:,}–{shown_to:,} of {total:,}.")


# -- exports --------------------------------------------------------------------------------


def exports(ctx: Context, view: s.SessionView, counts: Result) -> None:
    """Every session under the filters as CSV, the totals, and Opentracker's request."""
    cells = st.columns(4)

    def every() -> bytes:
        wb = state.workbench()
        return s.csv_bytes(s.every_session(wb, ctx.selection, ctx.interval, view))

    cells[0].download_button(
        "Sessions CSV", every, "sessions.csv", "text/csv", on_click="ignore",
        icon=":material/download:", help="Every session under the filters, not only this page.",
    )  # fmt: skip
    if ctx.selection.compare:
        cells[1].download_button(
            "Totals CSV", s.csv_bytes(counts.frame), "sessions-totals.csv", "text/csv",
            on_click="ignore", icon=":material/download:",
        )  # fmt: skip
    opentracker(ctx, view, cells[2], cells[3])


def opentracker(ctx: Context, view: s.SessionView, json_cell, csv_cell) -> None:
    sites = ctx.wb.sites().set_index("site_id")["opentracker_site"].to_dict()
    urls = vendor_buttons(
        ctx,
        "Opentracker",
        lambda t: s.opentracker_url(ctx.selection, view, sites, ctx.zone, ctx.today, t),
        "sessions",
        {"json": json_cell, "csv": csv_cell},
    )
    if urls is None:
        return
    unsegmented = (
        "; unsegmented: the list has no segment parameter" if ctx.selection.segment else ""
    )
    st.caption(
        "Opentracker request for these sessions (bots left out, newest activity first, "
        f"at most {s.MAX_ROWS:,} rows, no comparison{unsegmented}):"
    )
    st.code(urls["json"], language=None)


# -- one session ----------------------------------------------------------------------------


def detail_view(ctx: Context, session_id: str) -> None:
    head, close = st.columns([6, 1], vertical_alignment="bottom")
    head.subheader("Session detail")
    close.button("Close", on_click=_close, icon=":material/close:", key="session_close")
    st.text(f"Session {session_id}")
    found = _detail(state.data_version(), ctx.selection, ctx.interval, session_id, ctx.clock.now)
    if found is None:
        st.info("This session is not among the selected sites and period.")
        return
    row = found.session
    cells = st.columns(4)
    started = row["start_ts"].tz_convert(ctx.zone)
    cells[0].metric(f"Started {started:%Y-%m-%d}", f"{started:%H:%M:%S}", help=f"In {ctx.zone}")
    cells[1].metric("Duration", f"{int(row['duration_s']):,} s", help="End - start, in seconds")
    cells[2].metric(
        "Pageviews", f"{int(row['pageviews']):,}", help=describe("sessions")["pageviews"]
    )
    cells[3].metric("Actions", f"{len(found.events):,}", help=describe("sessions")["actions"])
    st.markdown("**Actions**")
    fig = s.timeline(found.events)
    st.plotly_chart(fig, key="session_timeline", config={"displaylogo": False})
    st.dataframe(
        found.events, hide_index=True, key="session_events",
        column_config=definitions(found.events, "events"),
    )  # fmt: skip
    left, right = st.columns(2)
    with left:
        st.markdown("**Where it came from**")
        origin = pd.DataFrame({"field": list(found.origin), "value": list(found.origin.values())})
        st.dataframe(origin.astype(str).replace("None", ""), hide_index=True, key="session_origin")
        st.markdown("**Place**")
        place = [row.get(c) for c in ("city", "region_name", "country_name")]
        st.text(", ".join(str(p) for p in place if pd.notna(p)) or "Unknown location")
    with right:
        if found.pin is not None:
            st.plotly_chart(s.pin(found.pin), key="session_pin", config=maps.PLOT_CONFIG)
        else:
            st.info("No coordinates are known for this visit.")
    st.markdown("**The visitor's other sessions**")
    st.dataframe(
        found.others, hide_index=True, key="session_others",
        column_config=definitions(found.others, "sessions"),
    )  # fmt: skip
    detail_exports(session_id, found, fig)


def detail_exports(session_id: str, found: s.Detail, fig) -> None:
    cells = st.columns(4)
    cells[0].download_button(
        "Actions CSV", s.csv_bytes(found.events), f"session-{session_id}-actions.csv", "text/csv",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    cells[1].download_button(
        "PNG timeline", lambda: images.png(fig, height=300), f"session-{session_id}.png",
        "image/png", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    cells[2].download_button(
        "SVG timeline", lambda: images.svg(fig, height=300), f"session-{session_id}.svg",
        "image/svg+xml", on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def _close() -> None:
    """Close the detail: no session in the URL, and a fresh table (no ticked row)."""
    st.session_state[_CLOSED] = st.session_state.get(_CLOSED, 0) + 1
    write_view(replace(st.session_state[_VIEW], session=None))


def opened(view: s.SessionView, ticked: str | None) -> str | None:
    """The session to show: a ticked row (put in the URL), else the URL's."""
    if ticked is not None and ticked != view.session:
        write_view(replace(view, session=ticked))
        return ticked
    return view.session


def page() -> None:
    ctx = filters.context()
    st.title("Sessions")
    view = form(current_view())
    try:
        with st.spinner("Counting sessions…"):
            counts = _counts(state.data_version(), ctx.selection, ctx.interval, view.filters)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    filters.show_bots(ctx, counts.excluded_bots)
    total = totals(ctx, counts)
    st.caption("Tick a row to open its session.")
    try:
        with st.spinner("Listing sessions…"):
            ticked = list_view(ctx, view, total)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    exports(ctx, view, counts)
    session_id = opened(view, ticked)
    if session_id:
        detail_view(ctx, session_id)


page()
