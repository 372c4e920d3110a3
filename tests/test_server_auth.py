"""The auth matrix of `workbench serve`: every endpoint against every kind of bad credential.

Over real HTTP to a real server on a fresh store with two sites (``alpha``, ``beta``), each
with credentials for all four vendors. Each row is answered with the status and body the
dialect chose for its vendor (README "Vendor APIs"; Countly's and giosg's are their own
documented ones). Every row comes from its own loopback address, so the failed-login
limit (10 a minute per address) never answers in a row's place.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from test_server_sdk import serving

from workbench.sites import add_site
from workbench.store import Store

CREATED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
VENDORS = ["opentracker", "clicky", "countly", "giosg"]
OT_INVALID = b"Error: java.lang.RuntimeException: Login/ site combination is not valid"
OT_EXPIRED = b"Error: java.lang.RuntimeException: ticketId is not valid or has expired"
WRONG_KEY = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Keys:
    """Both sites' credentials, an expired and a live Opentracker ticket of alpha's login."""

    alpha: dict
    beta: dict
    passwords: dict[str, str]
    expired: str
    live: str


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


# -- how each vendor presents a credential ----------------------------------------------


def _opentracker(case: str, k: Keys) -> dict[str, str]:
    login = {"login": k.alpha["opentracker_login"]}
    return {
        "valid": {"site": "alpha", **login, "password": k.passwords["alpha"]},
        "valid ticket": {"site": "alpha", "ticketId": k.live},
        "no credentials": {"site": "alpha"},
        "wrong password": {"site": "alpha", **login, "password": "wrong-password"},
        "unknown login": {"site": "alpha", "login": "x@example.com", "password": "demo123"},
        "expired ticket": {"site": "alpha", "ticketId": k.expired},
        "another site's credentials": {"site": "beta", **login, "password": k.passwords["alpha"]},
        "another site's ticket": {"site": "beta", "ticketId": k.live},
    }[case]


def _countly_read(case: str, k: Keys) -> dict[str, str]:
    app = {"app_id": k.alpha["countly_app_id"]}
    return {
        "valid": {"api_key": k.alpha["countly_api_key"], **app},
        "no credentials": app,
        "wrong key": {"api_key": WRONG_KEY, **app},
        "write key on a read endpoint": {"api_key": k.alpha["countly_app_key"], **app},
        "another site's key": {"api_key": k.beta["countly_api_key"], **app},
    }[case]


def _countly_write(case: str, k: Keys) -> dict[str, str]:
    ms = int(time.time() * 1000)
    device = {"device_id": str(uuid.uuid4()), "timestamp": str(ms), "begin_session": "1"}
    return {
        "valid": {"app_key": k.alpha["countly_app_key"], **device},
        "no credentials": device,
        "wrong key": {"app_key": WRONG_KEY + "01234567", **device},
        "read key on the write endpoint": {"app_key": k.alpha["countly_api_key"], **device},
        "read key named api_key": {"api_key": k.alpha["countly_api_key"], **device},
    }[case]


def _clicky(case: str, k: Keys) -> dict[str, str]:
    site = {"site_id": k.alpha["clicky_site_id"]}
    return {
        "valid": {**site, "sitekey": k.alpha["clicky_sitekey"]},
        "no credentials": site,
        "wrong key": {**site, "sitekey": "0123456789abcdef"},
        "another site's key": {**site, "sitekey": k.beta["clicky_sitekey"]},
    }[case]


def _giosg(case: str, k: Keys) -> dict[str, str]:
    return {
        "valid": {"Authorization": f"Token {k.alpha['giosg_token']}"},
        "no credentials": {},
        "wrong scheme": {"Authorization": f"Basic {k.alpha['giosg_token']}"},
        "wrong key": {"Authorization": f"Token {WRONG_KEY}"},
        "another site's key": {"Authorization": f"Token {k.beta['giosg_token']}"},
    }[case]


# -- the endpoints ------------------------------------------------------------------------


def _get(path: str, credential: Callable[[str, Keys], dict], **params: str):
    def build(case: str, k: Keys) -> Call:
        return Call("GET", f"{path}?{urlencode(params | credential(case, k))}")

    return build


def _post_form(path: str, credential: Callable[[str, Keys], dict]):
    def build(case: str, k: Keys) -> Call:
        form = urlencode(credential(case, k)).encode()
        return Call("POST", path, form, (("Content-Type", "application/x-www-form-urlencoded"),))

    return build


GIOSG_QUERY = json.dumps(
    {
        "interval": {"start": "2024-01-01T00:00:00Z", "end": "2024-01-02T00:00:00Z",
                     "time_zone": "UTC"},
        "granularity": "all",
        "aggregations": [{"type": "count"}],
    }
).encode()  # fmt: skip


def _giosg_call(case: str, k: Keys) -> Call:
    path = f"/api/reporting/v1/orgs/{k.alpha['giosg_org_id']}/visitor_sessions"
    headers = {"Content-Type": "application/json"} | _giosg(case, k)
    return Call("POST", path, GIOSG_QUERY, tuple(headers.items()))


TOP = "/api/location/top_country_region_city.jsp"
ENDPOINTS: dict[str, Callable[[str, Keys], Call]] = {
    "opentracker top list": _get(TOP, _opentracker),
    "opentracker top list (POST)": _post_form(TOP, _opentracker),
    "opentracker session list": _get("/api/c_view_session.jsp", _opentracker),
    "opentracker session list csv": _get("/c_view_session.jsp", _opentracker, dataType="csv"),
    "countly /i": _get("/i", _countly_write),
    "countly /i (POST)": _post_form("/i", _countly_write),
    "countly /o": _get("/o", _countly_read, method="sessions"),
    "countly /o jsonp": _get("/o", _countly_read, method="events", callback="cb"),
    "countly dashboard": _get("/o/analytics/dashboard", _countly_read),
    "countly countries": _get("/o/analytics/countries", _countly_read),
    "clicky json": _get("/api/stats/4", _clicky, type="visitors", output="json"),
    "clicky xml": _get("/api/stats/4", _clicky, type="visitors-list", output="xml"),
    "clicky csv": _get("/api/stats/4", _clicky, type="countries", output="csv"),
    "giosg visitor_sessions": _giosg_call,
}

# -- the answers --------------------------------------------------------------------------

JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
COUNTLY_NO_KEY = b'{"result":"Missing parameter \\"api_key\\" or \\"auth_token\\""}'
COUNTLY_NO_WRITE_KEY = b'{"result":"Missing parameter \\"app_key\\" or \\"device_id\\""}'
COUNTLY_NO_USER = b'{"result":"User does not exist"}'
COUNTLY_NO_RIGHT = b'{"result":"User does not have right"}'
COUNTLY_NO_APP = b'{"result":"App does not exist"}'
CLICKY_NO_KEY = "sitekey is required: the 12-16 character key of your site."
CLICKY_BAD_KEY = "Invalid site_id or sitekey."
GIOSG_NO_TOKEN = b'{"detail":"Authentication credentials were not provided."}'
GIOSG_BAD_TOKEN = b'{"detail":"Invalid token."}'
GIOSG_NOT_YOURS = b'{"detail":"You do not have permission to perform this action."}'


def _clicky_error(output: str, message: str) -> tuple[str, bytes]:
    return {
        "json": (JSON, json.dumps([{"error": message}], separators=(",", ":")).encode()),
        "xml": (
            "application/xml; charset=utf-8",
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + f'<response status="fail"><error>{message}</error></response>\n'.encode(),
        ),
        "csv": ("text/csv; charset=utf-8", f"error\r\n{message}\r\n".encode()),
    }[output]


def _opentracker_rows(endpoint: str, media: str) -> list[tuple]:
    return [
        (endpoint, "valid", 200, media, None),
        (endpoint, "valid ticket", 200, media, None),
        (endpoint, "no credentials", 401, TEXT, OT_INVALID),
        (endpoint, "wrong password", 401, TEXT, OT_INVALID),
        (endpoint, "unknown login", 401, TEXT, OT_INVALID),
        (endpoint, "expired ticket", 401, TEXT, OT_EXPIRED),
        (endpoint, "another site's credentials", 401, TEXT, OT_INVALID),
        (endpoint, "another site's ticket", 401, TEXT, OT_INVALID),
    ]


def _countly_read_rows(endpoint: str, media: str = JSON, wrap=lambda b: b) -> list[tuple]:
    return [
        (endpoint, "valid", 200, media, None),
        (endpoint, "no credentials", 400, media, wrap(COUNTLY_NO_KEY)),
        (endpoint, "wrong key", 401, media, wrap(COUNTLY_NO_USER)),
        (endpoint, "write key on a read endpoint", 401, media, wrap(COUNTLY_NO_USER)),
        (endpoint, "another site's key", 401, media, wrap(COUNTLY_NO_RIGHT)),
    ]


def _countly_write_rows(endpoint: str) -> list[tuple]:
    return [
        (endpoint, "valid", 200, JSON, b'{"result":"Success"}'),
        (endpoint, "no credentials", 400, JSON, COUNTLY_NO_WRITE_KEY),
        (endpoint, "wrong key", 400, JSON, COUNTLY_NO_APP),
        (endpoint, "read key on the write endpoint", 400, JSON, COUNTLY_NO_APP),
        (endpoint, "read key named api_key", 400, JSON, COUNTLY_NO_WRITE_KEY),
    ]


def _clicky_rows(endpoint: str, output: str, media: str) -> list[tuple]:
    return [
        (endpoint, "valid", 200, media, None),
        (endpoint, "no credentials", 401, *_clicky_error(output, CLICKY_NO_KEY)),
        (endpoint, "wrong key", 401, *_clicky_error(output, CLICKY_BAD_KEY)),
        (endpoint, "another site's key", 401, *_clicky_error(output, CLICKY_BAD_KEY)),
    ]


JSONP = "application/javascript; charset=utf-8"
MATRIX = [
    *_opentracker_rows("opentracker top list", JSON),
    *_opentracker_rows("opentracker top list (POST)", JSON),
    *_opentracker_rows("opentracker session list", JSON),
    *_opentracker_rows("opentracker session list csv", "text/csv; charset=utf-8"),
    *_countly_write_rows("countly /i"),
    *_countly_write_rows("countly /i (POST)"),
    *_countly_read_rows("countly /o"),
    *_countly_read_rows("countly /o jsonp", JSONP, lambda body: b"/**/cb(" + body + b");"),
    *_countly_read_rows("countly dashboard"),
    *_countly_read_rows("countly countries"),
    *_clicky_rows("clicky json", "json", JSON),
    *_clicky_rows("clicky xml", "xml", "application/xml; charset=utf-8"),
    *_clicky_rows("clicky csv", "csv", "text/csv; charset=utf-8"),
    ("giosg visitor_sessions", "valid", 200, JSON, None),
    ("giosg visitor_sessions", "no credentials", 401, JSON, GIOSG_NO_TOKEN),
    ("giosg visitor_sessions", "wrong scheme", 401, JSON, GIOSG_NO_TOKEN),
    ("giosg visitor_sessions", "wrong key", 401, JSON, GIOSG_BAD_TOKEN),
    ("giosg visitor_sessions", "another site's key", 403, JSON, GIOSG_NOT_YOURS),
]
CORS = ("countly", "clicky")  # answers browsers on other origins, errors included
pytestmark = pytest.mark.xdist_group("server_auth")  # one server for the module


# -- the server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> tuple[str, Keys]:
    path = tmp_path_factory.mktemp("auth") / "store"
    store = Store.create(path)
    added = {
        name: add_site(store, name, now=CREATED, vendors=VENDORS, login=f"{name}@example.com")
        for name in ("alpha", "beta")
    }
    passwords = {name: a.password for name, a in added.items()}
    with serving(path) as url:
        ticket = {"login": "alpha@example.com", "password": passwords["alpha"]}
        expired = _ticket(url, ticket | {"expires": "1"})
        live = _ticket(url, ticket | {"expires": "3600"})
        time.sleep(1.5)  # the server's clock (the wall clock: no --now) passes the 1 s ticket
        yield url, Keys(added["alpha"].site, added["beta"].site, passwords, expired, live)


def _ticket(url: str, params: dict[str, str]) -> str:
    status, _, body = send(url, Call("GET", f"/api/management/login_user.jsp?{urlencode(params)}"))
    assert status == 200 and len(body) == 36, body
    return body.decode()


def send(url: str, call: Call, source: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    """One request from the loopback address ``source``: status, headers (lower-case), body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(call.method, call.path, call.body, dict(call.headers))
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("index", "endpoint", "case", "status", "media_type", "body"),
    [(i, *row) for i, row in enumerate(MATRIX)],
    ids=[f"{endpoint}: {case}" for endpoint, case, *_ in MATRIX],
)
def test_the_auth_matrix(server, index, endpoint, case, status, media_type, body) -> None:
    url, keys = server
    source = f"127.0.{1 + index // 250}.{1 + index % 250}"  # its own failed-login count
    got_status, headers, got_body = send(url, ENDPOINTS[endpoint](case, keys), source)
    assert (got_status, headers["content-type"]) == (status, media_type), got_body[:300]
    if body is not None:
        assert got_body == body
    assert b"Traceback" not in got_body and b'File "' not in got_body
    if endpoint.split()[0] in CORS:
        assert headers.get("access-control-allow-origin") == "*"


