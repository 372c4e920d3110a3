"""Every example request of the five seeds, over real HTTP, answers the bytes `workbench export` gives."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sample_store import sample
from served_app import free_port
from test_giosg import EXAMPLE as GIOSG_EXAMPLE
from test_giosg import TOKEN as GIOSG_TOKEN
from test_giosg import URL as GIOSG_URL

from workbench.core import Workbench
from workbench.sites import add_site
from workbench.store import Store

pytestmark = pytest.mark.slow

EXE = Path(sys.executable).parent / "workbench"
SAMPLE_NOW = "2024-11-19T18:00:00+00:00"  # the afternoon of the sample's as_of day
REPLAY_NOW = "2011-11-16T19:44:57+00:00"  # seed 001's replay (issue 4)
WRITE_NOW = "2024-11-19T12:00:00+00:00"  # the fresh Countly app's writes


@dataclass(frozen=True)
class Example:
    """One documented request: on which store (sample or fresh Countly app), at which now."""

    url: str
    now: str = SAMPLE_NOW
    store: str = "sample"
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


# -- seed 000: Opentracker top_country_region_city (the document's three examples) ----------

OT = "login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
GEO = "/api/location/top_country_region_city.jsp"
OPENTRACKER_GEO = {
    "000 top regions US, 3w, html": f"{GEO}?date=2024-11-19&{OT}&period=3w&dataType=html&detailLevel=region&countryCode=US",
    "000 top cities US/CA, 1d (no credentials)": f"{GEO}?date=2024-11-19&detailLevel=city&countryCode=US&regionCode=CA&period=1d",
    "000 top countries, 1d": f"{GEO}?period=1d&{OT}",
}  # fmt: skip

# -- seed 001: Opentracker c_view_session (the csv example and the documented replay) --------

SESSIONS_CSV = f"/c_view_session.jsp?{OT}&dataType=csv&metaCsv=false"
REPLAY = (
    f"/c_view_session.jsp?{OT}&date=2011-11-17&period=2d&dataType=jsondatatable"
    "&timeZone=Asia/Karachi"  # a UTC+5 zone
)
OPENTRACKER_SESSIONS = {
    "001 sessions csv, metaCsv=false, sample day": Example(SESSIONS_CSV),
    "001 sessions csv, metaCsv=false, 2011": Example(SESSIONS_CSV, REPLAY_NOW),
    "001 replay jsondatatable": Example(REPLAY, REPLAY_NOW),
    "001 replay under /api": Example("/api" + REPLAY, REPLAY_NOW),
}

# -- seed 002: Countly read /o on the sample app, write /i on a fresh app --------------------

COUNTLY_READ = "api_key=e2c569be17396eca2a2e3c11578123ed&app_id=5c4f2a1e9b3d7e0012a4c001"
METHODS = (
    "sessions", "users", "locations", "carriers", "devices", "device_details", "app_versions",
    "events", "get_events", "live", "live_graph", "retention",
)  # fmt: skip
COUNTLY_READS = {
    **{f"002 /o method={m}": f"/o?{COUNTLY_READ}&method={m}" for m in METHODS},
    "002 /o events of in_app_purchase": f"/o?{COUNTLY_READ}&method=events&event=in_app_purchase",
    "002 /o locations today": f"/o?{COUNTLY_READ}&method=locations&action=refresh",
    "002 /o JSONP callback": f"/o?{COUNTLY_READ}&method=locations&callback=show",
    "002 /o/analytics/dashboard": f"/o/analytics/dashboard?{COUNTLY_READ}",
    "002 /o/analytics/countries": f"/o/analytics/countries?{COUNTLY_READ}",
}

APP_KEY, API_KEY, APP_ID = "{app_key}", "{api_key}", "{app_id}"  # the fresh app's, filled in
METRICS = {"_os": "DDD", "_os_version": "EEE", "_device": "FFF", "_resolution": "GGG",
           "_carrier": "HHH", "_app_version": "III"}  # fmt: skip
EVENTS = [
    {"key": "level_success", "count": 4},
    {"key": "level_fail", "count": 2},
    {"key": "in_app_purchase", "count": 3, "sum": 2.97,
     "segmentation": {"app_version": "1.0", "country": "Turkey"}},
]  # fmt: skip
WRITER = {"app_key": APP_KEY, "device_id": "BBB"}
ENCODED = (  # the document's url-encoded form, as printed (no _app_version)
    "/i?app_key={app_key}&device_id=BBB&sdk_version=CCC&begin_session=1&metrics=%7B%22_os%22%3A"
    "%22DDD%22%2C%22_os_version%22%3A%22EEE%22%2C%22_device%22%3A%22FFF%22%2C%22_resolution%22"
    "%3A%22GGG%22%2C%22_carrier%22%3A%22HHH%22%7D"
)
COUNTLY_WRITES = {  # in the document's order: they change the fresh app, the same on each copy
    "002 /i begin_session": "/i?" + urlencode(
        {**WRITER, "sdk_version": "CCC", "begin_session": 1, "metrics": json.dumps(METRICS)}
    ),
    "002 /i session_duration": "/i?" + urlencode({**WRITER, "session_duration": 30}),
    "002 /i end_session": "/i?" + urlencode({**WRITER, "end_session": 1}),
    "002 /i url-encoded begin_session": ENCODED,
    "002 /i events": "/i?" + urlencode({**WRITER, "events": json.dumps(EVENTS)}),
    "002 /o sessions after the writes": "/o?api_key={api_key}&app_id={app_id}&method=sessions",
    "002 /o events after the writes": "/o?api_key={api_key}&app_id={app_id}&method=events&event=in_app_purchase",
    "002 /o/analytics/dashboard after the writes": "/o/analytics/dashboard?api_key={api_key}&app_id={app_id}",
}  # fmt: skip

# -- seed 003: Clicky's example requests and the parameter sections' examples ---------------

CLICKY_SITE = "site_id=32020&sitekey=0f3545d91b71cf50"
DOCUMENTED = {  # the "Example Requests" section, each in XML, JSON and PHP
    "tallies today": "type=visitors,actions,actions-average,time-average,bounce-rate",
    "hourly last 7 days": "type=visitors,actions&hourly=1&date=last-7-days",
    "last 30 searchers": "type=visitors-list&source=search&limit=30",
    "searchers segmented": "type=segmentation&source=search&segments=summary,web-browsers",
    "last week's top": "type=pages,links,searches&date=last-week",
    "last week's top by day": "type=pages,links,searches&date=last-week&daily=1",
}
INLINE = (  # the examples written inside the parameter sections
    "type=visitors&date=last-7-days",
    "type=visitors&date=last-7-days&daily=1",
    "type=visitors,actions",
    "type=visitors,actions&date=last-7-days&daily=1&output=csv",
    "type=searches,visitors&date=last-7-days&daily=1&output=csv",
    "type=visitors",
    "type=visitors&hourly=1",
    "type=visitors&hourly=1&date=last-7-days",
    "type=searches&date=last-7-days&trends=1",
    "type=search&item=cookie",
    "type=links-domains&date=last-7-days&item=google.com",
    "type=links-domains&date=last-7-days&item=google.com&daily=1",
    "type=pages",
    "type=pages&heatmap_url=1",
    "type=visitors-list",
    "type=visitors-list&visitor-details=ip_address,session_id,landing_page,geolocation,web_browser",
    "type=visitors-list&time_offset=3600&limit=all",
    "type=actions-list",
    "type=segmentation&domain=google.com&segments=visitors,web-browsers",
    "type=segmentation&domain=google.com&segments=summary,countries,web-browsers",
    "type=visitors-list&online=1&returning_visitors=1",
    "type=visitors-list&new_visitors=1&heatmap=1",
    "type=visitors-list&actions=%3E5",
    "type=visitors-list&time=60,120",
    "type=visitors-list&browser=firefox+3.5",
    "type=visitors-list&domain=google.com",
    "type=visitors-list&country=us",
    "type=visitors-list&ip_address=65.0.0.0,85.0.0.0",
    "type=visitors-list&ip_address=65.0.0.0,85.0.0.0%7C32.12.220.89",
    "type=visitors-list&ip_address=65.0.0.0,85.0.0.0%7C32.12.220.89%7C150.0.0.0,155.0.0.0",
    "type=visitors-list&custom%5Busername%5D=billy",
    "type=actions-list&href=%2Fcontact.php",
    "type=actions-list&session_id=123",
    "type=visitors-list&session_id=123",
    "type=actions-list&action_type=download",
    "type=video",
    "type=searches&filter=portland",
    "type=searches&filter=seattle",
    "type=searches&filter=!portland",
    "type=visitors-list&null_values=1",
    "type=searches&output=json&json_callback=my_callback",
    "type=searches&output=json&json_var=my_var",
    "type=visitors-list&output=php",  # the Example Code
    "alert_id=123",  # the alerts example (its site_id=20&sitekey=30 are placeholders)
)
CLICKY = {
    **{
        f"003 {name}, {output}": f"/api/stats/4?{CLICKY_SITE}&{query}&output={output}"
        for name, query in DOCUMENTED.items()
        for output in ("xml", "json", "php")
    },
    **{
        f"003 invalid request, {output}": f"/api/stats/4?site_id=32020&sitekey=x&type=visitors&output={output}"
        for output in ("xml", "json", "php")
    },
    **{f"003 {query}": f"/api/stats/4?{CLICKY_SITE}&{query}" for query in INLINE},
}  # fmt: skip

# -- seed 004: giosg's example query --------------------------------------------------------

GIOSG = {
    "004 Helsinki visitors, 2019-01-01": Example(
        GIOSG_URL,
        body=json.dumps(GIOSG_EXAMPLE),
        headers=(*GIOSG_TOKEN.items(), ("Content-Type", "application/json")),
    )
}

EXAMPLES: dict[str, Example] = {
    **{name: Example(url) for name, url in OPENTRACKER_GEO.items()},
    **OPENTRACKER_SESSIONS,
    **{name: Example(url) for name, url in COUNTLY_READS.items()},
    **{name: Example(url, WRITE_NOW, "fresh") for name, url in COUNTLY_WRITES.items()},
    **{name: Example(url) for name, url in CLICKY.items()},
    **GIOSG,
}


# -- the stores, the servers, the answers ---------------------------------------------------


@dataclass
class Target:
    """A store three ways: a server on it, the CLI on it, the library on it (same state each)."""

    served: Path
    exported: Path
    library: Workbench
    keys: dict[str, str]


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Target]:
    sample_path = sample().path
    root = tmp_path_factory.mktemp("fresh")
    store = Store.create(root / "seed")
    site = add_site(store, "app", now=dt.datetime.fromisoformat(WRITE_NOW), kind="app",
                    vendors=["countly"]).site  # fmt: skip
    store.close()
    copies = {}
    for name in ("served", "exported", "library"):
        copies[name] = shutil.copytree(root / "seed", root / name)
    keys = {"app_key": site["countly_app_key"], "api_key": site["countly_api_key"],
            "app_id": site["countly_app_id"]}  # fmt: skip
    return {
        "sample": Target(sample_path, sample_path, sample(), {}),
        "fresh": Target(copies["served"], copies["exported"], Workbench.open(copies["library"]), keys),
    }  # fmt: skip


@contextmanager
def serving(data: Path, now: str) -> Iterator[str]:
    port = free_port()
    args = [str(EXE), "serve", "--port", str(port), "--data", str(data), "--now", now]
    server = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while call(url + "/")[0] != 404:
            if time.monotonic() > deadline:
                pytest.fail("workbench serve did not answer within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def servers(targets: dict[str, Target]) -> Iterator:
    """One server per (store, now), started when a row first needs it."""
    with ExitStack() as stack:

        @cache
        def server(store: str, now: str) -> str:
            return stack.enter_context(serving(targets[store].served, now))

        yield server


def call(url: str, body: bytes | None = None, method: str = "GET", headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("content-type", "")
    except OSError:
        return 0, b"", ""


def export(example: Example, url: str, data: Path, out: Path) -> tuple[int, bytes]:
    """``workbench export`` as a real subprocess: its exit code and the body it wrote."""
    args = [str(EXE), "export", url, "--data", str(data), "--now", example.now, "-o", str(out)]
    if example.body is not None:
        args += ["-X", example.method, "-d", example.body]
    for name, value in example.headers:
        args += ["-H", f"{name}: {value}"]
    done = subprocess.run(args, capture_output=True, timeout=120)
    return done.returncode, out.read_bytes() if out.exists() else b""


@pytest.fixture(scope="module")
def sample_exports(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future]]:
    """The selected sample-store rows exported in the background, a few CLIs at a time
    (they only read; the fresh app's writes run in order inside their tests)."""
    names = [
        item.callspec.params["name"]
        for item in request.session.items
        if item.module is sys.modules[__name__] and hasattr(item, "callspec")
    ]
    folder = tmp_path_factory.mktemp("exports")
    path = sample().path
    with ThreadPoolExecutor(max_workers=3) as pool:
        yield {
            name: pool.submit(export, EXAMPLES[name], EXAMPLES[name].url, path, folder / str(i))
            for i, name in enumerate(names)
            if EXAMPLES[name].store == "sample"
        }


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_server_answers_the_bytes_export_gives(
    name: str, targets: dict[str, Target], servers, sample_exports, tmp_path: Path
) -> None:
    example = EXAMPLES[name]
    target = targets[example.store]
    url = example.url.format(**target.keys)
    body = example.body.encode() if example.body is not None else None
    served = call(servers(example.store, example.now) + url, body, example.method,
                  dict(example.headers))  # fmt: skip
    if name in sample_exports:
        code, exported = sample_exports[name].result()
    else:  # a write, or a read after the writes: now, in order
        code, exported = export(example, url, target.exported, tmp_path / "answer")
    here = target.library.request(url, example.body, example.method, dict(example.headers),
                                  client="127.0.0.1", now=dt.datetime.fromisoformat(example.now))  # fmt: skip
    status, answer, media_type = served
    assert status < 500, f"{name}: {status} {answer[:300]!r}"
    assert answer == exported, f"{name}: the server's bytes differ from export's"
    assert code == (0 if status < 400 else 1), f"{name}: export exit {code}, served {status}"
    assert (status, media_type) == (here.status, here.media_type), name
    assert answer == here.body, name
