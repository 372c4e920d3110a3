"""Geography page: world → country → region → city, by table rows, the map or the breadcrumb."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from workbench.encoders import Table, encode
from workbench.errors import WorkbenchError
from workbench.metrics import describe
from workbench.query import MAX_LIMIT
from workbench.ui import filters, geography, images, maps, state
from workbench.ui.exports import vendor_buttons
from workbench.ui.filters import Context
from workbench.ui.selection import LEVELS, Drill
from workbench.ui.text import plain

HEADINGS = {"country": "Countries", "region": "Regions", "city": "Cities"}
SESSIONS_SHOWN = 100


def breadcrumb(ctx: Context) -> None:
    """World › country › region › city; every part but the last goes back up (``followed``)."""
    drill = ctx.drill
    depth = LEVELS.index(drill.level)
    names = ["World"] + [geography.place_name(drill, lv) for lv in ("country", "region", "city")]
    cells = st.columns([1] * (depth + 1) + [max(1, 8 - depth)], gap="small")
    for i in range(depth + 1):
        if i == depth:
            cells[i].markdown(f"**{plain(names[i])}**")
        else:
            cells[i].button(names[i], key=f"crumb_{LEVELS[i]}", icon=":material/arrow_upward:")


def followed(ctx: Context) -> Context:
    """The view a click of the last run asked for (a breadcrumb, a table row, a map point),
    read before anything is drawn, so that this run draws it: one run per click, not two."""
    drill = ctx.drill
    for level in LEVELS[: LEVELS.index(drill.level)]:
        if st.session_state.get(f"crumb_{level}"):
            return ctx.moved(drill.up_to(level))
    if drill.level == "sessions":
        return ctx
    code = _clicked_point(ctx) or _clicked_row(ctx)
    return ctx.moved(drill.into(code)) if code else ctx


def _keys(drill: Drill) -> tuple[str, str]:
    """The table's and the map's widget keys of a view."""
    where = f"{drill.level}_{drill.country}_{drill.region}"
    return f"geo_table_{where}", f"geo_map_{where}"


def _clicked_row(ctx: Context) -> str | None:
    event = st.session_state.get(_keys(ctx.drill)[0])
    rows = event["selection"]["rows"] if event else []
    if not rows:
        return None
    view = geography.view_table(
        state.locations(state.data_version(), ctx.selection, ctx.drill, ctx.interval),
        ctx.drill.level,
    )
    return view.codes[rows[0]] if rows[0] < len(view.codes) else None


def _clicked_point(ctx: Context) -> str | None:
    event = st.session_state.get(_keys(ctx.drill)[1])
    points = event["selection"]["points"] if event else []
    code = points[0].get("customdata") if points else None
    if isinstance(code, list):
        code = code[0] if code else None
    return str(code) if code else None


def kpis(ctx: Context, table: pd.DataFrame) -> None:
    total = table.iloc[-1] if len(table) else pd.Series({"users": 0, "sessions": 0})
    left, right = st.columns(2)
    for cell, name in ((left, "users"), (right, "sessions")):
        delta = None
        if f"{name}_change" in table and pd.notna(total.get(f"{name}_change")):
            delta = f"{total[f'{name}_change']:+.1%} vs previous period"
        cell.metric(
            name.capitalize(), f"{int(total[name]):,}", delta, help=describe("sessions")[name]
        )


def column_config(table: pd.DataFrame) -> dict:
    config = {
        "share": st.column_config.ProgressColumn(
            "share", format="percent", min_value=0, max_value=1,
            help="Users of the row over the users of all rows (as Opentracker's percentage).",
        ),
        "users": st.column_config.NumberColumn("users", format="localized", help=describe("sessions")["users"]),
        "sessions": st.column_config.NumberColumn("sessions", format="localized"),
    }  # fmt: skip
    for column in table.columns:
        if column.endswith("_change"):
            config[column] = st.column_config.NumberColumn(column, format="percent")
    return config


def table_view(ctx: Context, view: geography.ViewTable) -> None:
    """The synced table; selecting a row with a code drills into it (``followed``)."""
    st.dataframe(
        view.frame,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=_keys(ctx.drill)[0],
        column_config=column_config(view.frame),
    )


def map_view(ctx: Context, view: geography.ViewTable) -> go.Figure:
    """The map; a click on a country, region or city drills into it (``followed``)."""
    fig = maps.figure(view.frame, view.codes, ctx.drill)
    st.plotly_chart(
        fig,
        key=_keys(ctx.drill)[1],
        on_select="rerun",
        selection_mode="points",
        config=maps.PLOT_CONFIG,
    )
    return fig


def exports(ctx: Context, view: geography.ViewTable, fig: go.Figure) -> None:
    """CSV of the table, PNG of the map, and the view as Opentracker answers it."""
    name = "-".join(["geography", *(p for p in (ctx.drill.country, ctx.drill.region) if p)])
    frame = view.frame
    csv = encode("csv", Table.of(frame.columns, frame.itertuples(index=False))).body
    cells = st.columns(5)
    cells[0].download_button(
        "CSV", csv, f"{name}.csv", "text/csv", on_click="ignore", icon=":material/download:"
    )
    cells[1].download_button(
        "PNG map", lambda: images.png(fig), f"{name}.png", "image/png", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    cells[2].download_button(
        "SVG map", lambda: images.svg(fig), f"{name}.svg", "image/svg+xml", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    vendor(ctx, name, cells[3], cells[4])


def vendor(ctx: Context, name: str, json_cell, csv_cell) -> None:
    sites = ctx.wb.sites().set_index("site_id")["opentracker_site"].to_dict()
    urls = vendor_buttons(
        ctx,
        "Opentracker",
        lambda t: geography.opentracker_url(
            ctx.selection, ctx.drill, sites, ctx.zone, ctx.today, t
        ),
        name,
        {"json": json_cell, "csv": csv_cell},
    )
    if urls is None:
        return
    unsegmented = ctx.selection.segment and not geography.opentracker_segment(ctx.selection)
    note = "; unsegmented: its segment/filter carry only property.KEY=value" if unsegmented else ""
    st.caption(f"Opentracker request for this view (bots left out, no comparison{note}):")
    st.code(urls["json"], language=None)


def city_sessions(ctx: Context) -> None:
    """The city's newest sessions, and all of them as CSV."""
    st.subheader(f"Sessions in {geography.place_name(ctx.drill, 'city')}")
    shown = state.city_sessions(
        state.data_version(), ctx.selection, ctx.drill, ctx.interval, SESSIONS_SHOWN
    )
    st.dataframe(shown.frame, hide_index=True)

    def every_session() -> bytes:
        result = state.city_sessions(
            state.data_version(), ctx.selection, ctx.drill, ctx.interval, MAX_LIMIT
        )
        return encode(
            "csv", Table.of(result.frame.columns, result.frame.itertuples(index=False))
        ).body

    st.download_button(
        "Sessions CSV", every_session, f"sessions-{ctx.drill.city}.csv", "text/csv",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def city_view(view: geography.ViewTable, drill: Drill) -> geography.ViewTable:
    """The drill's city alone: the view of one city's sessions."""
    keep = [i for i, c in enumerate(view.codes) if c == drill.city]
    frame = view.frame.iloc[keep].reset_index(drop=True)
    return geography.ViewTable(frame, tuple(view.codes[i] for i in keep))


def page() -> None:
    ctx = followed(filters.context())
    st.title("Geography")
    breadcrumb(ctx)
    level = "city" if ctx.drill.level == "sessions" else ctx.drill.level
    try:
        result = state.locations(state.data_version(), ctx.selection, ctx.drill, ctx.interval)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    filters.show_bots(ctx, result.excluded_bots)
    view = geography.view_table(result, level)
    if ctx.drill.level == "sessions":
        view = city_view(view, ctx.drill)
    kpis(ctx, view.frame)
    fig = map_view(ctx, view)
    st.subheader(HEADINGS[level] if ctx.drill.level != "sessions" else "City")
    st.caption("Select a row to drill down; the map's countries and bubbles drill down too.")
    table_view(ctx, view)
    exports(ctx, view, fig)
    if ctx.drill.level == "sessions":
        city_sessions(ctx)


page()
