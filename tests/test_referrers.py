"""Referrer classification and user-agent parsing, as tables of real-shaped inputs."""

from __future__ import annotations

import pytest

from workbench.ingest.referrers import classify
from workbench.ingest.useragents import agent
from workbench.model import DEVICE_TYPES, REFERRER_TYPES

OWN = "shop.example.com"
REFERRERS = [  # referrer, landing URL, (type, domain, search term, campaign)
    ("", "/", ("direct", None, None, None)),
    ("-", "/", ("direct", None, None, None)),
    ("https://shop.example.com/cart", "/", ("direct", None, None, None)),
    ("https://www.shop.example.com/", "/", ("direct", None, None, None)),
    ("https://www.google.com/search?q=running+shoes&hl=en", "/", ("search", "google.com", "running shoes", None)),
    ("https://www.google.co.uk/", "/", ("search", "google.co.uk", None, None)),
    ("https://www.google.de/url?q=x&as_q=", "/", ("search", "google.de", "x", None)),
    ("https://www.bing.com/search?q=web%20analytics", "/", ("search", "bing.com", "web analytics", None)),
    ("https://duckduckgo.com/?q=privacy", "/", ("search", "duckduckgo.com", "privacy", None)),
    ("https://html.duckduckgo.com/html/", "/", ("search", "html.duckduckgo.com", None, None)),
    ("https://search.yahoo.com/search?p=shoes", "/", ("search", "search.yahoo.com", "shoes", None)),
    ("https://yandex.ru/search/?text=%D0%BE%D0%B1%D1%83%D0%B2%D1%8C", "/", ("search", "yandex.ru", "обувь", None)),
    ("https://www.baidu.com/s?wd=%E9%9E%8B", "/", ("search", "baidu.com", "鞋", None)),
    ("https://www.ecosia.org/search?q=trees", "/", ("search", "ecosia.org", "trees", None)),
    ("https://search.brave.com/search?q=brave", "/", ("search", "search.brave.com", "brave", None)),
    ("https://www.startpage.com/do/search?query=sp", "/", ("search", "startpage.com", "sp", None)),
    ("https://www.qwant.com/?q=qw", "/", ("search", "qwant.com", "qw", None)),
    ("https://www.facebook.com/", "/", ("social", "facebook.com", None, None)),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example.com", "/", ("social", "l.facebook.com", None, None)),
    ("https://t.co/AbC123", "/", ("social", "t.co", None, None)),
    ("https://www.linkedin.com/feed/", "/", ("social", "linkedin.com", None, None)),
    ("https://old.reddit.com/r/python/", "/", ("social", "old.reddit.com", None, None)),
    ("https://news.ycombinator.com/item?id=1", "/", ("social", "news.ycombinator.com", None, None)),
    ("https://mail.google.com/mail/u/0/", "/", ("email", "mail.google.com", None, None)),
    ("https://outlook.live.com/mail/0/inbox", "/", ("email", "outlook.live.com", None, None)),
    ("https://webmail.example.net/", "/", ("email", "webmail.example.net", None, None)),
    ("android-app://com.google.android.gm/", "/", ("email", "com.google.android.gm", None, None)),
    ("android-app://com.google.android.googlequicksearchbox/", "/", ("search", "com.google.android.googlequicksearchbox", None, None)),
    ("https://blog.example.org/a-post", "/", ("link", "blog.example.org", None, None)),
    ("https://www.google.example.org/", "/", ("link", "google.example.org", None, None)),
    ("http://[not-a-host", "/", ("link", None, None, None)),
    ("-", "/?utm_source=newsletter&utm_medium=email&utm_campaign=spring", ("email", None, None, "spring")),
    ("https://t.co/x", "/?utm_source=tw&utm_campaign=launch", ("campaign", "t.co", None, "launch")),
    ("https://www.google.com/", "/?utm_source=google&utm_medium=cpc&utm_campaign=brand", ("advertising", "google.com", None, "brand")),
    ("", "/?utm_source=partner", ("campaign", None, None, None)),
    ("", "/?mtm_campaign=matomo-tagged", ("campaign", None, None, "matomo-tagged")),
    ("https://www.google.com/", "/landing?gclid=EAIaIQobChMI", ("advertising", "google.com", None, None)),
    ("https://www.bing.com/", "/?msclkid=abc", ("advertising", "bing.com", None, None)),
    ("", "/?q=<script>alert(1)</script>&utm_campaign=%27%3B%20DROP%20TABLE", ("campaign", None, None, "'; DROP TABLE")),
]  # fmt: skip


@pytest.mark.parametrize(("referrer", "landing", "expected"), REFERRERS)
def test_referrers_are_classified(referrer, landing, expected) -> None:
    source = classify(referrer, landing, OWN)
    got = (source.referrer_type, source.referrer_domain, source.search_term, source.campaign)
    assert got == expected
    assert source.referrer_type in REFERRER_TYPES
    direct = referrer in ("", "-") or expected[0] == "direct"
    assert source.referrer_url == (None if direct else referrer)


AGENTS = [  # user agent, (browser, version, os, os version, device type, bot reason)
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     ("Chrome", "124.0", "Windows", "10", "desktop", None)),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
     ("Firefox", "125.0", "Mac OS X", "14.4", "desktop", None)),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
     ("Mobile Safari", "17.4", "iOS", "17.4", "mobile", None)),
    ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
     ("Mobile Safari", "16.6", "iOS", "16.6", "tablet", None)),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
     ("Chrome Mobile", "124.0", "Android", "14", "mobile", None)),
    ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     ("Chrome", "124.0", "Android", "13", "tablet", None)),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     ("Googlebot", "2.1", None, None, "desktop", "crawler-ua")),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
     ("Googlebot", "2.1", "Android", "6.0", "mobile", "crawler-ua")),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
     ("bingbot", "2.0", None, None, "desktop", "crawler-ua")),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
     ("GPTBot", "1.2", None, None, "desktop", "crawler-ua")),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36",
     ("HeadlessChrome", "124.0", "Linux", None, "desktop", "headless")),
    ("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1",
     ("PhantomJS", "2.1", "Linux", None, "desktop", "headless")),
    ("curl/8.5.0", ("curl", "8.5", None, None, "desktop", "crawler-ua")),
    ("Wget/1.21.4", ("Wget", "1.21", None, None, "desktop", "crawler-ua")),
    ("python-requests/2.31.0", ("Python Requests", "2.31", None, None, "desktop", "crawler-ua")),
    ("Go-http-client/1.1", (None, None, None, None, "desktop", "crawler-ua")),
    ("", (None, None, None, None, "desktop", "crawler-ua")),
    ("-", (None, None, None, None, "desktop", "crawler-ua")),
]  # fmt: skip


@pytest.mark.parametrize(("ua", "expected"), AGENTS)
def test_user_agents_are_parsed(ua, expected) -> None:
    a = agent(ua)
    got = (a.browser, a.browser_version, a.os, a.os_version, a.device_type, a.bot_reason)
    assert got[:2] == expected[:2] or expected[0] is None
    assert got[2:] == expected[2:]
    assert a.device_type in DEVICE_TYPES


def test_each_distinct_user_agent_is_parsed_once() -> None:
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0 cache-test"
    before = agent.cache_info()
    for _ in range(1_000):
        agent(ua)
    after = agent.cache_info()
    assert after.misses - before.misses == 1 and after.hits - before.hits == 999
