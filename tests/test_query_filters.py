"""The filter tree means the same on every engine: a table of trees and the rows they match.

A dozen purpose-built visits exercise what ``workbench.filters`` documents: wildcards whose
``%``, ``_`` and ``!`` are themselves, case-sensitive and -insensitive tests, negation that
keeps missing values (De Morgan through And and Or), IN lists short and long, strict and
inclusive ranges on a number and a time, anchored and unanchored regular expressions, map
entries, and hostile values that must match nothing and never reach the SQL text.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from engines import ENGINES, SPARK_MARKS, engine_for, spark_session
from sample_store import sample

from workbench.compile import OR_CHAIN_MAX
from workbench.core import Workbench
from workbench.filters import And, Contains, Eq, In, IsNull, Not, Or, Range, Regex, Wildcard
from workbench.model import STRING_MAP, TIMESTAMP, conform
from workbench.query import Order, Query
from workbench.store import Store
from workbench.timeframe import Interval

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
HOSTILE = "'; DROP TABLE sessions; --"
# id, browser, entry_title, country_code, pageviews, properties
ROWS = [
    ("a01", "Chrome", "50% off", "US", 1, {"plan": "pro"}),
    ("a02", "chrome", "50 percent off", "FI", 2, {"plan": "free"}),
    ("a03", "CHROME", "a_b", "SE", 3, {"plan": "Pro"}),
    ("a04", "Chromium", "axb", None, 4, {}),
    ("a05", "Firefox", "wow!", "DE", 5, None),
    ("a06", None, "wow", "US", 6, {"other": "x"}),
    ("a07", "Safari", "it's", "fi", 7, {"plan": "pro"}),
    ("a08", "Chrome Mobile", None, "GB", 8, {"plan": "\u00a0"}),
    ("a09", "Edge", "100%", "NO", 9, {}),
    ("a10", "Opera", "C:\\path", "EE", 10, {}),
    ("a11", "Samsung Internet", "a.b", "XK", 11, {}),
    ("a12", "IE", "A_B", None, 12, {}),
]
IDS = [r[0] for r in ROWS]


def start(row_id: str) -> dt.datetime:
    """a01 starts at T0 + 1 minute, a12 at T0 + 12 minutes."""
    return T0 + dt.timedelta(minutes=int(row_id[1:]))


def _sessions() -> pa.Table:
    columns = list(zip(*ROWS, strict=True))
    starts = [start(i) for i in IDS]
    return conform(
        "sessions",
        pa.table(
            {
                "site_id": ["filters"] * len(ROWS),
                "session_id": list(columns[0]),
                "visitor_id": [f"v-{i}" for i in IDS],
                "start_ts": pa.array(starts, TIMESTAMP),
                "end_ts": pa.array(starts, TIMESTAMP),
                "duration_s": [0] * len(ROWS),
                "is_new": [i % 2 == 0 for i in range(len(ROWS))],
                "pageviews": list(columns[4]),
                "actions": list(columns[4]),
                "browser": list(columns[1]),
                "entry_title": list(columns[2]),
                "country_code": list(columns[3]),
                "is_bot": [False] * len(ROWS),
                "properties": pa.array(
                    [None if p is None else list(p.items()) for p in columns[5]], STRING_MAP
                ),
            }
        ),
    )


@pytest.fixture(scope="module")
def workbench(tmp_path_factory) -> Workbench:
    store = Store.create(tmp_path_factory.mktemp("filters") / "store")
    with store.batch() as batch:
        batch.put_sites(
            pa.table({"site_id": ["filters"], "name": ["f"], "kind": ["web"], "time_zone": ["UTC"]})
        )
        batch.append("sessions", _sessions())
        batch.append("events", _event())  # Spark cannot read an empty table (see below)
    return Workbench(store)


def _event() -> pa.Table:
    return pa.table(
        {
            "site_id": ["filters"],
            "session_id": ["a01"],
            "visitor_id": ["v-a01"],
            "event_id": ["e1"],
            "ts": pa.array([start("a01")], TIMESTAMP),
            "seq": [1],
            "type": ["pageview"],
            "count": [1],
        }
    )


def but(*ids: str) -> list[str]:
    return [i for i in IDS if i not in ids]


OTHERS = [f"Z{n:02d}" for n in range(OR_CHAIN_MAX + 6)]
CI = {"case_insensitive": True}
CHROME_US = And((Contains("browser", "chrom", **CI), Eq("country_code", "US")))
# name -> (filter, the ids it matches)
TABLE = {
    # equality and lists, case-sensitive or not
    "eq": (Eq("browser", "Chrome"), ["a01"]),
    "eq-case-insensitive": (Eq("browser", "chrome", **CI), ["a01", "a02", "a03"]),
    "eq-number": (Eq("pageviews", 3), ["a03"]),
    "eq-bool": (Eq("is_new", True), ["a01", "a03", "a05", "a07", "a09", "a11"]),
    "in-3": (In("browser", ("Chrome", "Safari", "Edge")), ["a01", "a07", "a09"]),
    "in-3-case-insensitive": (
        In("browser", ("CHROME", "safari", "nope"), **CI),
        ["a01", "a02", "a03", "a07"],
    ),
    "in-numbers": (In("pageviews", (1, 5, 99)), ["a01", "a05"]),
    "in-70": (In("country_code", ("US", "fi", *OTHERS)), ["a01", "a06", "a07"]),
    "in-70-case-insensitive": (
        In("country_code", ("us", "FI", *OTHERS), **CI),
        ["a01", "a02", "a06", "a07"],
    ),
    # contains: a substring, special characters meaning themselves
    "contains": (Contains("browser", "chrom"), ["a02"]),
    "contains-case-insensitive": (
        Contains("browser", "chrom", **CI),
        ["a01", "a02", "a03", "a04", "a08"],
    ),
    "contains-percent": (Contains("entry_title", "%"), ["a01", "a09"]),
    "contains-underscore": (Contains("entry_title", "_"), ["a03", "a12"]),
    "contains-bang": (Contains("entry_title", "!"), ["a05"]),
    "contains-quote": (Contains("entry_title", "'"), ["a07"]),
    "contains-backslash": (Contains("entry_title", "\\"), ["a10"]),
    "contains-upper": (Contains("entry_title", "OFF"), []),
    "contains-upper-case-insensitive": (Contains("entry_title", "OFF", **CI), ["a01", "a02"]),
    # wildcards: the whole value; * any run, ? one character, everything else itself
    "wildcard-star": (Wildcard("entry_title", "50*"), ["a01", "a02"]),
    "wildcard-literal-percent": (Wildcard("entry_title", "50%*"), ["a01"]),
    "wildcard-ends-with-percent": (Wildcard("entry_title", "*%"), ["a09"]),
    "wildcard-question": (Wildcard("entry_title", "a?b"), ["a03", "a04", "a11"]),
    "wildcard-literal-underscore": (Wildcard("entry_title", "a_b"), ["a03"]),
    "wildcard-underscore-case-insensitive": (Wildcard("entry_title", "a_b", **CI), ["a03", "a12"]),
    "wildcard-literal-bang": (Wildcard("entry_title", "wow!"), ["a05"]),
    "wildcard-whole-value": (Wildcard("entry_title", "wow"), ["a06"]),
    "wildcard-backslash": (Wildcard("entry_title", "C:\\*"), ["a10"]),
    "wildcard-prefix": (Wildcard("browser", "Chrome*"), ["a01", "a08"]),
    "wildcard-prefix-case-insensitive": (
        Wildcard("browser", "CHROME*", **CI),
        ["a01", "a02", "a03", "a08"],
    ),
    # regular expressions: unanchored search unless anchored
    "regex-unanchored": (Regex("browser", "hrom"), ["a01", "a02", "a04", "a08"]),
    "regex-anchored": (Regex("browser", "^Chrome$"), ["a01"]),
    "regex-anchored-case-insensitive": (
        Regex("browser", "^chrome$", **CI),
        ["a01", "a02", "a03"],
    ),
    "regex-dot": (Regex("entry_title", "a.b"), ["a03", "a04", "a11"]),
    "regex-escaped-dot": (Regex("entry_title", r"a\.b"), ["a11"]),
    "regex-class": (Regex("entry_title", "^[0-9]+%$"), ["a09"]),
    # missing values: a leaf on null is false, its negation true
    "is-null": (IsNull("browser"), ["a06"]),
    "is-null-title": (IsNull("entry_title"), ["a08"]),
    "not-is-null": (Not(IsNull("browser")), but("a06")),
    "not-eq-keeps-nulls": (Not(Eq("browser", "Chrome")), but("a01")),
    "not-in-keeps-nulls": (Not(In("country_code", ("US", "FI"))), but("a01", "a02", "a06")),
    "not-contains-keeps-nulls": (
        Not(Contains("entry_title", "o")),
        but("a01", "a02", "a05", "a06"),
    ),
    "not-regex-keeps-nulls": (Not(Regex("browser", "^C")), but("a01", "a03", "a04", "a08")),
    "not-range-keeps-nulls": (Not(Range("pageviews", 2, 11)), ["a01", "a12"]),
    "not-not": (Not(Not(Eq("browser", "Chrome"))), ["a01"]),
    "not-not-is-null": (Not(Not(IsNull("browser"))), ["a06"]),
    "and": (CHROME_US, ["a01"]),
    "not-and": (Not(CHROME_US), but("a01")),
    "not-and-is-or-of-nots": (
        Or((Not(Contains("browser", "chrom", **CI)), Not(Eq("country_code", "US")))),
        but("a01"),
    ),
    "or": (Or((Eq("browser", "Chrome"), IsNull("country_code"))), ["a01", "a04", "a12"]),
    "not-or": (
        Not(Or((Eq("browser", "Chrome"), IsNull("country_code")))),
        but("a01", "a04", "a12"),
    ),
    "not-or-is-and-of-nots": (
        And((Not(Eq("browser", "Chrome")), Not(IsNull("country_code")))),
        but("a01", "a04", "a12"),
    ),
    "empty-and": (And(()), IDS),
    "empty-or": (Or(()), []),
    "not-empty-or": (Not(Or(())), IDS),
    # ranges: inclusive unless strict, on a number and on the start time
    "range": (Range("pageviews", 3, 6), ["a03", "a04", "a05", "a06"]),
    "range-strict": (
        Range("pageviews", 3, 6, low_strict=True, high_strict=True),
        ["a04", "a05"],
    ),
    "range-low-only": (Range("pageviews", low=10), ["a10", "a11", "a12"]),
    "range-high-only-strict": (Range("pageviews", high=2, high_strict=True), ["a01"]),
    "range-fraction": (Range("pageviews", 2.5, 3.5), ["a03"]),
    "range-time": (Range("start_ts", start("a03"), start("a05")), ["a03", "a04", "a05"]),
    "range-time-strict": (
        Range("start_ts", start("a03"), start("a05"), low_strict=True, high_strict=True),
        ["a04"],
    ),
    "range-time-low-strict": (Range("start_ts", low=start("a11"), low_strict=True), ["a12"]),
    # map entries: property.KEY; a missing key (or map) is a missing value
    "map-eq": (Eq("property.plan", "pro"), ["a01", "a07"]),
    "map-eq-case-insensitive": (Eq("property.plan", "pro", **CI), ["a01", "a03", "a07"]),
    "map-not-eq-keeps-missing": (Not(Eq("property.plan", "pro")), but("a01", "a07")),
    "map-is-null": (IsNull("property.plan"), ["a04", "a05", "a06", *IDS[8:]]),
    "map-not-is-null": (Not(IsNull("property.plan")), ["a01", "a02", "a03", "a07", "a08"]),
    "map-contains": (Contains("property.plan", "r"), ["a01", "a02", "a03", "a07"]),
    "map-other-key": (Eq("property.other", "x"), ["a06"]),
    # hostile values are values: they match nothing and never reach the SQL text
    "hostile-eq": (Eq("browser", HOSTILE), []),
    "hostile-eq-case-insensitive": (Eq("browser", HOSTILE, **CI), []),
    "hostile-in": (In("browser", (HOSTILE, "x", "y")), []),
    "hostile-in-long": (In("browser", (HOSTILE, *OTHERS)), []),
    "hostile-contains": (Contains("browser", HOSTILE), []),
    "hostile-wildcard": (Wildcard("browser", HOSTILE + "*"), []),
    "hostile-regex": (Regex("browser", HOSTILE), []),
    "hostile-map-key": (Eq("property." + HOSTILE, "x"), []),
    "hostile-not-eq": (Not(Eq("browser", HOSTILE)), IDS),
}


def _texts(node) -> list[str]:
    """Every text a filter tree carries: values, patterns and map keys."""
    if isinstance(node, And | Or):
        return [t for child in node.children for t in _texts(child)]
    if isinstance(node, Not):
        return _texts(node.child)
    found = [node.field.partition(".")[2]] if "." in node.field else []
    for attr in ("value", "pattern"):
        found.append(getattr(node, attr, None))
    found += list(getattr(node, "values", ()))
    return [t for t in found if isinstance(t, str)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("tree", "expected"), TABLE.values(), ids=TABLE.keys())
def test_filter_matches_exactly(workbench, engine: str, tree, expected: list[str]) -> None:
    q = Query(
        Interval(T0, T0 + dt.timedelta(days=1), "UTC"),
        dimensions=("session_id",),
        filter=tree,
        order=(Order("session_id"),),
        limit=1000,
        include_bots=True,
    )
    result = workbench.query(q, engine_for(engine, workbench.store))
    assert result.frame["session_id"].tolist() == expected
    for text in _texts(tree):  # every value is a bound parameter, none is in the text
        if len(text) >= 5 and text.isascii():
            assert text not in result.sql, text
    if isinstance(tree, In):
        assert (" IN (" in result.sql) == (len(tree.values) > OR_CHAIN_MAX)


def test_the_table_is_the_whole_store(workbench) -> None:
    """The hostile queries above left every row in place."""
    assert workbench.sql("SELECT session_id FROM sessions ORDER BY 1")["session_id"].tolist() == IDS


@pytest.mark.parametrize(
    "engine",
    [
        "duckdb",
        pytest.param("spark", marks=SPARK_MARKS),
    ],
)
def test_a_store_without_events_is_queryable(tmp_path, engine: str) -> None:
    store = Store.create(tmp_path / "store")
    with store.batch() as batch:
        batch.append("sessions", _sessions())
    q = Query(Interval(T0, T0 + dt.timedelta(days=1), "UTC"), metrics=("sessions",))
    result = Workbench(store).query(q, engine_for(engine, store))
    assert result.frame["sessions"].tolist() == [len(ROWS)]


@pytest.mark.parametrize(
    "_",
    [pytest.param("spark", marks=SPARK_MARKS)],
)
def test_two_stores_share_one_spark_session(workbench, _: str) -> None:
    from workbench.engines import SparkEngine

    session = spark_session()
    ours, the_sample = workbench.store, sample()
    q = Query(Interval(T0, T0 + dt.timedelta(days=1), "UTC"), metrics=("sessions",))
    day = Interval.from_dates(dt.date(2024, 11, 4), dt.date(2024, 11, 4), "UTC")
    on_sample = Query(day, metrics=("sessions",), include_bots=True)
    first = SparkEngine(the_sample.store, session)
    want = the_sample.query(on_sample, the_sample.engine).frame["sessions"].tolist()
    assert the_sample.query(on_sample, first).frame["sessions"].tolist() == want
    assert workbench.query(q, SparkEngine(ours, session)).frame["sessions"].tolist() == [12]
    assert the_sample.query(on_sample, first).frame["sessions"].tolist() == want
