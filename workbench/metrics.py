"""The registry of metrics: each an aggregate over one table's rows, with its definition.

An aggregate is a sqlglot expression over the table's stored columns, so one definition
serves every engine. ``hll`` metrics are estimated by ``workbench.hll`` (a HyperLogLog with
2^14 registers) and are always labelled approximate; ``exact_for`` names the exact metric
an approximate one stands in for when a Query asks for ``approximate=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from workbench.dimensions import check_table
from workbench.errors import WorkbenchError, invalid


def col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _count() -> exp.Expression:
    return exp.Count(this=exp.Star())


def _distinct(value: exp.Expression) -> exp.Expression:
    return exp.Count(this=exp.Distinct(expressions=[value]))


def _sum(name: str) -> exp.Expression:
    return exp.Sum(this=col(name))


FRACTION_DIGITS = 6  # sums of fractional values are rounded to this many decimals


def _fractional_sum(name: str) -> exp.Expression:
    """A sum of fractional values, rounded: an engine adds doubles in a parallel order that
    moves the last bits from run to run; rounded, the same data gives the same answer."""
    return exp.Round(this=exp.Sum(this=col(name)), decimals=exp.Literal.number(FRACTION_DIGITS))


def _total(value: exp.Expression) -> exp.Expression:
    """A sum of integers, as a 64-bit integer on every engine (DuckDB would widen it)."""
    return exp.Cast(this=exp.Sum(this=value), to=exp.DataType.build("bigint"))


def _when(condition: exp.Expression, then: exp.Expression, other=None) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=other)


def _share(condition: exp.Expression) -> exp.Expression:
    """Percentage of rows meeting ``condition``."""
    one = _when(condition, _double(100), _double(0))  # a bare 100.0 is a DECIMAL on Spark
    return exp.Avg(this=one)


def _double(value: float) -> exp.Expression:
    return exp.Cast(this=exp.Literal.number(value), to=exp.DataType.build("double"))


def _ratio(top: exp.Expression, bottom: exp.Expression) -> exp.Expression:
    return exp.Div(
        this=exp.Cast(this=top, to=exp.DataType.build("double")),
        expression=exp.Nullif(this=bottom, expression=exp.Literal.number(0)),
    )


@dataclass(frozen=True)
class Metric:
    """A named aggregate of one table with a one-line definition for front ends."""

    name: str
    table: str
    description: str
    build: Callable[[], exp.Expression] | None = None  # None: a HyperLogLog estimate
    hll_of: str | None = None  # the column whose distinct values an hll metric estimates
    approximate_form: str | None = None  # the hll metric that estimates this one
    exact_only: bool = False  # no approximate form makes sense (e.g. a difference of uniques)
    additive: bool = True  # a count or a sum: 0 over no rows (an average or extreme: missing)

    @property
    def approximate(self) -> bool:
        return self.build is None


def _users() -> exp.Expression:
    return _distinct(col("visitor_id"))


def _new_users() -> exp.Expression:
    return _distinct(_when(col("is_new"), col("visitor_id")))


_SESSIONS = (
    Metric("sessions", "sessions", "Visits started in the interval", _count),
    Metric(
        "users",
        "sessions",
        "Distinct visitors (exact count over the whole interval, never a sum of days)",
        _users,
        approximate_form="users_approx",
    ),
    Metric(
        "users_approx",
        "sessions",
        "Distinct visitors, approximate: HyperLogLog with 2^14 registers (about 0.8% RMS error)",
        hll_of="visitor_id",
    ),
    Metric(
        "sessions_approx",
        "sessions",
        "Distinct visits, approximate: HyperLogLog over session ids (giosg's hyperUnique)",
        hll_of="session_id",
    ),
    Metric(
        "new_users",
        "sessions",
        "Distinct visitors whose first ever visit is in the interval",
        _new_users,
        approximate_form="new_users_approx",
    ),
    Metric(
        "new_users_approx",
        "sessions",
        "New users, approximate (HyperLogLog over the visitors of first visits)",
        hll_of="new_visitor",
    ),
    Metric(
        "returning_users",
        "sessions",
        "Distinct visitors of the interval whose first visit came before it (users - new users)",
        lambda: exp.Sub(this=_users(), expression=_new_users()),
        exact_only=True,
    ),
    Metric("pageviews", "sessions", "Pages (or app views) seen", lambda: _total(col("pageviews"))),
    Metric(
        "actions",
        "sessions",
        "Pageviews, downloads, outbound clicks, clicks and searches",
        lambda: _total(col("actions")),
    ),
    Metric(
        "actions_per_session",
        "sessions",
        "Actions per visit (actions / sessions)",
        lambda: _ratio(_sum("actions"), _count()),
        additive=False,
    ),
    Metric(
        "pageviews_per_session",
        "sessions",
        "Pageviews per visit (pageviews / sessions)",
        lambda: _ratio(_sum("pageviews"), _count()),
        additive=False,
    ),
    Metric(
        "total_duration",
        "sessions",
        "Time spent, summed over visits, in seconds",
        lambda: _total(col("duration_s")),
    ),
    Metric(
        "avg_duration",
        "sessions",
        "Average visit length in seconds",
        lambda: exp.Avg(this=exp.Cast(this=col("duration_s"), to=exp.DataType.build("double"))),
        additive=False,
    ),
    Metric(
        "avg_distinct_urls",
        "sessions",
        "Average number of distinct URLs viewed in a visit",
        lambda: exp.Avg(this=exp.Cast(this=col("distinct_urls"), to=exp.DataType.build("double"))),
        additive=False,
    ),
    Metric(
        "bounce_rate",
        "sessions",
        "Percentage of visits with at most one action",
        lambda: _share(exp.LTE(this=col("actions"), expression=exp.Literal.number(1))),
        additive=False,
    ),
    Metric(
        "first_seen",
        "sessions",
        "Start of the earliest visit",
        lambda: exp.Min(this=col("start_ts")),
        additive=False,
    ),
    Metric(
        "last_seen",
        "sessions",
        "Start of the latest visit",
        lambda: exp.Max(this=col("start_ts")),
        additive=False,
    ),
)

_EVENTS = (
    Metric(
        "events",
        "events",
        "Occurrences of events (Countly's count; 1 for each web action)",
        lambda: _total(col("count")),
    ),
    Metric(
        "events_sum",
        "events",
        "Sum of the events' values (Countly's sum)",
        lambda: _fractional_sum("sum"),
    ),
    Metric(
        "events_duration",
        "events",
        "Duration carried by the events, in seconds (Countly's dur)",
        lambda: _fractional_sum("duration_s"),
    ),
    Metric("actions", "events", "Actions recorded (rows)", _count),
    Metric(
        "pageviews",
        "events",
        "Pageview actions",
        lambda: _total(
            _when(
                exp.EQ(this=col("type"), expression=exp.Literal.string("pageview")),
                exp.Literal.number(1),
                exp.Literal.number(0),
            )
        ),
    ),
    Metric(
        "sessions", "events", "Distinct visits with an event", lambda: _distinct(col("session_id"))
    ),
    Metric(
        "users",
        "events",
        "Distinct visitors with an event (exact)",
        _users,
        approximate_form="users_approx",
    ),
    Metric(
        "users_approx",
        "events",
        "Distinct visitors with an event, approximate (HyperLogLog, 2^14 registers)",
        hll_of="visitor_id",
    ),
    Metric(
        "first_seen",
        "events",
        "Time of the earliest event",
        lambda: exp.Min(this=col("ts")),
        additive=False,
    ),
    Metric(
        "last_seen",
        "events",
        "Time of the latest event",
        lambda: exp.Max(this=col("ts")),
        additive=False,
    ),
)

METRICS: dict[str, dict[str, Metric]] = {
    "sessions": {m.name: m for m in _SESSIONS},
    "events": {m.name: m for m in _EVENTS},
}


def metric(table: str, name: str) -> Metric:
    """The metric ``name`` of ``table``; an unknown name lists the valid ones."""
    registry = METRICS[check_table(table)]
    if name in registry:
        return registry[name]
    elsewhere = [t for t, names in METRICS.items() if name in names and t != table]
    hint = f" (it is a metric of table={elsewhere[0]!r})" if elsewhere else ""
    error = invalid("metric", name, list(registry), code="unknown_metric")
    raise WorkbenchError(error.code, error.message + hint)


def describe(table: str) -> dict[str, str]:
    """name -> one-line definition, for front ends."""
    return {m.name: m.description for m in METRICS[check_table(table)].values()}
