"""Referrers: search engines with their terms, social sites, webmail, campaigns, links or direct."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

SEARCH = {  # registrable name (any public suffix) -> query parameters holding the term
    "google": ("q", "as_q"),
    "bing": ("q",),
    "duckduckgo": ("q",),
    "yahoo": ("p", "q"),
    "yandex": ("text",),
    "ya": ("text",),
    "baidu": ("wd", "word"),
    "ecosia": ("q",),
    "qwant": ("q",),
    "startpage": ("query", "q"),
    "ask": ("q",),
    "naver": ("query",),
    "seznam": ("q",),
    "sogou": ("query",),
    "so": ("q",),
    "aol": ("q", "query"),
    "brave": ("q",),
    "kagi": ("q",),
    "yep": ("q",),
}
SEARCH_HOSTS = {"search.brave.com": "brave", "search.aol.com": "aol", "search.yahoo.com": "yahoo"}
SOCIAL = (
    "facebook.com", "fb.com", "fb.me", "t.co", "twitter.com", "x.com", "linkedin.com", "lnkd.in",
    "reddit.com", "redd.it", "instagram.com", "pinterest.com", "youtube.com", "youtu.be",
    "tiktok.com", "news.ycombinator.com", "mastodon.social", "bsky.app", "threads.net",
    "vk.com", "tumblr.com", "quora.com", "t.me", "whatsapp.com", "snapchat.com", "xing.com",
    "weibo.com", "discord.com", "medium.com",
)  # fmt: skip
EMAIL = (
    "mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com",
    "mail.yahoo.com", "mail.aol.com", "mail.proton.me", "mail.zoho.com", "mail.yandex.ru",
    "e.mail.ru", "mail.ru", "gmx.net", "gmx.com", "web.de", "icloud.com",
)  # fmt: skip
APPS = {  # android-app:// referrers
    "com.google.android.gm": "email",
    "com.google.android.googlequicksearchbox": "search",
    "com.facebook.katana": "social",
    "com.twitter.android": "social",
    "com.linkedin.android": "social",
    "com.reddit.frontpage": "social",
    "org.telegram.messenger": "social",
}
CAMPAIGN = ("utm_campaign", "mtm_campaign", "pk_campaign", "matomo_campaign")
CAMPAIGN_HINT = ("utm_source", "utm_medium", "mtm_source", "pk_source")  # tagged, maybe unnamed
AD_CLICK = ("gclid", "gbraid", "wbraid", "dclid", "msclkid", "yclid", "ttclid", "li_fat_id")
PAID = {"cpc", "ppc", "paid", "paidsearch", "paid_search", "cpm", "display", "paid_social"}


@dataclass(frozen=True)
class Source:
    """Where a visit came from, as the sessions table records it."""

    referrer_url: str | None
    referrer_domain: str | None
    referrer_type: str  # one of model.REFERRER_TYPES
    search_term: str | None = None
    campaign: str | None = None


DIRECT = Source(None, None, "direct")


def _in(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _engine(host: str) -> str | None:
    if host in SEARCH_HOSTS:
        return SEARCH_HOSTS[host]
    labels = host.split(".")
    for i, label in enumerate(labels[:-1]):  # google.co.uk, www.bing.com, yandex.ru, so.com
        if label in SEARCH and len(".".join(labels[i + 1 :])) <= 6:
            if label in ("so", "ya", "ask", "aol", "brave", "yep") and i != len(labels) - 2:
                continue  # short names only as the registrable label (so.com, not so.co.uk)
            return label
    return None


def _first(query: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for name in names:
        values = query.get(name)
        if values and values[0].strip():
            return values[0].strip()[:1000]
    return None


def _query(url: str) -> dict[str, list[str]]:
    if "?" not in url:
        return {}
    try:
        return parse_qs(urlsplit(url).query)
    except ValueError:
        return {}


@lru_cache(maxsize=1 << 16)
def classify(referrer: str, landing: str = "", own_host: str = "") -> Source:
    """The source of a visit from its first hit's referrer and landing URL.

    Campaign parameters on the landing URL win over the referrer's type: ``utm_*`` (or
    Matomo's ``mtm_*``/``pk_*``) make it ``campaign`` named by ``utm_campaign`` (``advertising``
    for a paid ``utm_medium`` such as cpc, ``email`` for ``utm_medium=email``); an ad click id
    alone (``gclid``, ``msclkid``, ...) makes it ``advertising``; the referrer's host then decides search (with
    the term from the engine's query parameter), social, email, link; no referrer, ``-``, or
    the site's own host (``own_host``, with or without ``www.``): direct.
    """
    landing_query = _query(landing)
    name = _first(landing_query, CAMPAIGN)
    medium = (_first(landing_query, ("utm_medium",)) or "").lower()
    source = _source(referrer, own_host)
    if name or _first(landing_query, CAMPAIGN_HINT):
        kind = "advertising" if medium in PAID else "email" if medium == "email" else "campaign"
        return Source(source.referrer_url, source.referrer_domain, kind, source.search_term, name)
    if _first(landing_query, AD_CLICK):
        return Source(
            source.referrer_url, source.referrer_domain, "advertising", source.search_term
        )
    return source


def _source(referrer: str, own_host: str) -> Source:
    referrer = referrer.strip()
    if not referrer or referrer == "-":
        return DIRECT
    if referrer.startswith("android-app://"):
        app = referrer[len("android-app://") :].split("/")[0]
        return Source(referrer, app or None, APPS.get(app, "link"))
    try:
        parts = urlsplit(referrer if "//" in referrer else "//" + referrer)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return Source(referrer, None, "link")
    domain = host.removeprefix("www.") or None
    own = own_host.lower().removeprefix("www.")
    if not host or (own and domain == own):
        return DIRECT
    engine = _engine(host)
    if engine and not _in(host, EMAIL) and not host.startswith("mail."):
        term = _first(_query(referrer), SEARCH[engine])
        return Source(referrer, domain, "search", term)
    if _in(host, SOCIAL):
        return Source(referrer, domain, "social")
    if _in(host, EMAIL) or host.startswith(("mail.", "webmail.")):
        return Source(referrer, domain, "email")
    return Source(referrer, domain, "link")
