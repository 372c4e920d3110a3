"""Access-log ingest throughput: a generated nginx combined log, parsed, sessionised and stored."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from workbench.ingest.accesslog import ingest_access_log
from workbench.paths import PROJECT_ROOT
from workbench.sites import add_site
from workbench.store import Store

DATA = PROJECT_ROOT / "bench" / "data"
TARGET = 100_000  # lines/s end to end (parse + sessionise + geolocate + store)
NOW = dt.datetime(2024, 11, 20, tzinfo=dt.UTC)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{m} Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{m} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.{m} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel {m}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (iPad; CPU OS 16_{m} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.{m} Mobile/15E148 Safari/604.1",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0",
    "python-requests/2.31.0",
]
PAGES = ["/", "/pricing", "/blog/", "/docs/start", "/contact", "/search?q=shoes"] + [
    f"/blog/post-{i}" for i in range(200)
]
ASSETS = ["/static/app.css", "/static/app.js", "/img/logo.png", "/favicon.ico", "/fonts/a.woff2"]
REFERRERS = [
    "-",
    "-",
    "https://www.google.com/",
    "https://www.bing.com/search?q=analytics+tool",
    "https://t.co/xyz",
    "https://news.ycombinator.com/item?id=1",
]


def generate(path: Path, lines: int, seed: int = 7) -> None:
    """About ``lines`` lines: visitors of a few pages with their assets, over a day and a half."""
    rng = random.Random(seed)
    agents = [b.format(v=rng.randint(110, 131), m=rng.randint(0, 9)) for b in BROWSERS * 60]
    out, t = [], 1_731_974_400.0  # 2024-11-19 00:00 UTC
    while len(out) < lines:
        ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        bot = rng.random() < 0.1
        ua = rng.choice(BOTS) if bot else rng.choice(agents)
        ref = rng.choice(REFERRERS)
        for _ in range(rng.randint(1, 8)):
            t += rng.random() * 0.9
            page = rng.choice(PAGES)
            out.append(_line(ip, t, page, 200, ref, ua))
            if not bot:
                out += [_line(ip, t + 0.2, a, 200, page, ua) for a in rng.sample(ASSETS, 3)]
            ref = "https://shop.example.com" + page
    path.write_text("\n".join(out[:lines]) + "\n")


def _line(ip: str, t: float, url: str, status: int, ref: str, ua: str) -> str:
    d = dt.datetime.fromtimestamp(t, dt.UTC)
    when = f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}:{d:%H:%M:%S} +0000"
    return f'{ip} - - [{when}] "GET {url} HTTP/1.1" {status} 1234 "{ref}" "{ua}"'


def run(sessions: int = 0, lines: int = 250_000, runs: int = 3) -> list[dict[str, str]]:
    DATA.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="wb-bench-accesslog-", dir=DATA))
    try:
        log = work / "access.log"
        generate(log, lines)
        times, cpu, outcome = [], [], None
        for i in range(runs + 1):  # the first run loads geoip2fast's data and ua-parser's rules
            store = Store.create(work / f"store-{i}")
            add_site(store, "shop", now=NOW, name="shop.example.com")
            started, cpu_started = time.perf_counter(), time.process_time()
            outcome = ingest_access_log(store, [log], site="shop", now=NOW)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            assert outcome.reconciles and outcome.rejected == 0, outcome.summary()
        warmup = times.pop(0)
        cpu.pop(0)
        median = statistics.median(times)
        rate = lines / median
        assert outcome is not None
        return [
            {
                "name": "ingest an access log (parse + sessionise + geolocate + store)",
                "data": f"{lines:,} nginx combined lines → {outcome.sessions:,} visits, "
                f"{outcome.stored:,} events, {outcome.skipped.get('asset', 0):,} assets skipped",
                "result": f"{rate:,.0f} lines/s ({median:.2f} s, median of {runs}; CPU "
                f"{lines / statistics.median(cpu):,.0f} lines/s; first run in a process "
                f"{warmup:.2f} s with loading the data)",
                "target": f"≥ {TARGET:,} lines/s",
                "met": "yes" if rate >= TARGET else "**no**",
            }
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(row)
