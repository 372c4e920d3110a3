"""Inputs and an ingest process for the kill test: real-shaped logs and a table, ingested in small batches.

``python tests/ingest_worker.py KIND STORE BATCH PATH...`` does what ``workbench ingest KIND``
does (the store opened by path, ``now`` the wall clock, the library's ingester) with a
small batch size, so that a short input makes many commits; it prints the outcome as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path
from urllib.parse import urlencode

from workbench.ingest.accesslog import ingest_access_log
from workbench.ingest.countly import ingest_countly
from workbench.ingest.table import ingest_table
from workbench.store import Store

SITE = "shop"  # the web site of the access log and the table
DAY0 = dt.datetime(2024, 11, 4, 6, tzinfo=dt.UTC)
MIN = 60_000
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36"
)
AGENTS = [
    CHROME,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
]
PAGES = ["/", "/pricing", "/docs/start", "/blog/", "/contact", "/guide.pdf"]
ASSETS = ["/static/app.css", "/static/app.js", "/img/logo.png", "/favicon.ico"]
REFERRERS = ["-", "https://www.google.com/", "https://t.co/x", "https://news.example.org/a"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
METRICS = json.dumps(
    {
        "_ua": CHROME.format(v=126),
        "_resolution": "1920x1080",
        "_locale": "fi-FI",
        "_os": "Windows",
        "_device_type": "desktop",
        "_browser": "Chrome",
        "_app_version": "2.1",
    }
)


def countly_log(path: Path, key: str, sessions: int, seed: int = 11) -> int:
    """Web-SDK sessions (begin with metrics, views and custom events with segmentation,
    heartbeats, end), interleaved in time order, with a malformed request now and then;
    the number of lines written."""
    rng = random.Random(seed)
    lines: list[tuple[int, str]] = []
    for n in range(sessions):
        start = int(DAY0.timestamp() * 1000) + n * 20_000 + rng.randrange(15_000)
        lines += _countly_session(key, f"dev-{n % max(1, sessions // 3):05d}", start, rng)
        if n % 40 == 0:  # a truncated events JSON: rejected, counted, never stored
            lines.append((start + 1, urlencode({"app_key": key, "device_id": "x", "events": "[{"})))
    lines.sort()
    path.write_text("".join(text + "\n" for _, text in lines))
    return len(lines)


def _countly_session(key: str, device: str, ts: int, rng: random.Random) -> list[tuple[int, str]]:
    base = {"app_key": key, "device_id": device, "sdk_name": "javascript_native_web"}
    base |= {"sdk_version": "26.1.1", "av": "2.1", "metrics": METRICS}

    def req(at: int, **params: object) -> tuple[int, str]:
        return at, urlencode(base | {"timestamp": at} | params)

    ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    out = [req(ts, begin_session=1, ip_address=ip)]
    beats = rng.randrange(1, 5)
    for beat in range(beats):
        at = ts + MIN * beat + rng.randrange(1_000, 50_000)
        events = [
            {"key": "[CLY]_view", "count": 1, "timestamp": at,
             "segmentation": {"name": rng.choice(PAGES), "visit": 1}},
            {"key": "buy", "count": rng.randint(1, 3), "sum": rng.randint(1, 90), "dur": 2,
             "timestamp": at + 3, "segmentation": {"plan": rng.choice(["free", "pro"])}},
        ]  # fmt: skip
        out.append(req(at, events=json.dumps(events)))
        out.append(req(ts + MIN * (beat + 1), session_duration=60))
    out.append(req(ts + MIN * beats + 9_000, session_duration=9, end_session=1))
    return out


def access_log(path: Path, visits: int, seed: int = 7) -> int:
    """Nginx combined lines: visits of a few pages with their assets, some bots, arriving
    over hours so that visits close (and are stored) all along; the number of lines."""
    rng = random.Random(seed)
    hits: list[tuple[float, str]] = []
    for n in range(visits):
        t = DAY0.timestamp() + n * 30.0 + rng.random() * 20
        ip = f"10.{n // 250 % 250}.{n % 250}.{rng.randint(1, 254)}"
        bot = rng.random() < 0.1
        ua = rng.choice(BOTS) if bot else rng.choice(AGENTS).format(v=rng.randint(110, 131))
        referrer = rng.choice(REFERRERS)
        for _ in range(rng.randint(1, 6)):
            t += 1 + rng.random() * 40
            page = rng.choice(PAGES)
            hits.append((t, _line(ip, t, page, referrer, ua)))
            if not bot:
                hits += [(t + 0.3, _line(ip, t + 0.3, a, page, ua)) for a in rng.sample(ASSETS, 2)]
            referrer = f"https://shop.example.com{page}"
    hits.sort()
    path.write_text("".join(text + "\n" for _, text in hits))
    return len(hits)


def _line(ip: str, t: float, url: str, referrer: str, ua: str) -> str:
    d = dt.datetime.fromtimestamp(t, dt.UTC)
    when = f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}:{d:%H:%M:%S} +0000"
    return f'{ip} - - [{when}] "GET {url} HTTP/1.1" 200 5120 "{referrer}" "{ua}"'


def sessions_csv(path: Path, rows: int, seed: int = 3) -> int:
    """A CSV of sessions exported from elsewhere (canonical names, one unknown column)."""
    rng = random.Random(seed)
    out = ["visitor_id,start_ts,end_ts,pageviews,is_new,country_code,city,campaign"]
    for n in range(rows):
        start = DAY0 + dt.timedelta(seconds=n * 13 + rng.randrange(10))
        end = start + dt.timedelta(seconds=rng.randrange(0, 900))
        country, city = rng.choice([("FI", "Helsinki"), ("SE", "Stockholm"), ("US", "")])
        out.append(
            f"v{rng.randrange(rows // 2)},{start.isoformat()},{end:%Y-%m-%dT%H:%M:%SZ},"
            f"{rng.randint(1, 9)},{rng.choice(['true', 'false'])},{country},{city},{rng.choice(['spring', 'autumn', ''])}"
        )
    path.write_text("\n".join(out) + "\n")
    return rows


def _countly(store: Store, paths: list[str], now: dt.datetime, batch: int):
    return ingest_countly(store, paths, now=now, batch_requests=batch)


def _access_log(store: Store, paths: list[str], now: dt.datetime, batch: int):
    return ingest_access_log(store, paths, site=SITE, now=now, batch_lines=batch)


def _table(store: Store, paths: list[str], now: dt.datetime, batch: int):
    return ingest_table(store, paths, site=SITE, now=now, batch_rows=batch)


INGESTERS = {"countly": _countly, "access-log": _access_log, "table": _table}


def main(kind: str, root: str, batch: str, *paths: str) -> None:
    outcome = INGESTERS[kind](Store.open(root), list(paths), dt.datetime.now(dt.UTC), int(batch))
    counts = ("input", "stored", "duplicates", "rejected", "batches", "reconciles")
    print(json.dumps({name: getattr(outcome, name) for name in counts}))


if __name__ == "__main__":
    main(*sys.argv[1:])
