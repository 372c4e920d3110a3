"""giosg's visitor_sessions query (seed 004) on the sample: the example, Druid's rules, errors."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
from sample_store import sample

from workbench import Interval, Query, Workbench
from workbench import filters as f
from workbench.model import SITES
from workbench.sample.sites import sample_sites_table
from workbench.store import Store
from workbench.timebuckets import bucket_starts

ORG = "b0a1d32b-e82c-11e4-b081-6c4008adf7e8"
URL = f"/api/reporting/v1/orgs/{ORG}/visitor_sessions"
TOKEN = {"Authorization": "Token 3a6d0284e743dc4a9b86f97d6dd1a3bf"}
EXAMPLE = {
    "interval": {
        "start": "2019-01-01T00:00:00.000+02:00",
        "end": "2019-01-01T23:59:59.999+02:00",
        "time_zone": "Europe/Helsinki",
    },
    "granularity": "all",
    "group_by": [],
    "aggregations": [{"type": "hyperUnique", "fields": ["visitor_id"]}],
    "filters": {
        "type": "and",
        "fields": [
            {"type": "selector", "dimension": "country", "value": "Finland"},
            {"type": "selector", "dimension": "city", "value": "Helsinki"},
        ],
    },
}


def post(body: object, headers: dict | None = None, url: str = URL):
    text = body if isinstance(body, str) else json.dumps(body)
    return sample().request(url, text, "POST", TOKEN if headers is None else headers)


def with_(**changes) -> dict:
    return {**EXAMPLE, **changes}


def test_the_documented_example_counts_212_helsinki_visitors() -> None:
    response = post(EXAMPLE)
    assert response.status == 200 and response.media_type.startswith("application/json")
    doc = json.loads(response.body)
    assert list(doc) == ["fields", "data"]
    assert doc["fields"] == [
        {"name": "timestamp", "type": "dimension"},
        {"name": "visitor_id_hyper_unique", "type": "metric"},
    ]
    [[stamp, estimate]] = doc["data"]
    assert stamp == "2019-01-01T00:00:00.000+02:00"
    assert isinstance(estimate, float) and estimate == pytest.approx(212, rel=0.02)


def test_hourly_buckets_in_the_zone_with_counts_averages_and_groups() -> None:
    body = with_(
        granularity={"type": "period", "period": "PT1H"},
        group_by=["device_type"],
        aggregations=[
            {"type": "count"},
            {"type": "avg", "fields": ["session_duration_secs"]},
            {"type": "hyperUnique", "fields": ["visitor_id", "session_id"]},
        ],
    )
    doc = json.loads(post(body).body)
    names = [x["name"] for x in doc["fields"]]
    assert names == ["timestamp", "device_type", "count", "session_duration_secs_avg",
                     "visitor_id_hyper_unique", "session_id_hyper_unique"]  # fmt: skip
    assert all(row[0].endswith("+02:00") for row in doc["data"])
    stamps = [row[0] for row in doc["data"]]
    assert stamps == sorted(stamps)
    day = Interval(
        dt.datetime.fromisoformat("2019-01-01T00:00:00+02:00"),
        dt.datetime.fromisoformat("2019-01-01T23:59:59.999+02:00"),
        "Europe/Helsinki",
    )
    q = Query(
        day,
        sites=("giosg-shop",),
        metrics=("sessions",),
        filter=f.And((f.Eq("country_name", "Finland"), f.Eq("city", "Helsinki"))),
    )
    assert sum(row[2] for row in doc["data"]) == sample().query(q).frame["sessions"][0]
    assert all(isinstance(row[2], int) and isinstance(row[3], float) for row in doc["data"])


def test_array_dimensions_group_a_session_under_each_value() -> None:
    """Druid's multi-value dimensions: a session counts once under each URL it viewed."""
    body = with_(
        interval={**EXAMPLE["interval"], "end": "2019-01-31T23:59:59.999+02:00"},
        group_by=["distinct_visited_urls"],
        aggregations=[{"type": "count"}],
        filters={"type": "selector", "dimension": "rooms", "value": None},
    )
    doc = json.loads(post(body).body)
    assert [x["name"] for x in doc["fields"]] == ["timestamp", "distinct_visited_urls", "count"]
    month = Interval.from_dates(dt.date(2019, 1, 1), dt.date(2019, 1, 31), "Europe/Helsinki")
    q = Query(
        month,
        sites=("giosg-shop",),
        dimensions=("visited_url",),
        metrics=("sessions",),
        filter=f.IsNull("room"),
    )
    want = sample().query(q).frame.set_index("visited_url")["sessions"]
    got = {row[1]: row[2] for row in doc["data"]}
    assert len(got) > 3 and got == want.to_dict()


