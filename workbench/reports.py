"""Core reports over a store (a first one here; the query core generalises them)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from workbench.core import Workbench
from workbench.errors import invalid

# Ties in users are broken by the location whose first session of the period started
# earliest: the rule that reproduces the order of Opentracker's documented top list.
TOP_COUNTRIES_SQL = """
SELECT country_name AS country, country_code AS code,
       count(DISTINCT visitor_id) AS users, count(*) AS sessions,
       min(start_ts) AS first_session
FROM sessions
WHERE site_id = $site AND start_ts >= $start AND start_ts < $end AND NOT is_bot
GROUP BY country_name, country_code
ORDER BY users DESC, first_session ASC, code ASC
"""


def top_countries(
    wb: Workbench, site_id: str, start: dt.datetime, end: dt.datetime
) -> pd.DataFrame:
    """Countries of ``site_id``'s visits in [start, end): users (exact), sessions, share of users."""
    wb.site(site_id)
    if end <= start:
        raise invalid(
            "end",
            end.isoformat(),
            f"an instant after start {start.isoformat()}",
            code="invalid_interval",
        )
    rows = wb.sql(TOP_COUNTRIES_SQL, {"site": site_id, "start": start, "end": end})
    total = rows["users"].sum()
    rows["share"] = rows["users"] / total if total else 0.0
    return rows.drop(columns="first_session")
