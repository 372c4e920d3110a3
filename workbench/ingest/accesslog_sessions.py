"""Access-log hits into visits: a visitor is site + IP + user agent, a visit ends after inactivity.

``visitor_id`` is the first 32 hex digits of BLAKE2b over ``site \\0 IP \\0 user agent`` (the
truncated IP with ``--anonymize-ip``): stable across ingests, the same visitor on every run.
A visitor's visit goes on while each request comes within the timeout (30 minutes) of its
previous one; a request later than that, or earlier than the visit's start by more than the
timeout (logs out of order), starts a new visit. ``session_id`` hashes the visitor and the
visit's first request, so the same input gives the same sessions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.ingest.accesslog_parse import Hit
from workbench.ingest.geoip import CityDatabase, anonymize, locate
from workbench.ingest.referrers import classify
from workbench.ingest.useragents import agent


def visitor_id(site: str, ip: str, ua: str) -> str:
    """The stable id of a visitor: a hash of the site, the IP (as stored) and the user agent."""
    doc = "\0".join((site, ip, ua)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(doc, digest_size=16).hexdigest()


@dataclass
class Visit:
    """An open visit: its requests (hit, event id) in arrival order and its asset requests."""

    key: tuple[str, str]
    start: int
    last: int
    hits: list[tuple[Hit, str]] = field(default_factory=list)
    assets: int = 0


@dataclass
class History:
    """What the store and this ingest hold of a visitor before the visit being built."""

    visits: int = 0
    first_ts: int | None = None
    first_session: str | None = None
    pageviews: int = 0


@dataclass(frozen=True)
class Rules:
    """How visits become rows: the site, its host, geolocation, anonymization, bot rules."""

    site: str
    own_host: str = ""
    city: CityDatabase | None = None
    anonymize_ip: bool = False
    bot_rules: tuple[tuple[str, object], ...] = ()  # (name, compiled regex)


def _rule(rules: Rules, ua: str, urls: Iterable[str]) -> str | None:
    for name, pattern in rules.bot_rules:
        if pattern.search(ua) or any(pattern.search(u) for u in urls):  # type: ignore[attr-defined]
            return f"rule:{name}"
    return None


def build(visit: Visit, vid: str, history: History, rules: Rules) -> tuple[dict, dict]:
    """The session row and the event columns of a closed visit; ``history`` moves on past it."""
    hits = sorted(visit.hits, key=lambda h: h[0].ts)
    first, last = hits[0][0], hits[-1][0]
    ip, ua = visit.key
    pages = [h.url for h, _ in hits if h.kind == "pageview"]
    urls = pages or [h.url for h, _ in hits]
    session_id = hashlib.blake2b(f"{vid}\0{hits[0][1]}".encode(), digest_size=16).hexdigest()
    parsed = agent(ua)
    source = classify(first.referrer, first.url, rules.own_host)
    duration = (last.ts - first.ts) // 1000
    reason = _rule(rules, ua, urls) if rules.bot_rules else None
    if reason is None:
        reason = parsed.bot_reason
    if reason is None and len(hits) == 1 and visit.assets == 0:
        reason = "one-hit-zero-seconds"  # one request, not even the page's own assets
    history.visits += 1
    history.pageviews += len(pages)
    if history.first_ts is None:
        history.first_ts, history.first_session = first.ts, session_id
    row = {
        "site_id": rules.site,
        "session_id": session_id,
        "visitor_id": vid,
        "start_ts": first.ts,
        "end_ts": last.ts,
        "last_seen_ts": max(last.ts, visit.last),
        "duration_s": duration,
        "is_new": history.visits == 1,
        "visit_number": history.visits,
        "first_visit_ts": history.first_ts,
        "first_session_id": history.first_session,
        "visitor_pageviews": history.pageviews,
        "pageviews": len(pages),
        "actions": len(hits),
        "distinct_urls": len(set(urls)),
        "entry_url": urls[0],
        "exit_url": urls[-1],
        "referrer_url": source.referrer_url,
        "referrer_domain": source.referrer_domain,
        "referrer_type": source.referrer_type,
        "search_term": source.search_term,
        "campaign": source.campaign,
        **locate(ip, rules.city).columns(),
        "ip_address": (anonymize(ip) or None) if rules.anonymize_ip else ip,
        "browser": parsed.browser,
        "browser_version": parsed.browser_version,
        "os": parsed.os,
        "os_version": parsed.os_version,
        "device_type": parsed.device_type,
        "device": parsed.device,
        "user_agent": ua or None,
        "is_bot": reason is not None,
        "bot_reason": reason,
    }
    events = {
        "session_id": [session_id] * len(hits),
        "visitor_id": [vid] * len(hits),
        "event_id": [e for _, e in hits],
        "ts": [h.ts for h, _ in hits],
        "seq": list(range(1, len(hits) + 1)),
        "type": [h.kind for h, _ in hits],
        "url": [h.url for h, _ in hits],
        "referrer_url": [h.referrer if h.referrer not in ("", "-") else None for h, _ in hits],
    }
    return row, events
