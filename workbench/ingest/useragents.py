"""User agents: browser, OS, device type and bot signals from ua-parser, each distinct agent parsed once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

CACHE_SIZE = 1 << 16  # distinct user agents remembered (a log has a few thousand)
HEADLESS = re.compile(
    r"HeadlessChrome|PhantomJS|SlimerJS|Puppeteer|Playwright|Selenium|WebDriver|"
    r"Chrome-Lighthouse|\bHeadless",
    re.IGNORECASE,
)
CRAWLER = re.compile(  # crawlers ua-parser may miss, and HTTP tools and libraries
    r"(?:bot|crawler|spider|slurp|scraper|fetcher)\b|^curl/|^wget/|python-requests|"
    r"python-urllib|python-httpx|aiohttp|Go-http-client|^Java/|okhttp|libwww-perl|"
    r"Scrapy|Apache-HttpClient|axios/|node-fetch|undici|HTTPie|facebookexternalhit|"
    r"ia_archiver|Pingdom|UptimeRobot|StatusCake|zgrab|masscan|Nmap|Nikto|sqlmap|^$",
    re.IGNORECASE,
)
TABLET = re.compile(r"iPad|Tablet|Kindle|Silk/|PlayBook|Nexus (?:7|9|10)\b|SM-[TXP]\d", re.I)
MOBILE = re.compile(r"Mobi|iPhone|iPod|Android|Windows Phone|BlackBerry|Opera Mini", re.I)


@dataclass(frozen=True)
class Agent:
    """What a User-Agent header says (None where it says nothing)."""

    browser: str | None
    browser_version: str | None
    os: str | None
    os_version: str | None
    device_type: str  # desktop, mobile or tablet
    device: str | None
    bot_reason: str | None  # 'headless', 'crawler-ua' or None


def _version(*parts: str | None) -> str | None:
    kept = []
    for part in parts:
        if part is None:
            break
        kept.append(part)
    return ".".join(kept) or None


def _device_type(ua: str, device: str | None, brand: str | None) -> str:
    if device == "iPad" or brand == "Generic_Android_Tablet" or TABLET.search(ua):
        return "tablet"
    if "Android" in ua and "Mobi" not in ua and "Googlebot" not in ua:
        return "tablet"  # Android's convention: a tablet's browser leaves out "Mobile"
    return "mobile" if MOBILE.search(ua) else "desktop"


@lru_cache(maxsize=CACHE_SIZE)
def agent(ua: str) -> Agent:
    """Parse ``ua`` (cached: each distinct agent is parsed once while it stays in use)."""
    ua = ua if ua != "-" else ""
    result = parse(ua) if ua else None
    browser = result.user_agent if result else None
    system = result.os if result else None
    device = result.device if result else None
    family = device.family if device and device.family not in ("Other", "Spider") else None
    if HEADLESS.search(ua):
        reason = "headless"
    elif (device and device.family == "Spider") or CRAWLER.search(ua):
        reason = "crawler-ua"
    else:
        reason = None
    return Agent(
        browser=browser.family if browser else None,
        browser_version=_version(browser.major, browser.minor) if browser else None,
        os=system.family if system and system.family != "Other" else None,
        os_version=_version(system.major, system.minor) if system else None,
        device_type=_device_type(ua, family, device.brand if device else None),
        device=family,
        bot_reason=reason,
    )
