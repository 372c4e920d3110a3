"""The dashboard's data, without Streamlit: Countly-style KPIs, top lists, hourly and daily
series, each beside the previous period (and the same weekdays a year earlier), and charts.

Everything is ``reports.segmentation`` (and ``reports.compare`` for the other sides) over
the KPIs of Countly's dashboard (``countly_dashboard.TOTALS``) and its top lists
(``countly_dashboard.TOP`` plus countries), so the numbers are the library's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from workbench.core import Workbench
from workbench.dialects import countly_dashboard
from workbench.errors import WorkbenchError
from workbench.metrics import describe
from workbench.query import BUCKET
from workbench.reports import compare, previous_interval, segmentation
from workbench.timeframe import Interval
from workbench.ui.selection import Selection

METRICS = tuple(metric for metric, _ in countly_dashboard.TOTALS.values())
LABELS = {
    "sessions": "Sessions",
    "users": "Users",
    "new_users": "New users",
    "total_duration": "Total time",
    "avg_duration": "Average time",
    "actions_per_session": "Actions per visit",
}
UNITS = {"total_duration": "seconds", "avg_duration": "seconds"}
TOP = {**countly_dashboard.TOP, "countries": "country_name"}  # top list -> dimension
TOP_METRICS = ("sessions", "users")
UNKNOWN = "Unknown"
YEAR_AGO = dt.timedelta(days=364)  # 52 weeks: the same weekdays a year earlier
COUNTLY_PATH = "/o/analytics/dashboard"
COUNTLY_PERIODS = {"1d": "today", "7d": "7days", "30d": "30days"}  # sidebar period -> its key


@dataclass(frozen=True)
class View:
    """The page's own choices, held in the URL beside the sidebar's (``d_`` parameters)."""

    year: bool = False  # also beside the same weekdays a year earlier
    chart: str = "sessions"  # the KPI the charts draw


def parse_view(params: Mapping[str, str]) -> tuple[View, tuple[str, ...]]:
    """The View in URL ``params`` and a message for each bad value (then its default)."""
    problems = []
    year = params.get("d_year", "0")
    if year not in ("0", "1"):
        problems.append(f"d_year: {year!r} is not a switch; expected 1 or 0")
    chart = params.get("d_chart", View.chart)
    if chart not in METRICS:
        problems.append(f"d_chart: {chart!r} is not a KPI; expected one of {', '.join(METRICS)}")
        chart = View.chart
    return View(year == "1", chart), tuple(problems)


def view_params(view: View) -> dict[str, str]:
    """The URL parameters of a View (defaults left out)."""
    out = {"d_year": "1"} if view.year else {}
    return out | ({"d_chart": view.chart} if view.chart != View.chart else {})


def is_param(name: str) -> bool:
    return name.startswith("d_")


def year_ago(interval: Interval) -> Interval:
    """The same local days 52 weeks earlier (so the same weekdays)."""
    days = interval.dates()
    return Interval.from_dates(days[0] - YEAR_AGO, days[-1] - YEAR_AGO, interval.zone)


SIDES = {"previous": previous_interval, "year_ago": year_ago}  # suffix -> the other span


def granularity(interval: Interval) -> str:
    """Hours for a single day, else days: the trend's buckets."""
    return "hour" if len(interval.dates()) == 1 else "day"


def measure(
    wb: Workbench, interval: Interval, sides: tuple[str, ...] = (), **arguments: object
) -> tuple[pd.DataFrame, int | None]:
    """``segmentation(**arguments)`` on ``interval``, beside each side in ``sides``.

    A side ``s`` adds ``<metric>_<s>`` and ``<metric>_<s>_change`` columns (the previous
    period keeps compare's own ``_previous``/``_change`` names). Returns the frame and the
    number of bot rows left out.
    """
    if not sides:
        result = segmentation(wb, interval, **arguments)
        return result.frame, result.excluded_bots
    frame, bots = None, None
    for side in sides:
        result = compare(wb, segmentation, interval, SIDES[side](interval), **arguments)
        metrics = list(result.query.metrics)
        renamed = result.frame.rename(columns=_side_names(metrics, side))
        if frame is None:
            frame, bots = renamed, result.excluded_bots
        else:
            extra = [c for c in renamed.columns if c not in frame.columns]
            frame = pd.concat([frame, renamed[extra]], axis=1)
    return frame, bots


