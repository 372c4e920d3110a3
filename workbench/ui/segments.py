"""The Segments page's data, without Streamlit: the builder's choices, their URL, their Queries.

A ``Builder`` (table, group-by dimensions, metrics, granularity, approximate users, segment
A and an optional segment B, each a list of conditions joined by and/or) travels in the URL
(``to_params`` / ``parse``; bad values become ``problems``). ``runs`` turns it into
``reports.segmentation`` calls, ``view_table`` and ``totals`` shape their answers for the
screen and the CSV, ``figure`` draws the time series, and ``giosg_request`` is the same
view as giosg's ``visitor_sessions`` query.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from workbench import filters as f
from workbench.core import Workbench
from workbench.dialects import giosg
from workbench.dimensions import DIMENSIONS
from workbench.encoders import Table, encode
from workbench.errors import invalid
from workbench.metrics import METRICS
from workbench.query import BUCKET, Result
from workbench.reports import compare, segmentation
from workbench.timeframe import Interval

TABLES = ("sessions", "events")
GRANULARITIES = ("hour", "day", "week", "month", "all")
JOINS = ("and", "or")
DEFAULT_METRICS = {"sessions": ("sessions", "users"), "events": ("events", "users")}
FLAGS = {"1": True, "true": True, "0": False, "false": False}
MAX_CONDITIONS = 20
SEGMENTS = ("a", "b")
CHART_GROUPS = 10  # the chart draws the largest groups; the table has them all


@dataclass(frozen=True)
class Condition:
    """One row of a segment: ``[not] field op value`` (values as typed, parsed when run)."""

    field: str
    op: str = "eq"
    value: str = ""
    negate: bool = False
    case_insensitive: bool = False

    @property
    def complete(self) -> bool:
        return bool(self.value) or not OPERATORS[self.op].needs_value


@dataclass(frozen=True)
class Segment:
    conditions: tuple[Condition, ...] = ()
    join: str = "and"


@dataclass(frozen=True)
class Builder:
    """Everything the Segments page was asked for."""

    table: str = "sessions"
    dimensions: tuple[str, ...] = ()
    metrics: tuple[str, ...] = DEFAULT_METRICS["sessions"]
    granularity: str = "day"
    approximate: bool = False  # approximate users beside the exact ones
    a: Segment = field(default_factory=Segment)
    b: Segment | None = None  # None: no second segment

    def segments(self) -> dict[str, Segment]:
        return {"A": self.a} | ({"B": self.b} if self.b is not None else {})


# -- operators: a condition's text as a filter leaf -----------------------------------------


@dataclass(frozen=True)
class Operator:
    label: str
    kinds: tuple[str, ...]  # dimension kinds it applies to
    build: Callable[[str, str, bool, Callable[[str], object]], f.Filter]
    needs_value: bool = True
    hint: str = ""


def _range(name: str, text: str, ci: bool, typed: Callable[[str], object]) -> f.Filter:
    low, sep, high = text.partition("..")
    if not sep:
        raise invalid("value", text, f"low..high for a range on {name} (either end may be empty)")
    return f.Range(name, typed(low) if low else None, typed(high) if high else None)


OPERATORS: dict[str, Operator] = {
    "eq": Operator("equals", ("text", "number", "bool", "time"),
                   lambda n, t, ci, typed: f.Eq(n, typed(t), ci)),
    "in": Operator("is one of", ("text", "number", "bool", "time"),
                   lambda n, t, ci, typed: f.In(n, tuple(typed(v.strip()) for v in t.split(",")), ci),
                   hint="comma-separated"),
    "contains": Operator("contains", ("text",), lambda n, t, ci, typed: f.Contains(n, t, ci)),
    "wildcard": Operator("matches * ?", ("text",), lambda n, t, ci, typed: f.Wildcard(n, t, ci),
                         hint="* any text, ? one character"),
    "range": Operator("between", ("number", "time"), _range, hint="low..high"),
    "regex": Operator("regex", ("text",), lambda n, t, ci, typed: f.Regex(n, t, ci)),
    "is-null": Operator("is missing", ("text", "number", "bool", "time"),
                        lambda n, t, ci, typed: f.IsNull(n), needs_value=False),
}  # fmt: skip


def _typed(table: str, name: str, zone: str) -> Callable[[str], object]:
    """The parser of a condition's value for the dimension's kind."""
    kind = DIMENSIONS[table][name].kind

    def parse(text: str) -> object:
        try:
            return _PARSERS[kind](text, zone)
        except ValueError:
            raise invalid("value", text, f"a {kind} value for {name}") from None

    return parse


def _number(text: str, zone: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _bool(text: str, zone: str) -> bool:
    if text.lower() not in FLAGS:
        raise ValueError(text)
    return FLAGS[text.lower()]


def _time(text: str, zone: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


_PARSERS = {"text": lambda t, z: t, "number": _number, "bool": _bool, "time": _time}


def to_filter(segment: Segment, table: str, zone: str) -> f.Filter | None:
    """The segment's filter tree (conditions still waiting for a value are left out)."""
    leaves = []
    for c in segment.conditions:
        if not c.complete:
            continue
        kind = DIMENSIONS[table][c.field].kind
        if kind not in OPERATORS[c.op].kinds:
            usable = ", ".join(o.label for o in OPERATORS.values() if kind in o.kinds)
            raise invalid("operator", OPERATORS[c.op].label, f"{usable} for {c.field} ({kind})")
        leaf = OPERATORS[c.op].build(
            c.field, c.value, c.case_insensitive, _typed(table, c.field, zone)
        )
        leaves.append(f.Not(leaf) if c.negate else leaf)
    if len(leaves) <= 1:
        return leaves[0] if leaves else None
    return f.And(tuple(leaves)) if segment.join == "and" else f.Or(tuple(leaves))


