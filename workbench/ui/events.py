"""The events view's data, without Streamlit: Countly custom events per key, per day and per
segmentation value (counts, sums, durations), beside the previous period, and its charts.

Every table is ``reports.segmentation`` on the ``events`` table (``dashboard.measure`` adds
the previous period through ``reports.compare``), so the numbers are the library's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go

from workbench import filters as f
from workbench.core import Workbench
from workbench.dimensions import DIMENSIONS
from workbench.errors import WorkbenchError
from workbench.metrics import describe
from workbench.query import BUCKET
from workbench.timeframe import Interval
from workbench.ui.dashboard import chart as line_chart
from workbench.ui.dashboard import granularity, measure
from workbench.ui.selection import Selection

METRICS = ("events", "events_sum", "events_duration")  # Countly's c, s and dur
LABELS = {"events": "Count", "events_sum": "Sum", "events_duration": "Duration (seconds)"}
TABLE_METRICS = (*METRICS, "users", "sessions")
UNKNOWN = "Unknown"  # events without the chosen segment
SEGMENT = "segmentation."
STACKED_VALUES = 10  # a segmented chart stacks this many values; the rest are "Other"
COUNTLY_PATH = "/o"


def file_name(key: str) -> str:
    """An event key made safe for a download's file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("_") or "event"


@dataclass(frozen=True)
class View:
    """The page's own choices, held in the URL beside the sidebar's (``e_`` parameters).
    The event and the segment are checked against the data by the page."""

    key: str | None = None  # None: the event with the most occurrences
    metric: str = "events"
    segment: str = ""  # a segmentation key, or "" for none


def parse_view(params: Mapping[str, str]) -> tuple[View, tuple[str, ...]]:
    """The View in URL ``params`` and a message for each bad value (then its default)."""
    problems = []
    metric = params.get("e_metric", View.metric)
    if metric not in METRICS:
        problems.append(
            f"e_metric: {metric!r} is not a metric; expected one of {', '.join(METRICS)}"
        )
        metric = View.metric
    return View(params.get("e_key") or None, metric, params.get("e_seg", "")), tuple(problems)


def view_params(view: View) -> dict[str, str]:
    """The URL parameters of a View (defaults left out)."""
    out = {"e_key": view.key} if view.key else {}
    out |= {"e_metric": view.metric} if view.metric != View.metric else {}
    return out | ({"e_seg": view.segment} if view.segment else {})


def is_param(name: str) -> bool:
    return name.startswith("e_")


def checked(view: View, keys: list[str], segments_of) -> tuple[View, tuple[str, ...]]:
    """``view`` with an event the period has (else the first) and a segment that event
    carries (else none); ``segments_of(key)`` lists an event's segmentation keys."""
    problems = []
    key = view.key if view.key in keys else keys[0]
    if view.key is not None and view.key != key:
        problems.append(f"e_key: {view.key!r} has no events here; showing {key!r}")
    segment = view.segment
    if segment and segment not in segments_of(key):
        problems.append(f"e_seg: {segment!r} is not a segmentation key of {key!r}; none used")
        segment = ""
    return View(key, view.metric, segment), tuple(problems)


def label(text: object) -> str:
    """Data (an event key, a segment value) for a chart's title or legend: plotly reads
    tags in them, so they are escaped to show as written."""
    return html.escape(str(text), quote=False)


def definitions() -> dict[str, str]:
    """Each metric of the view with its one-line definition."""
    return {m: describe("events")[m] for m in TABLE_METRICS}


def segment_applies(selection: Selection) -> bool:
    """Whether the sidebar's segment (conditions on sessions) can filter events: only when
    every field it names is also a column of events (site, session, visitor)."""
    fields = {leaf.field for leaf in f.leaves(selection.where)}
    return fields <= set(DIMENSIONS["events"]) & set(DIMENSIONS["sessions"])


def _arguments(selection: Selection, key: str | None = None, **more: object) -> dict:
    where = f.Eq("key", key) if key is not None else f.Not(f.IsNull("key"))
    segment = selection.where if segment_applies(selection) else None
    return {
        "table": "events",
        "sites": selection.sites,
        "include_bots": selection.include_bots,
        "where": f.all_of(where, segment),
        **more,
    }


