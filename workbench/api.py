"""One entry point for every documented vendor request: route, answer, never leak a traceback.

``request`` is what ``Workbench.request``, ``workbench export`` and the HTTP server call.
A route is a vendor's documented path; its handler parses the dialect's parameters,
runs the report and encodes the documented response. A handler answers its own errors in
its vendor's envelope; anything unexpected becomes a plain 500 naming no internals.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from workbench.core import Workbench

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Response:
    """What a vendor endpoint answers: status, media type, extra headers and body bytes."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(frozen=True)
class Request:
    """A parsed request: the path, parameters from the query string and a form body, and
    what the caller told us of itself and of 'now'."""

    method: str
    path: str
    params: Mapping[str, str]
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    client: str | None = None
    now: dt.datetime | None = None

    def param(self, name: str, default: str | None = None) -> str | None:
        """A parameter's value; an empty value counts as absent."""
        value = self.params.get(name)
        return value if value not in (None, "") else default

    def clock(self, wb: Workbench, zone: str) -> dt.datetime:
        """'now' for a report in ``zone``: the caller's, else the end of the store's as_of day,
        else the wall clock (``Workbench.clock``)."""
        return self.now or wb.clock(wall_clock(), zone).now

    def json(self) -> object:
        """The body parsed as JSON (ValueError if it is not)."""
        return json.loads(self.body.decode("utf-8"))


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Handler = Callable[["Workbench", Request], Response]
ROUTES: dict[str, Handler] = {}


def route(*paths: str) -> Callable[[Handler], Handler]:
    """Register a handler for documented paths (exact, or a prefix ending in ``/*``)."""

    def register(handler: Handler) -> Handler:
        for path in paths:
            ROUTES[path] = handler
        return handler

    return register


def _find(path: str) -> Handler | None:
    if path in ROUTES:
        return ROUTES[path]
    for pattern, handler in ROUTES.items():
        if pattern.endswith("/*") and path.startswith(pattern[:-1]):
            return handler
    return None


def _params(query: str, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    """Parameters of the query string, then of a form body; the first value of a name wins,
    as a Java servlet's ``getParameter`` returns it."""
    params: dict[str, str] = {}
    pairs = parse_qsl(query, keep_blank_values=True)
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind in ("", "application/x-www-form-urlencoded"):
        form = body.decode("utf-8", errors="replace")  # undecodable bytes fail validation later
        pairs += parse_qsl(form, keep_blank_values=True)
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def request(
    wb: Workbench,
    url: str,
    body: bytes | str | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> Response:
    """Answer ``method url`` (with ``body``) as the documented vendor endpoint would."""
    import workbench.dialects  # noqa: F401  (their routes register on import)

    parts = urlsplit(url)
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    req = Request(
        method=method.upper(),
        path=parts.path or "/",
        params=_params(parts.query, raw, lowered),
        body=raw,
        headers=lowered,
        client=client,
        now=now,
    )
    handler = _find(req.path)
    if handler is None:
        known = ", ".join(sorted(ROUTES))
        return plain(404, f"Not found: {req.path}. Documented paths: {known}")
    try:
        return handler(wb, req)
    except Exception:  # a bug must not leak internals to a client
        log.exception("unhandled error answering %s %s", req.method, req.path)
        return plain(500, "Internal error: the request could not be answered.")


def plain(status: int, text: str, media_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(status, media_type, text.encode("utf-8"))
