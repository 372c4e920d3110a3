"""The API console's requests, without Streamlit: form values -> the documented vendor URL and body.

``ENDPOINTS`` lists every documented request the console builds: its path, method, the
documented parameters as form fields (choices from the dialects' own registries), the
formats the vendor answers in and how a format is asked for. ``defaults`` prefills a form
from a site's identities and keys and the sidebar's dates; ``build`` turns the form's
values and a format into a ``Built`` request, exactly what ``Workbench.request`` is given;
``shown`` writes it for the screen with its credentials masked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

from workbench.dialects import clicky_types, countly_read, giosg, opentracker_geo
from workbench.dialects.clicky_filters import ACTION_TYPES
from workbench.dialects.clicky_shape import OUTPUTS as CLICKY_OUTPUTS
from workbench.dialects.opentracker_formats import DATA_TYPES as OT_DATA_TYPES
from workbench.dialects.opentracker_session_fields import ALL_COLUMNS
from workbench.dialects.opentracker_sessions import DATA_TYPES as SESSION_DATA_TYPES
from workbench.errors import WorkbenchError
from workbench.timebuckets import GRANULARITIES

SECRETS = ("password", "ticketId", "sitekey", "api_key", "auth_token", "token")
MASK = "********"
SAFE = ",@:/"  # left as they are in a query string, as the documents write them
TRUE_FALSE = ("", "true", "false")
ONE = ("", "1")
CREDENTIALS, PARAMETERS, FILTERS = "Credentials", "Parameters", "Filters"
CLICKY_FILTERS = (  # seed 003: the visitors-list and segmentation filters, in its order
    "ip_address", "uid", "new_visitors", "returning_visitors", "online", "heatmap", "actions",
    "time", "href", "landing", "exit", "search", "search-local", "domain", "link", "browser",
    "os", "resolution", "country", "city", "language", "hostname", "org", "source",
    "shorturl", "custom", "goal", "campaign", "split",
)  # fmt: skip
GIOSG_AGGREGATIONS = tuple(
    kind if name is None else f"{kind}:{name}"
    for kind, fields in giosg.AGGREGATIONS.items()
    for name in fields
)


@dataclass(frozen=True)
class Field:
    """One documented parameter as a form field."""

    name: str
    help: str
    kind: str = "text"  # text, secret, choice, multi (comma-joined), area
    choices: tuple[str, ...] = ()
    group: str = PARAMETERS


@dataclass(frozen=True)
class Site:
    """What prefills a form: a site's identities and keys, and the sidebar's days and zone."""

    row: Mapping[str, object]  # wb.sites() row plus workbench.sites.site_keys
    first: dt.date
    last: dt.date
    zone: str
    password: str = ""  # the sample's documented demo password ("" elsewhere)


@dataclass(frozen=True)
class Built:
    """A request as ``Workbench.request`` takes it."""

    method: str
    url: str
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Endpoint:
    key: str
    title: str
    seed: str  # the document it follows (../shared/seeds)
    method: str
    path: str
    identity: str  # the sites column a site needs to be asked about here
    fields: tuple[Field, ...]
    formats: tuple[str, ...]
    format_param: str  # the parameter naming the format; "callback": JSONP; "": one format
    defaults: Callable[[Site], dict[str, str]]
    body: Callable[[Mapping[str, str]], tuple[str, str, tuple[tuple[str, str], ...]]] | None = (
        None  # values -> (path, body, headers), for POST
    )
    notes: str = ""
    field_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", tuple(f.name for f in self.fields))


# -- Opentracker ------------------------------------------------------------------------------

OT_CREDENTIALS = (
    Field("site", "The site (comma-separated sites merge).", group=CREDENTIALS),
    Field("login", "Your opentracker login email.", group=CREDENTIALS),
    Field("password", "Your password.", "secret", group=CREDENTIALS),
    Field("ticketId", "An expiring ticket instead of login/password.", "secret", group=CREDENTIALS),
)
OT_COMMON = (
    Field("timeZone", "The time zone; default the site's."),
    Field("locale", "Number format, e.g. en_US, nl_NL."),
    Field("ignoreLocale", "Columns without translation.", "choice", TRUE_FALSE),
)


def _opentracker(site: Site) -> dict[str, str]:
    row = site.row
    return {
        "site": str(row.get("opentracker_site") or ""),
        "login": str(row.get("opentracker_login") or ""),
        "password": site.password,
        "date": site.last.isoformat(),
        "period": f"{(site.last - site.first).days + 1}d",
        "timeZone": site.zone,
    }


TOP_LOCATIONS = Endpoint(
    "top_country_region_city",
    "Opentracker · top countries, regions, cities",
    "000",
    "GET",
    "/api/location/top_country_region_city.jsp",
    "opentracker_site",
    (
        *OT_CREDENTIALS,
        Field("date", "The last day, yyyy-MM-dd (default today)."),
        Field("unixTime", "Instead of date: a unix timestamp."),
        Field("period", "How far back from date: 1d, 3w, 2m ..."),
        Field("detailLevel", "What to list.", "choice", ("", *opentracker_geo.LEVELS)),
        Field("countryCode", "The country of regions or cities."),
        Field("regionCode", "The region of cities (with countryCode)."),
        Field("segment", "A custom property to segment by."),
        Field("filter", "none, showAllSorts, or the segment's value."),
        *OT_COMMON,
    ),
    OT_DATA_TYPES,
    "dataType",
    _opentracker,
)
SESSIONS = Endpoint(
    "c_view_session",
    "Opentracker · session list",
    "001",
    "GET",
    "/api/c_view_session.jsp",
    "opentracker_site",
    (
        *OT_CREDENTIALS,
        Field("session_id", "Only these sessions (comma-separated)."),
        Field("date", "Visits up to this day, yyyy-MM-dd (default: recent)."),
        Field("period", "The days before date, e.g. 3d (default 1d)."),
        Field("limit", "The minimum number of rows (default 40, at most 1,000)."),
        Field("nextToken", "The next page's token (jsondatatable answers it)."),
        Field("orderCriteria", "Columns to sort by, e.g. duration desc,country."),
        Field("showColumns", "Only these columns, in this order.", "multi", ALL_COLUMNS),
        Field("dateFormat", "Java date pattern, e.g. yyyy-dd-MM."),
        Field("metaCsv", "csv: the site/dates/title lines first.", "choice", TRUE_FALSE),
        Field("title", "csv: the title line."),
        *OT_COMMON,
        Field("includeCountryCode", "Only these country codes.", group=FILTERS),
        Field("excludeInUrl", "Leave out visits with these words in the URL.", group=FILTERS),
        Field("excludeInFilteredCompany", "Leave out these company words.", group=FILTERS),
        Field("maxEventThreshold", "Visitors with fewer events than this.", group=FILTERS),
        Field("maxDuration", "Visits shorter than this (seconds).", group=FILTERS),
        Field("removeIsp", "Only visits of a known company.", "choice", TRUE_FALSE, FILTERS),
        Field("filterByCurrentTitle", "The current page title (* ? wildcards).", group=FILTERS),
        Field("search", "Words to find (wildcards allowed).", group=FILTERS),
        Field("useOr", "Any word instead of all.", "choice", TRUE_FALSE, FILTERS),
        Field("unknownCity", "Replaces unknown cities.", group=FILTERS),
        Field("unknownRegion", "Replaces unknown regions.", group=FILTERS),
        Field("gbCountryCode", "Shown instead of GB.", group=FILTERS),
        Field(
            "mapEuToCountryDomain", "EU as the site's ccTLD country.", "choice", TRUE_FALSE, FILTERS
        ),
    ),
    SESSION_DATA_TYPES,
    "dataType",
    _opentracker,
)

# -- Countly ----------------------------------------------------------------------------------

COUNTLY_KEYS = (
    Field("api_key", "The read API key.", "secret", group=CREDENTIALS),
    Field("app_id", "The application's id.", group=CREDENTIALS),
)
JSONP = ("json", "jsonp")
CALLBACK = Field("callback", "JSONP: the function the answer calls (format jsonp).")


def _countly(site: Site) -> dict[str, str]:
    row = site.row
    return {
        "api_key": str(row.get("countly_api_key") or ""),
        "app_id": str(row.get("countly_app_id") or ""),
        "callback": "callback",
    }


def _countly_read(site: Site) -> dict[str, str]:
    return {**_countly(site), "method": "sessions"}


COUNTLY_READ = Endpoint(
    "countly_o",
    "Countly · read API /o",
    "002",
    "GET",
    "/o",
    "countly_app_id",
    (
        *COUNTLY_KEYS,
        Field("method", "The data to fetch.", "choice", tuple(countly_read.METHODS)),
        Field("event", "method=events: the event (default the first)."),
        Field("events", 'method=events: several, as a JSON array ["a","b"].'),
        Field("segmentation", "method=events: a segmentation key to break down by."),
        Field("action", "refresh: today only.", "choice", ("", "refresh")),
        CALLBACK,
    ),
    JSONP,
    "callback",
    _countly_read,
)
COUNTLY_DASHBOARD = Endpoint(
    "countly_dashboard",
    "Countly · /o/analytics/dashboard",
    "002",
    "GET",
    "/o/analytics/dashboard",
    "countly_app_id",
    (*COUNTLY_KEYS, CALLBACK),
    JSONP,
    "callback",
    _countly,
)
COUNTLY_COUNTRIES = Endpoint(
    "countly_countries",
    "Countly · /o/analytics/countries",
    "002",
    "GET",
    "/o/analytics/countries",
    "countly_app_id",
    (*COUNTLY_KEYS, CALLBACK),
    JSONP,
    "callback",
    _countly,
)

# -- Clicky -----------------------------------------------------------------------------------


def _clicky(site: Site) -> dict[str, str]:
    row = site.row
    days = site.last.isoformat()
    if site.first != site.last:
        days = f"{site.first.isoformat()},{days}"
    return {
        "site_id": str(row.get("clicky_site_id") or ""),
        "sitekey": str(row.get("clicky_sitekey") or ""),
        "type": "visitors,countries",
        "date": days,
    }


CLICKY_SEGMENTS = ("summary", *clicky_types.POPULAR, *clicky_types.TALLIES)
CLICKY = Endpoint(
    "clicky_stats",
    "Clicky · /api/stats/4",
    "003",
    "GET",
    "/api/stats/4",
    "clicky_site_id",
    (
        Field("site_id", "The site's numeric ID.", group=CREDENTIALS),
        Field("sitekey", "The site's 12-16 character key.", "secret", group=CREDENTIALS),
        Field("type", "The data types (several: one block each).", "multi", clicky_types.TYPES),
        Field("date", "YYYY-MM-DD, a range a,b, YYYY-MM, today, last-7-days, 3-weeks-ago ..."),
        Field("limit", "Results per group: 1 to 1000, or all (default 50)."),
        Field("page", "With limit: the page (default 1)."),
        Field("daily", "Per day instead of the range's total.", "choice", ONE),
        Field("hourly", "visitors/actions per hour.", "choice", ONE),
        Field("trends", "Percent change against the span before.", "choice", ONE),
        Field("item", "One exact item (with one type)."),
        Field("filter", "Items whose title contains this (! negates)."),
        Field("visitor-details", "visitors-list: only these fields (comma-separated)."),
        Field("time_offset", "visitors-list/actions-list: the last N seconds."),
        Field("segments", "type=segmentation: what to compute.", "multi", CLICKY_SEGMENTS),
        Field("session_id", "actions-list / visitors-list: one visit."),
        Field("action_type", "actions-list: one kind of action.", "choice", ("", *ACTION_TYPES)),
        Field("null_values", "Write empty fields too.", "choice", ONE),
        Field("custom_keys_multi_values", "Lists: every value of a custom key.", "choice", ONE),
        Field("heatmap_url", "type=pages: heatmap links.", "choice", ONE),
        Field("video_meta", "type=video: more than plays.", "choice", ONE),
        Field("alert_id", "An alert's ID instead of type (visitors-list of its session)."),
        Field("json_callback", "output=json: wrap in this function."),
        Field("json_var", "output=json: assign to this variable."),
        *(
            Field(name, "A visitors-list/segmentation filter.", group=FILTERS)
            for name in CLICKY_FILTERS
        ),
    ),
    CLICKY_OUTPUTS,
    "output",
    _clicky,
)

# -- giosg ------------------------------------------------------------------------------------

GIOSG_PATH = "/api/reporting/v1/orgs/{org}/visitor_sessions"


def _giosg(site: Site) -> dict[str, str]:
    row = site.row
    return {
        "organization": str(row.get("giosg_org_id") or ""),
        "token": str(row.get("giosg_token") or ""),
        "start": f"{site.first.isoformat()}T00:00:00",
        "end": f"{(site.last + dt.timedelta(days=1)).isoformat()}T00:00:00",
        "time_zone": site.zone,
        "granularity": "day",
        "aggregations": "count,hyperUnique:visitor_id",
    }


def _giosg_body(values: Mapping[str, str]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    granularity: object = values.get("granularity") or "all"
    if granularity in giosg.PERIODS:
        granularity = {"type": "period", "period": granularity, "timeZone": values.get("time_zone")}
    query = {
        "interval": {k: values.get(k, "") for k in ("start", "end", "time_zone")},
        "granularity": granularity,
        "group_by": _listed(values.get("group_by", "")),
        "aggregations": [_aggregation(a) for a in _listed(values.get("aggregations", ""))],
    }
    if (values.get("filters") or "").strip():
        try:
            query["filters"] = json.loads(values["filters"])
        except ValueError as error:
            raise WorkbenchError(
                "invalid_filters", f"filters: not JSON ({error}); expected a Druid filter object"
            ) from None
    org = quote(values.get("organization", ""), safe="")
    headers = (("Authorization", f"Token {values.get('token', '')}"),)
    headers += (("Content-Type", "application/json"),)
    return GIOSG_PATH.format(org=org), json.dumps(query, indent=2), headers


def _aggregation(text: str) -> dict[str, object]:
    kind, _, name = text.partition(":")
    return {"type": kind, "fields": [name]} if name else {"type": kind}


GIOSG = Endpoint(
    "giosg_visitor_sessions",
    "giosg · visitor_sessions (POST)",
    "004",
    "POST",
    GIOSG_PATH,
    "giosg_org_id",
    (
        Field("organization", "The organization id (in the path).", group=CREDENTIALS),
        Field("token", "The API token (Authorization: Token ...).", "secret", group=CREDENTIALS),
        Field("start", "interval.start (ISO; without an offset: in time_zone)."),
        Field("end", "interval.end (exclusive)."),
        Field("time_zone", "interval.time_zone: buckets are cut in it."),
        Field(
            "granularity",
            "Bucket size: a name or a period.",
            "choice",
            (*GRANULARITIES, *giosg.PERIODS),
        ),
        Field("group_by", "Dimensions to group by.", "multi", tuple(giosg.DIMENSIONS)),
        Field("aggregations", "What to compute.", "multi", GIOSG_AGGREGATIONS),
        Field(
            "filters",
            'A Druid filter, e.g. {"type": "selector", "dimension": "country", "value": "Finland"}.',
            "area",
        ),
    ),
    ("json",),
    "",
    _giosg,
    body=_giosg_body,
)

ENDPOINTS = {
    e.key: e
    for e in (TOP_LOCATIONS, SESSIONS, COUNTLY_READ, COUNTLY_DASHBOARD, COUNTLY_COUNTRIES, CLICKY, GIOSG)
}  # fmt: skip


# -- building ---------------------------------------------------------------------------------


def defaults(endpoint: Endpoint, site: Site | None) -> dict[str, str]:
    """The form's first values: the site's credentials and the sidebar's days."""
    if site is None:
        return {}
    return {k: v for k, v in endpoint.defaults(site).items() if k in endpoint.field_names}


