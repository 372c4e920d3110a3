"""Ingest throughput: Countly requests/s end to end (read + parse + sessionise + store), on a generated log.

The log is made the way countly-sdk-web 26 sends requests (form-encoded, 13-digit timestamps,
metrics on every request): per session a begin_session, events with segmentation ([CLY]_view
and custom), heartbeats every 60 s and an end_session. ``python -m bench.ingest [N]`` runs
it alone.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from workbench.ingest.countly import ingest_countly
from workbench.sites import add_site
from workbench.store import Store

NOW = dt.datetime(2024, 11, 20, tzinfo=dt.UTC)
TARGET = 50_000  # requests/s (issue 5)
METRICS = json.dumps(
    {
        "_ua": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
        "_resolution": "1920x1080",
        "_density": "1",
        "_locale": "en-US",
        "_os": "Linux",
        "_device_type": "desktop",
        "_browser": "Chrome",
        "_browser_version": "126.0",
        "_app_version": "2.1",
    }
)
PAGES = ("/", "/pricing", "/docs", "/blog", "/signup", "/cart")


def sdk_log(path: Path, key: str, requests: int, seed: int = 5) -> int:
    """Write about ``requests`` requests of interleaved sessions; the number written."""
    rng = random.Random(seed)
    start = int(dt.datetime(2024, 11, 1, tzinfo=dt.UTC).timestamp() * 1000)
    lines: list[tuple[int, str]] = []
    device = 0
    while len(lines) < requests:
        device += 1
        ts = start + rng.randrange(18 * 86_400_000)
        lines += _session(key, f"dev-{device:08d}", ts, rng)
    lines.sort()
    with open(path, "w") as fh:
        fh.writelines(text + "\n" for _, text in lines)
    return len(lines)


def _session(key: str, device: str, ts: int, rng: random.Random) -> list[tuple[int, str]]:
    base = {"app_key": key, "device_id": device, "t": 1, "av": "2.1"}
    base |= {"sdk_name": "javascript_native_web", "sdk_version": "26.1.1", "metrics": METRICS}

    def req(at: int, **params: object) -> tuple[int, str]:
        moment = dt.datetime.fromtimestamp(at / 1000, dt.UTC)
        fields = base | {"timestamp": at, "hour": moment.hour, "dow": moment.isoweekday() % 7}
        return at, urlencode(fields | {"tz": 0, "rr": 0} | params)

    out = [req(ts, begin_session=1)]
    for beat in range(rng.randrange(1, 8)):
        at = ts + 60_000 * beat + rng.randrange(1_000, 50_000)
        page = rng.choice(PAGES)
        events = [
            {"key": "[CLY]_view", "count": 1, "timestamp": at, "segmentation": {"name": page, "visit": 1}},
            {"key": "click", "count": 1, "sum": rng.random(), "timestamp": at + 5, "segmentation": {"id": "buy"}},
        ]  # fmt: skip
        out.append(req(at, events=json.dumps(events)))
        out.append(req(ts + 60_000 * (beat + 1), session_duration=60))
    out.append(req(out[-1][0] + 7_000, session_duration=7, end_session=1))
    return out


def run(sessions: int = 0, requests: int = 200_000, runs: int = 3) -> list[dict[str, str]]:
    """One row: the median requests/s over ``runs`` ingests of one log into fresh stores."""
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        rates, cpu_rates, n = [], [], 0
        for i in range(runs):
            store = Store.create(work / f"store-{i}")
            key = add_site(store, "app", now=NOW, kind="app", vendors=["countly"])
            log = work / "requests.log"
            if not log.exists():
                n = sdk_log(log, "KEY", requests)
            _use_key(store, key.site["countly_app_key"], log, work / f"log-{i}")
            began, cpu = time.perf_counter(), time.process_time()
            outcome = ingest_countly(store, [work / f"log-{i}"], now=NOW)
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
            assert outcome.stored == n and outcome.reconciles, outcome.summary()
            rates.append(n / seconds)
            cpu_rates.append(n / cpu)
            shutil.rmtree(work / f"store-{i}")
        rate = statistics.median(rates)
        batches = outcome.batches
        return [
            {
                "name": "ingest Countly requests (read, parse, sessionise, store)",
                "data": f"{n:,} web-SDK requests, form-encoded ({batches} batches)",
                "result": f"{rate:,.0f} requests/s (median of {runs}; CPU "
                f"{statistics.median(cpu_rates):,.0f} requests/s)",
                "target": f"≥ {TARGET:,} requests/s",
                "met": "yes" if rate >= TARGET else "**no**",
            }
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _use_key(store: Store, key: str, template: Path, out: Path) -> None:
    """The log with the new app's key (each fresh store makes its own)."""
    out.write_text(template.read_text().replace("app_key=KEY", f"app_key={key}"))


if __name__ == "__main__":
    for row in run(requests=int(sys.argv[1]) if len(sys.argv) > 1 else 200_000):
        print(row)
