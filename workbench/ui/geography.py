"""The geography view's data, without Streamlit: its report, table, names and vendor URL.

``locations`` runs ``reports.top_locations`` (beside the previous period when asked) for a
Selection and a Drill; ``view_table`` shapes it for the screen and the CSV export (unknown
location a row of its own, a totals row last); ``opentracker_url`` is the same view as
Opentracker's documented request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from workbench import filters as f
from workbench import reference
from workbench.core import Workbench
from workbench.errors import WorkbenchError
from workbench.query import Result
from workbench.reports import compare, session_list, top_locations
from workbench.timeframe import Interval
from workbench.ui.selection import Drill, Selection

NAME = {"country": "country_name", "region": "region_name", "city": "city"}
CODE = {"country": "country_code", "region": "region_code", "city": "city"}
UNKNOWN = "Unknown location"
TOTAL = "Total"
METRICS = ("users", "sessions", "share")
OPENTRACKER_PATH = "/api/location/top_country_region_city.jsp"


def locations(wb: Workbench, selection: Selection, drill: Drill, interval: Interval) -> Result:
    """The rows of the drill's level (cities for a city's view), compared if asked."""
    level = drill.level if drill.level != "sessions" else "city"
    arguments = {
        "level": level,
        "sites": selection.sites,
        "country": drill.country,
        "region": drill.region,
        "where": selection.where,
        "include_bots": selection.include_bots,
    }
    if selection.compare:
        return compare(wb, top_locations, interval, **arguments)
    return top_locations(wb, interval, **arguments)


def city_sessions(
    wb: Workbench, selection: Selection, drill: Drill, interval: Interval, limit: int = 100
) -> Result:
    """The newest sessions of the drill's city (in the selection's segment)."""
    where = f.all_of(
        selection.where,
        f.Eq("country_code", drill.country),
        f.Eq("region_code", drill.region),
        f.Eq("city", drill.city),
    )
    return session_list(
        wb,
        interval,
        sites=selection.sites,
        where=where,
        limit=limit,
        include_bots=selection.include_bots,
    )


@dataclass(frozen=True)
class ViewTable:
    """The table on screen: ``frame`` (totals last) and each row's drill code (None: none)."""

    frame: pd.DataFrame
    codes: tuple[str | None, ...]


def view_table(result: Result, level: str) -> ViewTable:
    """Location, code, users, sessions, share (and previous/change when compared), a flag
    for countries, visits of unknown location as their own row, a totals row last."""
    rows = result.frame
    name, code = NAME[level], CODE[level]
    out = pd.DataFrame({"location": rows[name].astype(object), "code": rows[code].astype(object)})
    unknown = rows[code].isna()
    out.loc[unknown, "location"] = UNKNOWN
    if level == "country":
        out.insert(0, "flag", [flag(c) for c in out["code"]])
    extra = [c for c in rows.columns if c.endswith(("_previous", "_change"))]
    for column in (*METRICS, *extra):
        out[column] = rows[column]
    out = pd.concat([out, _totals(out, level)], ignore_index=True)
    codes = (*(None if pd.isna(c) else str(c) for c in out["code"][:-1]), None)
    if level == "city":
        out = out.drop(columns="code")
    return ViewTable(out, codes)


def _totals(out: pd.DataFrame, level: str) -> pd.DataFrame:
    total = {"location": TOTAL, "code": None, "users": out["users"].sum()}
    total["sessions"] = out["sessions"].sum()
    total["share"] = 1.0 if total["users"] else 0.0
    for base in ("users", "sessions"):
        if f"{base}_previous" in out:
            was = out[f"{base}_previous"].sum()
            total[f"{base}_previous"] = was
            total[f"{base}_change"] = (total[base] - was) / was if was else None
    if "share_previous" in out:
        total["share_previous"] = 1.0
    if level == "country":
        total["flag"] = ""
    return pd.DataFrame([total], columns=out.columns)


def flag(code: object) -> str:
    """The emoji flag of an ISO 3166-1 alpha-2 code ("" for unknown locations)."""
    if not isinstance(code, str) or len(code) != 2 or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code.upper())


def place_name(drill: Drill, level: str) -> str:
    """The name of the drill's country, region or city, for the breadcrumb."""
    if level == "country":
        return _country_name(drill.country)
    if level == "region":
        regions = reference.regions(drill.country) if _known_country(drill.country) else None
        if regions is not None:
            match = regions[regions["region_code"] == drill.region]
            if not match.empty:
                return str(match.iloc[0]["region_name"])
        return str(drill.region)
    return str(drill.city)


def _known_country(code: str | None) -> bool:
    return code is not None and code in set(reference.countries()["code"])


def _country_name(code: str | None) -> str:
    return reference.country_name(code) if _known_country(code) else str(code)


def opentracker_url(
    selection: Selection,
    drill: Drill,
    site_ids: Mapping[str, str | None],
    zone: str,
    today: dt.date,
    data_type: str = "json",
) -> str:
    """The Opentracker request for the same view (``site_ids``: site -> opentracker_site).

    Raises when a selected site has no Opentracker identity. Opentracker's list leaves bot
    sessions out and has no previous-period comparison; it carries the segment only when
    ``opentracker_segment`` can express it.
    """
    missing = [s for s in selection.sites if not site_ids.get(s)]
    if missing:
        raise WorkbenchError(
            "no_opentracker_site",
            f"site: {', '.join(missing)} has no Opentracker identity; the Opentracker format "
            "needs sites that have one",
        )
    first, last = selection.days(today)
    level = drill.level if drill.level != "sessions" else "city"
    params = {
        "site": ",".join(str(site_ids[s]) for s in selection.sites),
        "detailLevel": level,
        "countryCode": drill.country,
        "regionCode": drill.region,
        "period": f"{(last - first).days + 1}d",
        "date": last.isoformat(),
        "timeZone": zone,
        "dataType": data_type,
        **(opentracker_segment(selection) or {}),
    }
    return f"{OPENTRACKER_PATH}?{urlencode({k: v for k, v in params.items() if v})}"


def opentracker_segment(selection: Selection) -> dict[str, str] | None:
    """Opentracker's ``segment``/``filter`` for the selection's segment, if they can carry it.

    They name one custom property and one of its values, so only a segment that is exactly
    ``property.KEY=value`` travels; None for any other (the export is then unsegmented).
    """
    if len(selection.segment) != 1:
        return None
    condition = selection.segment[0]
    key = condition.field.removeprefix("property.")
    simple = condition.op == "=" and len(condition.values) == 1 and key != condition.field
    value = condition.values[0] if simple else ""
    if not simple or value in ("", "none", "showAllSorts") or "*" in value or "?" in value:
        return None
    return {"segment": key, "filter": value}
