"""Fixture 1: www.opentracker.net on 2024-11-19, the 98 countries of seed 000's top list.

Each country gets exactly its documented users (distinct visitors) and sessions, all starting
within the local day. Order rule for equal users: the country whose first session of the day
started earliest comes first; first-session times are drawn so that it reproduces the list.
"""

from __future__ import annotations

import math
from itertools import groupby

from workbench.sample.fix_common import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    Draw,
    Row,
    country_cities,
    local_ms,
    numbered_visits,
    page_fields,
    place_fields,
    referrer_domain,
    utc,
)

SPEC = "ot_top_countries_2024-11-19.json"
PREFIX = "fx-ot-20241119"
MAX_VISITS_PER_VISITOR = 4
VISIT_SLOT_MS = 65 * MINUTE_MS  # a visitor's sessions start at least this far apart
# relative traffic by the visitor's local solar hour (longitude / 15), 0h to 23h
DIURNAL = (0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.35, 0.6, 0.85, 1, 1, 1)
DIURNAL += (0.95, 1, 1, 1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.6, 0.45, 0.3)

SITE = "http://www.opentracker.net"
# url, title, weight as an entry page, search terms that lead to it
PAGES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    (
        SITE,
        "Opentracker.net | Real-time Website Visitor Tracking, Traffic Monitoring, "
        "Statistics & Analysis",
        6,
        ("opentracker", "website visitor tracking"),
    ),
    (f"{SITE}/loginpage", "Get in here. | Opentracker.net", 3, ("opentracker login",)),
    (
        f"{SITE}/article/hits-or-pageviews",
        "Hits or pageviews? | Opentracker.net",
        7,
        ("hits or pageviews", "hits vs pageviews", "what is a hit"),
    ),
    (
        f"{SITE}/article/clickstream-or-clickpath-analysis",
        "Clickstream or clickpath analysis | Opentracker.net",
        4,
        ("clickstream analysis", "clickpath"),
    ),
    (
        f"{SITE}/article/unique-visitors",
        "Unique visitors | Opentracker.net",
        3,
        ("unique visitors", "unique visitor definition"),
    ),
    (
        f"{SITE}/article/bounce-rate",
        "Bounce rate | Opentracker.net",
        2,
        ("bounce rate meaning",),
    ),
    (f"{SITE}/features", "Get More | Opentracker.net", 1, ("visitor tracking features",)),
    (f"{SITE}/pricing", "Pricing | Opentracker.net", 1, ("opentracker pricing",)),
    (
        f"{SITE}/resources/video-screencasts",
        "Video Screencasts | Opentracker.net",
        1,
        ("web analytics video",),
    ),
    (f"{SITE}/api", "API | Opentracker.net", 1, ("opentracker api",)),
)
TITLES = {url: title for url, title, _, _ in PAGES}

# weight, url (None: direct), type; a "{q}" in the url takes the search term
REFERRERS: tuple[tuple[float, str | None, str], ...] = (
    (38, None, "direct"),
    (30, "https://www.google.com/", "search"),
    (6, "https://www.bing.com/search?q={q}", "search"),
    (3, "https://duckduckgo.com/", "search"),
    (4, "https://en.wikipedia.org/wiki/Web_analytics", "link"),
    (3, "https://chatgpt.com/", "link"),
    (3, "https://www.linkedin.com/", "social"),
    (3, "https://www.reddit.com/r/analytics/", "social"),
    (2, "https://t.co/", "social"),
)

# weight, browser, version, os, os version, device type, screen resolutions
TECH: tuple[tuple[float, str, str, str, str | None, str, tuple[str, ...]], ...] = (
    (34, "Chrome", "131.0.0.0", "Windows", "10", "desktop", ("1920x1080", "1366x768", "1536x864")),
    (10, "Edge", "131.0.0.0", "Windows", "10", "desktop", ("1920x1080", "1536x864")),
    (6, "Firefox", "132.0", "Windows", "10", "desktop", ("1920x1080", "1366x768")),
    (10, "Safari", "18.1", "Mac OS X", "10.15.7", "desktop", ("1440x900", "1512x982")),
    (6, "Chrome", "131.0.0.0", "Mac OS X", "10.15.7", "desktop", ("1440x900", "1920x1080")),
    (18, "Chrome", "131.0.6778.81", "Android", "14", "mobile", ("412x915", "393x873", "360x800")),
    (10, "Safari", "18.1", "iOS", "18.1", "mobile", ("390x844", "430x932")),
    (3, "Safari", "18.1", "iOS", "18.1", "tablet", ("820x1180",)),
    (3, "Chrome", "131.0.0.0", "Linux", None, "desktop", ("1920x1080",)),
)


def _daytime(low: int, high: int, longitude: float, draw: Draw) -> int:
    """An instant in [low, high) drawn by the traffic weight of its local (solar) hour."""
    while True:
        t = draw.between(low, high)
        if draw.unit() < DIURNAL[int((t / HOUR_MS + longitude / 15) % 24)]:
            return t


def _latest_first(count: int, day_end: int) -> int:
    """The latest first start that leaves room for ``count`` visits before midnight."""
    return day_end - (count - 1) * VISIT_SLOT_MS - MINUTE_MS


def first_session_times(
    countries: list[Row], day_start: int, day_end: int, draw: Draw
) -> dict[int, int]:
    """Rank → its country's first session of the day.

    Each is the earliest of the country's sessions drawn by local daytime traffic; within equal
    users they are handed out in rank order, so the order rule reproduces the documented list.
    """
    firsts: dict[int, int] = {}
    for _, group in groupby(countries, key=lambda c: c["users"]):
        members = list(group)
        high = min(_latest_first(max(c["counts"]), day_end) for c in members)
        drawn = sorted(
            min(_daytime(day_start, high, c["longitude"], draw) for _ in range(c["sessions"]))
            for c in members
        )
        for i in range(1, len(drawn)):
            drawn[i] = max(drawn[i], drawn[i - 1] + 1)
        for country, t in zip(members, drawn, strict=True):
            firsts[country["rank"]] = t
    return firsts