def form_key(endpoint: Endpoint, prefill: Mapping[str, str]) -> str:
    """A key for the form's widgets that changes with its prefill (another site, other days)."""
    digest = hashlib.sha256(json.dumps(sorted(prefill.items())).encode()).hexdigest()[:10]
    return f"console_{endpoint.key}_{digest}"


def build(endpoint: Endpoint, values: Mapping[str, str], fmt: str, extra: str = "") -> Built:
    """The request for the form's ``values`` in format ``fmt`` (``extra``: more name=value&...
    pairs, appended as given). Empty values are left out, as unset parameters."""
    if fmt not in endpoint.formats:
        raise WorkbenchError(
            "invalid_format", f"format: {fmt!r}; expected one of {', '.join(endpoint.formats)}"
        )
    values = {k: str(v) for k, v in values.items() if k in endpoint.field_names}
    if endpoint.body is not None:
        path, body, headers = endpoint.body(values)
        return Built(endpoint.method, _with_query(path, [], extra), body, headers)
    pairs = [(f.name, values.get(f.name, "").strip()) for f in endpoint.fields]
    pairs = FORMATTERS[endpoint.format_param or "none"](endpoint, pairs, fmt)
    return Built(endpoint.method, _with_query(endpoint.path, pairs, extra))


def _as_param(endpoint: Endpoint, pairs: list[tuple[str, str]], fmt: str):
    return [(k, fmt if k == endpoint.format_param else v) for k, v in pairs] + (
        [] if endpoint.format_param in dict(pairs) else [(endpoint.format_param, fmt)]
    )


