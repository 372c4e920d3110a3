"""What Countly's read endpoints share: api_key/app_id checks, JSONP, errors, CORS.

Errors are Countly's own (from its server's tests): 400 ``Missing parameter "api_key" or
"auth_token"``, ``Missing parameter "app_id"``, ``Invalid method``; 401 ``User does not
exist`` (an unknown key, or a write-only app_key), ``App does not exist``, ``User does not
have right`` (a key of another app). Every answer carries ``Access-Control-Allow-Origin: *``
so that dashboards and SDK pages on other origins can read it.
"""

from __future__ import annotations

import datetime as dt

from workbench.api import Request, Response
from workbench.encoders import encode
from workbench.errors import WorkbenchError
from workbench.identities import site_by

CORS = (("Access-Control-Allow-Origin", "*"),)


class CountlyError(Exception):
    def __init__(self, status: int, result: str) -> None:
        super().__init__(result)
        self.status, self.result = status, result


def respond(req: Request, status: int, document: object) -> Response:
    """``document`` as JSON, or JSONP when ``callback`` is given (a bad name is a 400)."""
    callback = req.param("callback")
    if callback is not None:
        encoded = encode("jsonp", document, callback=callback, param="callback")
    else:
        encoded = encode("json", document)
    return Response(status, encoded.media_type, encoded.body, CORS)


def answer(handler):
    """Wrap a read handler: its errors come out as Countly's ``{"result": ...}``."""

    def wrapped(wb, req: Request) -> Response:
        try:
            return handler(wb, req)
        except CountlyError as error:
            return _error(req, error.status, error.result)
        except WorkbenchError as error:
            return _error(req, 400, error.message)

    wrapped.__doc__ = handler.__doc__
    return wrapped


def _error(req: Request, status: int, result: str) -> Response:
    try:
        return respond(req, status, {"result": result})
    except WorkbenchError as bad_callback:  # the callback itself was the bad parameter
        encoded = encode("json", {"result": bad_callback.message})
        return Response(400, encoded.media_type, encoded.body, CORS)


def app(wb, req: Request) -> dict[str, object]:
    """The app a read request may see: ``api_key`` must be that app's read key."""
    api_key = req.param("api_key") or req.param("auth_token")
    if api_key is None:
        raise CountlyError(400, 'Missing parameter "api_key" or "auth_token"')
    app_id = req.param("app_id")
    if app_id is None:
        raise CountlyError(400, 'Missing parameter "app_id"')
    if site_by(wb, "countly_api_key", api_key) is None:
        raise CountlyError(401, "User does not exist")
    site = site_by(wb, "countly_app_id", app_id)
    if site is None:
        raise CountlyError(401, "App does not exist")
    if site.get("countly_api_key") != api_key:
        raise CountlyError(401, "User does not have right")
    return site


def now(wb, req: Request, zone_name: str) -> dt.datetime:
    return req.clock(wb, zone_name)
