"""`workbench serve` over real HTTP: the same bytes as export, CORS, errors, login limits."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sample_store import sample
from served_app import free_port

from workbench.api import Response
from workbench.server import FailedLogins, OneAtATime

GEO = "/api/location/top_country_region_city.jsp?period=1d&login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
GIOSG = "/api/reporting/v1/orgs/b0a1d32b-e82c-11e4-b081-6c4008adf7e8/visitor_sessions"
GIOSG_BODY = json.dumps(
    {
        "interval": {"start": "2019-01-01T00:00:00.000+02:00", "end": "2019-01-01T23:59:59.999+02:00",
                     "time_zone": "Europe/Helsinki"},
        "granularity": "all",
        "aggregations": [{"type": "hyperUnique", "fields": ["visitor_id"]}],
    }
)  # fmt: skip
COUNTLY = (
    "/o?api_key=e2c569be17396eca2a2e3c11578123ed&app_id=5c4f2a1e9b3d7e0012a4c001&method=get_events"
)


@contextmanager
def serving(*options: str) -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).parent / "workbench"
    args = [str(exe), "serve", "--port", str(port), "--data", str(sample().path), *options]
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


def call(url: str, body: bytes | None = None, method: str = "GET", headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
    except OSError:
        return 0, b"", {}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


def test_answers_are_the_bytes_export_gives(server: str) -> None:
    for path in (GEO, GEO + "&dataType=csv", GEO + "&dataType=html", COUNTLY):
        status, body, headers = call(server + path)
        local = sample().request(path, client="127.0.0.1")
        assert (status, body) == (local.status, local.body), path
        assert headers["content-type"] == local.media_type


def test_a_json_body_is_posted(server: str) -> None:
    token = {
        "Authorization": "Token 3a6d0284e743dc4a9b86f97d6dd1a3bf",
        "Content-Type": "application/json",
    }
    status, body, _ = call(server + GIOSG, GIOSG_BODY.encode(), "POST", token)
    assert status == 200 and json.loads(body)["fields"][1]["name"] == "visitor_id_hyper_unique"
    status, body, _ = call(server + GIOSG, GIOSG_BODY.encode(), "POST")
    assert status == 401 and "detail" in json.loads(body)


def test_countly_answers_cross_origin_readers(server: str) -> None:
    status, _, headers = call(server + COUNTLY)
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    status, _, headers = call(server + "/i", method="OPTIONS")
    assert status == 204 and "POST" in headers["access-control-allow-methods"]


def test_unknown_paths_and_errors_leak_nothing(server: str) -> None:
    status, body, headers = call(server + "/wp-admin/../etc/passwd")
    assert status == 404 and headers["content-type"].startswith("text/plain")
    assert b"Traceback" not in body and b"/work" not in body
    status, body, _ = call(server + GEO + "&detailLevel=%3Cscript%3E")
    assert status == 400 and body.startswith(b"Error: java.lang.IllegalArgumentException")


def test_failed_logins_are_limited_per_address() -> None:
    with serving() as url:
        bad = url + GEO.replace("demo123", "guess")
        statuses = [call(bad)[0] for _ in range(11)]
        assert statuses == [401] * 10 + [429]
        assert call(url + GEO)[0] == 429  # the right password waits too


def test_the_limits_on_a_fake_clock() -> None:
    now = [0.0]
    limit = FailedLogins(limit=2, window=60, clock=lambda: now[0])
    refused = Response(401, "text/plain", b"no")
    limit.record("a", refused)
    limit.record("a", refused)
    limit.record("b", Response(200, "text/plain", b"ok"))
    assert limit.blocked("a") and not limit.blocked("b")
    now[0] = 61
    assert not limit.blocked("a")
    busy = OneAtATime()
    assert busy.enter(("ip", "32020")) and not busy.enter(("ip", "32020"))
    assert busy.enter(("ip", "other")) and busy.enter(("other-ip", "32020"))
    busy.leave(("ip", "32020"))
    assert busy.enter(("ip", "32020"))
    assert OneAtATime(enabled=False).enter(("ip", "x"))


VISITORS = (
    "/api/stats/4?site_id=32020&sitekey=0f3545d91b71cf50&type=visitors-list&date=last-30-days"
    "&limit=1000&output=json"
)


def simultaneous(url: str, n: int = 8) -> list[int]:
    """Statuses of ``n`` requests sent at the same moment from one address."""
    import threading

    start, statuses = threading.Barrier(n), []

    def one() -> None:
        start.wait()
        statuses.append(call(url)[0])

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.slow
def test_clickys_one_at_a_time_limit_can_be_lifted() -> None:
    with serving() as url:
        assert call(url + VISITORS)[0] == 200
        limited = simultaneous(url + VISITORS)
    assert 429 in limited and set(limited) <= {200, 429}
    with serving("--no-clicky-limit") as url:
        assert simultaneous(url + VISITORS) == [200] * 8
