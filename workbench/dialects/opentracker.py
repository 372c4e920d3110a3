"""What Opentracker's endpoints share: credentials, tickets, errors, locales and numbers.

Decisions where the documents are silent (README "Vendor APIs"):
- Credentials: ``login`` (default ``demo@opentracker.net``) + ``password``, or a
  ``ticketId`` from ``/api/management/login_user.jsp``. A request without a password or
  ticket is answered only for a sample store's own demo login, as the documents'
  credential-less examples are; an unknown site, login or password is the documented
  ``Login/ site combination is not valid``.
- Errors are the documented ``Error: exception: message`` text, with HTTP 401 for
  credentials and 400 for parameters.
- ``locale`` (default ``en_US``) formats numbers (Babel's CLDR data); labels stay English
  whatever ``ignoreLocale`` says, since no translations are known.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from workbench.api import Request, Response, plain, route, wall_clock
from workbench.credentials import verify_password
from workbench.errors import WorkbenchError, invalid
from workbench.identities import site_by

DEMO_LOGIN = "demo@opentracker.net"
DEMO_SITE = "www.opentracker.net"
NOT_VALID = "Login/ site combination is not valid"
TICKET_SECONDS = 60  # login_user.jsp's default ``expires``
MAX_TICKET_SECONDS = 30 * 86_400


class OpentrackerError(Exception):
    """An answer in Opentracker's ``Error: exception: message`` form."""

    def __init__(self, status: int, exception: str, message: str) -> None:
        super().__init__(message)
        self.status, self.exception, self.message = status, exception, message

    def response(self) -> Response:
        return plain(self.status, f"Error: {self.exception}: {self.message}")


def bad_parameter(error: WorkbenchError) -> OpentrackerError:
    return OpentrackerError(400, "java.lang.IllegalArgumentException", error.message)


def not_valid() -> OpentrackerError:
    return OpentrackerError(401, "java.lang.RuntimeException", NOT_VALID)


def answer(handler):
    """Wrap a handler so that its errors come out in Opentracker's form."""

    def wrapped(wb, req: Request) -> Response:
        try:
            return handler(wb, req)
        except OpentrackerError as error:
            return error.response()
        except WorkbenchError as error:
            return bad_parameter(error).response()

    wrapped.__doc__ = handler.__doc__
    return wrapped


# -- tickets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    login: str
    expires: dt.datetime


class Tickets:
    """Expiring tickets issued by login_user.jsp, kept in this process (the server's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, Ticket] = {}

    def issue(self, login: str, seconds: int, now: dt.datetime) -> str:
        token = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
        with self._lock:
            self._tickets = {k: t for k, t in self._tickets.items() if t.expires > now}
            self._tickets[token] = Ticket(login, now + dt.timedelta(seconds=seconds))
        return token

    def login(self, token: str, now: dt.datetime) -> str | None:
        """The login a live ticket stands for, else None."""
        with self._lock:
            ticket = self._tickets.get(token)
        return ticket.login if ticket and ticket.expires > now else None


TICKETS = Tickets()


# -- credentials --------------------------------------------------------------------------


def sites(wb, req: Request) -> list[dict[str, object]]:
    """The sites named by ``site`` (comma-separated merges), each readable by the caller."""
    names = [s.strip() for s in (req.param("site", DEMO_SITE) or "").split(",") if s.strip()]
    login = req.param("login", DEMO_LOGIN)
    ticket = req.param("ticketId")
    if ticket is not None:
        login = TICKETS.login(ticket, req.now or wall_clock())
        if login is None:
            raise OpentrackerError(
                401, "java.lang.RuntimeException", "ticketId is not valid or has expired"
            )
    found = []
    for name in names or [DEMO_SITE]:
        site = site_by(wb, "opentracker_site", name)
        if site is None or site.get("opentracker_login") != login:
            raise not_valid()
        if ticket is None and not _password_ok(wb, req.param("password"), site):
            raise not_valid()
        found.append(site)
    return found


def _password_ok(wb, password: str | None, site: dict[str, object]) -> bool:
    if password is None:  # the documents' credential-less examples, on a sample store only
        return wb.as_of is not None and site.get("opentracker_login") == DEMO_LOGIN
    return verify_password(password, site.get("opentracker_password_hash"))


@route("/api/management/login_user.jsp")
def login_user(wb, req: Request) -> Response:
    """A ticketId (a bare UUID) for ``login`` + ``password`` valid ``expires`` seconds, or
    ``false``."""
    raw = req.param("expires", str(TICKET_SECONDS))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_TICKET_SECONDS:
        valid = f"whole seconds from 1 to {MAX_TICKET_SECONDS}"
        return bad_parameter(invalid("expires", raw, valid)).response()
    login, password = req.param("login"), req.param("password")
    site = site_by(wb, "opentracker_login", login) if login else None
    if (
        site is None
        or password is None
        or not verify_password(password, site.get("opentracker_password_hash"))
    ):
        return plain(200, "false")
    return plain(200, TICKETS.issue(login, int(raw), req.now or wall_clock()))


# -- parameters and numbers ---------------------------------------------------------------


def choice(req: Request, name: str, valid: tuple[str, ...], default: str) -> str:
    value = req.param(name, default)
    if value not in valid:
        raise invalid(name, value, valid)
    return value


def flag(req: Request, name: str, default: bool = False) -> bool:
    value = req.param(name, "true" if default else "false")
    if value.lower() not in ("true", "false"):
        raise invalid(name, value, ("true", "false"))
    return value.lower() == "true"


def locale(req: Request) -> Locale:
    value = req.param("locale", "en_US")
    try:
        return Locale.parse(value)
    except (UnknownLocaleError, ValueError, TypeError):
        raise invalid("locale", value, "a locale such as en_US, nl_NL or de_DE") from None


def number(value: int, where: Locale) -> str:
    """A whole number with the locale's grouping (``1,876`` in en_US)."""
    return format_decimal(int(value), locale=where)


def half_up(value: Decimal, places: int) -> Decimal:
    """Rounded half away from zero, as Java's Math.round (not Python's half-even)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, where: Locale) -> str:
    """``part`` of ``whole`` to one decimal with ``%`` (``25.5%``)."""
    share = half_up(Decimal(part * 100) / Decimal(whole), 1) if whole else Decimal("0.0")
    return format_decimal(share, format="0.0", locale=where) + "%"