def _as_jsonp(endpoint: Endpoint, pairs: list[tuple[str, str]], fmt: str):
    if fmt == "json":
        return [(k, v) for k, v in pairs if k != "callback"]
    return [(k, (v or "callback") if k == "callback" else v) for k, v in pairs]


FORMATTERS = {  # how a format is asked for
    "dataType": _as_param,
    "output": _as_param,
    "callback": _as_jsonp,
    "none": lambda endpoint, pairs, fmt: pairs,
}


def _with_query(path: str, pairs: list[tuple[str, str]], extra: str) -> str:
    kept = [(k, v) for k, v in pairs if v != ""]
    extra_pairs = parse_qsl(extra.strip().lstrip("?&"), keep_blank_values=True)
    query = urlencode(kept + extra_pairs, safe=SAFE)
    return f"{path}?{query}" if query else path


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def shown(built: Built, reveal: bool = False) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The URL and headers for the screen, credentials masked unless ``reveal``."""
    if reveal:
        return built.url, built.headers
    path, _, query = built.url.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [
        f"{quote_plus(k)}={MASK if k in SECRETS and v else quote_plus(v, safe=SAFE)}"
        for k, v in pairs
    ]
    url = f"{path}?{'&'.join(masked)}" if query else path
    headers = tuple(
        (k, f"{v.partition(' ')[0]} {MASK}" if k.lower() == "authorization" else v)
        for k, v in built.headers
    )
    return url, headers


def demo_password(sample_store: bool, login: object) -> str:
    """The sample's documented demo password for its demo login ("" for any other store;
    ``sample_store``: the store has an ``as_of``, as only sample stores do)."""
    from workbench.sample.sites import SAMPLE_SITES

    if not sample_store:
        return ""
    found = [s for s in SAMPLE_SITES if s.get("opentracker_login") == login]
    return str(found[0].get("opentracker_password", "")) if found else ""


def filename(endpoint: Endpoint, fmt: str, media_type: str) -> str:
    """The download's name: the endpoint and the format's extension."""
    extension = {"jsonp": "js", "jsondatatable": "json", "jsonjqgrid": "json", "php": "txt"}
    ext = extension.get(fmt, fmt)
    if media_type.startswith("text/plain") and fmt not in ("csv", "php"):
        ext = "txt"  # an error answer in plain text
    return f"{endpoint.key}.{ext}"
