"""Where each web site's visits come from: its channels, search engines and their mix."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.sample import sites


@dataclass(frozen=True)
class Channel:
    """One way in; ``{ym}`` in a campaign becomes the month (a monthly newsletter)."""

    key: str
    type: str  # a model.REFERRER_TYPES value, or 'search' (engine and query drawn apart)
    url: str | None = None  # the referring page; None when none is sent
    campaign: str | None = None  # utm_campaign
    source: str | None = None  # utm_source/utm_medium, e.g. "newsletter/email"
    landing: str | None = None  # landing path; None: any landing page
    new: float = 0.0  # weight among new visitors
    returning: float = 0.0  # weight among returning visitors


def _social(reddit: str, scale: float = 1.0) -> tuple[Channel, ...]:
    rows = (
        ("facebook", "https://www.facebook.com/", 1.5, 1),
        ("lfacebook", "https://l.facebook.com/", 1, 0.5),
        ("mfacebook", "https://m.facebook.com/", 1, 0.5),
        ("tco", "https://t.co/Qw8eR7tY1u", 1.5, 0.8),
        ("x", "https://x.com/", 0.5, 0.3),
        ("linkedin", "https://www.linkedin.com/", 1.5, 1),
        ("lnkd", "https://lnkd.in/", 0.5, 0.2),
        ("reddit", f"https://www.reddit.com/r/{reddit}/", 0.8, 0.4),
    )
    return tuple(Channel(k, "social", u, new=n * scale, returning=r * scale) for k, u, n, r in rows)


CHANNELS: dict[str, tuple[Channel, ...]] = {
    sites.OPENTRACKER: (
        Channel("direct", "direct", new=28, returning=55),
        Channel("search", "search", new=47, returning=25),
        *_social("analytics"),
        Channel(
            "allwebcreative",
            "link",
            "http://www.allwebcreative.co.uk/home.html",
            new=0.6,
            returning=0.3,
        ),
        Channel(
            "wikipedia",
            "link",
            "https://en.wikipedia.org/wiki/Web_analytics",
            new=1.5,
            returning=0.3,
        ),
        Channel(
            "stackoverflow",
            "link",
            "https://stackoverflow.com/questions/7133247/difference-between-hits-and-pageviews",
            landing="/article/hits-or-pageviews",
            new=1,
            returning=0.2,
        ),
        Channel(
            "quora",
            "link",
            "https://www.quora.com/What-is-the-difference-between-hits-and-page-views",
            landing="/article/hits-or-pageviews",
            new=0.8,
        ),
        Channel(
            "hubspot",
            "link",
            "https://blog.hubspot.com/marketing/web-analytics-tools",
            new=1,
            returning=0.2,
        ),
        Channel(
            "g2",
            "link",
            "https://www.g2.com/products/opentracker/reviews",
            landing="/pricing",
            new=0.7,
        ),
        Channel(
            "alternativeto",
            "link",
            "https://alternativeto.net/software/opentracker/about/",
            new=0.6,
        ),
        Channel(
            "newsletter",
            "email",
            campaign="newsletter-{ym}",
            source="newsletter/email",
            new=1.5,
            returning=4,
        ),
        Channel("gmail", "email", "https://mail.google.com/", new=0.3, returning=0.5),
        Channel(
            "ads",
            "advertising",
            "https://www.googleadservices.com/",
            "brand-search",
            "google/cpc",
            "/features",
            new=1.5,
            returning=0.3,
        ),
        Channel(
            "webinar",
            "campaign",
            None,
            "spring-webinar-2024",
            "partner/referral",
            "/resources/video-screencasts",
        ),
        Channel(
            "hn",
            "link",
            "https://news.ycombinator.com/item?id=40712345",
            landing="/article/hits-or-pageviews",
            new=0.05,
            returning=0.02,
        ),
    ),
    sites.CLICKY: (
        Channel("direct", "direct", new=32, returning=58),
        Channel("search", "search", new=40, returning=22),
        *_social("webdev", 0.8),
        Channel("wordpress", "link", "https://wordpress.org/plugins/clicky/", new=3, returning=1),
        Channel(
            "wikipedia",
            "link",
            "https://en.wikipedia.org/wiki/List_of_web_analytics_software",
            new=1,
        ),
        Channel(
            "hn",
            "link",
            "https://news.ycombinator.com/item?id=38243567",
            landing="/blog/cookieless-tracking",
            new=0.5,
        ),
        Channel("producthunt", "link", "https://www.producthunt.com/products/clicky", new=0.5),
        Channel(
            "alternativeto",
            "link",
            "https://alternativeto.net/software/clicky/about/",
            landing="/compare/google-analytics",
            new=1,
        ),
        Channel(
            "stackoverflow",
            "link",
            "https://stackoverflow.com/questions/1793491/clicky-api-visitors-list",
            landing="/help/api",
            new=0.5,
            returning=0.3,
        ),
        Channel(
            "newsletter",
            "email",
            campaign="clicky-news-{ym}",
            source="newsletter/email",
            new=1,
            returning=3,
        ),
        Channel(
            "ads",
            "advertising",
            "https://www.googleadservices.com/",
            "ga-alternative",
            "google/cpc",
            "/compare/google-analytics",
            new=1,
            returning=0.2,
        ),
        Channel(
            "blackfriday", "campaign", None, "black-friday-2023", "newsletter/email", "/pricing"
        ),
        Channel(
            "reddit-thread",
            "social",
            "https://www.reddit.com/r/webdev/comments/1cr8x2k/clicky_is_still_great_in_2024/",
            landing="/",
        ),
    ),
    sites.GIOSG: (
        Channel("direct", "direct", new=26, returning=50),
        Channel("search", "search", new=38, returning=22),
        Channel("facebook", "social", "https://www.facebook.com/", new=4, returning=2),
        Channel("mfacebook", "social", "https://m.facebook.com/", new=2, returning=1),
        Channel("instagram", "social", "https://l.instagram.com/", new=3, returning=1.5),
        Channel("pinterest", "social", "https://fi.pinterest.com/", new=0.5),
        Channel("reddit", "social", "https://www.reddit.com/r/Suomi/", new=0.3),
        Channel("hintaopas", "link", "https://hintaopas.fi/", new=3, returning=1),
        Channel("is", "link", "https://www.is.fi/", new=0.8),
        Channel("iltalehti", "link", "https://www.iltalehti.fi/", new=0.6),
        Channel("kotiliesi", "link", "https://www.kotiliesi.fi/", new=0.4),
        Channel("lily", "link", "https://www.lily.fi/blogit/", new=0.5),
        Channel(
            "newsletter",
            "email",
            campaign="uutiskirje-{ym}",
            source="newsletter/email",
            new=2,
            returning=6,
        ),
        Channel(
            "shopping",
            "advertising",
            "https://www.googleadservices.com/",
            "google-shopping",
            "google/cpc",
            new=3,
            returning=0.8,
        ),
        Channel(
            "fbads",
            "advertising",
            "https://l.facebook.com/",
            "talvi-kampanja",
            "facebook/paid_social",
            "/uutuudet",
            new=1.5,
            returning=0.3,
        ),
        Channel("blackfriday", "campaign", None, "black-friday-2023", "newsletter/email", "/ale"),
        Channel("cybermonday", "campaign", None, "cyber-monday-2023", "google/cpc", "/ale"),
        Channel("sale", "campaign", None, "tammiale-2024", "newsletter/email", "/ale"),
    ),
}

# Search engines: URL before the query, after it, domain; {g} is the country's Google domain
ENGINES = {
    "google": ("https://www.{g}/search?q=", "&source=web", "{g}"),
    "bing": ("https://www.bing.com/search?q=", "&form=QBLH", "bing.com"),
    "duckduckgo": ("https://duckduckgo.com/?q=", "&ia=web", "duckduckgo.com"),
    "yahoo": ("https://search.yahoo.com/search?p=", "&fr=yfp-t", "search.yahoo.com"),
    "yandex": ("https://yandex.ru/search/?text=", "&lr=213", "yandex.ru"),
    "baidu": ("https://www.baidu.com/s?wd=", "&ie=utf-8", "baidu.com"),
    "ecosia": ("https://www.ecosia.org/search?q=", "", "ecosia.org"),
}
ENGINE_MIX = {
    "default": "google 86 bing 7 duckduckgo 3 yahoo 2 ecosia 1 yandex 0.5 baidu 0.5",
    "US": "google 84 bing 10 duckduckgo 3 yahoo 3",
    "RU BY KZ": "yandex 55 google 42 bing 3",
    "CN": "baidu 70 bing 25 google 5",
    "TR": "google 88 yandex 8 bing 4",
    "DE AT CH NL FR FI SE": "google 87 bing 6 ecosia 3 duckduckgo 4",
}
NOT_PROVIDED = 0.1  # share of search visits whose referrer carries no query
