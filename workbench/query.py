"""The Query every front end and dialect builds, validated when made, and the Result it gives.

A Query with metrics aggregates (group by ``dimensions`` and a time bucket of
``granularity`` in the interval's zone); a Query without metrics lists rows (its
``dimensions`` are the columns shown), newest first unless ordered otherwise, paged by
``offset`` or by a keyset ``cursor``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from workbench import filters as f
from workbench.dimensions import DIMENSIONS, TIME_COLUMN, Dimension, check_table, dimension
from workbench.errors import invalid
from workbench.metrics import METRICS, Metric, metric
from workbench.timebuckets import GRANULARITIES, WEEK_STARTS
from workbench.timeframe import Interval

MAX_LIMIT = 100_000
DEFAULT_PAGE = 100
BUCKET = "bucket"  # the output column holding each row's time bucket
ID_COLUMN = {"sessions": "session_id", "events": "event_id"}
_KINDS = {  # filter leaf -> dimension kinds it applies to
    f.Eq: ("text", "number", "bool", "time"),
    f.In: ("text", "number", "bool", "time"),
    f.Contains: ("text",),
    f.Wildcard: ("text",),
    f.Regex: ("text",),
    f.Range: ("number", "time"),
    f.IsNull: ("text", "number", "bool", "time"),
}


@dataclass(frozen=True)
class Order:
    """Sort by ``field`` (a dimension, a metric or ``bucket``)."""

    field: str
    descending: bool = False


@dataclass(frozen=True)
class Cursor:
    """Where a newest-first page ended: the last row's time (epoch ms) and id."""

    ts_ms: int
    id: str

    @property
    def token(self) -> str:
        """An opaque URL-safe string for front ends (``Cursor.parse`` reads it back)."""
        raw = f"{self.ts_ms}:{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            ms, _, ident = raw.partition(":")
            return cls(int(ms), ident)
        except (ValueError, UnicodeDecodeError):
            raise invalid("cursor", token, "a cursor token from a previous page") from None


