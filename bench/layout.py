"""Store-layout benchmarks at 10M sessions: the queries MEASURED.md timed, on our month files."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from workbench.paths import PROJECT_ROOT
from workbench.sample.build import build_benchmark_store
from workbench.store import Store

DATA = PROJECT_ROOT / "bench" / "data"
NOW = dt.datetime(2024, 11, 20, tzinfo=dt.UTC)
SITE = "www.opentracker.net"

TOP_COUNTRIES = """
SELECT country_code, count(DISTINCT visitor_id) AS users, count(*) AS sessions
FROM sessions WHERE site_id = $site AND start_ts >= $start AND start_ts < $end AND NOT is_bot
GROUP BY country_code ORDER BY users DESC
"""
TOP_CITIES = """
SELECT city, count(DISTINCT visitor_id) AS users, count(*) AS sessions
FROM sessions WHERE site_id = $site AND country_code = 'US' AND region_code = 'CA'
AND start_ts >= $start AND start_ts < $end AND NOT is_bot GROUP BY city ORDER BY users DESC
"""
# Four filters, the country list as an OR chain (MEASURED.md rule 2).
SESSION_LIST = """
SELECT session_id, start_ts, country_code, pageviews FROM sessions
WHERE site_id = $site AND NOT is_bot AND pageviews > 1
AND (country_code = 'US' OR country_code = 'IN' OR country_code = 'DE' OR country_code = 'GB'
     OR country_code = 'FR')
AND start_ts >= $start AND start_ts < $end
ORDER BY start_ts DESC LIMIT 1000
"""


def timed(call, runs: int = 7) -> float:
    call()  # warm
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def newest_first(store: Store, limit: int = 1000) -> int:
    """The session list as a widening window back from now (1, 2, 4, … days) until full,
    each window reading only the files that overlap it."""
    days = 1
    while True:
        start = NOW - dt.timedelta(days=days)
        window = {"site": SITE, "start": start, "end": NOW}
        rows = store.sql(pruned(store, SESSION_LIST, window), window)
        if len(rows) >= limit or days > 512:
            return len(rows)
        days *= 2


def run(sessions: int = 10_000_000) -> list[dict[str, str]]:
    path = DATA / f"generated-{sessions}"
    if not (path / "store.json").exists():
        build_benchmark_store(path, sessions=sessions, days=396)
    store = Store.open(path)
    month = {"site": SITE, "start": NOW - dt.timedelta(days=30), "end": NOW}
    year = {"site": SITE, "start": NOW - dt.timedelta(days=396), "end": NOW}
    label = f"{sessions:,} sessions, month files"
    rows = [
        (
            "top countries, exact users, 30 days",
            timed(lambda: store.sql(pruned(store, TOP_COUNTRIES, month), month)),
            0.173,
        ),
        (
            "top cities of US/CA, 30 days",
            timed(lambda: store.sql(pruned(store, TOP_CITIES, month), month)),
            0.050,
        ),
        (
            "session list, 4 filters, newest 1,000, newest-first windows",
            timed(lambda: newest_first(store)),
            0.017,
        ),
        (  # no target: shows why the session list widens a window instead
            "session list, 4 filters, newest 1,000, one query over 13 months",
            timed(lambda: store.sql(SESSION_LIST, year)),
            None,
        ),
    ]
    return [
        {
            "name": name,
            "data": label,
            "result": f"{seconds * 1000:,.0f} ms (median of 7)",
            "target": f"≤ 1.5 × {ref * 1000:,.0f} ms (MEASURED.md, Parquet)" if ref else "—",
            "met": ("yes" if seconds <= ref * 1.5 else "**no**") if ref else "n/a",
        }
        for name, seconds, ref in rows
    ]


def pruned(store: Store, query: str, window: dict) -> str:
    """``query`` reading sessions from only the files that overlap the window."""
    scan = store.scan("sessions", window["start"], window["end"])
    return query.replace("FROM sessions", f"FROM {scan}")


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
