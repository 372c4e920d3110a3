"""How one session-list row is written: status, durations, dates, referrer, country rules."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from workbench.dialects.opentracker_session_fields import STORED
from workbench.errors import WorkbenchError
from workbench.reference import country_name
from workbench.timebuckets import format_java

ONLINE_WINDOW = dt.timedelta(minutes=5)  # a visit heard from within it is online
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

SECOND_LEVELS = {"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go"}
EU = ("EU", "Europe")


@dataclass(frozen=True)
class Options:
    """How rows are written: zone, now, date format and the replacement parameters."""

    zone: str
    now: dt.datetime
    date_format: str
    unknown_city: str | None = None
    unknown_region: str | None = None
    gb_code: str | None = None
    eu_to_domain: bool = False
    site_names: dict[str, str] | None = None


def text(value: object) -> str:
    """A stored value as the document prints it: '' for none, floats as Java prints them."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def pretty_seconds(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def is_online(row: dict[str, object], now_ms: int) -> bool:
    seen = row["last_seen_ts"] if row["last_seen_ts"] is not None else row["end_ts"]
    return now_ms - ONLINE_WINDOW // dt.timedelta(milliseconds=1) <= seen <= now_ms


def registrable_domain(host: str) -> str:
    labels = host.lower().strip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVELS else 2
    return ".".join(labels[-keep:])


def _referrer_host(row: dict[str, object]) -> str:
    if not row["referrer_url"]:
        return ""
    host = row["referrer_domain"]
    if not host:
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", str(row["referrer_url"]), flags=re.I)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    return registrable_domain(str(host)) if host else ""


def _inet_aton(address: object) -> str:
    try:
        return str(int(ipaddress.IPv4Address(str(address))))
    except ValueError:
        return ""


def _unknown(value: object) -> bool:
    return value is None or str(value).strip() in ("", "Unknown", "unknown")


def _country(row: dict[str, object], options: Options) -> tuple[object, object]:
    """(code, name), Europe mapped to the site's country domain if asked."""
    code, name = row["country_code"], row["country_name"]
    if options.eu_to_domain and (code in EU or name in EU):
        site = (options.site_names or {}).get(str(row["site_id"]), str(row["site_id"]))
        tld = site.rsplit(".", 1)[-1].upper()
        tld = "GB" if tld == "UK" else tld
        try:
            name = country_name(tld) if len(tld) == 2 and tld != "EU" else name
            code = tld if len(tld) == 2 and tld != "EU" else code
        except WorkbenchError:  # not a country domain (.net, .com): unchanged
            pass
    return code, name


Renderer = Callable[[dict[str, object], Options], str]


def render_row(row: dict[str, object], columns: tuple[str, ...], options: Options) -> dict:
    """Every asked-for column of one visit as the document writes it, plus raw sort values."""
    now_ms = (options.now - EPOCH) // dt.timedelta(milliseconds=1)
    online = is_online(row, now_ms)
    start, end = row["start_ts"], row["end_ts"]
    if online:
        seconds = (now_ms - start + 500) // 1000
        duration = pretty_seconds(seconds)
    else:
        seconds = row["duration_s"] if row["duration_s"] is not None else (end - start) // 1000
        duration = "s.e." if end == start else pretty_seconds(seconds)
    seen = row["last_seen_ts"] if row["last_seen_ts"] is not None else end
    code, name = _country(row, options)
    host = _referrer_host(row)
    referrer = str(row["referrer_url"] or "")
    if ".google." in referrer:
        referrer = referrer.replace("/url?", "/search?", 1)
    platform = row["source.platform"] or " ".join(
        str(p) for p in (row["os"], row["os_version"]) if p
    )

    def when(ms: object) -> str:
        return "" if ms is None else format_java(instant(ms), options.date_format, options.zone)

    status = "online" if online else "offline"
    derived = {
        "lastEvent": when(seen),
        "duration": duration,
        "currentVisitDuration": duration,
        "status": f"puppet_{status}",
        "user_status": status,
        "flag": str(code or "").lower(),
        "visits_pageviews": f"{text(row['visit_number'])} ({text(row['pageviews'])})",
        "browser": " ".join(str(p) for p in (row["browser"], row["browser_version"]) if p),
        "platform": platform,
        "resolution": str(row["screen_resolution"] or "").replace("x", " x "),
        "entry_root_url": str(row["entry_url"] or "").split("?")[0],
        "exit_root_url": str(row["exit_url"] or "").split("?")[0],
        "firstMeasurement": when(row["first_visit_ts"]),
        "inet_aton": _inet_aton(row["ip_address"]) if row["ip_address"] else "",
        "referrer": referrer,
        "referrersLogo": host,
        "session_referrer_hostname": host.split(".")[0] if host else "",
        "session_referrer_unix_timestamp": text(start) if row["referrer_url"] else "",
        "site": (options.site_names or {}).get(str(row["site_id"]), str(row["site_id"])),
        "type": "session",
        "country": text(name),
        "country_name": text(name),
        "country_code": text(options.gb_code if code == "GB" and options.gb_code else code),
    }
    if options.unknown_city is not None and _unknown(row["city"]):
        derived["city"] = options.unknown_city
    if options.unknown_region is not None and _unknown(row["region_name"]):
        derived["region"] = options.unknown_region
    cells: dict[str, object] = {}
    for column in columns:
        cells[column] = derived[column] if column in derived else text(row[STORED[column]])
    sorts = {"lastEvent": seen, "firstMeasurement": row["first_visit_ts"]}
    sorts |= {"duration": seconds, "currentVisitDuration": seconds}
    for column, value in sorts.items():
        if column in cells:
            cells[f"sort:{column}"] = value
    return cells


def instant(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=ms)
