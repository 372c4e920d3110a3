"""Web visitors' technology: browser and OS families, releases over time, user agents, screens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def _timeline(
    first: int, dates: str, fmt: str, offset: int = 0
) -> tuple[tuple[dt.date, str, str], ...]:
    """Releases numbered from ``first``: (date, version, Chromium version) each."""
    out = []
    for i, d in enumerate(dates.split()):
        major = first + i
        out.append((dt.date.fromisoformat(d), fmt.format(major), f"{major + offset}.0.0.0"))
    return tuple(out)


CHROME_DATES = (
    "2023-03-07 2023-04-04 2023-05-02 2023-05-30 2023-07-18 2023-08-15 2023-09-12 2023-10-10 "
    "2023-10-31 2023-12-05 2024-01-23 2024-02-20 2024-03-19 2024-04-16 2024-05-14 2024-06-11 "
    "2024-07-23 2024-08-20 2024-09-17 2024-10-15 2024-11-12"
)
FIREFOX_DATES = (
    "2023-03-14 2023-04-11 2023-05-09 2023-06-06 2023-07-04 2023-08-01 2023-08-29 2023-09-26 "
    "2023-10-24 2023-11-21 2023-12-19 2024-01-23 2024-02-20 2024-03-19 2024-04-16 2024-05-14 "
    "2024-06-11 2024-07-09 2024-08-06 2024-09-03 2024-10-01 2024-10-29"
)
SAFARI = tuple(
    (dt.date.fromisoformat(d), v, v)
    for d, v in (
        ("2023-03-27", "16.4"),
        ("2023-05-18", "16.5"),
        ("2023-07-24", "16.6"),
        ("2023-09-18", "17.0"),
        ("2023-10-25", "17.1"),
        ("2023-12-11", "17.2"),
        ("2024-01-22", "17.3"),
        ("2024-03-05", "17.4"),
        ("2024-05-13", "17.5"),
        ("2024-07-29", "17.6"),
        ("2024-09-16", "18.0"),
        ("2024-10-28", "18.1"),
    )
)
SAMSUNG = tuple(
    (dt.date.fromisoformat(d), v, c)
    for d, v, c in (
        ("2023-04-01", "21.0", "110.0.0.0"),
        ("2023-07-01", "22.0", "111.0.0.0"),
        ("2023-10-01", "23.0", "115.0.0.0"),
        ("2024-02-01", "24.0", "117.0.0.0"),
        ("2024-04-15", "25.0", "121.0.0.0"),
        ("2024-07-01", "26.0", "122.0.0.0"),
        ("2024-10-15", "27.0", "125.0.0.0"),
    )
)
RELEASES = {
    "chrome": _timeline(111, CHROME_DATES, "{}.0.0.0"),
    "firefox": _timeline(111, FIREFOX_DATES, "{}.0"),
    "opera": _timeline(97, CHROME_DATES, "{}.0.0.0", offset=14),
    "safari": SAFARI,
    "samsung": SAMSUNG,
}

WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
SAFARI_KIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
ANDROID_OS = (
    ("14", "14", 38, None),
    ("13", "13", 25, None),
    ("12", "12", 14, None),
    ("11", "11", 10, None),
    ("10", "10", 6, None),
    ("15", "15", 7, "2024-10-15"),
)
SAMSUNG_OS = (
    ("14", "14; SM-S918B", 20, None),
    ("14", "14; SM-A546B", 25, None),
    ("13", "13; SM-A536B", 20, None),
    ("13", "13; SM-G991B", 15, None),
    ("12", "12; SM-A525F", 10, None),
    ("14", "14; SM-S921B", 10, "2024-02-01"),
)


@dataclass(frozen=True)
class Family:
    """A device/OS/browser combination; its variants are OS entries x browser releases."""

    device: str
    os: str
    browser: str
    releases: str  # a key of RELEASES
    ua: str  # template: {v} browser version, {c} Chromium version, {o} OS token
    weight: float
    screens: str  # a key of SCREENS
    os_versions: tuple[tuple[str | None, str, float, str | None], ...] | str = (
        (None, "", 1, None),
    )
    ios_tilt: bool = False


FAMILIES: tuple[Family, ...] = (
    Family(
        "desktop",
        "Windows",
        "Chrome",
        "chrome",
        f"{WIN} {WEBKIT} Chrome/{{v}} Safari/537.36",
        47,
        "desktop",
        (("10", "", 60, None), ("11", "", 40, None)),
    ),
    Family(
        "desktop",
        "Windows",
        "Edge",
        "chrome",
        f"{WIN} {WEBKIT} Chrome/{{v}} Safari/537.36 Edg/{{v}}",
        12,
        "desktop",
        (("10", "", 55, None), ("11", "", 45, None)),
    ),
    Family(
        "desktop",
        "Windows",
        "Firefox",
        "firefox",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}) Gecko/20100101 Firefox/{v}",
        6,
        "desktop",
        (("10", "", 65, None), ("11", "", 35, None)),
    ),
    Family(
        "desktop",
        "Windows",
        "Opera",
        "opera",
        f"{WIN} {WEBKIT} Chrome/{{c}} Safari/537.36 OPR/{{v}}",
        2,
        "desktop",
        (("10", "", 70, None), ("11", "", 30, None)),
    ),
    Family(
        "desktop",
        "Mac OS X",
        "Chrome",
        "chrome",
        f"{MAC} {WEBKIT} Chrome/{{v}} Safari/537.36",
        13,
        "mac",
        (("10.15.7", "", 1, None),),
    ),
    Family(
        "desktop",
        "Mac OS X",
        "Safari",
        "safari",
        f"{MAC} {SAFARI_KIT} Version/{{v}} Safari/605.1.15",
        10,
        "mac",
        (("10.15.7", "", 1, None),),
    ),
    Family(
        "desktop",
        "Mac OS X",
        "Firefox",
        "firefox",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{v}) Gecko/20100101 Firefox/{v}",
        2,
        "mac",
        (("10.15", "", 1, None),),
    ),
    Family(
        "desktop",
        "Linux",
        "Chrome",
        "chrome",
        f"Mozilla/5.0 (X11; Linux x86_64) {WEBKIT} Chrome/{{v}} Safari/537.36",
        3,
        "desktop",
    ),
    Family(
        "desktop",
        "Linux",
        "Firefox",
        "firefox",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{v}) Gecko/20100101 Firefox/{v}",
        2,
        "desktop",
    ),
    Family(
        "desktop",
        "Chrome OS",
        "Chrome",
        "chrome",
        f"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) {WEBKIT} Chrome/{{v}} Safari/537.36",
        1.5,
        "desktop",
    ),
    Family(
        "mobile",
        "iOS",
        "Safari",
        "safari",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS {{o}} like Mac OS X) {SAFARI_KIT} "
        "Version/{v} Mobile/15E148 Safari/604.1",
        28,
        "iphone",
        "safari",
        True,
    ),
    Family(
        "mobile",
        "iOS",
        "Chrome",
        "chrome",
        f"Mozilla/5.0 (iPhone; CPU iPhone OS {{o}} like Mac OS X) {SAFARI_KIT} "
        "CriOS/{v} Mobile/15E148 Safari/604.1",
        4,
        "iphone",
        "safari",
        True,
    ),
    Family(
        "mobile",
        "Android",
        "Chrome",
        "chrome",
        f"Mozilla/5.0 (Linux; Android 10; K) {WEBKIT} Chrome/{{v}} Mobile Safari/537.36",
        45,
        "android",
        ANDROID_OS,
    ),
    Family(
        "mobile",
        "Android",
        "Samsung Internet",
        "samsung",
        f"Mozilla/5.0 (Linux; Android {{o}}) {WEBKIT} SamsungBrowser/{{v}} "
        "Chrome/{c} Mobile Safari/537.36",
        9,
        "android",
        SAMSUNG_OS,
    ),
    Family(
        "mobile",
        "Android",
        "Firefox",
        "firefox",
        "Mozilla/5.0 (Android {o}; Mobile; rv:{v}) Gecko/{v} Firefox/{v}",
        1.5,
        "android",
        ANDROID_OS,
    ),
    Family(
        "tablet",
        "iOS",
        "Safari",
        "safari",
        f"Mozilla/5.0 (iPad; CPU OS {{o}} like Mac OS X) {SAFARI_KIT} Version/{{v}} "
        "Mobile/15E148 Safari/604.1",
        55,
        "ipad",
        "safari",
        True,
    ),
    Family(
        "tablet",
        "Android",
        "Chrome",
        "chrome",
        f"Mozilla/5.0 (Linux; Android 10; K) {WEBKIT} Chrome/{{v}} Safari/537.36",
        40,
        "android_tablet",
        ANDROID_OS,
    ),
    Family(
        "bot",
        "Linux",
        "HeadlessChrome",
        "chrome",
        f"Mozilla/5.0 (X11; Linux x86_64) {WEBKIT} HeadlessChrome/{{v}} Safari/537.36",
        1,
        "desktop",
    ),
)

SCREENS = {
    "desktop": "1920x1080 30 1366x768 12 1536x864 12 1440x900 5 2560x1440 7 1280x720 4 1600x900 4 "
    "1280x800 2 1680x1050 2 1920x1200 4 3840x2160 2 1280x1024 2 2560x1080 1",
    "mac": "1440x900 20 1512x982 18 1728x1117 10 1470x956 14 1680x1050 6 2560x1440 8 1920x1080 12 "
    "1280x800 4 1920x1200 5",
    "iphone": "390x844 22 393x852 22 414x896 10 375x812 8 428x926 7 430x932 10 375x667 8",
    "android": "412x915 25 360x800 20 393x873 12 384x854 8 412x892 8 360x780 8 393x851 6 "
    "360x760 5 411x914 5 412x846 3",
    "ipad": "810x1080 30 820x1180 25 768x1024 20 834x1194 12 1024x1366 8 744x1133 5",
    "android_tablet": "800x1280 35 1280x800 20 962x601 10 712x1138 10 753x1205 10 1200x1920 15",
}

IOS_HEAVY = frozenset("US CA GB AU NZ JP CH SE NO DK FI IE AT NL".split())
IOS_LIGHT = frozenset("IN ID PK BD PH NG KH NP VN EG TR BR MX".split())
DEVICES = ("desktop", "mobile", "tablet")
COLUMNS = ("device_type", "os", "os_version", "browser", "browser_version", "user_agent")