def per_key(
    wb: Workbench, selection: Selection, interval: Interval, sides: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, int | None]:
    """Every custom event key of the period with its totals, most occurrences first, and the
    number of bot events left out."""
    arguments = _arguments(selection, metrics=TABLE_METRICS, dimensions=("key",), granularity="all")
    frame, bots = measure(wb, interval, sides, **arguments)
    frame = frame.sort_values(["events", "key"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True), bots


def segment_keys(wb: Workbench, sites: tuple[str, ...], key: str) -> list[str]:
    """The segmentation keys the event ``key`` carries on these sites, by name."""
    rows = wb.sql(
        "SELECT DISTINCT unnest(map_keys(segmentation)) AS name FROM events "
        "WHERE list_contains($sites, site_id) AND key = $key ORDER BY name",
        {"sites": list(sites), "key": key},
    )
    return [str(name) for name in rows["name"]]


def over_time(
    wb: Workbench,
    selection: Selection,
    interval: Interval,
    key: str,
    sides: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The event's count, sum, duration, users and sessions per hour (one day) or day,
    every bucket included."""
    unit = granularity(interval)
    frame, _ = measure(
        wb, interval, sides, **_arguments(selection, key, metrics=TABLE_METRICS, granularity=unit)
    )
    return frame


def breakdown(
    wb: Workbench,
    selection: Selection,
    interval: Interval,
    key: str,
    segment: str,
    sides: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The event's totals per value of segmentation key ``segment``, most occurrences first
    (events without the segment are ``Unknown``)."""
    dim = SEGMENT + segment
    arguments = _arguments(
        selection, key, metrics=TABLE_METRICS, dimensions=(dim,), granularity="all"
    )
    frame, _ = measure(wb, interval, sides, **arguments)
    frame = _named(frame, dim, segment)
    frame = frame.sort_values(["events", segment], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def breakdown_over_time(
    wb: Workbench, selection: Selection, interval: Interval, key: str, segment: str
) -> pd.DataFrame:
    """The event's metrics per bucket and value of ``segment`` (buckets that had it)."""
    dim = SEGMENT + segment
    unit = granularity(interval)
    arguments = _arguments(selection, key, metrics=METRICS, dimensions=(dim,), granularity=unit)
    frame, _ = measure(wb, interval, **arguments)
    return _named(frame, dim, segment)


def _named(frame: pd.DataFrame, dim: str, segment: str) -> pd.DataFrame:
    frame = frame.rename(columns={dim: segment})
    frame[segment] = [UNKNOWN if pd.isna(v) else str(v) for v in frame[segment]]
    return frame


def chart(frame: pd.DataFrame, metric: str, title: str) -> go.Figure:
    """The event's ``metric`` over time, with the previous period dotted when present."""
    return line_chart(frame, metric, title, LABELS[metric])


def segment_chart(frame: pd.DataFrame, segment: str, metric: str, title: str) -> go.Figure:
    """``metric`` per bucket stacked by the segment's values (the top ones, then Other)."""
    totals = frame.groupby(segment)[metric].sum().sort_values(ascending=False, kind="stable")
    top = list(totals.index[:STACKED_VALUES])
    values = frame[segment].where(frame[segment].isin(top), "Other")
    stacked = frame.assign(**{segment: values}).groupby([BUCKET, segment], as_index=False)[metric]
    stacked = stacked.sum()
    fig = go.Figure()
    for value in [*top, "Other"]:
        part = stacked[stacked[segment] == value]
        if not part.empty:
            fig.add_bar(x=part[BUCKET], y=part[metric], name=label(value))
    fig.update_layout(
        barmode="stack",
        title=title,
        yaxis_title=LABELS[metric],
        margin={"l": 40, "r": 10, "t": 40, "b": 30},
        template="plotly_white",
    )
    return fig


def countly_urls(
    site: Mapping[str, object], key: str, segment: str | None, today_only: bool
) -> dict[str, str]:
    """Countly's ``events`` (the event, by ``segment``) and ``get_events`` requests."""
    app_id, api_key = site.get("countly_app_id"), site.get("countly_api_key")
    if not app_id or not api_key:
        raise WorkbenchError(
            "no_countly_app",
            f"site: {site.get('site_id')} has no Countly app; the Countly format needs a "
            "site that has one",
        )
    keys = {"api_key": api_key, "app_id": app_id}
    events = {**keys, "method": "events", "event": key}
    if segment:
        events["segmentation"] = segment
    if today_only:
        events["action"] = "refresh"
    return {
        "events": f"{COUNTLY_PATH}?{urlencode(events)}",
        "get_events": f"{COUNTLY_PATH}?{urlencode({**keys, 'method': 'get_events'})}",
    }