# -- the URL --------------------------------------------------------------------------------


def dimension_names(table: str) -> list[str]:
    return sorted(DIMENSIONS[table])


def metric_names(table: str) -> list[str]:
    """The metrics offered: every exact one (estimates come from the approximate switch)."""
    return [name for name, m in METRICS[table].items() if not m.approximate]


def approximable(table: str, metrics: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(m for m in metrics if METRICS[table][m].approximate_form)


def condition_text(c: Condition) -> str:
    """``[!]field:op[/i]:value`` (``!`` negates, ``/i`` ignores case)."""
    return (
        f"{'!' if c.negate else ''}{c.field}:{c.op}{'/i' if c.case_insensitive else ''}:{c.value}"
    )


def to_params(b: Builder) -> dict[str, str]:
    """The builder as URL parameters (``table`` and ``a`` always, so a link is recognised)."""
    out = {"table": b.table, "gran": b.granularity, "metrics": ",".join(b.metrics)}
    if b.dimensions:
        out["dims"] = ",".join(b.dimensions)
    if b.approximate:
        out["approx"] = "1"
    for prefix, segment in zip(SEGMENTS, (b.a, b.b), strict=True):
        if segment is not None:
            out[prefix] = segment.join
            out |= {f"{prefix}{i}": condition_text(c) for i, c in enumerate(segment.conditions, 1)}
    return out


def is_param(name: str) -> bool:
    """Whether a URL parameter belongs to the builder."""
    return name in ("table", "gran", "metrics", "dims", "approx") or bool(
        re.fullmatch(r"[ab]\d*", name)
    )


@dataclass(frozen=True)
class Parsed:
    builder: Builder
    problems: tuple[str, ...] = ()


def parse(params: Mapping[str, str]) -> Parsed:
    """The Builder in ``params``; every bad value is left out and named in ``problems``."""
    problems: list[str] = []
    table = _choice(params, "table", TABLES, "sessions", problems)
    dims = _names(params, "dims", dimension_names(table), (), problems)
    metrics = _names(params, "metrics", metric_names(table), DEFAULT_METRICS[table], problems)
    gran = _choice(params, "gran", GRANULARITIES, "day", problems)
    approx = params.get("approx", "0").lower()
    if approx not in FLAGS:
        problems.append(f"approx: {approx!r} is not a switch; expected 1 or 0")
    a = _segment(params, "a", table, problems) or Segment()
    b = _segment(params, "b", table, problems)
    builder = Builder(
        table, dims, metrics or DEFAULT_METRICS[table], gran, FLAGS.get(approx, False), a, b
    )
    return Parsed(builder, tuple(problems))


def _choice(params, name: str, valid, default: str, problems: list[str]) -> str:
    value = params.get(name) or default
    if value in valid:
        return value
    problems.append(f"{name}: {value!r} is not valid; expected one of {', '.join(valid)}")
    return default


def _names(params, name: str, valid: list[str], default, problems: list[str]) -> tuple[str, ...]:
    if name not in params:
        return tuple(default)
    names = [n.strip() for n in params[name].split(",") if n.strip()]
    unknown = [n for n in names if n not in valid]
    if unknown:
        problems.append(
            f"{name}: {', '.join(map(repr, unknown))} not found; expected "
            + (", ".join(valid) if len(valid) < 20 else "names listed on the Data page")
        )
    return tuple(dict.fromkeys(n for n in names if n in valid))


def _segment(params, prefix: str, table: str, problems: list[str]) -> Segment | None:
    if prefix not in params:
        return None
    join = _choice(params, prefix, JOINS, "and", problems)
    conditions = []
    for i in range(1, MAX_CONDITIONS + 1):
        text = params.get(f"{prefix}{i}")
        if text is not None:
            condition = _condition(text, table, f"{prefix}{i}", problems)
            conditions += [condition] if condition else []
    return Segment(tuple(conditions), join)


def _condition(text: str, table: str, name: str, problems: list[str]) -> Condition | None:
    negate = text.startswith("!")
    dim, _, rest = text.removeprefix("!").partition(":")
    op, _, value = rest.partition(":")
    op, ci = (op[:-2], True) if op.endswith("/i") else (op, False)
    if dim not in DIMENSIONS[table]:
        problems.append(f"{name}: {dim!r} is not a dimension of {table}; expected field:op:value")
    elif op not in OPERATORS:
        problems.append(
            f"{name}: {op!r} is not an operator; expected one of {', '.join(OPERATORS)}"
        )
    else:
        return Condition(dim, op, value, negate, ci)
    return None


# -- the reports ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One ``reports.segmentation`` call, beside the previous period when ``compare``."""

    interval: Interval
    sites: tuple[str, ...]
    table: str
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...]
    granularity: str
    where: f.Filter | None
    include_bots: bool = False
    approximate: bool = False
    compare: bool = False

    def arguments(self) -> dict[str, object]:
        return {
            "metrics": self.metrics, "dimensions": self.dimensions, "granularity": self.granularity,
            "sites": self.sites, "table": self.table, "where": self.where,
            "approximate": self.approximate, "include_bots": self.include_bots,
        }  # fmt: skip


