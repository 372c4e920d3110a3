"""Countly's write API (seed 002): ``/i`` stores a request; ``/o/sdk`` answers the SDK's start-up config call.

``/i`` takes GET query strings, form-encoded POST bodies (as the web SDK sends them) and JSON
bodies (``Content-Type: application/json``); it needs the app's write key (``app_key``): a read
``api_key`` in its place is refused like an unknown app. Answers (``VENDOR-NOTES.md``):
200 ``{"result":"Success"}`` once stored (a repeated request is a duplicate, stored once, and
also Success); 400 ``{"result":"Missing parameter \\"app_key\\" or \\"device_id\\""}``; 400
``{"result":"App does not exist"}``; any other reject 400 with its reason (also written to
``STORE/rejects/countly-http-DAY.jsonl``). A request without ``timestamp`` takes the server's
time and one without ``ip_address`` the client's address. The bundled sample store takes no
writes (403). Every answer carries ``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from workbench.api import Request, Response, route
from workbench.dialects import countly
from workbench.ingest.convert import Rejected
from workbench.ingest.countly import ingest_params
from workbench.ingest.countly_parse import MAX_REQUEST_BYTES, params_of, query_params
from workbench.ingest.countly_store import app_sites

MISSING = 'Missing parameter "app_key" or "device_id"'
SDK_METHODS = ("sc", "rc", "fetch_remote_config")  # server config, remote config: none here


def _params(req: Request) -> dict[str, object]:
    """The request's parameters, the body checked strictly (UTF-8, size, form syntax)."""
    if len(req.body) > MAX_REQUEST_BYTES:
        raise Rejected("oversize", f"request: {len(req.body):,} bytes > {MAX_REQUEST_BYTES:,}")
    kind = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if req.body and kind == "application/json":
        doc = params_of(req.body)
        return {**req.params, **doc}
    if req.body:
        try:
            query_params(req.body.decode("utf-8"))  # malformed or invalid bodies are rejected
        except UnicodeDecodeError:
            raise Rejected("invalid_utf8", "request body: invalid UTF-8") from None
    return dict(req.params)


@route("/i")
def write(wb, req: Request) -> Response:
    """Countly's write API: store one request."""
    if wb.is_sample:
        return countly.respond(req, 403, {"result": "The sample store takes no writes"})
    now = req.now or dt.datetime.now(dt.UTC)
    raw = req.body or urlencode(req.params).encode()  # what the rejects file shows
    _, reject = ingest_params(wb.store, lambda: _params(req), now=now, client=req.client, raw=raw)
    if reject is None:
        return countly.respond(req, 200, {"result": "Success"})
    return countly.respond(req, 400, {"result": reject.detail})


@route("/o/sdk")
def sdk(wb, req: Request) -> Response:
    """The SDK's start-up call (``method=sc``): no server configuration, an empty object."""
    if req.param("app_key") is None or req.param("device_id") is None:
        return countly.respond(req, 400, {"result": MISSING})
    if req.param("app_key") not in app_sites(wb.store):
        return countly.respond(req, 400, {"result": "App does not exist"})
    if req.param("method") not in SDK_METHODS:
        return countly.respond(req, 400, {"result": "Invalid method"})
    return countly.respond(req, 200, {})