@dataclass(frozen=True)
class Query:
    """What to compute: rows of one table in [start, end) of some sites, and how to shape them."""

    interval: Interval
    sites: tuple[str, ...] = ()  # empty: every site
    table: str = "sessions"
    dimensions: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    granularity: str = "all"
    week_start: str = "monday"
    filter: f.Filter | None = None
    order: tuple[Order, ...] = ()
    limit: int | None = None  # aggregates: all groups; lists: DEFAULT_PAGE
    offset: int = 0
    cursor: Cursor | None = None
    approximate: bool = False  # estimate distinct counts by HyperLogLog
    include_bots: bool = False

    def __post_init__(self) -> None:
        for name in ("sites", "dimensions", "metrics", "order"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        check(self)

    def replace(self, **changes: object) -> Query:
        return replace(self, **changes)

    @property
    def is_list(self) -> bool:
        return not self.metrics

    @property
    def page_size(self) -> int:
        return self.limit if self.limit is not None else DEFAULT_PAGE

    @property
    def time_column(self) -> str:
        return TIME_COLUMN[self.table]

    @property
    def newest_first(self) -> tuple[Order, Order]:
        return (Order(self.time_column, True), Order(ID_COLUMN[self.table], True))

    @property
    def effective_order(self) -> tuple[Order, ...]:
        """The order asked for, else newest first (lists) or the first metric's largest first."""
        if self.order:
            return self.order
        if self.is_list:
            return self.newest_first
        lead = (Order(BUCKET),) if self.granularity != "all" else ()
        return (*lead, Order(self.metrics[0], True))

    def dims(self) -> tuple[Dimension, ...]:
        return tuple(dimension(self.table, name) for name in self.dimensions)

    def measures(self) -> tuple[tuple[str, Metric], ...]:
        """(output name, metric computing it): approximate forms swapped in if asked for."""
        chosen = []
        for name in self.metrics:
            m = metric(self.table, name)
            if self.approximate and m.approximate_form:
                m = metric(self.table, m.approximate_form)
            chosen.append((name, m))
        return tuple(chosen)


def check(q: Query) -> None:
    """Every rule a Query obeys; a broken one raises naming the value and what is valid."""
    if not isinstance(q.interval, Interval):
        raise invalid("interval", q.interval, "a workbench.timeframe.Interval")
    check_table(q.table)
    for site in q.sites:
        if not isinstance(site, str) or not site:
            raise invalid("sites", site, "site ids (strings)")
    if q.granularity not in GRANULARITIES:
        raise invalid("granularity", q.granularity, GRANULARITIES, code="invalid_granularity")
    if q.week_start not in WEEK_STARTS:
        raise invalid("week_start", q.week_start, WEEK_STARTS)
    dims = [dimension(q.table, name) for name in q.dimensions]
    _unique("dimensions", q.dimensions)
    _unique("metrics", q.metrics)
    measures = [metric(q.table, name) for name in q.metrics]
    if q.is_list and q.granularity != "all":
        raise invalid("granularity", q.granularity, "'all' for a list of rows (no metrics)")
    for dim in dims if q.is_list else ():
        if dim.multi:
            raise invalid("dimensions", dim.name, _ONE_VALUE, code="multi_valued")
    if q.approximate:
        _check_approximate(q, measures)
    _check_paging(q)
    _check_order(q, dims)
    _check_filter(q)


_ONE_VALUE = (
    "a dimension with one value per row: a list has one row per visit; group by a "
    "multi-valued dimension (visited_url, room) or filter on it instead"
)


def _unique(param: str, names: tuple[str, ...]) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise invalid(param, name, f"each name once in {param}")
        seen.add(name)


def _check_approximate(q: Query, measures: list[Metric]) -> None:
    for m in measures:
        if m.exact_only:
            raise invalid(
                "metrics",
                m.name,
                "exact metrics only with approximate=True: a difference of two estimates "
                f"is not an estimate; approximate applies to {_approximable(q.table)}",
                code="exact_only",
            )
    if not any(m.approximate_form for m in measures):
        raise invalid(
            "approximate",
            True,
            f"a query with a distinct-count metric ({_approximable(q.table)}); "
            f"{', '.join(q.metrics) or 'a list of rows'} is always exact",
            code="exact_only",
        )


def _approximable(table: str) -> str:
    return ", ".join(m.name for m in METRICS[table].values() if m.approximate_form)


def _check_paging(q: Query) -> None:
    if q.limit is not None and (
        not isinstance(q.limit, int) or isinstance(q.limit, bool) or not 1 <= q.limit <= MAX_LIMIT
    ):
        raise invalid("limit", q.limit, f"an integer from 1 to {MAX_LIMIT:,}", code="invalid_limit")
    if not isinstance(q.offset, int) or isinstance(q.offset, bool) or q.offset < 0:
        raise invalid("offset", q.offset, "an integer ≥ 0")
    if q.cursor is None:
        return
    if not isinstance(q.cursor, Cursor):
        raise invalid("cursor", q.cursor, "a workbench.query.Cursor")
    if not q.is_list or (q.order and q.order != q.newest_first):
        raise invalid(
            "cursor", q.cursor.token, "a cursor only on a newest-first list (use offset otherwise)"
        )
    if q.offset:
        raise invalid("offset", q.offset, "0 when a cursor is given (the cursor pages)")


def _check_order(q: Query, dims: list[Dimension]) -> None:
    if q.is_list:
        valid = list(dimension_names(q.table))
    else:
        valid = [*q.dimensions, *q.metrics, *([BUCKET] if q.granularity != "all" else [])]
    for order in q.order:
        if not isinstance(order, Order):
            raise invalid("order", order, "workbench.query.Order items")
        if q.is_list:
            if dimension(q.table, order.field, param="order").multi:
                raise invalid("order", order.field, _ONE_VALUE, code="multi_valued")
        elif order.field not in valid:
            raise invalid("order", order.field, valid, code="invalid_order")


def dimension_names(table: str) -> tuple[str, ...]:
    return tuple(DIMENSIONS[table])


def _check_filter(q: Query) -> None:
    for leaf in f.leaves(q.filter):
        if not isinstance(leaf, f.LEAVES):
            raise invalid("filter", leaf, "a tree of workbench.filters nodes")
        dim = dimension(q.table, leaf.field, param="filter")
        kinds = _KINDS[type(leaf)]
        if dim.kind not in kinds:
            raise invalid(
                "filter",
                f"{type(leaf).__name__}({leaf.field})",
                f"a {'/'.join(kinds)} dimension; {leaf.field} is {dim.kind}",
                code="invalid_filter",
            )
        if leaf.case_insensitive and dim.kind != "text":
            raise invalid(
                "filter", leaf, "case_insensitive only on text dimensions", "invalid_filter"
            )
        _check_leaf(leaf)


def _check_leaf(leaf: f.Leaf) -> None:
    if isinstance(leaf, f.In) and not leaf.values:
        raise invalid("filter", leaf, "In with at least one value", code="invalid_filter")
    if isinstance(leaf, f.Regex):
        try:
            re.compile(leaf.pattern)
        except (re.error, TypeError) as error:
            raise invalid(
                "filter", leaf.pattern, f"a valid regular expression ({error})", "invalid_filter"
            ) from None
    if isinstance(leaf, f.Range) and leaf.low is None and leaf.high is None:
        raise invalid("filter", leaf, "Range with a low or a high bound", code="invalid_filter")
    if isinstance(leaf, f.Contains | f.Wildcard | f.Regex):
        text = leaf.value if isinstance(leaf, f.Contains) else leaf.pattern
        if not isinstance(text, str):
            raise invalid("filter", text, "a text pattern", code="invalid_filter")


@dataclass(frozen=True)
class Result:
    """A Query's answer: the rows as a DataFrame, and what a front end must say about them.

    ``excluded_bots`` is how many rows were left out as bot traffic (None when bots are
    included). An aggregate counts them in its own scan; a list page counts them only when
    asked (``bots`` is then a function), since the count reads the whole interval.
    """

    frame: pd.DataFrame
    query: Query
    approximate: tuple[str, ...] = ()  # output columns estimated (HyperLogLog), not counted
    bots: int | Callable[[], int] | None = None
    next_cursor: Cursor | None = None  # the next page of a newest-first list, if any
    sql: str = ""
    seconds: float = 0.0

    @property
    def excluded_bots(self) -> int | None:
        if callable(self.bots):
            object.__setattr__(self, "bots", self.bots())
        return self.bots
