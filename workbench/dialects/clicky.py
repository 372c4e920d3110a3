"""Clicky's Analytics API (seed 003): ``GET /api/stats/4``, every type, every output.

A request names a site (``site_id`` + ``sitekey``) and comma-separated ``type``s; each
type becomes one block of the documented nesting type → dates → items (``clicky_shape``)
from Queries on the store (``clicky_types`` says what each type counts). Errors are only
for credentials, ``site_id``, ``type`` and an unsafe ``json_callback``/``json_var``; every
other invalid value falls back to its default, as the document says (an invalid or too
long ``date`` becomes today).

Decisions where the document is silent (see also ``clicky_types`` and ``clicky_shape``):

- Errors come in the requested ``output`` (json ``[{"error": ...}]``, which clients test
  as ``data[0].error``) with HTTP 401 for a missing or wrong sitekey and 400 for the
  rest, so that ``workbench export`` exits non-zero and the server's failed-login limit
  counts wrong sitekeys (Clicky's own status is not documented). An unknown site and a
  wrong sitekey give the same message. ``alert_id`` names an alert,
  and the store keeps none: an error.
- "today" is the site's local date of ``now`` (the request's, else the store's clock).
  Date ranges may span 366 days (a Pro account), visitors-list, actions-list and
  segmentation 31 days; longer ranges become today. A range's date key is
  ``YYYY-MM-DD,YYYY-MM-DD``; with ``daily=1`` one block per day, newest first.
- ``limit`` (default 50, 1 to 1,000, ``all`` = 5,000) and ``page`` apply to each date
  group of each type. ``value_percent`` is the item's share of all items of its group
  (before ``filter``, ``item`` and paging), one decimal; items without a value (an
  unknown browser, a direct visit's referrer) are left out.
- Tally items are ``{"value"}``; hourly items ``{"hour": "0".."23", "value"}`` per day
  (local hours; a DST day has 23 or 25). ``hourly=1`` with a type other than visitors or
  actions is ignored (as an invalid value), as is ``item`` with several types.
  ``actions-average`` has one decimal, ``time-average`` whole seconds, ``bounce-rate`` a
  whole percent; ``*-pretty`` reads ``1h 2m 3s``.
- ``trends=1`` adds ``trend`` (whole percent change against the span of equal length just
  before, -999 to 999; left out when the earlier value is 0) to totals, not to per-day
  values.
- ``filter`` is a case-insensitive substring of an item's title (``!`` negates); ``item``
  an exact title, URL or value.
- visitors-online and ``online=1``: visits heard from in the last 15 minutes before now.
- visitors-list fields follow the document's order; ``web_browser`` and
  ``operating_system`` are the family names ("Firefox", "Windows"); ``custom`` holds the
  ``username`` and ``email`` custom data; ``goals`` is never present (no goals are
  recorded). ``null_values=1`` writes every field, empty ones as "". ``visitor-details``
  keeps the named fields (unknown names are ignored; none known: all fields).
- ``time_pretty`` is written as the seed's example output prints it
  (``Mon Apr 13 2015, 4:39pm``, ``2pm`` on the hour), in the site's time zone.
- Visitor filters (visitors-list and segmentation): ``ip_address`` and ``uid`` override the
  others; ``ip_address`` takes IPv4/IPv6 addresses, IPv4 ``low,high`` ranges and ``|``;
  ``actions`` and ``time`` take ``N``, ``>N``, ``<N`` or ``N,M``; ``browser``/``os`` a
  family optionally followed by a version prefix (``firefox 3.5``); ``country`` a code;
  ``language`` a tag prefix (``en``); ``domain``, ``link``, ``landing``, ``exit``,
  ``search``, ``hostname``, ``org`` are case-insensitive substrings; ``href`` and
  ``search-local`` match visits with such a page or internal search; ``heatmap``,
  ``shorturl``, ``goal`` and ``split`` match no visit (none recorded). An unreadable
  value is ignored.
- ``session_id`` finds a visit whatever the date. ``time_offset`` (1 to 86,400 seconds)
  replaces ``date`` for visitors-list and actions-list.
- segmentation: ``segments`` (default ``summary``) are popular or tally types computed on
  the filtered visits; the date group holds one ``{"segment", "items"}`` per segment.
- searches-unique / links-unique: terms and links whose first visit ever falls in the range.
- ``stats_url`` links to Clicky's own stats pages for the site, as Clicky's do.
- ``heatmap_url``, ``video_meta`` and ``app`` are accepted and change nothing.
"""

