"""Countly's read API v2 (seed 002): ``/o/analytics/dashboard`` and ``/o/analytics/countries``.

Each answers ``30days``, ``7days`` and ``today`` (local days of the app, ending today).
Decisions where the document is silent (README "Vendor APIs"):

- A Y object is ``{total, change, trend}``: ``change`` is the relative change against the
  span of equal length just before, as ``"-24.6%"`` (``"NA"`` when that span had none),
  ``trend`` is ``u`` (up or flat) or ``d``. Users are exact distinct counts (Countly's
  own are estimates for 7 and 30 days).
- ``total_time`` and ``avg_time`` are minutes (one decimal), ``avg_requests`` is actions
  per session (one decimal).
- A Z array lists the top 3 values by sessions as ``{name, value, percent}``, ``percent``
  of all sessions to one decimal; ``users`` splits the users into New and Returning.
- ``period`` reads ``"19 Jan - 17 Feb"`` (``today``: ``"17 Feb"``).
- ``/o/analytics/countries`` lists at most 10 countries by sessions as ``{country, code,
  t, u, n}`` with the lower-case ISO code.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from workbench.api import Request, Response, route
from workbench.dialects import countly
from workbench.query import Order, Query
from workbench.reports import previous_interval
from workbench.timeframe import Interval, local_date
from workbench.values import plain

PERIODS = {"30days": 30, "7days": 7, "today": 1}
TOTALS = {  # Y object -> (metric, scale)
    "total_sessions": ("sessions", None),
    "total_users": ("users", None),
    "new_users": ("new_users", None),
    "total_time": ("total_duration", 60),
    "avg_time": ("avg_duration", 60),
    "avg_requests": ("actions_per_session", 1),
}
TOP = {"platforms": "os", "resolutions": "screen_resolution", "carriers": "carrier"}


def _one_decimal(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _spans(wb, req: Request, site: dict[str, object]):
    zone = str(site["time_zone"])
    today = local_date(countly.now(wb, req, zone), zone)
    for name, days in PERIODS.items():
        yield name, Interval.from_dates(today - dt.timedelta(days=days - 1), today, zone)


def _totals(wb, site_id: str, span: Interval) -> dict[str, object]:
    metrics = tuple(m for m, _ in TOTALS.values())
    now = wb.query(Query(span, sites=(site_id,), metrics=metrics)).frame.iloc[0]
    was = wb.query(Query(previous_interval(span), sites=(site_id,), metrics=metrics)).frame.iloc[0]
    out = {}
    for name, (metric, scale) in TOTALS.items():
        current, previous = _number(now[metric]), _number(was[metric])
        total = current if scale is None else _one_decimal(current / scale)
        out[name] = {"total": total, **_change(current, previous)}
    return out


def _number(value: object) -> float | int:
    value = plain(value)
    if value is None:
        return 0
    return int(value) if float(value).is_integer() else float(value)


def _change(current: float, previous: float) -> dict[str, str]:
    if not previous:
        return {"change": "NA", "trend": "u"}
    change = _one_decimal((current - previous) / previous * 100)
    return {"change": f"{change:.1f}%", "trend": "u" if change >= 0 else "d"}


def _top(wb, site_id: str, span: Interval) -> dict[str, list[dict[str, object]]]:
    out = {}
    for name, dim in TOP.items():
        frame = wb.query(
            Query(
                span,
                sites=(site_id,),
                dimensions=(dim,),
                metrics=("sessions",),
                order=(Order("sessions", True), Order(dim)),
            )
        ).frame
        total = int(frame["sessions"].sum())
        out[name] = [
            {
                "name": "Unknown" if plain(row[dim]) is None else str(row[dim]),
                "value": int(row["sessions"]),
                "percent": _one_decimal(row["sessions"] * 100 / total),
            }
            for row in frame.head(3).to_dict("records")
        ]
    users = wb.query(Query(span, sites=(site_id,), metrics=("new_users", "returning_users"))).frame
    new, returning = int(users["new_users"][0]), int(users["returning_users"][0])
    both = new + returning
    out["users"] = [
        {
            "name": label,
            "value": value,
            "percent": _one_decimal(value * 100 / both) if both else 0.0,
        }
        for label, value in (("New", new), ("Returning", returning))
    ]
    return out


def _period(span: Interval) -> str:
    first = span.local_start.date()
    last = (span.end.astimezone(span.tz) - dt.timedelta(milliseconds=1)).date()
    label = f"{first.day} {first:%b}"
    return label if first == last else f"{label} - {last.day} {last:%b}"


@route("/o/analytics/dashboard")
@countly.answer
def dashboard(wb, req: Request) -> Response:
    """Today, 7 and 30 days: totals with change and trend, and the top values."""
    site = countly.app(wb, req)
    site_id = str(site["site_id"])
    doc = {
        name: {
            "dashboard": _totals(wb, site_id, span),
            "top": _top(wb, site_id, span),
            "period": _period(span),
        }
        for name, span in _spans(wb, req, site)
    }
    return countly.respond(req, 200, doc)


@route("/o/analytics/countries")
@countly.answer
def countries(wb, req: Request) -> Response:
    """Today, 7 and 30 days: the top 10 countries with sessions, users and new users."""
    site = countly.app(wb, req)
    site_id = str(site["site_id"])
    doc = {}
    for name, span in _spans(wb, req, site):
        q = Query(
            span,
            sites=(site_id,),
            dimensions=("country_name", "country_code"),
            metrics=("sessions", "users", "new_users"),
            order=(Order("sessions", True), Order("country_code")),
            limit=10,
        )
        doc[name] = [
            {
                "country": plain(row["country_name"]) or "Unknown",
                "code": (plain(row["country_code"]) or "unknown").lower(),
                "t": int(row["sessions"]),
                "u": int(row["users"]),
                "n": int(row["new_users"]),
            }
            for row in wb.query(q).frame.to_dict("records")
        ]
    return countly.respond(req, 200, doc)
