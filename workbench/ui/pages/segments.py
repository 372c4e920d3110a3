"""Segments page: a giosg/Druid-style query builder: groups, metrics, a filter tree, A vs B."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from workbench.errors import WorkbenchError
from workbench.metrics import METRICS, describe
from workbench.query import Result
from workbench.sites import site_keys
from workbench.ui import filters, images, segments, state
from workbench.ui.filters import Context
from workbench.ui.segments import OPERATORS, Builder, Condition, Segment
from workbench.ui.text import plain

_PARAMS = "seg_params"  # session_state: the builder's URL parameters (the sidebar drops them)
NEW_CONDITION = Condition("browser", "eq", "")


@st.cache_data(show_spinner=False, max_entries=256)
def _run(version: object, key: str, _spec: segments.Run) -> tuple[pd.DataFrame, int | None]:
    result: Result = segments.run(state.workbench(), _spec)
    return result.frame, result.excluded_bots


def run(version: object, spec: segments.Run) -> tuple[pd.DataFrame, int | None]:
    """One segmentation (its rows and the bots it left out), cached per store version.

    Keyed on the spec's repr: Streamlit hashes a dataclass through ``asdict``, which drops
    the class of nested ones, so ``And`` and ``Or`` of the same children would collide.
    """
    return _run(version, repr(spec), spec)


# -- the builder's state: URL <-> widgets ---------------------------------------------------


def url_builder() -> Builder:
    """The builder in the URL (restored when the sidebar's Apply dropped it); problems shown."""
    if not any(segments.is_param(k) for k in st.query_params) and _PARAMS in st.session_state:
        st.query_params.update(st.session_state[_PARAMS])
    parsed = segments.parse({k: st.query_params[k] for k in st.query_params})
    for problem in parsed.problems:
        st.warning(plain(problem))
    return parsed.builder


def set_widgets(b: Builder) -> None:
    """Put a Builder into the widgets.

    Done when the page starts in a session (a link) or comes back after another page
    (Streamlit dropped its widgets' state); otherwise the widgets lead and the URL follows,
    since a rerun can carry a URL from before the last write.
    """
    st.session_state.update(
        seg_table=b.table, seg_dims=list(b.dimensions), seg_metrics=list(b.metrics),
        seg_gran=b.granularity, seg_approx=b.approximate, seg_b_on=b.b is not None,
    )  # fmt: skip
    for prefix, segment in (("a", b.a), ("b", b.b or Segment())):
        set_segment(prefix, segment)


def set_segment(prefix: str, segment: Segment) -> None:
    st.session_state[f"seg_{prefix}_join"] = segment.join
    st.session_state[f"seg_{prefix}_rows"] = len(segment.conditions)
    for i, c in enumerate(segment.conditions):
        st.session_state.update({
            f"seg_{prefix}_field_{i}": c.field, f"seg_{prefix}_op_{i}": c.op,
            f"seg_{prefix}_value_{i}": c.value, f"seg_{prefix}_not_{i}": c.negate,
            f"seg_{prefix}_ci_{i}": c.case_insensitive,
        })  # fmt: skip


def conditions(prefix: str) -> list[Condition]:
    """The segment's condition rows as the widgets hold them."""
    rows = st.session_state.get(f"seg_{prefix}_rows", 0)
    return [condition(lambda part, i=i: f"seg_{prefix}_{part}_{i}") for i in range(rows)]


def condition(key) -> Condition:
    get = st.session_state.get
    return Condition(
        get(key("field"), NEW_CONDITION.field),
        get(key("op"), "eq"),
        get(key("value"), ""),
        get(key("not"), False),
        get(key("ci"), False),
    )


def add_condition(prefix: str) -> None:
    join = st.session_state.get(f"seg_{prefix}_join", "and")
    set_segment(prefix, Segment((*conditions(prefix), NEW_CONDITION), join))


def remove_condition(prefix: str, index: int) -> None:
    rows = conditions(prefix)
    del rows[index]
    set_segment(prefix, Segment(tuple(rows), st.session_state.get(f"seg_{prefix}_join", "and")))


def change_table() -> None:
    """Another table has other dimensions and metrics: start its builder afresh."""
    table = st.session_state["seg_table"]
    set_widgets(Builder(table, metrics=segments.DEFAULT_METRICS[table]))


# -- the builder's widgets ------------------------------------------------------------------


def builder_form() -> Builder:
    """The builder's widgets; the Builder they hold."""
    top = st.columns([1, 2, 1])
    table = top[0].radio(
        "Table", segments.TABLES, key="seg_table", horizontal=True, on_change=change_table
    )
    gran = top[1].radio(
        "Granularity", segments.GRANULARITIES, key="seg_gran", horizontal=True,
        help="Time buckets in the sidebar's time zone; all = one row for the whole period.",
    )  # fmt: skip
    approx = top[2].toggle(
        "Approximate users too",
        key="seg_approx",
        help="Distinct counts also estimated by HyperLogLog (2^14 registers), beside the "
        "exact ones, with the measured difference.",
    )
    left, right = st.columns(2)
    dims = left.multiselect("Group by", segments.dimension_names(table), key="seg_dims")
    metrics = right.multiselect("Metrics", segments.metric_names(table), key="seg_metrics")
    a = segment_form("a", "Segment A", table)
    b_on = st.toggle("Compare with segment B", key="seg_b_on")
    b = segment_form("b", "Segment B", table) if b_on else None
    chosen = tuple(metrics) or segments.DEFAULT_METRICS[table]
    return Builder(table, tuple(dims), chosen, gran, approx, a, b)


def segment_form(prefix: str, title: str, table: str) -> Segment:
    """A segment's condition rows: [not] dimension operator value [ignore case], and/or."""
    box = st.container(border=True)
    head = box.columns([1, 3], vertical_alignment="center")
    head[0].markdown(f"**{title}**")
    join = head[1].radio(
        "Combine conditions with", segments.JOINS, key=f"seg_{prefix}_join", horizontal=True,
        format_func=lambda j: {"and": "and (all hold)", "or": "or (any holds)"}[j],
        label_visibility="collapsed",
    )  # fmt: skip
    names = segments.dimension_names(table)
    for i in range(st.session_state.get(f"seg_{prefix}_rows", 0)):
        condition_row(prefix, i, table, names, box)
    box.button(
        "Add condition", key=f"seg_{prefix}_add", icon=":material/add:",
        on_click=add_condition, args=(prefix,),
    )  # fmt: skip
    return Segment(tuple(conditions(prefix)), join)


def condition_row(prefix: str, i: int, table: str, names: list[str], box) -> None:
    key = f"seg_{prefix}_{{}}_{i}"
    shown = "visible" if i == 0 else "collapsed"  # labels over the first row only
    row = box.columns([0.8, 2.4, 1.6, 3, 1.1, 0.5], vertical_alignment="bottom")
    row[0].checkbox("not", key=key.format("not"))
    field = st.session_state.get(key.format("field"))
    row[1].selectbox(
        "Dimension", names, key=key.format("field"), label_visibility=shown,
        help=segments.DIMENSIONS[table][field].description if field in names else None,
    )  # fmt: skip
    op = row[2].selectbox(
        "Operator", list(OPERATORS), key=key.format("op"), label_visibility=shown,
        format_func=lambda o: OPERATORS[o].label,
    )  # fmt: skip
    row[3].text_input(
        "Value", key=key.format("value"), disabled=not OPERATORS[op].needs_value,
        placeholder=OPERATORS[op].hint, label_visibility=shown,
    )  # fmt: skip
    row[4].checkbox("ignore case", key=key.format("ci"))
    row[5].button(
        "", key=key.format("del"), icon=":material/close:", help="Remove this condition",
        on_click=remove_condition, args=(prefix, i),
    )  # fmt: skip


def write_url(b: Builder) -> None:
    """The builder into the URL, so a built segment is a link."""
    params = segments.to_params(b)
    st.session_state[_PARAMS] = params
    for name in [k for k in st.query_params if segments.is_param(k) and k not in params]:
        del st.query_params[name]
    st.query_params.update(params)


# -- the view -------------------------------------------------------------------------------


def results(ctx: Context, b: Builder) -> tuple[dict, dict, int | None]:
    """Per segment: the table's rows and the totals row (estimates beside); bots left out."""
    plan = segments.plan(
        b, ctx.selection.sites, ctx.interval, ctx.selection.include_bots,
        ctx.selection.compare, base_filter(ctx, b),
    )  # fmt: skip
    version = state.data_version()
    frames, totals, bots = {}, {}, None
    for name in plan.series:
        series, bots_here = run(version, plan.series[name])
        bots = bots_here if name == "A" else bots
        approx = run(version, plan.approx_series[name])[0] if plan.approx_series else None
        frames[name] = segments.segment_frame(series, approx, b.dimensions)
        whole = run(version, plan.totals[name])[0]
        approx_whole = run(version, plan.approx_totals[name])[0] if plan.approx_totals else None
        totals[name] = segments.segment_frame(whole, approx_whole, ())
    return frames, totals, bots


def base_filter(ctx: Context, b: Builder):
    """The sidebar's segment (on session dimensions) applies to the sessions table."""
    return ctx.where if b.table == "sessions" else None


def kpis(b: Builder, totals: dict[str, pd.DataFrame]) -> None:
    """The whole period's totals per segment, the estimate beside each distinct count."""
    for name, frame in totals.items():
        row = frame.iloc[0]
        shown = [*b.metrics, *(f"{m}_approx" for m in b.metrics if f"{m}_approx" in row)]
        if len(totals) > 1:
            st.markdown(f"**Segment {name}**")
        cells = st.columns(min(len(shown), 6))
        for i, column in enumerate(shown):
            with cells[i % len(cells)]:
                total_metric(row, column, b.table)


def total_metric(row: pd.Series, column: str, table: str) -> None:
    """One total: its definition as help, its change (or the estimate's difference)."""
    definitions = describe(table)
    if column.endswith("_approx"):
        base = column.removesuffix("_approx")
        diff = row.get(f"{base}_approx_diff")
        st.metric(
            f"{base} ≈ approximate", _number(row[column]),
            f"{diff:+.2%} vs exact" if pd.notna(diff) else None, delta_color="off",
            help=definitions[METRICS[table][base].approximate_form],
        )  # fmt: skip
        return
    change = row.get(f"{column}_change")
    numeric = pd.api.types.is_number(row[column])  # a change of an instant means nothing
    delta = f"{change:+.1%} vs previous period" if numeric and pd.notna(change) else None
    st.metric(column, _number(row[column]), delta, help=definitions[column])
    if f"{column}_previous" in row:
        st.caption(f"Previous period: {_number(row[f'{column}_previous'])}")


def _number(value: object) -> str:
    """A total as text: counts with separators, averages with two decimals, times as ISO."""
    if value is None or pd.isna(value):
        return "–"
    if not pd.api.types.is_number(value):
        return str(value)  # first_seen / last_seen are instants
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() or abs(number) >= 1000 else f"{number:,.2f}"


def column_config(table: pd.DataFrame, b: Builder) -> dict:
    """Each column's definition as its help; estimates labelled approximate; changes in %."""
    definitions = describe(b.table)
    config = {}
    for column in table.columns:
        base, _, segment = column.partition(" [")
        name, suffix = _split(base)
        if name not in METRICS[b.table]:
            continue
        text = definitions[name]
        if suffix == "_approx":
            text = definitions[METRICS[b.table][name].approximate_form]
            config[column] = st.column_config.NumberColumn(
                f"{name} ≈ approx" + (f" [{segment}" if segment else ""), help=text, format="%.1f"
            )
        elif suffix in ("_change", "_approx_diff"):
            what = "vs the previous period" if suffix == "_change" else "(estimate - exact) / exact"
            config[column] = st.column_config.NumberColumn(
                column, help=f"{name}: relative difference {what}", format="percent"
            )
        else:
            config[column] = st.column_config.Column(column, help=text)
    return config


def _split(column: str) -> tuple[str, str]:
    for suffix in ("_approx_diff", "_approx", "_previous", "_change"):
        if column.endswith(suffix):
            return column.removesuffix(suffix), suffix
    return column, ""


def definitions(b: Builder) -> None:
    """Every chosen metric and dimension with its one-line definition."""
    metric_text, dim_text = describe(b.table), segments.DIMENSIONS[b.table]
    lines = [f"- `{m}`: {metric_text[m]}" for m in b.metrics]
    if b.approximate:
        lines += [
            f"- `{m}` ≈ approximate: {metric_text[METRICS[b.table][m].approximate_form]}"
            for m in segments.approximable(b.table, b.metrics)
        ]
    lines += [f"- `{d}` (group): {dim_text[d].description}" for d in b.dimensions]
    with st.expander("Definitions", icon=":material/info:"):
        st.markdown("\n".join(lines))


def chart(b: Builder, frames: dict[str, pd.DataFrame], zone: str) -> go.Figure:
    if st.session_state.get("seg_chart") not in b.metrics:
        st.session_state["seg_chart"] = b.metrics[0]
    metric = st.selectbox("Chart", b.metrics, key="seg_chart")
    fig = segments.figure(frames, b, metric, zone)
    st.plotly_chart(fig, key="seg_figure")
    if b.dimensions:
        st.caption(
            f"The chart draws the {segments.CHART_GROUPS} largest groups; the table has all."
        )
    return fig


def exports(ctx: Context, b: Builder, table: pd.DataFrame, fig: go.Figure) -> None:
    """CSV of every row, PNG and SVG of the chart, the segments as giosg answers them."""
    cells = st.columns(4)
    cells[0].download_button(
        "CSV", lambda: segments.csv_bytes(table),
        "segments.csv", "text/csv", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    cells[1].download_button(
        "PNG chart", lambda: images.png(fig), "segments.png", "image/png", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    cells[2].download_button(
        "SVG chart", lambda: images.svg(fig), "segments.svg", "image/svg+xml", on_click="ignore",
        icon=":material/download:",
    )  # fmt: skip
    giosg(ctx, b, cells[3])


def giosg(ctx: Context, b: Builder, cell) -> None:
    """Each segment as giosg's visitor_sessions query (POST with the site's token)."""
    sites = ctx.wb.sites().set_index("site_id")["giosg_org_id"]
    site = ctx.selection.sites[0]
    if len(ctx.selection.sites) != 1 or pd.isna(sites.get(site)):
        cell.caption("giosg export: choose one site with a giosg organization (giosg-shop).")
        return
    try:
        requests = {
            name: segments.giosg_request(
                b, segment, str(sites[site]), ctx.interval, base_filter(ctx, b)
            )
            for name, segment in b.segments().items()
        }
    except WorkbenchError as error:
        cell.caption(f"giosg export: {plain(error.message)}")
        return
    for name, request in requests.items():
        cell.download_button(
            f"giosg JSON {name}" if len(requests) > 1 else "giosg JSON",
            lambda r=request: giosg_answer(ctx, site, r), f"segments-giosg-{name}.json",
            "application/json", on_click="ignore", icon=":material/download:",
            key=f"seg_giosg_{name}",
        )  # fmt: skip
    first = next(iter(requests.values()))
    notes = ["bots left out", "no previous-period comparison"]
    notes += [f"not in giosg: {', '.join(first.left_out)}"] if first.left_out else []
    st.caption(f"giosg request for segment A ({'; '.join(notes)}):")
    st.code(
        f"POST {first.url}\nAuthorization: Token ••••••••\n\n{json.dumps(first.body, indent=2)}",
        language=None,
    )


def giosg_answer(ctx: Context, site: str, request: segments.GiosgRequest) -> bytes:
    token = site_keys(ctx.wb.store, site)["giosg_token"]
    headers = {"Authorization": f"Token {token}"}
    body = json.dumps(request.body)
    return ctx.wb.request(request.url, body, "POST", headers, now=ctx.clock.now).body


def page() -> None:
    ctx = filters.context()
    st.title("Segments")
    st.caption(
        "Group by dimensions, pick metrics, filter with and/or/not, and compare two segments."
    )
    wanted = url_builder()
    if "seg_table" not in st.session_state:  # the page's first run here: the URL is the view
        set_widgets(wanted)
    built = builder_form()
    if built != wanted or _PARAMS not in st.session_state:
        write_url(built)
    try:
        with st.spinner("Computing the segments…"):
            frames, totals, bots = results(ctx, built)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    filters.show_bots(ctx, bots)
    if ctx.where is not None and built.table != "sessions":
        st.caption("The sidebar's segment is on sessions; it is not applied to events.")
    waiting = [c for s in built.segments().values() for c in s.conditions if not c.complete]
    if waiting:
        st.caption(f"{len(waiting)} condition(s) without a value are not applied yet.")
    if built.approximate and not segments.approximable(built.table, built.metrics):
        estimable = ", ".join(segments.approximable(built.table, tuple(METRICS[built.table])))
        st.caption(f"Approximate users: choose a distinct count ({estimable}) to see estimates.")
    kpis(built, totals)
    fig = chart(built, frames, ctx.zone)
    table = segments.view_table(frames, built.dimensions)
    st.subheader("Table")
    st.dataframe(
        table, hide_index=True, column_config=column_config(table, built), key="seg_table_view"
    )
    definitions(built)
    exports(ctx, built, table, fig)


page()
