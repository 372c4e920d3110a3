"""One Clicky request's context: its site, clock, presentation parameters and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from workbench.api import Request
from workbench.dialects import clicky_types as types
from workbench.errors import WorkbenchError
from workbench.query import Query
from workbench.timeframe import Interval, clicky_range

DEFAULT_LIMIT, MAX_LIMIT, ALL_LIMIT = 50, 1000, 5000
MAX_DAYS, LIMITED_DAYS = 366, 31
MAX_OFFSET = 86_400
STATS = "https://clicky.com/stats/"
HISTORY_START = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
CUSTOM_KEYS = ("username", "email")
VISITOR_FIELDS = (
    "time",
    "time_pretty",
    "time_total",
    "ip_address",
    "session_id",
    "actions",
    "total_visits",
    "first_visit",
    "web_browser",
    "operating_system",
    "screen_resolution",
    "javascript",
    "language",
    "referrer_url",
    "referrer_domain",
    "referrer_search",
    "referrer_type",
    "geolocation",
    "latitude",
    "longitude",
    "hostname",
    "organization",
    "campaign",
    "goals",
    "custom",
    "stats_url",
)
VISITOR_COLUMNS = (
    "start_ts",
    "duration_s",
    "ip_address",
    "session_id",
    "actions",
    "visit_number",
    "first_visit_ts",
    "first_session_id",
    "browser",
    "os",
    "screen_resolution",
    "javascript",
    "language",
    "referrer_url",
    "referrer_domain",
    "search_term",
    "referrer_type",
    "city",
    "region_name",
    "country_name",
    "country_code",
    "latitude",
    "longitude",
    "hostname",
    "organization",
    "campaign",
    *(f"property.{k}" for k in CUSTOM_KEYS),
)


class ClickyError(Exception):
    """A request Clicky refuses, answered as its documented error with ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Context:
    """One request's site, clock and presentation parameters."""

    wb: object
    req: Request
    site_id: str
    clicky_id: str
    zone: str
    now: dt.datetime
    today: dt.date
    limit: int = DEFAULT_LIMIT
    page: int = 1
    daily: bool = False
    hourly: bool = False
    trends: bool = False
    item: str | None = None
    filter: str | None = None
    null_values: bool = False
    multi_values: bool = False
    cache: dict = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def query(self, interval: Interval, **parts) -> pd.DataFrame:
        return self.wb.query(Query(interval, sites=(self.site_id,), **parts)).frame


# -- dates --------------------------------------------------------------------------------


def span(ctx: Context, max_days: int) -> tuple[dt.date, dt.date]:
    """The requested dates; invalid, too long or ending before it starts: today."""
    expr = ctx.req.param("date", "today")
    try:
        first, last = clicky_range(expr.strip().lower(), ctx.today)
    except WorkbenchError:
        return ctx.today, ctx.today
    if (last - first).days + 1 > max_days:
        return ctx.today, ctx.today
    return first, last


def type_interval(ctx: Context, name: str) -> tuple[Interval, list[dt.date]]:
    max_days = LIMITED_DAYS if name in types.LIMITED else MAX_DAYS
    first, last = span(ctx, max_days)
    interval = Interval.from_dates(first, last, ctx.zone)
    return interval, [last - dt.timedelta(days=i) for i in range((last - first).days + 1)]


def date_label(days: list[dt.date]) -> str:
    first, last = min(days), max(days)
    return first.isoformat() if first == last else f"{first.isoformat()},{last.isoformat()}"