def _side_names(metrics: list[str], side: str) -> dict[str, str]:
    if side == "previous":
        return {}
    out = {f"{m}_previous": f"{m}_{side}" for m in metrics}
    return out | {f"{m}_change": f"{m}_{side}_change" for m in metrics}


def _arguments(selection: Selection, **more: object) -> dict[str, object]:
    return {
        "sites": selection.sites,
        "include_bots": selection.include_bots,
        "where": selection.where,  # the sidebar's segment
        **more,
    }


@dataclass(frozen=True)
class Kpis:
    """One row per KPI (value, previous, change, and year_ago/year_change when asked) and
    the trend of each KPI per hour (one day) or day."""

    table: pd.DataFrame
    trend: pd.DataFrame
    excluded_bots: int | None


def kpis(wb: Workbench, selection: Selection, interval: Interval, year: bool = False) -> Kpis:
    """The dashboard's KPIs over ``interval``, always beside the previous period."""
    sides = ("previous", "year_ago") if year else ("previous",)
    totals, bots = measure(
        wb, interval, sides, **_arguments(selection, metrics=METRICS, granularity="all")
    )
    trend, _ = measure(
        wb, interval, **_arguments(selection, metrics=METRICS, granularity=granularity(interval))
    )
    return Kpis(kpi_table(totals.iloc[0], year), trend, bots)


def kpi_table(row: pd.Series, year: bool = False) -> pd.DataFrame:
    """The KPIs of a totals row, one a row, with their definitions."""
    definitions = describe("sessions")
    records = []
    for metric in METRICS:
        record = {
            "kpi": LABELS[metric],
            "metric": metric,
            "unit": UNITS.get(metric, ""),
            "value": row[metric],
            "previous": row[f"{metric}_previous"],
            "change": row[f"{metric}_change"],
        }
        if year:
            record["year_ago"] = row[f"{metric}_year_ago"]
            record["year_change"] = row[f"{metric}_year_ago_change"]
        records.append(record | {"definition": definitions[metric]})
    return pd.DataFrame(records)


def top_lists(
    wb: Workbench, selection: Selection, interval: Interval, sides: tuple[str, ...] = ()
) -> dict[str, pd.DataFrame]:
    """Each top list (platforms, resolutions, carriers, countries): every value with its
    sessions, users and share of sessions, most sessions first; missing values are
    ``Unknown``."""
    out = {}
    for name, dim in TOP.items():
        arguments = _arguments(selection, metrics=TOP_METRICS, dimensions=(dim,))
        frame, _ = measure(wb, interval, sides, granularity="all", **arguments)
        out[name] = _ranked(frame, dim)
    return out


def _ranked(frame: pd.DataFrame, dim: str) -> pd.DataFrame:
    frame = frame.rename(columns={dim: "value"})
    frame["value"] = [UNKNOWN if pd.isna(v) else str(v) for v in frame["value"]]
    frame = frame.sort_values(["sessions", "value"], ascending=[False, True], kind="stable")
    total = frame["sessions"].sum()
    share = frame["sessions"] / total if total else 0.0
    frame.insert(frame.columns.get_loc("users") + 1, "share", share)
    return frame.reset_index(drop=True)


