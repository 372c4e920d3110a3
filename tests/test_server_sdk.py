"""A real client: countly-sdk-web in headless chromium against `workbench serve` on a fresh store.

The SDK (npm ``countly-sdk-web``, installed by ``make test`` into ``node_modules``) runs on
``tests/sdk_page/index.html``, served from localhost by a tiny static server; the page
starts a session, records events with segmentation and ends the session. Then the read API
and the library show exactly that traffic.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from served_app import free_port
from test_server import call

from workbench.core import Workbench
from workbench.query import Query
from workbench.reports import session_list
from workbench.sites import add_site
from workbench.store import Store
from workbench.timeframe import Interval

ROOT = Path(__file__).resolve().parents[1]
SDK = ROOT / "node_modules" / "countly-sdk-web" / "lib" / "countly.js"
PAGE = Path(__file__).resolve().parent / "sdk_page" / "index.html"
CREATED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SESSION_SECONDS = 42
pytestmark = pytest.mark.xdist_group("server_sdk")  # one browser journey for the module


@contextmanager
def serving(store: Path, *options: str) -> Iterator[str]:
    """`workbench serve --data STORE [options]` on a free port; yields its base URL."""
    port = free_port()
    exe = Path(sys.executable).parent / "workbench"
    args = [str(exe), "serve", "--port", str(port), "--data", str(store), *options]
    server = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while call(url + "/")[0] != 404:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"workbench serve did not start on {store}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


FILES = {"/": (PAGE, "text/html"), "/countly.js": (SDK, "text/javascript")}


class _Files(http.server.BaseHTTPRequestHandler):
    """The test page at ``/`` and the SDK from node_modules at ``/countly.js``; nothing else."""

    def do_GET(self) -> None:
        path, media_type = FILES.get(self.path.split("?")[0], (None, ""))
        if path is None:
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", f"{media_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def page_server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> tuple[Path, dict]:
    """A fresh store with one Countly app (never the shared sample store)."""
    path = tmp_path_factory.mktemp("sdk") / "store"
    site = add_site(Store.create(path), "shop-app", now=CREATED, kind="app", vendors=["countly"])
    return path, site.site


@pytest.fixture(scope="module")
def visit(app, browser) -> dict:
    """The page's journey against the server: what the SDK sent and what it was answered.

    ``browser`` is Debian's headless chromium (tests/browser_kit.py)."""
    if not SDK.exists():
        pytest.fail(f"{SDK} is missing: `make test` installs it (npm ci)")
    path, site = app
    with serving(path) as server, page_server() as pages:
        tab = browser.new_page()
        sent: list[dict] = []
        tab.on("requestfinished", lambda r: _record(sent, r, server))
        tab.goto(f"{pages}/?{urlencode({'server': server, 'app_key': site['countly_app_key']})}")
        tab.wait_for_function("document.getElementById('status').textContent === 'ready'")
        tab.evaluate("shop.start()")
        tab.evaluate("shop.buy('pro', 19.5)")
        tab.evaluate("shop.buy('basic', 5)")
        tab.evaluate("shop.search('red shoes')")
        # Ended at once, as a page does: the SDK sends the end_session before the events it
        # still queues, and those join the ended session (as Countly counts it, t = 1).
        tab.evaluate(f"shop.end({SESSION_SECONDS})")
        _answered(tab, sent, lambda form: "end_session" in form)
        _answered(tab, sent, lambda form: "red shoes" in form.get("events", ""))
        keys = {"api_key": site["countly_api_key"], "app_id": site["countly_app_id"]}
        reads = {
            name: json.loads(call(f"{server}/o?{urlencode(keys | query)}")[1])
            for name, query in READS.items()
        }
        tab.close()
    return {"sent": sent, "reads": reads}


READS = {
    "sessions": {"method": "sessions"},
    "locations": {"method": "locations"},
    "events": {"method": "events", "event": "purchase"},
    "by plan": {"method": "events", "event": "purchase", "segmentation": "plan"},
    "search": {"method": "events", "event": "search", "segmentation": "term"},
    "get_events": {"method": "get_events"},
}


def _answered(tab, sent: list[dict], sends, timeout: float = 30) -> None:
    """Wait until a write matching ``sends`` has been answered and the SDK's queues are empty."""
    deadline = time.monotonic() + timeout
    while not any(s["path"] == "/i" and sends(s["form"]) for s in sent):
        if time.monotonic() > deadline:
            pytest.fail(f"the SDK sent no such write within {timeout} s: {sent}")
        tab.wait_for_timeout(50)
    tab.wait_for_function("shop.idle()", timeout=timeout * 1000)