def run(wb: Workbench, spec: Run) -> Result:
    if spec.compare:
        return compare(wb, segmentation, spec.interval, **spec.arguments())
    return segmentation(wb, spec.interval, **spec.arguments())


@dataclass(frozen=True)
class Plan:
    """The runs of one view, per segment: its series and totals, exact and approximate."""

    series: dict[str, Run]
    totals: dict[str, Run]
    approx_series: dict[str, Run]
    approx_totals: dict[str, Run]


def plan(
    b: Builder,
    sites: tuple[str, ...],
    interval: Interval,
    bots: bool,
    compared: bool,
    base: f.Filter | None = None,
) -> Plan:
    """Every run the view needs (``base``: the sidebar's segment, under both); a bad
    condition value raises a WorkbenchError."""
    series, totals, approx_series, approx_totals = {}, {}, {}, {}
    estimated = approximable(b.table, b.metrics) if b.approximate else ()
    for name, segment in b.segments().items():
        where = f.all_of(base, to_filter(segment, b.table, interval.zone))
        spec = Run(interval, sites, b.table, b.metrics, b.dimensions, b.granularity, where, bots)
        series[name] = replace(spec, compare=compared)
        totals[name] = replace(spec, dimensions=(), granularity="all", compare=compared)
        if estimated:
            approx_series[name] = replace(spec, metrics=estimated, approximate=True)
            approx_totals[name] = replace(approx_series[name], dimensions=(), granularity="all")
    return Plan(series, totals, approx_series, approx_totals)


def stamp(moment: object) -> str:
    """A bucket's start as ISO text with its offset in the view's zone."""
    return moment.isoformat() if hasattr(moment, "isoformat") else str(moment)


def segment_frame(
    exact: pd.DataFrame, approx: pd.DataFrame | None, dims: tuple[str, ...]
) -> pd.DataFrame:
    """One segment's rows: buckets as text, and each estimate beside its exact count with
    the measured difference ``<metric>_approx_diff`` = (estimate - exact) / exact."""
    out = exact.copy()
    keys = keys_of(out, dims)
    if approx is not None:
        estimated = [m for m in approx.columns if m not in keys]
        right = approx.rename(columns={m: f"{m}_approx" for m in estimated})
        if keys:
            out = out.merge(right, on=keys, how="left")
        else:
            out = out.assign(**right.iloc[0].to_dict())
        for m in estimated:
            was = pd.to_numeric(out[m], errors="coerce")
            out[f"{m}_approx_diff"] = (out[f"{m}_approx"] - was) / was.where(was != 0)
    if BUCKET in out:
        out[BUCKET] = [stamp(v) for v in out[BUCKET]]
    return out


