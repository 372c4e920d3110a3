"""Fixture 4: the giosg shop (giosg-shop), seed 004's 212 visitors from Helsinki on 2019-01-01.

Visitors come in groups around the documented interval (its small hours, the next day's small
hours, New Year's Eve, other Finnish cities) so that a wrong time zone, an inclusive end or a
missing city filter each give a count other than 212 (the spec states each expected count).
"""

from __future__ import annotations

from workbench.sample.fix_common import (
    DAY_MS,
    MINUTE_MS,
    Draw,
    Row,
    find_city,
    local_ms,
    numbered_visits,
    page_fields,
    place_fields,
    referrer_domain,
    utc,
)

SPEC = "giosg_helsinki_2019-01-01.json"
PREFIX = "fx-gi-20190101"
SHOP = "https://shop.example.fi"
MAX_PAGES = 8
MAX_GAP_S = 150
MIN_BETWEEN_VISITS_MS = 35 * MINUTE_MS
MAX_BETWEEN_VISITS_MS = 90 * MINUTE_MS
STEP_MS = MAX_PAGES * MAX_GAP_S * 1000 + MAX_BETWEEN_VISITS_MS

PAGES = {
    f"{SHOP}/": "Etusivu | Example Shop",
    f"{SHOP}/ale": "Ale | Example Shop",
    f"{SHOP}/naisille": "Naisille | Example Shop",
    f"{SHOP}/miehille": "Miehille | Example Shop",
    f"{SHOP}/lapsille": "Lapsille | Example Shop",
    f"{SHOP}/tuotteet/talvitakit": "Talvitakit | Example Shop",
    f"{SHOP}/tuotteet/kengat": "Kengät | Example Shop",
    f"{SHOP}/tuotteet/pipot-ja-hanskat": "Pipot ja hanskat | Example Shop",
    f"{SHOP}/kori": "Ostoskori | Example Shop",
    f"{SHOP}/kassa": "Kassa | Example Shop",
    f"{SHOP}/asiakaspalvelu": "Asiakaspalvelu | Example Shop",
}
ENTRY_WEIGHTS = (30, 25, 8, 6, 4, 10, 8, 5, 0, 0, 4)

# weight, url (None: direct), referrer type
REFERRERS = (
    (45, None, "direct"),
    (33, "https://www.google.fi/", "search"),
    (2, "https://www.bing.com/search?q={q}", "search"),
    (12, "https://www.facebook.com/", "social"),
    (4, "https://l.instagram.com/", "social"),
    (4, "https://www.tori.fi/", "link"),
)
SEARCH_TERMS = ("talvitakki ale", "kengät verkkokauppa", "example shop", "pipo", "talvikengät")

# weight, device type, browser, browser version, os, os version
DEVICES = (
    (30, "desktop", "Chrome", "71.0.3578.98", "Windows", "10"),
    (8, "desktop", "Firefox", "64.0", "Windows", "10"),
    (6, "desktop", "Edge", "17.17134", "Windows", "10"),
    (10, "desktop", "Safari", "12.0.2", "Mac OS X", "10.14.2"),
    (22, "mobile", "Safari", "12.0", "iOS", "12.1.2"),
    (16, "mobile", "Chrome", "71.0.3578.99", "Android", "9"),
    (4, "mobile", "Samsung Internet", "8.2", "Android", "8.0.0"),
    (4, "tablet", "Safari", "12.0", "iOS", "12.1.1"),
)
ORGANIZATIONS = (
    (34, "Elisa Oyj"),
    (26, "DNA Oyj"),
    (30, "Telia Finland Oyj"),
    (4, "University of Helsinki"),
    (3, "Nordea Bank Abp"),
    (3, "Fujitsu Finland Oy"),
)


def _visit(start: int, draw: Draw) -> tuple[list[str], list[int]]:
    """Pages of one visit and their times."""
    urls = list(PAGES)
    n = 1 if draw.chance(0.35) else draw.between(2, MAX_PAGES + 1)
    path = [draw.weighted(urls, ENTRY_WEIGHTS)]
    while len(path) < n:
        path.append(draw.pick([u for u in urls if u != path[-1]]))
    times = [start]
    for _ in path[1:]:
        times.append(times[-1] + draw.between(5_000, MAX_GAP_S * 1000))
    return path, times


