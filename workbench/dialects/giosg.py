"""giosg's visitor-session reporting (seed 004): a Druid-style query in, fields + data out.

Decisions where the document is silent, following Druid (README "Vendor APIs"):
- ``interval`` is half-open [start, end); naive instants are read in ``time_zone``.
- ``granularity`` is a Druid simple name or a ``{"type": "period", "period": "P1D",
  "timeZone": ...}`` object; buckets are cut in ``interval.time_zone`` (a Druid period
  granularity with that zone), so timestamps carry its offset, as the example's ``+02:00``.
  ``all`` is one bucket stamped with the interval start. Without ``group_by`` every
  bucket is answered, empty ones as zeros (a Druid timeseries); with it, only groups
  that have sessions (a Druid groupBy).
- Output names: ``count``; ``<field>_avg``; ``<field>_hyper_unique`` (the documented one).
  An aggregation with several ``fields`` gives one column per field.
- Filters: ``selector`` (``value: null`` is a missing value), ``in``, ``and``, ``or``,
  ``not``, ``regex``, ``search`` (``contains``, ``insensitive_contains``, ``fragment``),
  ``like`` (``%``, ``_``, ``escape``) and numeric ``bound``.
- Rows are ordered by timestamp, then by the group-by values.
- Errors are JSON ``{"detail": ...}``: 401 without a valid token, 404 for an unknown
  organization, 403 when the token is another organization's, 400 naming the bad field.
- Array dimensions: ``distinct_visited_urls`` (the visit's pageview URLs, every one, not
  only the first 100 the document's array holds) and ``rooms`` are multi-valued, with
  Druid's semantics: grouped, a session counts under each of its values; a filter matches
  a session when any value passes. The others have single-valued stand-ins:
  ``distinct_landing_urls`` is the entry page (one host per site),
  ``distinct_referrer_urls`` the visit's referrer, ``distinct_search_terms`` its search term.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench import filters as f
from workbench.api import Request, Response, route
from workbench.encoders import encode
from workbench.errors import WorkbenchError, invalid
from workbench.identities import site_by
from workbench.query import BUCKET, Order, Query
from workbench.reports import every_bucket
from workbench.timebuckets import GRANULARITIES
from workbench.timeframe import iso_interval
from workbench.values import plain

DIMENSIONS = {
    "browser_name": "browser",
    "browser_version": "browser_version",
    "city": "city",
    "country": "country_name",
    "device_type": "device_type",
    "distinct_visited_urls_count": "distinct_urls",
    "distinct_landing_urls": "entry_url",
    "distinct_referrer_urls": "referrer_url",
    "distinct_search_terms": "search_term",
    "distinct_visited_urls": "visited_url",
    "ip_organization": "isp_organization",
    "os_name": "os",
    "rooms": "room",
    "session_duration_secs": "duration_s",
    "session_id": "session_id",
    "visitor_id": "visitor_id",
}
AGGREGATIONS = {  # type -> {field -> (metric, output suffix)}
    "count": {None: ("sessions", "count")},
    "avg": {
        "session_duration_secs": ("avg_duration", "avg"),
        "distinct_visited_urls_count": ("avg_distinct_urls", "avg"),
    },
    "hyperUnique": {
        "visitor_id": ("users_approx", "hyper_unique"),
        "session_id": ("sessions_approx", "hyper_unique"),
    },
}
PERIODS = {
    "PT1M": "minute",
    "PT15M": "fifteen_minute",
    "PT30M": "thirty_minute",
    "PT1H": "hour",
    "P1D": "day",
    "P1W": "week",
    "P1M": "month",
    "P3M": "quarter",
    "P1Y": "year",
}
SEARCHES = ("contains", "insensitive_contains", "fragment")


class GiosgError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _json(status: int, document: object) -> Response:
    encoded = encode("json", document)
    return Response(status, encoded.media_type, encoded.body)


@route("/api/reporting/v1/orgs/*")
def visitor_sessions(wb, req: Request) -> Response:
    """POST /api/reporting/v1/orgs/<organization_id>/visitor_sessions."""
    try:
        return _answer(wb, req)
    except GiosgError as error:
        return _json(error.status, {"detail": error.detail})
    except WorkbenchError as error:
        return _json(400, {"detail": error.message})


def _answer(wb, req: Request) -> Response:
    match = re.fullmatch(r"/api/reporting/v1/orgs/([^/]+)/visitor_sessions/?", req.path)
    if match is None:
        raise GiosgError(404, "Not found.")
    if req.method != "POST":
        raise GiosgError(405, f'Method "{req.method}" not allowed.')
    site = _authorised(wb, req, match[1])
    try:
        body = req.json()
    except ValueError as error:
        raise GiosgError(400, f"JSON parse error - {error}") from None
    if not isinstance(body, dict):
        raise invalid(
            "query", type(body).__name__, "a JSON object with interval, granularity, aggregations"
        )
    q, columns = parse(body, str(site["site_id"]))
    frame = wb.query(q).frame
    if not q.dimensions and q.granularity not in ("all", "none"):
        frame = every_bucket(frame, q)  # a Druid timeseries: empty buckets are zeros
    return _json(200, shape(frame, q, columns))


def _authorised(wb, req: Request, org_id: str) -> dict[str, object]:
    header = req.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() not in ("token", "bearer") or not token.strip():
        raise GiosgError(401, "Authentication credentials were not provided.")
    holder = site_by(wb, "giosg_token", token.strip()) if _is_token(token) else None
    if holder is None:
        raise GiosgError(401, "Invalid token.")
    site = site_by(wb, "giosg_org_id", org_id)
    if site is None:
        raise GiosgError(404, "Not found.")
    if site["site_id"] != holder["site_id"]:
        raise GiosgError(403, "You do not have permission to perform this action.")
    return site


def _is_token(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_.\-]{8,200}", token.strip()))


# -- the query ------------------------------------------------------------------------------


def parse(body: dict, site_id: str) -> tuple[Query, list[str]]:
    """The Query a giosg body asks for, and the output metric names in order."""
    interval = _interval(body.get("interval"))
    granularity = _granularity(body.get("granularity", "all"))
    group_by = body.get("group_by", [])
    if not isinstance(group_by, list):
        raise invalid("group_by", group_by, "a list of dimension names")
    dims = tuple(_dimension(name, "group_by") for name in group_by)
    metrics, names = _aggregations(body.get("aggregations"))
    q = Query(
        interval,
        sites=(site_id,),
        dimensions=dims,
        metrics=tuple(metrics),
        granularity=granularity,
        filter=_filter(body.get("filters"), "filters") if body.get("filters") else None,
        order=(*((Order(BUCKET),) if granularity != "all" else ()), *(Order(d) for d in dims)),
    )
    return q, names


def _interval(value: object):
    if not isinstance(value, dict) or "start" not in value or "end" not in value:
        raise invalid("interval", value, "an object with start, end and time_zone")
    zone_name = value.get("time_zone")
    return iso_interval(value["start"], value["end"], zone_name)


def _granularity(value: object) -> str:
    if isinstance(value, str):
        if value not in GRANULARITIES:
            raise invalid("granularity", value, GRANULARITIES)
        return value
    if isinstance(value, dict) and value.get("type") == "period":
        period = value.get("period")
        if period not in PERIODS:
            raise invalid("granularity.period", period, PERIODS)
        return PERIODS[period]
    raise invalid("granularity", value, f"one of {', '.join(GRANULARITIES)} or a period object")


def _dimension(name: object, param: str) -> str:
    if name not in DIMENSIONS:
        raise invalid(param, name, DIMENSIONS)
    return DIMENSIONS[name]


def _aggregations(value: object) -> tuple[list[str], list[str]]:
    if not isinstance(value, list) or not value:
        raise invalid("aggregations", value, "a non-empty list of {type, fields}")
    metrics, names = [], []
    for i, agg in enumerate(value):
        kind = agg.get("type") if isinstance(agg, dict) else None
        if kind not in AGGREGATIONS:
            raise invalid(f"aggregations[{i}].type", kind, AGGREGATIONS)
        fields = agg.get("fields", [None]) if kind != "count" else [None]
        if not isinstance(fields, list) or not fields:
            raise invalid(f"aggregations[{i}].fields", fields, "a non-empty list of dimensions")
        for field in fields:
            if field not in AGGREGATIONS[kind]:
                raise invalid(
                    f"aggregations[{i}].fields", field, [k for k in AGGREGATIONS[kind] if k]
                )
            metric, suffix = AGGREGATIONS[kind][field]
            name = suffix if field is None else f"{field}_{suffix}"
            if name not in names:
                metrics.append(metric)
                names.append(name)
    return metrics, names


def _filter(node: object, path: str) -> f.Filter:
    if not isinstance(node, dict):
        raise invalid(path, node, "a filter object with a type")
    kind = node.get("type")
    builder = FILTERS.get(kind)
    if builder is None:
        raise invalid(f"{path}.type", kind, FILTERS)
    return builder(node, path)


def _children(node: dict, path: str) -> tuple[f.Filter, ...]:
    fields = node.get("fields")
    if not isinstance(fields, list):
        raise invalid(f"{path}.fields", fields, "a list of filters")
    return tuple(_filter(child, f"{path}.fields[{i}]") for i, child in enumerate(fields))


def _selector(node: dict, path: str) -> f.Filter:
    field = _dimension(node.get("dimension"), f"{path}.dimension")
    value = node.get("value")
    return f.IsNull(field) if value is None else f.Eq(field, _typed(field, value))


def _in(node: dict, path: str) -> f.Filter:
    field = _dimension(node.get("dimension"), f"{path}.dimension")
    values = node.get("values")
    if not isinstance(values, list):
        raise invalid(f"{path}.values", values, "a list of values")
    present = tuple(_typed(field, v) for v in values if v is not None)
    tests = ([f.In(field, present)] if present else []) + (
        [f.IsNull(field)] if None in values else []
    )
    return f.Or(tuple(tests))  # an empty list matches nothing, as in Druid


def _regex(node: dict, path: str) -> f.Filter:
    field = _dimension(node.get("dimension"), f"{path}.dimension")
    return f.Regex(field, _text(node.get("pattern"), f"{path}.pattern"))


def _search(node: dict, path: str) -> f.Filter:
    field = _dimension(node.get("dimension"), f"{path}.dimension")
    query = node.get("query")
    kind = query.get("type") if isinstance(query, dict) else None
    if kind not in SEARCHES:
        raise invalid(f"{path}.query.type", kind, SEARCHES)
    if kind == "fragment":
        values = query.get("values")
        if not isinstance(values, list) or not values:
            raise invalid(f"{path}.query.values", values, "a list of strings")
        folded = not query.get("case_sensitive", False)
        return f.And(
            tuple(f.Contains(field, _text(v, f"{path}.query.values"), folded) for v in values)
        )
    folded = kind == "insensitive_contains" or not query.get("case_sensitive", True)
    return f.Contains(field, _text(query.get("value"), f"{path}.query.value"), folded)


def _like(node: dict, path: str) -> f.Filter:
    field = _dimension(node.get("dimension"), f"{path}.dimension")
    pattern = _text(node.get("pattern"), f"{path}.pattern")
    escape = node.get("escape")
    if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
        raise invalid(f"{path}.escape", escape, "one character")
    out, chars, i = [], pattern, 0
    while i < len(chars):
        c = chars[i]
        if escape and c == escape and i + 1 < len(chars):
            out.append(re.escape(chars[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return f.Regex(field, "^" + "".join(out) + "$")


def _bound(node: dict, path: str) -> f.Filter:
    field = _dimension(node.get("dimension"), f"{path}.dimension")
    if node.get("ordering", "numeric") != "numeric":
        raise invalid(
            f"{path}.ordering", node.get("ordering"), "numeric (the only ordering answered)"
        )
    low, high = node.get("lower"), node.get("upper")
    for name, value in (("lower", low), ("upper", high)):
        if value is not None and not _is_number(value):
            raise invalid(f"{path}.{name}", value, "a number")
    return f.Range(
        field,
        float(low) if low is not None else None,
        float(high) if high is not None else None,
        bool(node.get("lowerStrict", False)),
        bool(node.get("upperStrict", False)),
    )


def _is_number(value: object) -> bool:
    try:
        float(value)  # Druid accepts numbers written as strings
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)


def _typed(field: str, value: object) -> object:
    """Druid compares as strings; numeric columns take numbers written either way."""
    if field in ("duration_s", "distinct_urls"):
        if not _is_number(value):
            raise invalid("value", value, f"a number for {field}")
        return float(value)
    return str(value)


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise invalid(path, value, "a string")
    return value


FILTERS = {
    "selector": _selector,
    "in": _in,
    "and": lambda node, path: f.And(_children(node, path)),
    "or": lambda node, path: f.Or(_children(node, path)),
    "not": lambda node, path: f.Not(_filter(node.get("field"), f"{path}.field")),
    "regex": _regex,
    "search": _search,
    "like": _like,
    "bound": _bound,
}


# -- the answer -----------------------------------------------------------------------------


def shape(frame: pd.DataFrame, q: Query, names: list[str]) -> dict[str, object]:
    """``fields`` then ``data``: one row per bucket (and group), timestamp first."""
    reverse = {v: k for k, v in DIMENSIONS.items()}
    group_names = [reverse[d] for d in q.dimensions]
    fields = [{"name": "timestamp", "type": "dimension"}]
    fields += [{"name": n, "type": "dimension"} for n in group_names]
    fields += [{"name": n, "type": "metric"} for n in names]
    data = []
    start = _stamp(q.interval.start.astimezone(q.interval.tz))
    for row in frame.itertuples(index=False):
        values = row._asdict()
        stamp = _stamp(values[BUCKET]) if BUCKET in values else start
        cells = [stamp, *(plain(values[d]) for d in q.dimensions)]
        cells += [_metric(values[m], m) for m in q.metrics]
        data.append(cells)
    return {"fields": fields, "data": data}


def _stamp(moment) -> str:
    text = moment.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if text.endswith("+00:00") else text


def _metric(value: object, metric: str) -> object:
    value = plain(value)
    if value is None:
        return None
    if metric == "sessions":
        return int(value)
    return float(value)