from __future__ import annotations

import secrets

from workbench.api import Request, Response, route
from workbench.dialects import clicky_types as types
from workbench.dialects.clicky_blocks import block
from workbench.dialects.clicky_context import ALL_LIMIT, MAX_LIMIT, ClickyError, Context
from workbench.dialects.clicky_shape import OUTPUTS, Wrapping, error, render
from workbench.encoders import check_js_name
from workbench.errors import WorkbenchError
from workbench.identities import site_by
from workbench.timeframe import zone as zone_info

# -- the endpoint -------------------------------------------------------------------------


@route("/api/stats/4")
def stats(wb, req: Request) -> Response:
    """Clicky's ``/api/stats/4``: the requested types in the requested output."""
    output = req.param("output", "xml")
    output = output if output in OUTPUTS else "xml"
    wrapping = Wrapping()
    try:
        wrapping = _wrapping(req, output)
        ctx = _context(wb, req)
        names = _types(req)
        _presentation(ctx, names)
        return render([block(ctx, name) for name in names], output, wrapping)
    except ClickyError as problem:
        return error(str(problem), output, wrapping, problem.status)


def _wrapping(req: Request, output: str) -> Wrapping:
    if output != "json":
        return Wrapping()
    names = {}
    for param in ("json_callback", "json_var"):
        value = req.param(param)
        if value is not None:
            try:
                names[param] = check_js_name(value, param)
            except WorkbenchError as problem:
                raise ClickyError(problem.message) from None
    return Wrapping(names.get("json_callback"), names.get("json_var"))


def _context(wb, req: Request) -> Context:
    site_id, sitekey = req.param("site_id"), req.param("sitekey")
    if site_id is None:
        raise ClickyError("site_id is required: the numeric ID of your site.")
    if not site_id.isdigit():
        raise ClickyError(f"site_id: invalid value {site_id!r}; expected a numeric site ID.")
    if sitekey is None:
        raise ClickyError("sitekey is required: the 12-16 character key of your site.", 401)
    site = site_by(wb, "clicky_site_id", site_id)
    expected = str(site.get("clicky_sitekey") or "") if site else ""
    if not site or not expected or not secrets.compare_digest(sitekey, expected):
        raise ClickyError("Invalid site_id or sitekey.", 401)
    zone = str(site["time_zone"])
    now = req.clock(wb, zone)
    today = now.astimezone(zone_info(zone)).date()
    return Context(wb, req, str(site["site_id"]), site_id, zone, now, today)


def _types(req: Request) -> list[str]:
    if req.param("alert_id") is not None:
        raise ClickyError(f"alert_id: no alert {req.param('alert_id')!r}; no alerts are kept.")
    raw = req.param("type")
    if raw is None:
        raise ClickyError(f"type is required; valid types: {', '.join(types.TYPES)}.")
    names = list(dict.fromkeys(t.strip().lower() for t in raw.split(",") if t.strip()))
    for name in names or [raw]:
        if name not in types.TYPES:
            raise ClickyError(
                f"type: invalid value {name!r}; valid types: {', '.join(types.TYPES)}."
            )
    return names


def _presentation(ctx: Context, names: list[str]) -> None:
    p = ctx.req.param
    limit = (p("limit") or "").strip().lower()
    if limit == "all":
        ctx.limit = ALL_LIMIT
    elif limit.isdigit() and 1 <= int(limit) <= MAX_LIMIT:
        ctx.limit = int(limit)
    page = (p("page") or "").strip()
    ctx.page = int(page) if page.isdigit() and int(page) >= 1 else 1
    ctx.daily = p("daily") == "1"
    hourly_ok = all(types.TALLIES.get(n) and types.TALLIES[n].hourly for n in names)
    ctx.hourly = p("hourly") == "1" and hourly_ok
    ctx.daily = ctx.daily or ctx.hourly
    ctx.trends = p("trends") == "1"
    ctx.item = p("item") if len(names) == 1 else None
    ctx.filter = p("filter")
    ctx.null_values = p("null_values") == "1"
    ctx.multi_values = p("custom_keys_multi_values") == "1"
