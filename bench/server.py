"""The HTTP server under load: concurrent clients mixing every dialect's reads with Countly writes.

A copy of the sample store gets one more Countly app (the write target) and is served by
``workbench serve --no-clicky-limit`` (Clicky's one-at-a-time limit per address and site
switched off, as the issue asks for the run). ``clients`` threads,
each on its own keep-alive connection, send for ``duration`` seconds: a read in JSON, XML
or CSV of every dialect (no PNG), or, one time in five, an ``/i`` write as
countly-sdk-web sends it (a new device's begin_session with two events). Afterwards every
acknowledged write is counted back through ``/o`` and through the library. The writes are
stamped on the sample's last day (its ``as_of``, the "now" its reads answer for), so that
``/o`` sees them as today's traffic.

``python -m bench.server [--duration S] [--clients N]`` runs it alone (``make bench``: 60 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from workbench.core import Workbench
from workbench.paths import PROJECT_ROOT, default_sample_store
from workbench.query import Query
from workbench.sample.build import ensure_sample_store
from workbench.sites import add_site
from workbench.store import Store
from workbench.timeframe import Interval

DATA = PROJECT_ROOT / "bench" / "data"
TARGET_MS = 200  # p95 read latency on the sample (issue 7)
WRITE_SHARE = 0.2
APP = "bench-app"
OT = "login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
COUNTLY = "api_key=e2c569be17396eca2a2e3c11578123ed&app_id=5c4f2a1e9b3d7e0012a4c001"
CLICKY = "site_id=32020&sitekey=0f3545d91b71cf50"
GIOSG = "/api/reporting/v1/orgs/b0a1d32b-e82c-11e4-b081-6c4008adf7e8/visitor_sessions"
GIOSG_HEADERS = {
    "Authorization": "Token 3a6d0284e743dc4a9b86f97d6dd1a3bf",
    "Content-Type": "application/json",
}
METRICS = json.dumps(
    {"_os": "Linux", "_browser": "Chrome", "_resolution": "1920x1080", "_locale": "en-US"}
)


@dataclass(frozen=True)
class Read:
    name: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


def _giosg(granularity: str, *dimensions: str) -> Read:
    query = {
        "interval": {
            "start": "2024-10-21T00:00:00.000+03:00",
            "end": "2024-11-19T23:59:59.999+02:00",
            "time_zone": "Europe/Helsinki",
        },
        "granularity": granularity,
        "aggregations": [{"type": "count"}, {"type": "hyperUnique", "fields": ["visitor_id"]}],
    } | ({"group_by": list(dimensions)} if dimensions else {})
    name = f"giosg visitor_sessions {granularity} {' '.join(dimensions)}".strip()
    return Read(name, GIOSG, json.dumps(query).encode(), tuple(GIOSG_HEADERS.items()))


READS = (
    Read("opentracker top countries json", f"/api/location/top_country_region_city.jsp?period=1w&{OT}"),
    Read("opentracker top regions csv", f"/api/location/top_country_region_city.jsp?period=1m&detailLevel=region&countryCode=US&dataType=csv&{OT}"),
    Read("opentracker sessions json", f"/api/c_view_session.jsp?{OT}"),
    Read("opentracker sessions csv", f"/c_view_session.jsp?{OT}&dataType=csv&metaCsv=false"),
    Read("countly sessions", f"/o?method=sessions&{COUNTLY}"),
    Read("countly locations", f"/o?method=locations&{COUNTLY}"),
    Read("countly events", f"/o?method=get_events&{COUNTLY}"),
    Read("countly dashboard", f"/o/analytics/dashboard?{COUNTLY}"),
    Read("countly countries", f"/o/analytics/countries?{COUNTLY}"),
    Read("clicky visitors json", f"/api/stats/4?{CLICKY}&type=visitors&date=last-7-days&output=json"),
    Read("clicky countries xml", f"/api/stats/4?{CLICKY}&type=countries&date=last-30-days&output=xml"),
    Read("clicky visitors-list csv", f"/api/stats/4?{CLICKY}&type=visitors-list&output=csv"),
    Read("clicky pages json", f"/api/stats/4?{CLICKY}&type=pages,searches&output=json"),
    _giosg("all"),
    _giosg("day"),
    _giosg("all", "country"),
)  # fmt: skip


@dataclass
class Tally:
    """What the clients saw: each read's (name, status, seconds) and each write's answer."""

    reads: list[tuple[str, int, float]]
    writes: list[tuple[int, bytes]]
    seconds: float  # from the first request to the last answer


# -- the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(store: Path) -> Iterator[int]:
    """``workbench serve --no-clicky-limit`` on ``store``; yields the port once it answers."""
    port = _free_port()
    exe = Path(sys.executable).parent / "workbench"
    args = [str(exe), "serve", "--data", str(store), "--port", str(port), "--no-clicky-limit"]
    server = subprocess.Popen(args, cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 60
        while _call(port, Read("probe", "/"))[0] != 404:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {store} did not start")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _call(port: int, read: Read, connection=None) -> tuple[int, bytes]:
    own = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        own.request(read.method, read.path, read.body, dict(read.headers))
        response = own.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        if connection is None:
            own.close()


# -- the clients --------------------------------------------------------------------------


def _write(key: str, day: dt.date, rng: random.Random) -> Read:
    """A new device's first request as countly-sdk-web sends it: begin_session + 2 events,
    at a random moment of ``day`` (UTC)."""
    midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
    ms = int(midnight.timestamp() * 1000) + rng.randrange(86_400_000 - 1_000)
    events = [
        {"key": "[CLY]_view", "count": 1, "timestamp": ms, "segmentation": {"name": "/", "visit": 1}},
        {"key": "purchase", "count": 1, "sum": 9.5, "timestamp": ms, "segmentation": {"plan": "pro"}},
    ]  # fmt: skip
    form = {
        "app_key": key,
        "device_id": str(uuid.uuid4()),
        "timestamp": ms,
        "sdk_name": "javascript_native_web",
        "sdk_version": "26.1.1",
        "begin_session": 1,
        "metrics": METRICS,
        "events": json.dumps(events),
    }
    headers = (("Content-Type", "application/x-www-form-urlencoded"),)
    return Read("write", "/i", urlencode(form).encode(), headers)


def _client(port: int, key: str, day: dt.date, until: float, seed: int, tally, lock) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < until:
        writing = rng.random() < WRITE_SHARE
        request = _write(key, day, rng) if writing else rng.choice(READS)
        began = time.perf_counter()
        status, body = _call(port, request, connection)
        seconds = time.perf_counter() - began
        if status == 0:  # the connection broke: a new one
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            if writing:
                tally.writes.append((status, body))
            else:
                tally.reads.append((request.name, status, seconds))
    connection.close()


def load(port: int, key: str, day: dt.date, duration: float, clients: int) -> Tally:
    """Run the clients; they stop sending after ``duration`` s, the last answers are awaited."""
    tally, lock = Tally([], [], 0.0), threading.Lock()
    began = time.monotonic()
    threads = [
        threading.Thread(target=_client, args=(port, key, day, began + duration, i, tally, lock))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.monotonic() - began
    return tally


# -- counting back ------------------------------------------------------------------------


def count_back(port: int, store: Path, site: dict, day: dt.date) -> dict[str, int]:
    """The app's sessions and purchase events through ``/o`` and through the library."""
    keys = f"api_key={site['countly_api_key']}&app_id={site['countly_app_id']}"
    _, body = _call(port, Read("o", f"/o?method=sessions&{keys}"))
    sessions = sum(v.get("t", 0) for k, v in json.loads(body).items() if k.isdigit())
    _, body = _call(port, Read("o", f"/o?method=events&event=purchase&{keys}"))
    purchases = sum(v.get("c", 0) for k, v in json.loads(body).items() if k.isdigit())
    wb = Workbench(Store.open(store))
    span = Interval.from_dates(day, day, "UTC")
    stored = wb.query(Query(span, sites=(APP,), metrics=("sessions",), include_bots=True)).frame
    events = wb.query(
        Query(span, sites=(APP,), table="events", metrics=("events",), include_bots=True)
    ).frame
    return {
        "o sessions": sessions,
        "o purchases": purchases,
        "library sessions": int(stored["sessions"].iloc[0]),
        "library events": int(events["events"].iloc[0]),
    }