def top_table(lists: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every top list in one table (a ``list`` column first), for the CSV export."""
    parts = [frame.assign(list=name) for name, frame in lists.items()]
    table = pd.concat(parts, ignore_index=True)
    return table[["list", *(c for c in table.columns if c != "list")]]


HOUR = "local_hour"
SHAPES = {"hour": "the hours of the day", "day": "the days"}  # a chart's x -> what it means


def series(
    wb: Workbench,
    selection: Selection,
    interval: Interval,
    unit: str,
    sides: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The KPIs per day (every day included), or per hour of the day 0-23 over the whole
    period (``unit`` hour: one day's hours for a one-day period), in the interval's zone."""
    if unit == "day":
        frame, _ = measure(wb, interval, sides, **_arguments(selection, metrics=METRICS))
        return frame
    arguments = _arguments(selection, metrics=METRICS, dimensions=(HOUR,), granularity="all")
    frame, _ = measure(wb, interval, sides, **arguments)
    hours = pd.DataFrame({HOUR: range(24)})
    frame = hours.merge(frame.astype({HOUR: "int64"}), on=HOUR, how="left")
    counts = [c for c in frame.columns if _additive(c)]
    frame[counts] = frame[counts].fillna(0)
    return frame


def _additive(column: str) -> bool:
    """Whether a series column is a count or sum (0 in an hour without visits)."""
    base = column.removesuffix("_previous").removesuffix("_year_ago")
    return base in {"sessions", "users", "new_users", "total_duration"}


SIDE_NAMES = {"": "this period", "_previous": "previous period", "_year_ago": "a year earlier"}


def chart(frame: pd.DataFrame, metric: str, title: str, label: str | None = None) -> go.Figure:
    """``metric`` per bucket (or hour of the day) as a line, with a dotted line for each
    comparison present."""
    x = BUCKET if BUCKET in frame else HOUR
    fig = go.Figure()
    for suffix, name in SIDE_NAMES.items():
        column = f"{metric}{suffix}"
        if column in frame:
            dash = "solid" if not suffix else "dot"
            fig.add_scatter(
                x=frame[x], y=frame[column], name=name, mode="lines", line={"dash": dash}
            )
    label = label or LABELS[metric] + (f" ({UNITS[metric]})" if metric in UNITS else "")
    fig.update_layout(
        title=title,
        yaxis_title=label,
        xaxis_title="hour of the day" if x == HOUR else None,
        margin={"l": 40, "r": 10, "t": 40, "b": 30},
        legend={"orientation": "h"},
        template="plotly_white",
    )
    return fig


def sparkline(trend: pd.DataFrame, metric: str) -> list[float]:
    """The KPI's trend for ``st.metric``'s chart (missing averages as 0)."""
    return [float(v) for v in pd.to_numeric(trend[metric], errors="coerce").fillna(0)]


def formatted(metric: str, value: object) -> str:
    """A KPI's value for a metric card: counts with separators, times as h/m/s."""
    if value is None or pd.isna(value):
        return "–"
    if metric in UNITS:
        return duration(float(value))
    if metric == "actions_per_session":
        return f"{float(value):.2f}"
    return f"{int(value):,}"


def duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours:,}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def countly_url(site: Mapping[str, object]) -> str:
    """Countly's dashboard request for a site (its app id and read key)."""
    app_id, api_key = site.get("countly_app_id"), site.get("countly_api_key")
    if not app_id or not api_key:
        raise WorkbenchError(
            "no_countly_app",
            f"site: {site.get('site_id')} has no Countly app; the Countly dashboard needs a "
            "site that has one",
        )
    return f"{COUNTLY_PATH}?{urlencode({'api_key': api_key, 'app_id': app_id})}"


MASK = "********"  # a read key as the screen shows it (as the API console does)


def masked(url: str) -> str:
    """``url`` for the screen: its ``api_key`` value hidden (the download uses the real one)."""
    path, _, query = url.partition("?")
    pairs = [p.partition("=") for p in query.split("&")] if query else []
    shown = [f"{k}={MASK}" if k == "api_key" and v else f"{k}{eq}{v}" for k, eq, v in pairs]
    return f"{path}?{'&'.join(shown)}" if shown else path
