"""The registry of dimensions: what a Query can group, filter, order and list by, per table.

Every plain column of the canonical ``sessions`` and ``events`` tables is a dimension,
described by the model's own column doc. Three more read the local time in the query's
zone (``local_hour``, ``local_weekday``, ``local_date``), and map entries are addressed as
``property.KEY`` (sessions' custom data), ``source.KEY`` (sessions' verbatim source fields,
e.g. Opentracker's ``machine_id``) and ``segmentation.KEY`` (events' segmentation).

Two dimensions of a visit hold several values (Druid's multi-value dimensions, as giosg's
arrays): ``visited_url`` (the distinct URLs of its pageviews) and ``room`` (its chat rooms).
Grouped, a visit counts once in the group of each of its values; in a filter, a test
matches a visit when any of its values passes (and its negation when none does). A list
of visits cannot show them (one row per visit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from workbench import model
from workbench.errors import invalid

TABLES = ("sessions", "events")
MAP_PREFIXES = {  # table -> (name prefix, map column) of its map-entry dimensions
    "sessions": (("property.", "properties"), ("source.", "source_fields")),
    "events": (("segmentation.", "segmentation"),),
}


@dataclass(frozen=True)
class Dimension:
    """A named value of each row: a column, a map entry or a local-time part."""

    name: str
    table: str
    kind: str  # text, number, bool or time
    description: str
    column: str | None = None  # the stored column it reads
    key: str | None = None  # the map entry it reads (column is the map)
    local: str | None = None  # hour, weekday or date of the row's time in the query zone
    bins: tuple[float, ...] = ()  # upper bounds: the value is the index of the first bin it fits
    multi: bool = False  # several values per row (compile.MULTI_VALUES says where they come from)
    since_previous: bool = False  # binned hours since the visitor's previous visit (bins)


def _kind(type_: pa.DataType) -> str:
    if pa.types.is_timestamp(type_):
        return "time"
    if pa.types.is_boolean(type_):
        return "bool"
    if pa.types.is_integer(type_) or pa.types.is_floating(type_):
        return "number"
    return "text"


def _registry(table: model.Table) -> dict[str, Dimension]:
    found = {
        c.name: Dimension(c.name, table.name, _kind(c.type), c.meaning, column=c.name)
        for c in table.columns
        if not pa.types.is_map(c.type)
    }
    local = {
        "local_hour": ("hour", "number", "Hour of the day (0-23) in the query's time zone"),
        "local_weekday": (
            "weekday",
            "number",
            "Day of the week in the query's time zone, 0 = Monday",
        ),
        "local_date": ("date", "time", "Calendar day in the query's time zone"),
    }
    for name, (part, kind, text) in local.items():
        found[name] = Dimension(
            name, table.name, kind, text, column=TIME_COLUMN[table.name], local=part
        )
    if table.name == "sessions":
        for name, (column, bounds, ranges) in BINNED.items():
            text = (
                f"Countly's {name.split('_')[0]} range of the visit, 0-{len(ranges) - 1}: "
                + ", ".join(f"{i}={r}" for i, r in enumerate(ranges))
            )
            found[name] = Dimension(name, table.name, "number", text, column=column, bins=bounds)
        text = (
            "Countly's frequency range of the visit, hours since the visitor's previous visit, "
            "0-11: " + ", ".join(f"{i}={r}" for i, r in enumerate(FREQUENCY_RANGES))
        )
        found["frequency_bucket"] = Dimension(
            "frequency_bucket",
            table.name,
            "number",
            text,
            bins=FREQUENCY_HOURS,
            since_previous=True,
        )
        for name, text in MULTI_VALUED.items():
            found[name] = Dimension(name, table.name, "text", text, multi=True)
    return found


# Countly's session-duration (seconds) and loyalty (visit count) ranges, as its dashboard has them
DURATION_RANGES = ("0-10", "11-30", "31-60", "61-180", "181-600", "601-1800", "1801-3600", "3600+")
LOYALTY_RANGES = ("1", "2", "3-5", "6-9", "10-19", "20-49", "50-99", "100-499", "> 500")
BINNED = {
    "duration_bucket": ("duration_s", (10, 30, 60, 180, 600, 1800, 3600), DURATION_RANGES),
    "loyalty_bucket": ("visit_number", (1, 2, 5, 9, 19, 49, 99, 499), LOYALTY_RANGES),
}
# Countly's frequency ranges (hours since the previous session) and its dashboard's labels
FREQUENCY_HOURS = (24, 48, 72, 96, 120, 144, 168, 192, 360, 744)
FREQUENCY_RANGES = (
    "First session", "1-24 hours", "1 day", "2 days", "3 days", "4 days", "5 days", "6 days",
    "7 days", "8-14 days", "15-30 days", "30+ days",
)  # fmt: skip
FREQUENCY_LOOKBACK = dt.timedelta(hours=FREQUENCY_HOURS[-1])  # older: the last range
MULTI_VALUED = {
    "visited_url": (
        "The URLs the visit viewed (its pageviews' distinct URLs; several values per visit: "
        "grouped, a visit counts under each; a filter matches if any URL passes)"
    ),
    "room": (
        "The chat rooms of the visit (giosg): the comma-separated ids in properties['rooms']; "
        "several values per visit, grouped and filtered as visited_url"
    ),
}
TIME_COLUMN = {"sessions": "start_ts", "events": "ts"}
DIMENSIONS: dict[str, dict[str, Dimension]] = {
    "sessions": _registry(model.SESSIONS),
    "events": _registry(model.EVENTS),
}


def check_table(table: str) -> str:
    if table not in TABLES:
        raise invalid("table", table, TABLES, code="unknown_table")
    return table


def dimension(table: str, name: str, param: str = "dimension") -> Dimension:
    """The dimension ``name`` of ``table``; an unknown name lists the valid ones."""
    registry = DIMENSIONS[check_table(table)]
    if name in registry:
        return registry[name]
    for prefix, column in MAP_PREFIXES[table]:
        if isinstance(name, str) and name.startswith(prefix) and len(name) > len(prefix):
            key = name[len(prefix) :]
            text = f"The '{key}' entry of {column}"
            return Dimension(name, table, "text", text, column, key=key)
    valid = [*registry, *(f"{prefix}KEY" for prefix, _ in MAP_PREFIXES[table])]
    raise invalid(param, name, valid, code="unknown_dimension")


def describe(table: str) -> dict[str, str]:
    """name -> one-line definition, for front ends."""
    return {
        **{d.name: d.description for d in DIMENSIONS[check_table(table)].values()},
        **{f"{prefix}KEY": f"The KEY entry of {column}" for prefix, column in MAP_PREFIXES[table]},
    }
