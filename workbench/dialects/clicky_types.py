"""Clicky's data types (seed 003 and ``../shared/VENDOR-NOTES.md``): what each one counts.

Three kinds, as the document groups them:

- **popular**: the top items of one dimension (``Popular``): the rows a Query groups by
  ``dims`` and counts with ``metric``, titled by ``title`` and linked by ``url``;
- **tally**: one number (``Tally``), a metric of the visits or a count of actions;
- **chronological**: lists, newest first (``LISTS``), built in ``clicky.py``.

Types the data cannot answer (goals, split tests, uptime, ...) are ``EMPTY``: they return
the documented shape with no items. Every type name the real API has is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from workbench import filters as f


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _first(*values: object) -> str:
    return next((t for t in map(_text, values) if t), "")


def geolocation(city: object, region: object, country: object, country_code: object) -> str:
    """Clicky's "City, Country" ("City, State, Country" for US locations)."""
    parts = [_text(city)]
    if _text(country_code) == "US":
        parts.append(_text(region))
    parts.append(_text(country))
    return ", ".join(p for p in parts if p)


def language_name(tag: object) -> str:
    """``en-US`` as "English (United States)"; an unknown tag as itself."""
    text = _text(tag)
    try:
        return Locale.parse(text.replace("-", "_")).get_display_name("en") or text
    except (UnknownLocaleError, ValueError, TypeError):
        return text


SOURCES = {  # referrer_type -> Clicky's traffic-sources title
    "direct": "Direct",
    "search": "Searches",
    "link": "Links",
    "social": "Social media",
    "email": "Email",
    "advertising": "Advertising",
    "campaign": "Campaigns",
}
ACTION_BUCKETS = ((1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, None))
TIME_BUCKETS = ((0, 30), (31, 60), (61, 300), (301, 600), (601, 1800), (1801, None))


def actions_bucket(value: object) -> str:
    """Visits grouped by their number of actions: ``1 action``, ``3-5 actions``, ``21+ actions``."""
    n = int(value)
    for low, high in ACTION_BUCKETS:
        if high is None:
            return f"{low}+ actions"
        if n <= high:
            return (
                f"{low} action"
                if high == 1
                else (f"{low} actions" if low == high else f"{low}-{high} actions")
            )
    return ""  # pragma: no cover


def _span(seconds: int) -> str:
    return f"{seconds // 60}m" if seconds >= 60 and seconds % 60 == 0 else f"{seconds}s"


def time_bucket(value: object) -> str:
    n = int(value)
    for low, high in TIME_BUCKETS:
        if high is None or n <= high:
            return f"{_span(low)}+" if high is None else f"{_span(low)}-{_span(high)}"
    return ""  # pragma: no cover


@dataclass(frozen=True)
class Popular:
    """Top items: group ``table`` rows matching ``where`` by ``dims``, count with ``metric``.

    ``title``/``url`` read a result row (a dict); ``key`` is the value an exact ``item``
    and a visitors-list filter (``stats``) match; ``bucket`` regroups values in Python.
    """

    dims: tuple[str, ...]
    title: Callable[[dict], str]
    url: Callable[[dict], str] | None = None
    table: str = "sessions"
    metric: str = "sessions"
    where: f.Filter | None = None
    stats: str | None = None  # the visitors-list filter that shows an item's visitors
    split_words: bool = False  # searches-keywords: one item per word of each value
    bucket: Callable[[object], str] | None = None


def _col(name: str) -> Callable[[dict], str]:
    return lambda row: _text(row.get(name))


def _event(kind: str) -> f.Filter:
    return f.Eq("type", kind)


NOT_SEARCH = f.And((f.Not(f.IsNull("referrer_url")), f.Not(f.Eq("referrer_type", "search"))))
SEARCH = f.Eq("referrer_type", "search")