def _visits_per_visitor(users: int, sessions: int, draw: Draw) -> list[int]:
    counts = [1] * users
    for _ in range(sessions - users):
        counts[draw.pick([i for i, c in enumerate(counts) if c < MAX_VISITS_PER_VISITOR])] += 1
    return counts


def _path(draw: Draw, cap_ms: int) -> tuple[list[str], list[int]]:
    """Pages of one visit and their offsets from its start (within ``cap_ms``)."""
    entry = draw.weighted([p[0] for p in PAGES], [p[2] for p in PAGES])
    n = 1 if draw.chance(0.45) else 2 + min(12, int(-2.2 * math.log(1 - draw.unit())))
    n = min(n, max(1, cap_ms // 2000))
    urls = [entry]
    while len(urls) < n:
        urls.append(draw.pick([p[0] for p in PAGES if p[0] != urls[-1]]))
    gaps = [draw.between(4_000, 240_000) for _ in range(n - 1)]
    if sum(gaps) > cap_ms:  # squeeze into the cap, each gap still at least a second
        room = cap_ms - 1_000 * len(gaps)
        gaps = [1_000 + g * room // sum(gaps) for g in gaps]
    offsets = [0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    return urls, offsets


def _referrer(entry: str, draw: Draw) -> Row:
    _, url, kind = draw.weighted(REFERRERS, [r[0] for r in REFERRERS])
    term = None
    if url and "{q}" in url:
        term = draw.pick(next(p[3] for p in PAGES if p[0] == entry))
        url = url.replace("{q}", term.replace(" ", "+"))
    return {
        "referrer_url": url,
        "referrer_domain": referrer_domain(url),
        "referrer_type": kind,
        "search_term": term,
    }


def _visitor(row: Row, index: int, draw: Draw) -> Row:
    """Visitor-level fields: place, technology, visits before today."""
    cities = country_cities(row["code"])
    city = draw.weighted(cities, [c["population"] for c in cities]) if cities else None
    tech = draw.weighted(TECH, [t[0] for t in TECH])
    prior = (
        0 if draw.chance(0.72) else (1 + draw.below(3) if draw.chance(0.6) else draw.between(4, 40))
    )
    return {
        "visitor_id": f"{PREFIX}-v{row['rank']:02d}{index:03d}",
        "country_code": row["code"],
        "country_name": row["country"],
        **place_fields(city, row["code"]),
        "browser": tech[1],
        "browser_version": tech[2],
        "os": tech[3],
        "os_version": tech[4],
        "device_type": tech[5],
        "screen_resolution": draw.pick(tech[6]),
        "_prior_visits": prior,
        "_prior_pageviews": prior * (1 + draw.below(4)),
    }


def _visitor_visits(visitor: Row, first: int, count: int, day_end: int, draw: Draw) -> list:
    """(session row, urls, times) for each of a visitor's visits from ``first`` on."""
    slot = (day_end - MINUTE_MS - first) // (count - 1) if count > 1 else day_end - first
    visits = []
    pageviews_so_far = visitor["_prior_pageviews"]
    first_visit = first if visitor["_prior_visits"] == 0 else first - draw.between(1, 400) * DAY_MS
    for i in range(count):
        start = first + i * slot - (draw.between(0, slot // 5) if i else 0)
        urls, offsets = _path(draw, min(slot * 3 // 10, day_end - start - 1_000))
        times = [start + o for o in offsets]
        pageviews_so_far += len(urls)
        visit_number = visitor["_prior_visits"] + i + 1
        session = {k: v for k, v in visitor.items() if not k.startswith("_")}
        session |= {
            "site_id": "www.opentracker.net",
            "start_ts": utc(start),
            "end_ts": utc(times[-1]),
            "last_seen_ts": utc(times[-1] + draw.between(40, 900)),
            "duration_s": round((times[-1] - start) / 1000),
            "is_new": visit_number == 1,
            "visit_number": visit_number,
            "first_visit_ts": utc(first_visit),
            "visitor_pageviews": pageviews_so_far,
            "actions": len(urls),
            "is_bot": False,
            **page_fields(urls, TITLES),
            **_referrer(urls[0], draw),
        }
        visits.append((session, urls, times))
    return visits


def build(spec: dict) -> tuple[list[Row], list[Row]]:
    """Sessions and events of the top-countries fixture."""
    draw = Draw(spec["seed"])
    zone = spec["time_zone"]
    day_start = local_ms(spec["date"], zone)
    day_end = local_ms(spec["date"], zone, "24:00")
    countries = [dict(zip(spec["columns"], r, strict=True)) for r in spec["rows"]]
    for country in countries:
        country["counts"] = _visits_per_visitor(country["users"], country["sessions"], draw)
        cities = country_cities(country["code"], limit=1)
        centre = place_fields(cities[0] if cities else None, country["code"])
        country["longitude"] = centre["longitude"] or 0.0
    firsts = first_session_times(countries, day_start, day_end, draw)
    visits = []
    for country in countries:
        anchor = firsts[country["rank"]]
        for index, count in enumerate(country["counts"]):
            visitor = _visitor(country, index + 1, draw)
            first = anchor
            if index:
                latest = _latest_first(count, day_end)
                first = _daytime(anchor + 1, latest, visitor["longitude"] or 0.0, draw)
            visits += _visitor_visits(visitor, first, count, day_end, draw)
    return numbered_visits(visits, PREFIX, 4, TITLES)
