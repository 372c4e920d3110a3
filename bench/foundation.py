"""Data-foundation benchmarks: generation rate, sample build, opening a store + a first query."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbench.paths import PROJECT_ROOT
from workbench.sample.build import build_benchmark_store, build_sample_store
from workbench.timebuckets import zone_offsets

DATA = PROJECT_ROOT / "bench" / "data"
GENERATION_TARGET = 200_000  # sessions/s with their events, written to a store
OPEN_TARGET = 1.0  # seconds: open a store and answer a first query

# Runs in a fresh interpreter so nothing is warm: imports are done before the clock starts,
# as a server or app has them loaded before its first request.
FIRST_QUERY = """
import datetime as dt, json, sys, time
from workbench.core import Workbench
from workbench.reports import top_locations
from workbench.timeframe import Interval
t0 = time.perf_counter()
wb = Workbench.open(sys.argv[1])
end = dt.datetime(2024, 11, 20, tzinfo=dt.UTC)
span = Interval(end - dt.timedelta(days=30), end, "UTC")
rows = top_locations(wb, span, sites=("www.opentracker.net",)).frame
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": len(rows)}))
"""


def generation(sessions: int) -> dict[str, str]:
    out = Path(tempfile.mkdtemp(prefix="wb-bench-gen-", dir=DATA))
    shutil.rmtree(out)
    started = time.perf_counter()
    store = build_benchmark_store(out, sessions=sessions, days=396)
    seconds = time.perf_counter() - started
    events = store.snapshot.rows("events")
    rate = sessions / seconds
    shutil.rmtree(out)
    return _row(
        "generate sessions + events into a store",
        f"{sessions:,} sessions, {events:,} events, 396 days",
        f"{rate:,.0f} sessions/s ({seconds:.1f} s)",
        f"≥ {GENERATION_TARGET:,} sessions/s",
        rate >= GENERATION_TARGET,
    )


def first_query(store: Path, label: str, runs: int = 5) -> dict[str, str]:
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_QUERY, str(store)],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(json.loads(done.stdout)["seconds"])
    median = statistics.median(times)
    return _row(
        "open a store + first query (top countries, 30 days)",
        label,
        f"{median * 1000:,.0f} ms (max {max(times) * 1000:,.0f} ms, {runs} fresh processes)",
        f"≤ {OPEN_TARGET:g} s",
        median <= OPEN_TARGET,
    )


def sample_build() -> tuple[Path, dict[str, str]]:
    out = DATA / "sample-store"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    store = build_sample_store(out)
    seconds = time.perf_counter() - started
    n = store.snapshot.rows("sessions")
    row = _row(
        "build the sample store (fixtures + 13 months)",
        f"{n:,} sessions, {store.snapshot.rows('events'):,} events",
        f"{seconds:.1f} s ({n / seconds:,.0f} sessions/s)",
        "first `make run` stays short",
        seconds <= 60,
    )
    return out, row


def zone_offsets_row(runs: int = 20) -> dict[str, str]:
    start = dt.datetime(2023, 10, 20, tzinfo=dt.UTC)
    end = dt.datetime(2024, 11, 20, tzinfo=dt.UTC)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        zone_offsets("Europe/Helsinki", start, end)
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    return _row(
        "zone_offsets: a zone's UTC offset changes",
        "Europe/Helsinki, 13 months",
        f"{median * 1000:.1f} ms ({runs} runs)",
        "≤ 50 ms",
        median <= 0.05,
    )


def run(sessions: int = 1_000_000) -> list[dict[str, str]]:
    DATA.mkdir(parents=True, exist_ok=True)
    rows = [generation(sessions)]
    sample, built = sample_build()
    rows += [built, first_query(sample, "the sample store"), zone_offsets_row()]
    big = DATA / f"generated-{sessions}"
    if not (big / "store.json").exists():
        build_benchmark_store(big, sessions=sessions, days=396)
    rows.append(first_query(big, f"generated store, {sessions:,} sessions"))
    return rows


def _row(name: str, data: str, result: str, target: str, met: bool) -> dict[str, str]:
    return {
        "name": name,
        "data": data,
        "result": result,
        "target": target,
        "met": "yes" if met else "**no**",
    }