# -- the rows -----------------------------------------------------------------------------


def _p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20)[18] if len(seconds) > 1 else seconds[0]


def rows(tally: Tally, counted: dict[str, int], duration: float, clients: int) -> list[dict]:
    ok = [s for _, status, s in tally.reads if status == 200]
    refused = sum(1 for _, status, _ in tally.reads if status != 200)
    errors = sum(1 for _, status, _ in tally.reads if status >= 500 or status == 0)
    errors += sum(1 for status, _ in tally.writes if status >= 500 or status == 0)
    acked = sum(1 for status, body in tally.writes if status == 200 and b"Success" in body)
    by_name: dict[str, list[float]] = {}
    for name, status, seconds in tally.reads:
        if status == 200:
            by_name.setdefault(name, []).append(seconds)
    slowest = max(by_name, key=lambda n: _p95(by_name[n])) if by_name else "none"
    p95 = _p95(ok) * 1000 if ok else float("inf")
    data = (
        f"copy of the sample store; {clients} clients for {duration:.0f} s; "
        f"{len(READS)} kinds of read (4 dialects; JSON, XML, CSV) + /i writes"
    )
    want = {"o sessions": acked, "o purchases": acked, "library sessions": acked}
    want["library events"] = 2 * acked
    stored_all = counted == want
    return [
        {
            "name": "server under load: p95 read latency",
            "data": data,
            "result": f"p95 {p95:.0f} ms, median {statistics.median(ok) * 1000:.0f} ms over "
            f"{len(ok):,} reads ({len(ok) / tally.seconds:,.0f}/s); slowest p95: {slowest} "
            f"{_p95(by_name.get(slowest, [0.0])) * 1000:.0f} ms; {refused} reads not 200",
            "target": f"≤ {TARGET_MS} ms",
            "met": "yes" if p95 <= TARGET_MS and refused == 0 else "**no**",
        },
        {
            "name": "server under load: 5xx answers and broken connections",
            "data": data,
            "result": f"{errors} of {len(tally.reads) + len(tally.writes):,} requests",
            "target": "0",
            "met": "yes" if errors == 0 else "**no**",
        },
        {
            "name": "server under load: acknowledged /i writes stored and readable",
            "data": f"{len(tally.writes):,} writes ({acked:,} acknowledged), each a new "
            "device's begin_session + 2 events",
            "result": ", ".join(f"{k} {v:,}" for k, v in counted.items()),
            "target": f"{acked:,} sessions and purchases, {2 * acked:,} events",
            "met": "yes" if stored_all and acked == len(tally.writes) else "**no**",
        },
    ]


def run(sessions: int = 0, duration: float = 60.0, clients: int = 20) -> list[dict[str, str]]:
    """The three rows for ``clients`` clients over ``duration`` seconds."""
    DATA.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="wb-bench-server-", dir=DATA))
    try:
        store = work / "store"
        shutil.copytree(ensure_sample_store(default_sample_store()), store)
        copy = Store.open(store)
        day = copy.as_of
        site = add_site(copy, APP, now=dt.datetime.now(dt.UTC), kind="app", vendors=["countly"])
        with serving(store) as port:
            for read in READS:  # every read answers before the load begins
                status, body = _call(port, read)
                if status != 200:
                    raise RuntimeError(f"{read.name}: {status} {body[:200]!r}")
            tally = load(port, str(site.site["countly_app_key"]), day, duration, clients)
            counted = count_back(port, store, site.site, day)
        return rows(tally, counted, duration, clients)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    for row in run(duration=args.duration, clients=args.clients):
        print(f"{row['name']}: {row['result']} (target {row['target']}, met {row['met']})")


if __name__ == "__main__":
    main()
