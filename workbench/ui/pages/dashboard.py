"""Dashboard page: Countly-style KPIs with change and trend, top lists, hourly and daily charts."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from workbench.encoders import Table, encode
from workbench.errors import WorkbenchError
from workbench.metrics import describe
from workbench.sites import site_keys
from workbench.timeframe import Interval
from workbench.ui import dashboard, filters, images, state
from workbench.ui.filters import Context
from workbench.ui.selection import PERIODS, Selection
from workbench.ui.text import plain

SPANS = ("1d", "7d", "30d")  # Countly's dashboard periods: today, 7 days, 30 days
TOP_TITLES = {
    "platforms": "Platforms",
    "resolutions": "Resolutions",
    "carriers": "Carriers",
    "countries": "Countries",
}
CHARTS = {"hour": "Hourly", "day": "Daily"}
CHART_TITLES = {"hour": "By hour of the day", "day": "By day"}
_VIEW, _PARAMS = "dash_view", "dash_params"  # session_state: the View and its URL parameters
SIDE_LABELS = {"previous": "previous period", "year_ago": "same weekdays a year earlier"}


@st.cache_data(show_spinner=False, max_entries=64)
def _kpis(version: int, selection: Selection, interval: Interval, year: bool) -> dashboard.Kpis:
    return dashboard.kpis(state.workbench(), selection, interval, year)


@st.cache_data(show_spinner=False, max_entries=64)
def _tops(
    version: int, selection: Selection, interval: Interval, sides: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    return dashboard.top_lists(state.workbench(), selection, interval, sides)


@st.cache_data(show_spinner=False, max_entries=64)
def _series(
    version: int, selection: Selection, interval: Interval, unit: str, sides: tuple[str, ...]
) -> pd.DataFrame:
    return dashboard.series(state.workbench(), selection, interval, unit, sides)


def url_view() -> dashboard.View:
    """The page's choices in the URL (restored when the sidebar's Apply dropped them); the
    widgets are set from them when the URL changed (a link)."""
    if not any(dashboard.is_param(k) for k in st.query_params) and _PARAMS in st.session_state:
        st.query_params.update(st.session_state[_PARAMS])
    view, problems = dashboard.parse_view({k: st.query_params[k] for k in st.query_params})
    for problem in problems:
        st.warning(plain(problem))
    if st.session_state.get(_VIEW) != view:
        st.session_state.update({_VIEW: view, "dash_year": view.year, "dash_metric": view.chart})
    return view


def write_url(view: dashboard.View) -> None:
    """The page's choices into the URL, so the view is a link."""
    params = dashboard.view_params(view)
    st.session_state.update({_PARAMS: params, _VIEW: view})
    for name in [k for k in st.query_params if dashboard.is_param(k) and k not in params]:
        del st.query_params[name]
    st.query_params.update(params)


def csv(frame: pd.DataFrame) -> bytes:
    return encode("csv", Table.of(frame.columns, frame.itertuples(index=False))).body


def period_switch(ctx: Context) -> None:
    """Today / 7 days / 30 days, as Countly's dashboard has them; writes the URL's period."""
    current = ctx.selection.period
    chosen = st.segmented_control(
        "Period",
        SPANS,
        default=current if current in SPANS else None,
        required=current in SPANS,  # a click on the chosen period keeps it
        format_func=lambda p: PERIODS[p].capitalize(),
        key=f"dash_period_{current}",
        help="The sidebar's period; it also offers 90 days and custom dates.",
    )
    if chosen and chosen != current:
        ctx.set_view(selection=replace(ctx.selection, period=chosen, first=None, last=None))


def cards(kpis: dashboard.Kpis, year: bool) -> None:
    """One metric card per KPI: value, change vs the previous period, trend, definition."""
    cells = st.columns(3)
    for i, row in enumerate(kpis.table.to_dict("records")):
        change = row["change"]
        delta = None if pd.isna(change) else f"{change:+.1%}"
        note = ""
        if year and not pd.isna(row["year_change"]):
            note = f" A year earlier (same weekdays): {row['year_change']:+.1%}."
        cells[i % 3].metric(
            row["kpi"],
            dashboard.formatted(row["metric"], row["value"]),
            delta,
            help=row["definition"] + "." + note,
            chart_data=dashboard.sparkline(kpis.trend, row["metric"]),
            chart_type="area",
            delta_description="vs previous period",
            border=True,
        )


def kpi_table(table: pd.DataFrame) -> None:
    changes = [c for c in table.columns if c.endswith("change")]
    config = {c: st.column_config.NumberColumn(c, format="percent") for c in changes}
    config["definition"] = st.column_config.TextColumn("definition", width="large")
    st.dataframe(table, hide_index=True, column_config=config, key="dash_kpis")