def test_the_matrix_covers_every_endpoint_and_case() -> None:
    cases = {(e, c) for e, c, *_ in MATRIX}
    assert {e for e, _ in cases} == set(ENDPOINTS)
    assert len(cases) == len(MATRIX)  # no row twice
    for endpoint in ENDPOINTS:
        named = {c for e, c in cases if e == endpoint}
        assert {"valid", "no credentials"} < named, endpoint
        assert named & {"wrong key", "wrong password", "wrong scheme"}, endpoint


def test_valid_writes_are_read_back_without_their_missing_values(server) -> None:
    """Valid /i writes store sessions with no country, OS, resolution or carrier: the reads
    count them, and name the missing values Unknown (once a 500, then "nan")."""
    url, keys = server
    for write in (ENDPOINTS["countly /i"], ENDPOINTS["countly /i (POST)"]):
        assert send(url, write("valid", keys))[0] == 200
    valid = _countly_read("valid", keys)
    status, _, body = send(url, Call("GET", f"/o?{urlencode(valid | {'method': 'sessions'})}"))
    years = [v for k, v in json.loads(body).items() if k.isdigit()]
    assert status == 200 and sum(year.get("t", 0) for year in years) >= 2
    for path in ("/o/analytics/countries", "/o/analytics/dashboard"):
        status, _, body = send(url, Call("GET", f"{path}?{urlencode(valid)}"))
        assert status == 200 and b"Unknown" in body and b"nan" not in body, body[:300]
