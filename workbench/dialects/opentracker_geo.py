"""Opentracker's top countries, regions and cities (seed 000): parameters in, rows out.

The rules read off the documented example (all 98 rows): ``graph`` is ``|`` repeated
max(1, round(20 x users / users of the top row)); ``percentage`` is users over the total
users to one decimal; the totals row has empty ``No.``, name and code, grouped numbers
and ``100%``. Rounding is half up, as Java's. Decisions where the document is silent:
``flag`` is empty (as in every documented row); a city row's ``code`` is empty; visits
whose location is unknown are the row ``Unknown`` with an empty code; ``segment`` names a
custom property and ``filter`` one of its values (``none`` and ``showAllSorts``: all).
"""

from __future__ import annotations

from decimal import Decimal

from workbench import filters as f
from workbench.api import Request, Response, route
from workbench.dialects import opentracker as ot
from workbench.dialects.opentracker_formats import DATA_TYPES, Listing, render
from workbench.errors import invalid
from workbench.reports import top_locations
from workbench.timeframe import opentracker_interval
from workbench.timeframe import zone as zone_info

FIELDS = (
    "No.",
    "flag",
    "country / region / city",
    "code",
    "users",
    "graph",
    "percentage",
    "sessions",
)
LEVELS = ("country", "region", "city")
NAME = {"country": "country_name", "region": "region_name", "city": "city"}
CODE = {"country": "country_code", "region": "region_code", "city": None}
BAR = "|"
BARS = 20


@route("/api/location/top_country_region_city.jsp")
@ot.answer
def top_country_region_city(wb, req: Request) -> Response:
    """Top countries, regions of a country, or cities of a region, as Opentracker lists them."""
    sites = ot.sites(wb, req)
    level = ot.choice(req, "detailLevel", LEVELS, "country")
    data_type = ot.choice(req, "dataType", DATA_TYPES, "json")
    where = ot.locale(req)
    ot.flag(req, "ignoreLocale")
    country, region = req.param("countryCode"), req.param("regionCode")
    if level != "country" and not country:
        raise invalid("countryCode", country, f"a country code for detailLevel={level}")
    if level == "city" and not region:
        raise invalid(
            "regionCode", region, "a region code: top cities need countryCode and regionCode"
        )
    zone = req.param("timeZone") or str(sites[0]["time_zone"])
    zone_info(zone, param="timeZone")
    now = req.clock(wb, zone)
    interval = opentracker_interval(
        date=req.param("date"),
        unix_time=req.param("unixTime"),
        period=req.param("period"),
        zone_name=zone,
        now=now,
    )
    result = top_locations(
        wb,
        interval,
        level,
        sites=tuple(str(s["site_id"]) for s in sites),
        country=country,
        region=region,
        where=_segment(req),
    )
    return render(shape(result.frame, level, where), data_type, chart_title=f"Top {level} list")


def _segment(req: Request) -> f.Filter | None:
    segment, value = req.param("segment"), req.param("filter", "none")
    if segment is None or value in ("none", "showAllSorts"):
        return None
    return f.Eq(f"property.{segment}", value)


def shape(frame, level: str, where) -> Listing:
    """The documented rows and totals row, every value a string."""
    total_users = int(frame["users"].sum())
    top = int(frame["users"].iloc[0]) if len(frame) else 0
    rows, raw = [], []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        users, sessions = int(row.users), int(row.sessions)
        name = getattr(row, NAME[level])
        code = getattr(row, CODE[level]) if CODE[level] else ""
        rows.append(
            [
                str(i),
                "",
                "Unknown" if name is None or name != name else str(name),
                "" if code is None or code != code else str(code),
                ot.number(users, where),
                graph(users, top),
                ot.percent(users, total_users, where),
                ot.number(sessions, where),
            ]
        )
        raw.append([i, "", rows[-1][2], rows[-1][3], users, users, users, sessions])
    totals = [
        "",
        "",
        "",
        "",
        ot.number(total_users, where),
        "",
        "100%",
        ot.number(int(frame["sessions"].sum()), where),
    ]
    return Listing(FIELDS, FIELDS, rows, totals=totals, sort_values=raw, chart=(2, 4))


def graph(users: int, top: int) -> str:
    """The bar: 20 for the top row, at least one."""
    if not top:
        return BAR
    return BAR * max(1, int(ot.half_up(Decimal(BARS * users) / Decimal(top), 0)))
