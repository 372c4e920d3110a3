"""Fixture 3: Clicky site 32020 (clicky-demo) on 2015-04-13, seed 003's nine example visitors.

Times, IP addresses and referrers are the document's; the spec gives plausible values for the
rest, and places come from the reference cities.
"""

from __future__ import annotations

from workbench.sample.fix_common import (
    Row,
    action_events,
    country_name,
    find_city,
    local_ms,
    page_fields,
    place_fields,
    referrer_domain,
    utc,
)

SPEC = "clicky_visitors_2015-04-13.json"
PREFIX = "fx-cl-20150413"
VISITOR_FIELDS = (
    "ip_address",
    "referrer_url",
    "search_term",
    "country_code",
    "hostname",
    "organization",
    "browser",
    "browser_version",
    "os",
    "os_version",
    "device_type",
    "screen_resolution",
    "language",
)


def _session(visitor: Row, n: int, spec: dict) -> tuple[Row, list[tuple[int, str, str]]]:
    start = local_ms(spec["date"], spec["time_zone"], visitor["time"])
    actions = [(start + offset * 1000, kind, url) for offset, kind, url in visitor["actions"]]
    pages = [url for _, kind, url in actions if kind == "pageview"]
    referrer = visitor.get("referrer_url")
    is_new = visitor["total_visits"] == 1
    first = start
    if not is_new:
        day, clock = visitor["first_visit"].split("T")
        first = local_ms(day, spec["time_zone"], clock)
    session = {k: visitor.get(k) for k in VISITOR_FIELDS}
    session |= {
        "site_id": spec["site_id"],
        "session_id": f"{PREFIX}-s{n}",
        "visitor_id": f"{PREFIX}-v{n}",
        "start_ts": utc(start),
        "end_ts": utc(actions[-1][0]),
        "last_seen_ts": utc(actions[-1][0]),
        "duration_s": (actions[-1][0] - start) // 1000,
        "is_new": is_new,
        "visit_number": visitor["total_visits"],
        "first_visit_ts": utc(first),
        "first_session_id": f"{PREFIX}-s{n}" if is_new else None,
        **page_fields(pages, spec["pages"]),
        "actions": len(actions),
        "referrer_domain": referrer_domain(referrer),
        "referrer_type": ("search" if visitor.get("search_term") else "link")
        if referrer
        else "direct",
        "country_name": country_name(visitor["country_code"]),
        **place_fields(
            find_city(visitor["country_code"], visitor["city"]), visitor["country_code"]
        ),
        "javascript": True,
        "is_bot": False,
    }
    return session, actions


def build(spec: dict) -> tuple[list[Row], list[Row]]:
    """Sessions and events of the nine documented visitors (numbered from the earliest)."""
    sessions, events = [], []
    count = len(spec["visitors"])
    for index, visitor in enumerate(spec["visitors"]):
        session, actions = _session(visitor, count - index, spec)
        sessions.append(session)
        events += action_events(session, actions, spec["pages"])
    return sessions, events
