"""Countly's read API v1 (seed 002): ``/o?api_key&app_id&method=...`` time objects.

A time object nests year → month → day → hour (keys without leading zeros), each level
holding Countly's counters: ``t`` sessions, ``n`` new users, ``u`` unique users (exact
for that year, month, day or hour), ``e`` actions (Countly's requests), ``d`` duration in
seconds; a year also holds ISO weeks ``wNN`` with ``u``. Breakdowns (countries, carriers,
devices, app versions, device details, event segments) hold ``{t, n, u}`` (events: ``c``,
``s``, ``dur``) under each value at the year, month and day levels, and ``meta`` lists
the values. Decisions where the document is silent (README "Vendor APIs"):

- The whole history of the app is answered, in the app's time zone (``action=refresh``:
  today only). Zero counters are left out, as Countly only increments.
- ``sessions``, ``users`` and ``locations`` answer one object: the counters, countries
  (ISO codes, ``Unknown`` when missing), frequency ``f``, loyalty ``l`` and duration ``ds``
  buckets (counts of sessions, keyed by Countly's range index; ``meta`` has ``f-ranges``,
  ``l-ranges``, ``d-ranges``). Frequency is the hours since the visitor's previous session
  in Countly's ranges (0 a first session, 1 under 24 h, … 10 under 744 h, 11 later).
- App versions and OS versions are keyed as Countly stores them: ``.`` becomes ``:``, an OS
  version gets the OS's initial (``a4:4`` for Android 4.4).
- ``live``, ``live_graph`` and ``retention`` belong to Countly's paid editions: ``Invalid
  method``, as a community server answers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pandas as pd

from workbench import filters as f
from workbench.api import Request, Response, route
from workbench.dialects import countly
from workbench.dimensions import DURATION_RANGES, FREQUENCY_RANGES, LOYALTY_RANGES
from workbench.errors import invalid
from workbench.query import BUCKET, Query
from workbench.timeframe import Interval, local_date
from workbench.values import plain

COUNTERS = {"sessions": "t", "new_users": "n", "users": "u", "actions": "e", "total_duration": "d"}
BREAKDOWN = {"sessions": "t", "new_users": "n", "users": "u"}
EVENT_COUNTERS = {"events": "c", "events_sum": "s", "events_duration": "dur"}
LEVELS = ("year", "month", "day", "hour")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LIMITS = {
    "event_limit": 500,
    "event_segmentation_limit": 100,
    "event_segmentation_value_limit": 1000,
}


def _path(moment: dt.datetime, level: str) -> list[str]:
    parts = [str(moment.year), str(moment.month), str(moment.day), str(moment.hour)]
    return parts[: LEVELS.index(level) + 1]


def _node(tree: dict, path: list[str]) -> dict:
    for key in path:
        tree = tree.setdefault(key, {})
    return tree


def _counters(row: dict, names: dict[str, str]) -> dict[str, object]:
    out = {}
    for metric, key in names.items():
        value = plain(row[metric])
        if value is None or value == 0:
            continue
        out[key] = round(float(value), 4) if isinstance(value, float) and value % 1 else int(value)
    return out


class _History:
    """The app's whole history (or today) and how to query it."""

    def __init__(self, wb, site: dict[str, object], req: Request) -> None:
        self.wb, self.site_id = wb, str(site["site_id"])
        self.zone = str(site["time_zone"])
        now = countly.now(wb, req, self.zone)
        today = local_date(now, self.zone)
        first = today if req.param("action") == "refresh" else self._first_day(today)
        self.interval = Interval.from_dates(first, today, self.zone)

    def _first_day(self, today: dt.date) -> dt.date:
        span = Interval(EPOCH, Interval.from_dates(today, today, self.zone).end, "UTC")
        frame = self.query(span, table="sessions", metrics=("first_seen",))
        first = frame["first_seen"].iloc[0]
        return (
            today
            if first is None or pd.isna(first)
            else local_date(first.to_pydatetime(), self.zone)
        )

    def query(self, interval: Interval | None = None, **parts: object) -> pd.DataFrame:
        q = Query(interval or self.interval, sites=(self.site_id,), **parts)
        return self.wb.query(q).frame

    def levels(self, metrics: dict[str, str], levels=LEVELS, by: str | None = None, **parts):
        """(level, rows) for each level: the metrics per bucket (and per ``by`` value)."""
        for level in levels:
            dims = (by,) if by else ()
            yield (
                level,
                self.query(granularity=level, dimensions=dims, metrics=tuple(metrics), **parts),
            )