def top_lists(lists: dict[str, pd.DataFrame]) -> None:
    cells = [cell for _ in range(2) for cell in st.columns(2)]  # two rows of two
    for cell, (name, frame) in zip(cells, lists.items(), strict=True):
        cell.markdown(f"**{TOP_TITLES[name]}**")
        config = {
            "share": st.column_config.ProgressColumn(
                "share", format="percent", min_value=0, max_value=1,
                help="Sessions of the value over all sessions.",
            ),
            **{m: st.column_config.NumberColumn(m, help=describe("sessions")[m]) for m in dashboard.TOP_METRICS},
            **{c: st.column_config.NumberColumn(c, format="percent") for c in frame if c.endswith("change")},
        }  # fmt: skip
        cell.dataframe(frame, hide_index=True, height=250, column_config=config, key=f"top_{name}")


@st.fragment
def over_time(ctx: Context, view: dashboard.View, sides: tuple[str, ...]) -> None:
    """The KPI chosen by hour of the day and by day, and their PNG and SVG; choosing another
    KPI reruns only this panel."""
    metric = st.selectbox(
        "Chart", dashboard.METRICS, format_func=dashboard.LABELS.get, key="dash_metric"
    )
    write_url(replace(view, chart=metric))
    figures = {}
    for unit, title in CHART_TITLES.items():
        frame = _series(state.data_version(), ctx.selection, ctx.interval, unit, sides)
        figures[unit] = dashboard.chart(frame, metric, f"{title}, {ctx.zone}")
        st.plotly_chart(figures[unit], key=f"dash_chart_{unit}")
    cells = st.columns(2 * len(figures))
    for i, (unit, fig) in enumerate(figures.items()):
        name = f"dashboard-{metric}-{CHARTS[unit].lower()}"
        cells[2 * i].download_button(
            f"{CHARTS[unit]} PNG", lambda fig=fig: images.png(fig), f"{name}.png", "image/png",
            on_click="ignore", icon=":material/download:",
        )  # fmt: skip
        cells[2 * i + 1].download_button(
            f"{CHARTS[unit]} SVG", lambda fig=fig: images.svg(fig), f"{name}.svg",
            "image/svg+xml", on_click="ignore", icon=":material/download:",
        )  # fmt: skip


def exports(ctx: Context, kpis: dashboard.Kpis, lists: dict[str, pd.DataFrame]) -> None:
    """CSV of the KPIs and of the top lists, and Countly's answer."""
    cells = st.columns(4)
    cells[0].download_button(
        "KPIs CSV", csv(kpis.table), "dashboard-kpis.csv", "text/csv", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    cells[1].download_button(
        "Top lists CSV", csv(dashboard.top_table(lists)), "dashboard-top.csv", "text/csv",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    countly(ctx, cells[2])


def countly(ctx: Context, cell) -> None:
    """Countly's ``/o/analytics/dashboard`` for the first chosen site that is a Countly app."""
    apps = [s for s in ctx.selection.sites if _is_countly(ctx, s)]
    if not apps:
        st.caption("Countly's dashboard: none of the chosen sites is a Countly app.")
        return
    try:
        url = dashboard.countly_url(site_keys(ctx.wb.store, apps[0]))
    except WorkbenchError as error:
        st.caption(plain(error.message))
        return
    cell.download_button(
        "Countly dashboard json",
        lambda: ctx.wb.request(url, now=ctx.clock.now).body,
        f"countly-dashboard-{apps[0]}.json",
        "application/json",
        on_click="ignore",
        icon=":material/download:",
    )
    key = dashboard.COUNTLY_PERIODS.get(ctx.selection.period)
    where = f"its '{key}' part is this period" if key else "none of them is this period"
    st.caption(
        f"Countly request for {apps[0]} (today, 7 and 30 days in the app's time zone, "
        f"{ctx.site_zones[apps[0]]}; bots left out; no segment; {where}; its read key hidden):"
    )
    st.code(dashboard.masked(url), language=None)


def _is_countly(ctx: Context, site_id: str) -> bool:
    sites = ctx.wb.sites().set_index("site_id")
    return bool(pd.notna(sites.loc[site_id, "countly_app_id"]))


def page() -> None:
    ctx = filters.context()
    st.title("Dashboard")
    view = url_view()
    left, right = st.columns([3, 2])
    with left:
        period_switch(ctx)
    year = right.toggle(
        "Also vs the same weekdays a year earlier",
        key="dash_year",
        help="52 weeks (364 days) back, so Mondays meet Mondays.",
    )
    view = replace(view, year=year)
    write_url(view)
    sides = (("previous",) if ctx.selection.compare else ()) + (("year_ago",) if year else ())
    try:
        with st.spinner("Computing the dashboard…"):
            kpis = _kpis(state.data_version(), ctx.selection, ctx.interval, year)
            lists = _tops(state.data_version(), ctx.selection, ctx.interval, sides)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    filters.show_bots(ctx, kpis.excluded_bots)
    cards(kpis, year)
    st.subheader("KPIs")
    kpi_table(kpis.table)
    st.subheader("Top")
    if sides:
        st.caption("Beside the " + " and the ".join(SIDE_LABELS[s] for s in sides) + ".")
    top_lists(lists)
    exports(ctx, kpis, lists)
    st.subheader("Over time")
    over_time(ctx, view, sides)


page()
