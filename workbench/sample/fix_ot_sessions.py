"""Fixture 2: seed 001's example session rows (www.opentracker.net, 2011-11-16), as documented.

The spec holds each row's documented values already mapped to canonical columns (plus the
values filled in where the document is cut); this module adds the columns that follow from
them and one pageview event per page of the row's path.
"""

from __future__ import annotations

from workbench.errors import WorkbenchError
from workbench.sample.fix_common import Row, pageview_events, referrer_domain, spread, utc

SPEC = "ot_sessions_2011-11-16.json"
TIMESTAMPS = ("start_ts", "end_ts", "last_seen_ts", "first_visit_ts")
SEARCH_ENGINES = ("google.", "bing.", "yahoo.")


def _referrer_type(url: str | None) -> str:
    if not url:
        return "direct"
    host = referrer_domain(url) or ""
    return "search" if any(host.startswith(e) for e in SEARCH_ENGINES) else "link"


def _urls(row: Row) -> list[str]:
    path, n = row["path"], row["pageviews"]
    if len(path) == n:
        return list(path)
    if len(path) == 1:
        return path * n
    raise WorkbenchError(
        "bad_fixture",
        f"{SPEC} position {row['position']}: path has {len(path)} pages for {n} pageviews",
    )


def _session(row: Row, site_id: str) -> Row:
    session = {k: v for k, v in row.items() if k not in ("position", "path", "filled", *TIMESTAMPS)}
    suffix = row["visitor_id"].split(".", 1)[1]
    session |= {name: utc(row[name]) for name in TIMESTAMPS}
    session |= {
        "site_id": site_id,
        "duration_s": round((row["end_ts"] - row["start_ts"]) / 1000),
        "is_new": row["visit_number"] == 1,
        "first_session_id": f"{row['first_visit_ts']}.{suffix}",
        "actions": row["pageviews"],
        "distinct_urls": len(set(row["path"])),
        "referrer_domain": referrer_domain(row.get("referrer_url")),
        "referrer_type": _referrer_type(row.get("referrer_url")),
        "device_type": "desktop",
        "is_bot": False,
    }
    return session


def build(spec: dict) -> tuple[list[Row], list[Row]]:
    """Sessions and events of the documented session rows."""
    sessions, events = [], []
    for row in spec["rows"]:
        session = _session(row, spec["site_id"])
        urls = _urls(row)
        times = spread(row["start_ts"], row["end_ts"], len(urls))
        suffix = row["visitor_id"].split(".", 1)[1]
        ids = [f"{ts}.{suffix}" for ts in times]
        if ids[-1] != row["source_fields"]["event_id"]:
            raise WorkbenchError(
                "bad_fixture",
                f"{SPEC} position {row['position']}: last event {ids[-1]} is not the documented "
                f"event_id {row['source_fields']['event_id']}",
            )
        sessions.append(session)
        events += pageview_events(session, urls, times, spec["pages"], ids)
    return sessions, events