def time_object(
    history: _History,
    *,
    breakdowns: dict[str, tuple[str, Callable[[object], str]]] | None = None,
    buckets: dict[str, str] | None = None,
    weeks: bool = True,
) -> tuple[dict, dict[str, list[str]]]:
    """The nested counters, plus breakdowns (meta name → (dimension, key function)) and
    buckets (Countly key → dimension of range indices). Returns the tree and the meta."""
    tree: dict = {}
    for level, rows in history.levels(COUNTERS):
        for row in rows.to_dict("records"):
            _node(tree, _path(row[BUCKET], level)).update(_counters(row, COUNTERS))
    if weeks:
        for row in history.query(granularity="week", metrics=("users",)).to_dict("records"):
            year, week, _ = row[BUCKET].isocalendar()
            if row["users"]:
                tree.setdefault(str(year), {})[f"w{week}"] = {"u": int(row["users"])}
    meta: dict[str, list[str]] = {}
    for name, (dim, key_of) in (breakdowns or {}).items():
        seen: dict[str, None] = {}
        for level, rows in history.levels(BREAKDOWN, ("year", "month", "day"), by=dim):
            for row in rows.to_dict("records"):
                key = key_of(row[dim])
                seen[key] = None
                _node(tree, [*_path(row[BUCKET], level), key]).update(_counters(row, BREAKDOWN))
        meta[name] = list(seen)
    for path, key, value, sessions in _bucket_counts(history, buckets or {}):
        _node(tree, [*path, key])[value] = sessions
    return tree, meta


def _bucket_counts(history: _History, buckets: dict[str, str]):
    """(path, Countly key, range index, sessions) at the year, month and day levels, from one
    daily query over every bucket dimension (session counts add up; larger counts first)."""
    if not buckets:
        return
    rows = history.query(
        granularity="day", dimensions=tuple(buckets.values()), metrics=("sessions",)
    )
    for level in ("year", "month", "day"):
        paths = rows[BUCKET].map(lambda moment, level=level: tuple(_path(moment, level)))
        for key, dim in buckets.items():
            known = rows[dim].notna()
            sums = rows[known].groupby([paths[known], rows.loc[known, dim].astype(int)])["sessions"]
            counted = sums.sum().reset_index(name="n")
            counted.columns = ["path", "value", "n"]
            order = counted.sort_values(["n", "value"], ascending=[False, True], kind="stable")
            for path, value, n in order.itertuples(index=False):
                yield list(path), key, str(int(value)), int(n)


def _plain_key(value: object) -> str:
    value = plain(value)
    return "Unknown" if value is None else str(value)


def _version_key(value: object) -> str:
    return _plain_key(value).replace(".", ":")


def _sessions(history: _History, req: Request) -> dict:
    tree, meta = time_object(
        history,
        breakdowns={"countries": ("country_code", _plain_key)},
        buckets={"f": "frequency_bucket", "l": "loyalty_bucket", "ds": "duration_bucket"},
    )
    tree["meta"] = {
        "f-ranges": [str(i) for i in range(len(FREQUENCY_RANGES))],
        "l-ranges": [str(i) for i in range(len(LOYALTY_RANGES))],
        "d-ranges": [str(i) for i in range(len(DURATION_RANGES))],
        "countries": meta["countries"],
    }
    return tree


def _breakdown(name: str, dim: str, key_of=_plain_key):
    def method(history: _History, req: Request) -> dict:
        tree, meta = time_object(history, breakdowns={name: (dim, key_of)}, weeks=False)
        tree["meta"] = meta
        return tree

    return method


