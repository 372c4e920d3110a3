"""Dimensions computed from more than their own row: multi-valued pairs, the previous visit.

``MULTI_VALUES`` gives, per multi-valued dimension, the query of its distinct (visit,
value) pairs over a query's interval (``compile`` joins them to group, semi-joins them to
filter); ``since_previous`` is Countly's frequency range from the visitor's previous start
(``compile`` reads it from a LAG over the visits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from workbench import localtime
from workbench.dimensions import Dimension
from workbench.metrics import col

if TYPE_CHECKING:
    from workbench.compile import _Builder

VISIT_TAIL = dt.timedelta(days=1)  # pageviews of a visit up to a day after the interval's end
PAIR_VISIT, PAIR_VALUE = "__pair_visit", "__pair_value"
PREVIOUS_START = "__previous_start"  # the visitor's previous visit's start (frequency_bucket)


def since_previous(dim: Dimension) -> exp.Expression:
    """Countly's frequency range: 0 on a first visit, then by the hours since the previous."""
    gap = exp.Sub(
        this=localtime.epoch_ms(col("start_ts")),
        expression=localtime.epoch_ms(exp.column(PREVIOUS_START, quoted=True)),
    )
    ranges = [
        exp.If(
            this=exp.LT(this=gap.copy(), expression=exp.Literal.number(int(hours * 3_600_000))),
            true=exp.Literal.number(i + 1),
        )
        for i, hours in enumerate(dim.bins)
    ]
    first = exp.If(this=col("is_new"), true=exp.Literal.number(0))
    unseen = exp.If(
        this=exp.Is(this=exp.column(PREVIOUS_START, quoted=True), expression=exp.Null()),
        true=exp.Literal.number(len(dim.bins) + 1),
    )
    return exp.Case(ifs=[first, unseen, *ranges], default=exp.Literal.number(len(dim.bins) + 1))


def _visited_urls(b: _Builder) -> exp.Select:
    """(visit, URL) of every pageview of the interval's visits (and of the day after it)."""
    start, end = b.q.interval.start, b.q.interval.end + VISIT_TAIL
    url = col("url")
    viewed = exp.and_(
        b.span("events", "ts", start, end),
        exp.EQ(this=col("type"), expression=b.params("pageview")),
        exp.Not(this=exp.Is(this=url, expression=exp.Null())),
    )
    return (
        exp.select(col("session_id").as_(PAIR_VISIT, quoted=True), url.copy().as_(PAIR_VALUE))
        .from_(b.source("events", start, end))
        .where(viewed)
        .distinct()
    )


def _rooms(b: _Builder) -> exp.Select:
    """(visit, room id) from the comma-separated ids in properties['rooms']."""
    start, end = b.q.interval.start, b.q.interval.end
    rooms = exp.Bracket(this=col("properties"), expressions=[b.params("rooms")])
    split = exp.Explode(this=exp.Split(this=rooms, expression=exp.Literal.string(",")))
    listed = (
        exp.select(col("session_id").as_(PAIR_VISIT, quoted=True), split.as_("__room"))
        .from_(b.source("sessions", start, end))
        .where(
            exp.and_(
                b.span("sessions", "start_ts", start, end),
                exp.Not(this=exp.Is(this=rooms.copy(), expression=exp.Null())),
            )
        )
    )
    room = exp.Trim(this=exp.column("__room"))
    return (
        exp.select(exp.column(PAIR_VISIT, quoted=True), room.as_(PAIR_VALUE, quoted=True))
        .from_(listed.subquery("r"))
        .where(exp.NEQ(this=room.copy(), expression=exp.Literal.string("")))
        .distinct()
    )


MULTI_VALUES: dict[str, Callable[[_Builder], exp.Select]] = {  # name -> its pairs
    "visited_url": _visited_urls,
    "room": _rooms,
}
