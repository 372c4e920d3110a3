"""Shared pieces of the documented example fixtures: specs, stable draws, places, rows → tables."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import random
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from workbench.errors import WorkbenchError
from workbench.model import EVENTS, SESSIONS, conform
from workbench.paths import FIXTURES

Row = dict[str, Any]

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def load_spec(name: str) -> dict[str, Any]:
    """The committed fixture spec ``sample_data/fixtures/<name>``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Draw:
    """Deterministic draws built only on ``random.Random.random()``.

    Python guarantees that stream for an integer seed across versions; its other methods
    (``choice``, ``randrange``, ``shuffle``) may change, so none of them is used.
    """

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed).random

    def unit(self) -> float:
        return self._random()

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return min(int(self._random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high)."""
        return low + self.below(max(1, high - low))

    def chance(self, p: float) -> bool:
        return self._random() < p

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.below(len(items))]

    def weighted(self, items: Sequence[Any], weights: Sequence[float]) -> Any:
        target = self._random() * sum(weights)
        for item, weight in zip(items, weights, strict=True):
            target -= weight
            if target < 0:
                return item
        return items[-1]


def utc(ms: int) -> dt.datetime:
    """The UTC instant ``ms`` milliseconds after the epoch."""
    return EPOCH + dt.timedelta(milliseconds=ms)


def local_ms(day: str, zone: str, clock: str = "00:00:00.000") -> int:
    """Epoch milliseconds of wall-clock ``day clock`` in ``zone`` ("24:00" means next midnight)."""
    hms, _, frac = clock.partition(".")
    parts = [int(p) for p in hms.split(":")] + [0, 0]
    extra = dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])
    midnight = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), ZoneInfo(zone))
    wall = midnight.replace(tzinfo=None) + extra
    instant = wall.replace(tzinfo=ZoneInfo(zone))
    return int(instant.timestamp()) * 1000 + int((frac + "000")[:3])


def spread(start_ms: int, end_ms: int, n: int) -> list[int]:
    """``n`` instants from ``start_ms`` to ``end_ms`` inclusive, evenly spaced."""
    if n == 1:
        return [start_ms]
    return [start_ms + round(i * (end_ms - start_ms) / (n - 1)) for i in range(n)]


def referrer_domain(url: str | None) -> str | None:
    """Host of ``url`` without a leading 'www.' (the canonical referrer_domain)."""
    if not url:
        return None
    host = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].lower()
    return host.removeprefix("www.")


# --- places: the reference cities (workbench.reference, written alongside) ---------------


@functools.cache
def _cities() -> list[Row]:
    from workbench import reference

    frame = reference.cities()
    rows = frame.to_dict("records")
    rows.sort(key=lambda r: (r["country_code"], -int(r["population"]), int(r["geonameid"])))
    return rows


@functools.cache
def _countries() -> dict[str, Row]:
    from workbench import reference

    return {r["code"]: r for r in reference.countries().to_dict("records")}


def country_cities(country_code: str, limit: int = 20) -> list[Row]:
    """The ``limit`` most populous reference cities of a country (maybe none, e.g. XK)."""
    return [r for r in _cities() if r["country_code"] == country_code][:limit]


def find_city(country_code: str, city: str) -> Row:
    """The most populous reference city called ``city`` in a country."""
    for row in _cities():
        if row["country_code"] == country_code and row["city"] == city:
            return row
    raise WorkbenchError(
        "unknown_city", f"fixture city {city!r} ({country_code}) is not in the reference cities"
    )


def _known(value: Any) -> Any:
    """None for a missing reference value (None, '', NaN)."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def place_fields(city: Row | None, country_code: str) -> Row:
    """The sessions' geography columns for a reference city (or the country's centre)."""
    if city is None:
        country = _countries().get(country_code, {})
        return {
            "latitude": _known(country.get("latitude")),
            "longitude": _known(country.get("longitude")),
        }
    region = _known(city["region_code"])
    if region is not None:
        region = str(region).removeprefix(f"{country_code}-")
    return {
        "region_code": region,
        "region_name": _known(city["region_name"]),
        "city": city["city"],
        "latitude": float(city["latitude"]),
        "longitude": float(city["longitude"]),
        "geo_time_zone": _known(city["time_zone"]),
    }


def country_name(country_code: str) -> str:
    """The reference name of a country."""
    return str(_countries()[country_code]["name"])


# --- rows → events and tables ----------------------------------------------------------


def page_fields(urls: Sequence[str], titles: dict[str, str]) -> Row:
    """Entry/exit page columns and page counts of a visit through ``urls``."""
    return {
        "entry_url": urls[0],
        "entry_title": titles.get(urls[0]),
        "exit_url": urls[-1],
        "exit_title": titles.get(urls[-1]),
        "pageviews": len(urls),
        "distinct_urls": len(set(urls)),
    }


def pageview_events(
    session: Row,
    urls: Sequence[str],
    times_ms: Sequence[int],
    titles: dict[str, str],
    event_ids: Sequence[str] | None = None,
) -> list[Row]:
    """One ``pageview`` event per URL (see ``action_events``)."""
    actions = [(ts, "pageview", url) for ts, url in zip(times_ms, urls, strict=True)]
    return action_events(session, actions, titles, event_ids)


def numbered_visits(
    visits: list, prefix: str, width: int, titles: dict[str, str]
) -> tuple[list[Row], list[Row]]:
    """(session, urls, times) visits in start order: session ids, first_session_id, pageviews."""
    visits.sort(key=lambda v: (v[0]["start_ts"], v[0]["visitor_id"]))
    sessions, events, first_ids = [], [], {}
    for n, (session, urls, times) in enumerate(visits, start=1):
        session["session_id"] = f"{prefix}-s{n:0{width}d}"
        if session["visit_number"] == 1:
            first_ids[session["visitor_id"]] = session["session_id"]
        sessions.append(session)
        events += pageview_events(session, urls, times, titles)
    for session in sessions:
        session["first_session_id"] = first_ids.get(session["visitor_id"])
    return sessions, events


def action_events(
    session: Row,
    actions: Sequence[tuple[int, str, str]],
    titles: dict[str, str],
    event_ids: Sequence[str] | None = None,
) -> list[Row]:
    """Events of ``(ts_ms, type, url)`` actions; a pageview's referrer is the visit's for the
    first page, else the previous page. Ids default to ``<session_id>-<seq>``."""
    events = []
    previous = session.get("referrer_url")
    for seq, (ts, kind, url) in enumerate(actions, start=1):
        events.append(
            {
                "site_id": session["site_id"],
                "session_id": session["session_id"],
                "visitor_id": session["visitor_id"],
                "event_id": event_ids[seq - 1] if event_ids else f"{session['session_id']}-{seq}",
                "ts": utc(ts),
                "seq": seq,
                "type": kind,
                "url": url,
                "title": titles.get(url),
                "referrer_url": previous if kind == "pageview" else None,
                "count": 1,
            }
        )
        if kind == "pageview":
            previous = url
    return events


def _table(name: str, rows: list[Row]) -> pa.Table:
    spec = {"sessions": SESSIONS, "events": EVENTS}[name]
    unknown = sorted({k for r in rows for k in r} - set(spec.names))
    if unknown:
        raise WorkbenchError("unknown_column", f"fixture {name}: unknown column(s) {unknown}")
    return conform(name, pa.Table.from_pylist(rows, schema=spec.schema))


def to_tables(sessions: list[Row], events: list[Row]) -> dict[str, pa.Table]:
    """Canonical ``sessions`` and ``events`` tables of fixture rows, sorted by time."""
    sessions = sorted(sessions, key=lambda r: (r["start_ts"], r["session_id"]))
    events = sorted(events, key=lambda r: (r["ts"], r["session_id"], r["seq"]))
    return {"sessions": _table("sessions", sessions), "events": _table("events", events)}