def _device_details(history: _History, req: Request) -> dict:
    os_of = dict(
        history.query(dimensions=("os_version", "os"), metrics=("sessions",))[
            ["os_version", "os"]
        ].values
    )

    def os_version_key(version: object) -> str:
        initial = _plain_key(os_of.get(version, ""))[:1].lower()
        return initial + _version_key(version)

    tree, meta = time_object(
        history,
        breakdowns={
            "os": ("os", _plain_key),
            "os_versions": ("os_version", os_version_key),
            "resolutions": ("screen_resolution", _plain_key),
        },
        weeks=False,
    )
    tree["meta"] = meta
    return tree


def _event_keys(history: _History) -> list[str]:
    frame = history.query(table="events", dimensions=("key",), metrics=("events",))
    return [k for k in frame.sort_values("key")["key"] if isinstance(k, str)]


def _events(history: _History, req: Request) -> dict:
    keys = _event_keys(history)
    wanted = _json_list(req.param("events"))
    if wanted is None:
        wanted = [req.param("event") or (keys[0] if keys else "")]
    where = f.In("key", tuple(wanted)) if wanted else f.Or(())  # events=[]: no event
    segment = req.param("segmentation")
    by = f"segmentation.{segment}" if segment else None
    tree: dict = {}
    values: dict[str, None] = {}
    levels = LEVELS[:-1] if by else LEVELS  # segments are kept per day, as Countly does
    for level, rows in history.levels(EVENT_COUNTERS, levels, by=by, table="events", filter=where):
        for row in rows.to_dict("records"):
            path = _path(row[BUCKET], level)
            if by:
                values[_plain_key(row[by])] = None
                path = [*path, _plain_key(row[by])]
            _node(tree, path).update(_counters(row, EVENT_COUNTERS))
    segments = _segments(history, where)
    tree["meta"] = {"segments": segments, **({segment: list(values)} if segment else {})}
    return tree


def _segments(history: _History, where: f.Filter | None) -> list[str]:
    """Segmentation keys used by the events ``where`` selects."""
    frame = history.query(table="events", dimensions=("key",), metrics=("events",), filter=where)
    keys = [k for k in frame["key"] if isinstance(k, str)]
    names = _segment_names(history, keys)
    return list(dict.fromkeys(name for key in keys for name in names.get(key, [])))


def _segment_names(history: _History, keys: list[str]) -> dict[str, list[str]]:
    """Each event key's segmentation keys, in order, from one scan of the app's events."""
    if not keys:
        return {}
    rows = history.wb.sql(
        "SELECT DISTINCT key, unnest(map_keys(segmentation)) AS name FROM events "
        "WHERE site_id = $site AND list_contains($keys, key) ORDER BY key, name",
        {"site": history.site_id, "keys": keys},
    )
    found: dict[str, list[str]] = {}
    for key, name in rows.itertuples(index=False):
        found.setdefault(key, []).append(name)
    return found


def _get_events(history: _History, req: Request) -> dict:
    keys = _event_keys(history)
    names = _segment_names(history, keys)
    return {"list": keys, "segments": {key: names.get(key, []) for key in keys}, "limits": LIMITS}


def _json_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid("events", text, 'a JSON array of event keys, e.g. ["purchase"]')
    return value


METHODS: dict[str, Callable[[_History, Request], dict]] = {
    "sessions": _sessions,
    "users": _sessions,
    "locations": _sessions,
    "carriers": _breakdown("carriers", "carrier"),
    "devices": _breakdown("devices", "device"),
    "app_versions": _breakdown("app_versions", "app_version", _version_key),
    "device_details": _device_details,
    "events": _events,
    "get_events": _get_events,
}


@route("/o")
@countly.answer
def read(wb, req: Request) -> Response:
    """Countly's v1 read API."""
    site = countly.app(wb, req)
    method = req.param("method")
    if method not in METHODS:
        raise countly.CountlyError(400, "Invalid method")
    return countly.respond(req, 200, METHODS[method](_History(wb, site, req), req))