def test_without_group_by_every_day_is_answered() -> None:
    body = with_(
        interval={
            "start": "2019-01-01T00:00:00",
            "end": "2019-01-08T00:00:00",
            "time_zone": "Europe/Helsinki",
        },
        granularity="day",
        aggregations=[{"type": "count"}],
        filters={"type": "selector", "dimension": "city", "value": "Nowhere"},
    )
    doc = json.loads(post(body).body)
    days = Interval(
        dt.datetime.fromisoformat("2019-01-01T00:00:00+02:00"),
        dt.datetime.fromisoformat("2019-01-08T00:00:00+02:00"),
        "Europe/Helsinki",
    )
    want = [b.isoformat(timespec="milliseconds") for b in bucket_starts(days, "day")]
    assert doc["data"] == [[stamp, 0] for stamp in want]


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"type": "not", "field": {"type": "selector", "dimension": "city", "value": "Helsinki"}},
         lambda n, all_: 0 < n < all_),
        ({"type": "in", "dimension": "device_type", "values": []}, lambda n, all_: n == 0),
        ({"type": "search", "dimension": "city", "query": {"type": "insensitive_contains",
                                                          "value": "HELS"}},
         lambda n, all_: n > 0),
        ({"type": "like", "dimension": "city", "pattern": "Hel%nki"}, lambda n, all_: n > 0),
        ({"type": "regex", "dimension": "city", "pattern": "^Hel"}, lambda n, all_: n > 0),
        ({"type": "bound", "dimension": "session_duration_secs", "lower": "0",
          "ordering": "numeric"}, lambda n, all_: n == all_),
        ({"type": "or", "fields": [{"type": "selector", "dimension": "city", "value": None},
                                   {"type": "selector", "dimension": "city",
                                    "value": "Helsinki"}]}, lambda n, all_: 0 < n < all_),
    ],
)  # fmt: skip
def test_druid_filter_types(filters: dict, check) -> None:
    count = [{"type": "count"}]
    everything = json.loads(post(with_(aggregations=count, filters=None)).body)["data"][0][1]
    n = json.loads(post(with_(aggregations=count, filters=filters)).body)["data"][0][1]
    assert check(n, everything)


@pytest.mark.parametrize(
    ("headers", "url", "status", "detail"),
    [
        ({}, URL, 401, "not provided"),
        ({"Authorization": "Token wrong-token-123"}, URL, 401, "Invalid token"),
        (TOKEN, URL.replace(ORG, "00000000-0000-0000-0000-000000000000"), 404, "Not found"),
    ],
)
def test_documented_statuses(headers: dict, url: str, status: int, detail: str) -> None:
    response = post(EXAMPLE, headers, url)
    assert response.status == status
    assert detail in json.loads(response.body)["detail"]


def test_another_organizations_token_is_forbidden(tmp_path) -> None:
    sites = sample_sites_table(lambda password: "x").to_pylist()
    other = {**next(s for s in sites if s["giosg_org_id"]), "site_id": "giosg-other"}
    other.update(giosg_org_id="11111111-1111-1111-1111-111111111111", giosg_token="other-token-1")
    store = Store.create(tmp_path / "store")
    with store.batch() as batch:
        batch.put_sites(pa.Table.from_pylist([*sites, other], schema=SITES.schema))
    wb = Workbench.open(tmp_path / "store")
    url = URL.replace(ORG, "11111111-1111-1111-1111-111111111111")
    response = wb.request(url, json.dumps(EXAMPLE), "POST", TOKEN)
    assert response.status == 403 and "permission" in json.loads(response.body)["detail"]
    mine = wb.request(url, json.dumps(EXAMPLE), "POST", {"Authorization": "Bearer other-token-1"})
    assert mine.status == 200 and json.loads(mine.body)["data"] == [
        ["2019-01-01T00:00:00.000+02:00", 0.0]
    ]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{nope", "JSON parse error"),
        ("[]", "query"),
        (with_(interval={"start": "2019-01-01"}), "interval"),
        (with_(interval={"start": "x", "end": "y", "time_zone": "Europe/Helsinki"}),
         "interval.start"),
        (with_(interval={**EXAMPLE["interval"], "time_zone": "Mars/Base"}), "time_zone"),
        (with_(granularity="fortnight"), "granularity"),
        (with_(granularity={"type": "period", "period": "P2D"}), "granularity.period"),
        (with_(group_by=["planet"]), "group_by"),
        (with_(group_by=["visited_urls"]), "distinct_visited_urls"),
        (with_(aggregations=[]), "aggregations"),
        (with_(aggregations=[{"type": "median"}]), "aggregations[0].type"),
        (with_(aggregations=[{"type": "avg", "fields": ["city"]}]), "aggregations[0].fields"),
        (with_(filters={"type": "javascript"}), "filters.type"),
        (with_(filters={"type": "and", "fields": [{"type": "selector", "dimension": "planet",
                                                   "value": "x"}]}),
         "filters.fields[0].dimension"),
        (with_(filters={"type": "regex", "dimension": "city", "pattern": "("}), "regular"),
    ],
)  # fmt: skip
def test_bad_queries_get_400_naming_the_field(body, named: str) -> None:
    response = post(body)
    assert response.status == 400, response.text
    assert named in json.loads(response.body)["detail"]