def _record(sent: list[dict], request, server: str) -> None:
    if not request.url.startswith(server):
        return
    response = request.response()
    sent.append(
        {
            "method": request.method,
            "path": request.url[len(server) :].split("?")[0],
            "form": dict(parse_qsl(request.post_data or "", keep_blank_values=True)),
            "status": response.status,
            "body": response.body(),
            "cors": response.headers.get("access-control-allow-origin"),
        }
    )


def test_the_sdk_is_answered_on_every_call(visit) -> None:
    sent = visit["sent"]
    assert [s["path"] for s in sent if s["path"] != "/i"] == ["/o/sdk"]
    assert all(s["status"] == 200 and s["cors"] == "*" for s in sent)
    writes = [s for s in sent if s["path"] == "/i"]
    assert writes and all(json.loads(s["body"]) == {"result": "Success"} for s in writes)
    assert all(s["method"] == "POST" for s in writes)  # form-encoded, as MEASURED.md found
    flags = [k for s in writes for k in ("begin_session", "end_session") if k in s["form"]]
    assert flags == ["begin_session", "end_session"]
    events = [e for s in writes for e in json.loads(s["form"].get("events", "[]"))]
    assert sorted(e["key"] for e in events) == ["purchase", "purchase", "search"]


def _year(tree: dict) -> dict:
    years = [k for k in tree if k.isdigit()]
    assert len(years) == 1, tree
    return tree[years[0]]


def test_the_read_api_shows_exactly_that_session(visit) -> None:
    for name in ("sessions", "locations"):
        year = _year(visit["reads"][name])
        assert {k: year[k] for k in ("t", "n", "u")} == {"t": 1, "n": 1, "u": 1}, name
        assert year["d"] == SESSION_SECONDS
        assert visit["reads"][name]["meta"]["countries"] == ["Unknown"]  # a loopback address


def test_the_read_api_shows_exactly_those_events(visit) -> None:
    reads = visit["reads"]
    assert {k: _year(reads["events"])[k] for k in ("c", "s")} == {"c": 2, "s": 24.5}
    by_plan = _year(reads["by plan"])
    assert {plan: by_plan[plan]["c"] for plan in ("pro", "basic")} == {"pro": 1, "basic": 1}
    assert sorted(reads["by plan"]["meta"]["plan"]) == ["basic", "pro"]
    assert _year(reads["search"])["red shoes"]["c"] == 1
    assert reads["get_events"]["list"] == ["purchase", "search"]
    assert reads["get_events"]["segments"] == {"purchase": ["plan"], "search": ["term"]}


def test_the_library_shows_the_session_and_its_events(app, visit) -> None:
    wb = Workbench(Store.open(app[0]))
    now = dt.datetime.now(dt.UTC)
    interval = Interval(now - dt.timedelta(days=2), now + dt.timedelta(days=1), "UTC")
    sessions = session_list(wb, interval, sites=("shop-app",), include_bots=True).frame
    assert len(sessions) == 1 and sessions["duration_s"].iloc[0] == SESSION_SECONDS
    events = wb.query(
        Query(
            interval,
            sites=("shop-app",),
            table="events",
            dimensions=("key",),
            metrics=("events",),
            include_bots=True,
        )
    ).frame
    assert dict(zip(events["key"], events["events"], strict=True)) == {"purchase": 2, "search": 1}


def test_the_apps_pages_show_that_traffic(app, visit, monkeypatch) -> None:
    """The Events and Sessions pages (bots included) on the store the SDK wrote."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("WORKBENCH_DATA", str(app[0]))

    def page(path: str) -> AppTest:
        test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        test.query_params.update({"site": "shop-app", "period": "7d", "bots": "1"})
        test.switch_page(path)
        test.run()
        assert not test.exception, test.exception
        return test

    keys = page("workbench/ui/pages/events.py").dataframe[0].value
    assert dict(zip(keys["key"], keys["events"], strict=True)) == {"purchase": 2, "search": 1}
    sessions = page("workbench/ui/pages/sessions.py")
    assert len(sessions.dataframe[0].value) == 1
    assert [m.value for m in sessions.metric][:1] == ["1"]
