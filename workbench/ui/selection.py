"""The app's global filters and geography drill-down as URL query parameters: parse, write back.

Pure (no Streamlit): a page reads ``st.query_params`` into a frozen ``Selection`` and
``Drill`` with ``parse``, and writes them back with ``to_params``, so any view is a link.
Bad values never raise: they fall back to the default and are reported as ``problems``.

Parameters: ``site`` (comma-separated site ids), ``period`` (``1d``, ``7d``, ``30d``,
``90d`` or ``custom`` with ``from`` and ``to`` as ``YYYY-MM-DD``), ``tz`` (an IANA zone;
default the first site's), ``bots=1`` (include bot sessions), ``compare=1`` (beside the
previous period), and the drill-down ``country``, ``region``, ``city``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from workbench.errors import WorkbenchError
from workbench.timeframe import Interval, zone

PERIODS = {"1d": "today", "7d": "last 7 days", "30d": "last 30 days", "90d": "last 90 days"}
CUSTOM = "custom"
DEFAULT_PERIOD = "30d"
FLAGS = {"1": True, "true": True, "0": False, "false": False}
LEVELS = ("country", "region", "city", "sessions")  # what a drill-down shows, world first


@dataclass(frozen=True)
class Selection:
    """The global filters every page applies."""

    sites: tuple[str, ...]
    period: str = DEFAULT_PERIOD  # a key of PERIODS, or CUSTOM with first/last
    first: dt.date | None = None
    last: dt.date | None = None
    zone: str | None = None  # None: the first site's time zone
    include_bots: bool = False
    compare: bool = False

    def days(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last local dates covered: relative periods end with ``today``."""
        if self.period == CUSTOM and self.first and self.last:
            return self.first, self.last
        count = int(self.period.removesuffix("d"))
        return today - dt.timedelta(days=count - 1), today

    def time_zone(self, site_zones: Mapping[str, str]) -> str:
        return self.zone or site_zones[self.sites[0]]

    def interval(self, site_zones: Mapping[str, str], today: dt.date) -> Interval:
        first, last = self.days(today)
        return Interval.from_dates(first, last, self.time_zone(site_zones))


@dataclass(frozen=True)
class Drill:
    """Where the geography view is: the world, a country, a region of it, or a city."""

    country: str | None = None
    region: str | None = None
    city: str | None = None

    @property
    def level(self) -> str:
        """What the view lists: countries, regions, cities, or one city's sessions."""
        return LEVELS[sum(1 for part in (self.country, self.region, self.city) if part)]

    def into(self, code: str) -> Drill:
        """One level down, into the row whose code (a city's name) is ``code``."""
        if self.country is None:
            return Drill(code)
        if self.region is None:
            return Drill(self.country, code)
        return Drill(self.country, self.region, code)

    def up_to(self, level: str) -> Drill:
        """Back up to the view listing ``level`` (a breadcrumb click)."""
        keep = LEVELS.index(level)
        parts = (self.country, self.region, self.city)
        return Drill(*(p if i < keep else None for i, p in enumerate(parts)))


@dataclass(frozen=True)
class Parsed:
    selection: Selection
    drill: Drill
    problems: tuple[str, ...] = ()  # one message per value that was ignored


def parse(params: Mapping[str, str], site_zones: Mapping[str, str]) -> Parsed:
    """The Selection and Drill in ``params``; ``site_zones`` maps every site id to its zone."""
    problems: list[str] = []
    sites = _sites(params.get("site", ""), site_zones, problems)
    period, first, last = _period(params, problems)
    tz = params.get("tz") or None
    if tz is not None:
        try:
            zone(tz, param="tz")
        except WorkbenchError as error:
            problems.append(error.message)
            tz = None
    bots = _flag(params, "bots", problems)
    compare = _flag(params, "compare", problems)
    selection = Selection(sites, period, first, last, tz, bots, compare)
    return Parsed(selection, _drill(params, problems), tuple(problems))


def to_params(selection: Selection, drill: Drill = Drill()) -> dict[str, str]:
    """The query parameters of a view (defaults left out, so links stay short)."""
    out = {"site": ",".join(selection.sites), "period": selection.period}
    if selection.period == CUSTOM and selection.first and selection.last:
        out["from"], out["to"] = selection.first.isoformat(), selection.last.isoformat()
    if selection.zone:
        out["tz"] = selection.zone
    if selection.include_bots:
        out["bots"] = "1"
    if selection.compare:
        out["compare"] = "1"
    parts = {"country": drill.country, "region": drill.region, "city": drill.city}
    out.update({k: v for k, v in parts.items() if v})
    return out


def _sites(text: str, site_zones: Mapping[str, str], problems: list[str]) -> tuple[str, ...]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in site_zones]
    if unknown:
        problems.append(
            f"site: {', '.join(map(repr, unknown))} not found; expected one of "
            f"{', '.join(site_zones)}"
        )
    known = tuple(dict.fromkeys(s for s in names if s in site_zones))
    return known or (next(iter(site_zones)),)


def _period(
    params: Mapping[str, str], problems: list[str]
) -> tuple[str, dt.date | None, dt.date | None]:
    period = params.get("period") or DEFAULT_PERIOD
    if period in PERIODS:
        return period, None, None
    if period != CUSTOM:
        valid = ", ".join([*PERIODS, CUSTOM])
        problems.append(f"period: {period!r} is not a period; expected one of {valid}")
        return DEFAULT_PERIOD, None, None
    first, last = _date(params, "from", problems), _date(params, "to", problems)
    if first is None or last is None:
        return DEFAULT_PERIOD, None, None
    if last < first:
        problems.append(f"to: {last} is before from: {first}; expected a range forwards")
        return DEFAULT_PERIOD, None, None
    return CUSTOM, first, last


def _date(params: Mapping[str, str], name: str, problems: list[str]) -> dt.date | None:
    text = params.get(name, "")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{name}: {text!r} is not a date; expected YYYY-MM-DD for a custom period")
        return None


def _flag(params: Mapping[str, str], name: str, problems: list[str]) -> bool:
    text = params.get(name, "0").lower()
    if text in FLAGS:
        return FLAGS[text]
    problems.append(f"{name}: {text!r} is not a switch; expected 1 or 0")
    return False


def _drill(params: Mapping[str, str], problems: list[str]) -> Drill:
    country, region, city = (params.get(k) or None for k in ("country", "region", "city"))
    if city and not region:
        problems.append("city: needs a region (and a country); showing the region level")
        city = None
    if region and not country:
        problems.append("region: needs a country; showing the world")
        region = city = None
    return Drill(country.upper() if country else None, region, city)