def keys_of(frame: pd.DataFrame, dims: tuple[str, ...]) -> list[str]:
    """The columns that name a row: its bucket and dimension values."""
    return [c for c in (BUCKET, *dims) if c in frame]


def view_table(frames: dict[str, pd.DataFrame], dims: tuple[str, ...]) -> pd.DataFrame:
    """The table: one segment's rows as they are, or segments side by side (``users [A]``)."""
    if len(frames) == 1:
        return next(iter(frames.values())).reset_index(drop=True)
    joined = None
    for name, frame in frames.items():
        keys = keys_of(frame, dims)
        named = frame.rename(columns={c: f"{c} [{name}]" for c in frame.columns if c not in keys})
        counts = [c for c in named if c not in keys and pd.api.types.is_integer_dtype(named[c])]
        named = named.astype(dict.fromkeys(counts, "Int64"))  # stay counts where a side is empty
        if joined is None:
            joined = named
        elif keys:
            joined = joined.merge(named, on=keys, how="outer")
        else:
            joined = pd.concat([joined, named], axis=1)
    return joined.reset_index(drop=True)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV (missing cells empty, formula-like text neutralised)."""
    cells = table.astype(object).where(table.notna(), None)
    return encode("csv", Table.of(cells.columns, cells.itertuples(index=False))).body


# -- the chart ------------------------------------------------------------------------------


def figure(frames: dict[str, pd.DataFrame], b: Builder, metric: str, zone: str) -> go.Figure:
    """``metric`` over time per segment and group (largest groups first), the previous period
    dashed and the estimate dotted when they are there; bars when there is no time axis."""
    fig = go.Figure()
    for name, frame in frames.items():
        for label, rows in _groups(frame, b.dimensions, metric):
            prefix = f"{name}: " if len(frames) > 1 else ""
            title = prefix + (label or metric)
            for column, dash, suffix in ((metric, None, ""), (f"{metric}_previous", "dash", " (previous period)"),
                                         (f"{metric}_approx", "dot", " ≈ approximate")):  # fmt: skip
                if column in rows:
                    fig.add_trace(_trace(rows, b, column, title + suffix, dash))
    fig.update_layout(
        height=420, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h"},
        yaxis_title=metric, xaxis_title=f"{b.granularity} ({zone})" if b.granularity != "all" else None,
        barmode="group",
    )  # fmt: skip
    return fig


def _groups(frame: pd.DataFrame, dims: tuple[str, ...], metric: str):
    if not dims:
        return [("", frame)]
    labels = frame[list(dims)].astype(str).agg(" / ".join, axis=1)
    sizes = frame.assign(_label=labels).groupby("_label")[metric].sum().sort_values(ascending=False)
    return [(label, frame[labels == label]) for label in sizes.index[:CHART_GROUPS]]


def _trace(rows: pd.DataFrame, b: Builder, column: str, name: str, dash: str | None):
    y = rows[column].tolist()
    if b.granularity == "all":
        return go.Bar(x=[name], y=y, name=name)
    x = [dt.datetime.fromisoformat(t).replace(tzinfo=None) for t in rows[BUCKET]]
    return go.Scatter(x=x, y=y, name=name, mode="lines+markers", line={"dash": dash})


# -- giosg ----------------------------------------------------------------------------------

GIOSG_METRICS = {  # metric (approximate: its estimate) -> giosg aggregation and output name
    ("sessions", False): ({"type": "count"}, "count"),
    ("avg_duration", False): ({"type": "avg", "fields": ["session_duration_secs"]}, "session_duration_secs_avg"),
    ("avg_distinct_urls", False): ({"type": "avg", "fields": ["distinct_visited_urls_count"]},
                                   "distinct_visited_urls_count_avg"),
    ("users", True): ({"type": "hyperUnique", "fields": ["visitor_id"]}, "visitor_id_hyper_unique"),
}  # fmt: skip
GIOSG_FIELDS = {column: name for name, column in giosg.DIMENSIONS.items()}


@dataclass(frozen=True)
class GiosgRequest:
    url: str
    body: dict
    columns: dict[str, str]  # giosg output name -> the table's column it equals
    left_out: tuple[str, ...]  # metrics giosg cannot express


def giosg_request(
    b: Builder,
    segment: Segment,
    org_id: str,
    interval: Interval,
    base: f.Filter | None = None,
) -> GiosgRequest:
    """The giosg ``visitor_sessions`` query giving the segment's numbers; raises a
    WorkbenchError naming what giosg cannot express (events, a dimension, an operator)."""
    if b.table != "sessions":
        raise invalid("table", b.table, "sessions (giosg reports visitor sessions only)")
    group_by = [_giosg_field(d) for d in b.dimensions]
    aggregations, columns, left_out = [], {}, []
    for m in b.metrics:
        for approximate, column in ((False, m), (True, f"{m}_approx")):
            found = GIOSG_METRICS.get((m, approximate))
            if found and (not approximate or b.approximate):
                aggregations.append(found[0])
                columns[found[1]] = column
        if (m, False) not in GIOSG_METRICS and not (b.approximate and (m, True) in GIOSG_METRICS):
            left_out.append(m)
    if not aggregations:
        raise invalid(
            "metrics",
            ",".join(b.metrics),
            "sessions, avg_duration, avg_distinct_urls or approximate users for giosg",
        )
    tz = ZoneInfo(interval.zone)
    body = {
        "interval": {
            "start": interval.start.astimezone(tz).isoformat(timespec="milliseconds"),
            "end": interval.end.astimezone(tz).isoformat(timespec="milliseconds"),
            "time_zone": interval.zone,
        },
        "granularity": b.granularity,
        "group_by": group_by,
        "aggregations": aggregations,
    }
    tree = f.all_of(base, to_filter(segment, b.table, interval.zone))
    if tree is not None:
        body["filters"] = _giosg_filter(tree)
    url = f"/api/reporting/v1/orgs/{org_id}/visitor_sessions"
    return GiosgRequest(url, body, columns, tuple(left_out))


def _giosg_field(name: str) -> str:
    if name not in GIOSG_FIELDS:
        raise invalid("dimension", name, f"a dimension giosg has: {', '.join(GIOSG_FIELDS)}")
    return GIOSG_FIELDS[name]


def _giosg_filter(node: f.Filter) -> dict:
    kind = type(node)
    if kind in (f.And, f.Or):
        return {"type": kind.__name__.lower(), "fields": [_giosg_filter(c) for c in node.children]}
    if kind is f.Not:
        return {"type": "not", "field": _giosg_filter(node.child)}
    leaf = _GIOSG_LEAVES[kind](node)
    return {"type": leaf.pop("type"), "dimension": _giosg_field(node.field), **leaf}


def _folded(pattern: str) -> dict:
    return {"type": "regex", "pattern": "(?i)" + pattern}


def _wildcard_regex(pattern: str) -> str:
    return (
        "^"
        + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        + "$"
    )


def _number_or_text(value: object) -> object:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


_GIOSG_LEAVES: dict[type, Callable[[f.Filter], dict]] = {
    f.Eq: lambda n: _folded("^" + re.escape(str(n.value)) + "$") if n.case_insensitive
    else {"type": "selector", "value": _number_or_text(n.value)},
    f.In: lambda n: _folded("^(" + "|".join(re.escape(str(v)) for v in n.values) + ")$") if n.case_insensitive
    else {"type": "in", "values": [_number_or_text(v) for v in n.values]},
    f.Contains: lambda n: {"type": "search", "query": {"type": "insensitive_contains" if n.case_insensitive
                                                       else "contains", "value": n.value}},
    f.Wildcard: lambda n: _folded(_wildcard_regex(n.pattern)) if n.case_insensitive
    else {"type": "regex", "pattern": _wildcard_regex(n.pattern)},
    f.Regex: lambda n: _folded(n.pattern) if n.case_insensitive else {"type": "regex", "pattern": n.pattern},
    f.Range: lambda n: {"type": "bound", "ordering": "numeric", "lower": n.low, "upper": n.high,
                        "lowerStrict": n.low_strict, "upperStrict": n.high_strict},
    f.IsNull: lambda n: {"type": "selector", "value": None},
}  # fmt: skip


def giosg_rows(answer: dict, request: GiosgRequest) -> pd.DataFrame:
    """A giosg answer as the table's columns (for showing that the numbers agree)."""
    names = [x["name"] for x in answer["fields"]]
    frame = pd.DataFrame(answer["data"], columns=names)
    reverse = {name: column for column, name in GIOSG_FIELDS.items()}
    return frame.rename(columns={"timestamp": BUCKET, **reverse, **request.columns})