POPULAR: dict[str, Popular] = {
    "pages": Popular(
        ("url", "title"),
        lambda r: _first(r.get("title"), r.get("url")),
        _col("url"),
        table="events",
        metric="actions",
        where=_event("pageview"),
        stats="href",
    ),
    "pages-entrance": Popular(
        ("entry_url", "entry_title"),
        lambda r: _first(r.get("entry_title"), r.get("entry_url")),
        _col("entry_url"),
        stats="landing",
    ),
    "pages-exit": Popular(
        ("exit_url", "exit_title"),
        lambda r: _first(r.get("exit_title"), r.get("exit_url")),
        _col("exit_url"),
        stats="exit",
    ),
    "downloads": Popular(
        ("url",), _col("url"), _col("url"), "events", "actions", _event("download"), "href"
    ),
    "events": Popular(("title",), _col("title"), None, "events", "actions", _event("click"), None),
    "clicks": Popular(("title",), _col("title"), None, "events", "actions", _event("click")),
    "links": Popular(
        ("referrer_url",),
        _col("referrer_url"),
        _col("referrer_url"),
        where=NOT_SEARCH,
        stats="link",
    ),
    "links-domains": Popular(
        ("referrer_domain",), _col("referrer_domain"), None, where=NOT_SEARCH, stats="domain"
    ),
    "links-outbound": Popular(
        ("url",), _col("url"), _col("url"), "events", "actions", _event("outbound")
    ),
    "searches": Popular(
        ("search_term",),
        _col("search_term"),
        None,
        where=f.Not(f.IsNull("search_term")),
        stats="search",
    ),
    "searches-keywords": Popular(
        ("search_term",),
        _col("search_term"),
        None,
        where=f.Not(f.IsNull("search_term")),
        stats="search",
        split_words=True,
    ),
    "searches-engines": Popular(
        ("referrer_domain",), _col("referrer_domain"), None, where=SEARCH, stats="domain"
    ),
    "countries": Popular(("country_code", "country_name"), _col("country_name"), stats="country"),
    "regions": Popular(
        ("region_name", "country_name"),
        lambda r: ", ".join(x for x in (_text(r["region_name"]), _text(r["country_name"])) if x),
    ),
    "cities": Popular(
        ("city", "region_name", "country_name", "country_code"),
        lambda r: geolocation(r["city"], r["region_name"], r["country_name"], r["country_code"]),
        stats="city",
    ),
    "languages": Popular(("language",), lambda r: language_name(r["language"]), stats="language"),
    "web-browsers": Popular(("browser",), _col("browser"), stats="browser"),
    "operating-systems": Popular(("os",), _col("os"), stats="os"),
    "screen-resolutions": Popular(
        ("screen_resolution",), _col("screen_resolution"), stats="resolution"
    ),
    "hardware": Popular(("device_type",), _col("device_type")),
    "hostnames": Popular(("hostname",), _col("hostname"), stats="hostname"),
    "organizations": Popular(("organization",), _col("organization"), stats="org"),
    "traffic-sources": Popular(
        ("referrer_type",),
        lambda r: SOURCES.get(_text(r["referrer_type"]), _text(r["referrer_type"]).title()),
        stats="source",
    ),
    "campaigns": Popular(("campaign",), _col("campaign"), stats="campaign"),
    "visitors-most-active": Popular(("visitor_id",), _col("visitor_id"), stats="uid"),
    "engagement-actions": Popular(("actions",), _col("actions"), bucket=actions_bucket),
    "engagement-times": Popular(("duration_s",), _col("duration_s"), bucket=time_bucket),
    "custom": Popular(
        ("property.username",),
        lambda r: _text(r["property.username"]),
        where=f.Not(f.IsNull("property.username")),
    ),
}


@dataclass(frozen=True)
class Tally:
    """One number: ``metric`` of ``table`` rows matching ``where``, written by ``fmt``."""

    metric: str
    fmt: str = "int"  # int, one_decimal, pretty
    table: str = "sessions"
    where: f.Filter | None = None
    hourly: bool = False


TALLIES: dict[str, Tally] = {
    "visitors": Tally("sessions", hourly=True),
    "visitors-unique": Tally("users"),
    "visitors-new": Tally("new_users"),
    "visitors-online": Tally("sessions"),  # live: see clicky.ONLINE_SECONDS
    "actions": Tally("actions", hourly=True),
    "actions-pageviews": Tally("pageviews"),
    "actions-downloads": Tally("actions", table="events", where=_event("download")),
    "actions-outbounds": Tally("actions", table="events", where=_event("outbound")),
    "actions-clicks": Tally("actions", table="events", where=_event("click")),
    "actions-average": Tally("actions_per_session", "one_decimal"),
    "time-average": Tally("avg_duration"),
    "time-average-pretty": Tally("avg_duration", "pretty"),
    "time-total": Tally("total_duration"),
    "time-total-pretty": Tally("total_duration", "pretty"),
    "bounce-rate": Tally("bounce_rate"),
}

LISTS = (
    "visitors-list",
    "actions-list",
    "searches-recent",
    "searches-unique",
    "links-recent",
    "links-unique",
)
LIMITED = ("visitors-list", "actions-list", "segmentation")  # the 31-day, 1,000-item types
EMPTY = (  # types the data cannot answer: the documented shape, no items
    "goals",
    "split-tests",
    "tweets",
    "shorturls",
    "video",
    "searches-rankings",
    "feedburner-clicks",
    "feedburner-views",
    "feedburner-subscribers",
    "site-rank",
    "uptime",
    "uptime-list",
)
SEGMENTATION = "segmentation"
TYPES = (*POPULAR, *TALLIES, *LISTS, SEGMENTATION, *EMPTY)


def kind(name: str) -> str:
    if name in POPULAR:
        return "popular"
    if name in TALLIES:
        return "tally"
    if name in LISTS:
        return "list"
    if name == SEGMENTATION:
        return "segmentation"
    return "empty"


def pretty_seconds(seconds: float) -> str:
    """Clicky's pretty time: ``2m 35s``, ``1h 2m 3s``, ``45s`` (hours are not folded into days)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if hours or minutes:
        parts.append(f"{minutes}m")
    parts.append(f"{secs}s")
    return " ".join(parts)


def tally_text(value: object, fmt: str) -> str:
    """A tally's value as Clicky writes it (every value is a string)."""
    if value is None or (isinstance(value, float) and value != value):
        value = 0
    if fmt == "one_decimal":
        return f"{float(value):.1f}"
    if fmt == "pretty":
        return pretty_seconds(float(value))
    return str(round(float(value)))
