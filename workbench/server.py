"""``workbench serve``: an ASGI app that answers the vendors' documented paths over HTTP.

Every request goes to ``api.request`` (the code ``workbench export`` runs), in a worker
thread since queries block. On top, what only a server needs: CORS preflights, failed
logins limited per client address, Clicky's one simultaneous request per address and
site, and no traceback ever in an answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import Response as HttpResponse
from starlette.routing import Route

from workbench.api import Response, plain
from workbench.core import Workbench

log = logging.getLogger(__name__)
PREFLIGHT = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
    ("Access-Control-Max-Age", "86400"),
)
CLICKY = "/api/stats/4"


class FailedLogins:
    """At most ``limit`` refused credentials per client within ``window`` seconds."""

    def __init__(
        self, limit: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit, self.window, self.clock = limit, window, clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        times, edge = self._failures[client], self.clock() - self.window
        while times and times[0] < edge:
            times.popleft()
        return times

    def blocked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client)) >= self.limit

    def record(self, client: str, response: Response) -> None:
        if response.status in (401, 403) or response.body == b"false":
            with self._lock:
                self._recent(client).append(self.clock())


class OneAtATime:
    """A second simultaneous request for the same key is refused (Clicky: per IP and site)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._busy: set[tuple[str, str]] = set()

    def enter(self, key: tuple[str, str]) -> bool:
        if not self.enabled:
            return True
        with self._lock:
            if key in self._busy:
                return False
            self._busy.add(key)
            return True

    def leave(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._busy.discard(key)


def create_app(
    wb: Workbench,
    *,
    now: dt.datetime | None = None,
    failed_logins: FailedLogins | None = None,
    clicky_limit: bool = True,
) -> Starlette:
    """The ASGI app over ``wb``; ``now`` pins the clock (tests, replays)."""
    logins = failed_logins or FailedLogins()
    clicky = OneAtATime(clicky_limit)

    async def answer(http: HttpRequest) -> HttpResponse:
        if http.method == "OPTIONS":
            return HttpResponse(status_code=204, headers=dict(PREFLIGHT))
        client = http.client.host if http.client else "unknown"
        if logins.blocked(client):
            return _http(
                plain(429, "Too many failed logins from this address; try again in a minute.")
            )
        body = await http.body()
        url = http.url.path + (f"?{http.url.query}" if http.url.query else "")
        key = (client, http.query_params.get("site_id", ""))
        limited = http.url.path == CLICKY
        if limited and not clicky.enter(key):
            return _http(_clicky_busy())
        try:
            response = await run_in_threadpool(
                wb.request, url, body, http.method, dict(http.headers), client, now
            )
        finally:
            if limited:
                clicky.leave(key)
        logins.record(client, response)
        return _http(response)

    route = Route("/{path:path}", answer, methods=["GET", "POST", "OPTIONS"])
    return Starlette(routes=[route])


def _clicky_busy() -> Response:
    body = b'[{"error":"Only one simultaneous request per IP address per site is allowed."}]'
    return Response(
        429, "application/json; charset=utf-8", body, (("Access-Control-Allow-Origin", "*"),)
    )


def _http(response: Response) -> HttpResponse:
    headers = dict(response.headers)
    return HttpResponse(
        response.body, response.status, headers=headers, media_type=response.media_type
    )


def serve(
    wb: Workbench, host: str, port: int, now: dt.datetime | None = None, clicky_limit: bool = True
) -> None:
    """Serve until interrupted."""
    import uvicorn

    app = create_app(wb, now=now, clicky_limit=clicky_limit)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