def _referrer(draw: Draw) -> Row:
    _, url, kind = draw.weighted(REFERRERS, [r[0] for r in REFERRERS])
    term = None
    if url and ("{q}" in url or (kind == "search" and draw.chance(0.3))):
        term = draw.pick(SEARCH_TERMS)
        url = url.replace("{q}", term.replace(" ", "+"))
    return {
        "referrer_url": url,
        "referrer_domain": referrer_domain(url),
        "referrer_type": kind,
        "search_term": term,
    }


def _visitor(visitor_id: str, city: str, spec: dict, draw: Draw) -> Row:
    device = draw.weighted(DEVICES, [d[0] for d in DEVICES])
    return {
        "site_id": spec["site_id"],
        "visitor_id": visitor_id,
        "country_code": spec["country_code"],
        "country_name": spec["country"],
        **place_fields(find_city(spec["country_code"], city), spec["country_code"]),
        "device_type": device[1],
        "browser": device[2],
        "browser_version": device[3],
        "os": device[4],
        "os_version": device[5],
        "organization": draw.weighted([o[1] for o in ORGANIZATIONS], [o[0] for o in ORGANIZATIONS]),
        "is_bot": False,
    }


def _visitor_sessions(visitor: Row, first: int, count: int, draw: Draw) -> list:
    """(session row, urls, times) of a visitor's ``count`` visits, the first at ``first``."""
    prior = 0 if draw.chance(0.8) else draw.between(1, 6)
    first_visit = first - draw.between(1, 60) * DAY_MS if prior else first
    pageviews = prior * draw.between(2, 6)
    out = []
    start = first
    for i in range(count):
        urls, times = _visit(start, draw)
        pageviews += len(urls)
        session = dict(visitor) | {
            "start_ts": utc(start),
            "end_ts": utc(times[-1]),
            "last_seen_ts": utc(times[-1]),
            "duration_s": (times[-1] - start) // 1000,
            "is_new": prior + i == 0,
            "visit_number": prior + i + 1,
            "first_visit_ts": utc(first_visit),
            "visitor_pageviews": pageviews,
            "actions": len(urls),
            **page_fields(urls, PAGES),
            **_referrer(draw),
        }
        out.append((session, urls, times))
        start = times[-1] + draw.between(MIN_BETWEEN_VISITS_MS, MAX_BETWEEN_VISITS_MS)
    return out


def _group_visits(group: Row, pinned: str | None, spec: dict, draw: Draw, first_n: int) -> list:
    window = (
        local_ms(group["day"], spec["time_zone"], group["from"]),
        local_ms(group["day"], spec["time_zone"], group["to"]),
    )
    visits = []
    n = first_n
    for city, count in group["cities"].items():
        for _ in range(count):
            sessions = 1 if not draw.chance(group["repeat_share"]) else draw.between(2, 4)
            if pinned is not None and n == first_n:
                first = local_ms(group["day"], spec["time_zone"], pinned)
                sessions = 1
            else:
                first = draw.between(window[0], window[1] - (sessions - 1) * STEP_MS)
            visitor = _visitor(f"{PREFIX}-v{n:03d}", city, spec, draw)
            visits += _visitor_sessions(visitor, first, sessions, draw)
            n += 1
    return visits


def build(spec: dict) -> tuple[list[Row], list[Row]]:
    """Sessions and events of the giosg Helsinki fixture."""
    draw = Draw(spec["seed"])
    pins = {p["group"]: p["start"] for p in spec["pinned"]}
    visits = []
    for group in spec["groups"]:
        first_n = len({v[0]["visitor_id"] for v in visits}) + 1
        visits += _group_visits(group, pins.get(group["name"]), spec, draw, first_n)
    return numbered_visits(visits, PREFIX, 3, PAGES)
