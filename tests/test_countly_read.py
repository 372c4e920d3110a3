"""Countly's read API (seed 002) on the sample app: time objects, v2 dashboard, errors, JSONP."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

import pytest
from sample_store import sample

from workbench import Interval, Query
from workbench import filters as f

API_KEY = "e2c569be17396eca2a2e3c11578123ed"
APP_KEY = "b1946ac92492d2347c6235b4d2611184"  # the write key
APP_ID = "5c4f2a1e9b3d7e0012a4c001"
KEYS = f"api_key={API_KEY}&app_id={APP_ID}"
ZONE = "Europe/Istanbul"
APP = "countly-app"


def get(query: str):
    return sample().request(f"/o?{query}")


@cache
def history(method: str) -> dict:
    response = get(f"{KEYS}&method={method}")
    assert response.status == 200, response.text
    return json.loads(response.body)


def exact(day: dt.date, last: dt.date | None = None, **parts) -> dict:
    span = Interval.from_dates(day, last or day, ZONE)
    q = Query(
        span, sites=(APP,), metrics=("sessions", "new_users", "users", "total_duration"), **parts
    )
    return sample().query(q).frame.iloc[0].to_dict()


def test_sessions_count_each_day_month_and_year_exactly() -> None:
    tree = history("sessions")
    day = tree["2024"]["11"]["19"]
    want = exact(dt.date(2024, 11, 19))
    assert (day["t"], day["n"], day["u"], day["d"]) == (
        want["sessions"],
        want["new_users"],
        want["users"],
        want["total_duration"],
    )
    month = exact(dt.date(2024, 10, 1), dt.date(2024, 10, 31))
    assert tree["2024"]["10"]["u"] == month["users"]  # distinct over the month, not a sum of days
    assert tree["2024"]["10"]["u"] < sum(
        d["u"] for k, d in tree["2024"]["10"].items() if k.isdigit()
    )
    assert sum(h["t"] for k, h in day.items() if k.isdigit()) == day["t"]
    assert tree["2024"]["w47"]["u"] == exact(dt.date(2024, 11, 18), dt.date(2024, 11, 19))["users"]


def test_sessions_carry_countries_frequency_loyalty_and_duration_ranges() -> None:
    tree = history("sessions")
    meta = tree["meta"]
    assert list(meta) == ["f-ranges", "l-ranges", "d-ranges", "countries"]
    assert "TR" in meta["countries"] and meta["f-ranges"] == [str(i) for i in range(12)]
    day = tree["2024"]["11"]["19"]
    assert (
        day["TR"]["t"]
        == exact(dt.date(2024, 11, 19), filter=f.Eq("country_code", "TR"))["sessions"]
    )
    assert sum(day["f"].values()) == sum(day["l"].values()) == sum(day["ds"].values()) == day["t"]
    assert day["f"]["0"] == day["n"]  # a new user's first session
    assert history("users") == tree == history("locations")


@pytest.mark.parametrize(
    ("method", "meta", "sample_key"),
    [("carriers", "carriers", "Turkcell"), ("devices", "devices", None),
     ("app_versions", "app_versions", "3:2:0")],
)  # fmt: skip
def test_breakdowns_are_keyed_by_value(method: str, meta: str, sample_key: str | None) -> None:
    response = get(f"{KEYS}&method={method}&action=refresh")
    tree = json.loads(response.body)
    values = tree["meta"][meta]
    assert values and (sample_key is None or sample_key in values)
    day = tree["2024"]["11"]["19"]
    assert sum(day[v]["t"] for v in values if v in day) == day["t"]


def test_device_details_key_os_versions_with_the_platform_initial() -> None:
    tree = json.loads(get(f"{KEYS}&method=device_details&action=refresh").body)
    assert set(tree["meta"]) == {"os", "os_versions", "resolutions"}
    assert {"Android", "iOS"} >= set(tree["meta"]["os"])
    assert all(v[0] in "ai" and "." not in v for v in tree["meta"]["os_versions"])


def test_refresh_answers_only_today() -> None:
    tree = json.loads(get(f"{KEYS}&method=sessions&action=refresh").body)
    year = tree["2024"]
    assert [k for k in year if k.isdigit()] == ["11"] and "w47" in year
    assert [k for k in year["11"] if k.isdigit()] == ["19"]


def test_events_default_to_the_first_event_and_segment() -> None:
    listing = json.loads(get(f"{KEYS}&method=get_events").body)
    assert listing["list"][0] == "[CLY]_view"
    assert listing["segments"]["in_app_purchase"] == ["app_version", "country"]
    assert listing["limits"]["event_limit"] == 500
    first = json.loads(get(f"{KEYS}&method=events&action=refresh").body)
    named = json.loads(get(f"{KEYS}&method=events&event=%5BCLY%5D_view&action=refresh").body)
    assert first == named
    purchases = json.loads(
        get(f"{KEYS}&method=events&event=in_app_purchase&segmentation=country&action=refresh").body
    )
    day = purchases["2024"]["11"]["19"]
    whole = json.loads(get(f"{KEYS}&method=events&event=in_app_purchase&action=refresh").body)
    total = whole["2024"]["11"]["19"]
    countries = purchases["meta"]["country"]
    assert sum(day[c]["c"] for c in countries if c in day) == total["c"]
    assert sum(day[c].get("s", 0) for c in countries if c in day) == pytest.approx(total["s"])
    assert not any(k.isdigit() for k in day)  # segments are kept per day, not per hour
    merged = json.loads(
        get(f'{KEYS}&method=events&events=["share","add_to_cart"]&action=refresh').body
    )
    share = json.loads(get(f"{KEYS}&method=events&event=share&action=refresh").body)
    cart = json.loads(get(f"{KEYS}&method=events&event=add_to_cart&action=refresh").body)
    day = merged["2024"]["11"]["19"]
    assert day["c"] == share["2024"]["11"]["19"]["c"] + cart["2024"]["11"]["19"]["c"]


def test_dashboard_has_the_documented_shape_and_changes() -> None:
    response = sample().request(f"/o/analytics/dashboard?{KEYS}")
    doc = json.loads(response.body)
    assert list(doc) == ["30days", "7days", "today"]
    week = doc["7days"]
    assert list(week) == ["dashboard", "top", "period"]
    assert list(week["dashboard"]) == [
        "total_sessions",
        "total_users",
        "new_users",
        "total_time",
        "avg_time",
        "avg_requests",
    ]
    assert list(week["top"]) == ["platforms", "resolutions", "carriers", "users"]
    now = exact(dt.date(2024, 11, 13), dt.date(2024, 11, 19))
    was = exact(dt.date(2024, 11, 6), dt.date(2024, 11, 12))
    sessions = week["dashboard"]["total_sessions"]
    change = round((now["sessions"] - was["sessions"]) / was["sessions"] * 100, 1)
    assert sessions["total"] == now["sessions"] and sessions["change"] == f"{change:.1f}%"
    assert sessions["trend"] == ("u" if change >= 0 else "d")
    assert week["period"] == "13 Nov - 19 Nov" and doc["today"]["period"] == "19 Nov"
    platforms = week["top"]["platforms"]
    assert sum(p["value"] for p in platforms) == now["sessions"]  # two platforms: all of them


def test_countries_list_the_top_ten() -> None:
    doc = json.loads(sample().request(f"/o/analytics/countries?{KEYS}").body)
    month = doc["30days"]
    assert len(month) == 10 and month[0] == {**month[0], "country": "Turkey", "code": "tr"}
    assert [r["t"] for r in month] == sorted((r["t"] for r in month), reverse=True)
    assert list(month[0]) == ["country", "code", "t", "u", "n"]


def test_jsonp_and_cors() -> None:
    response = get(f"{KEYS}&method=get_events&callback=show.events")
    assert response.media_type.startswith(("application/javascript", "text/javascript"))
    assert response.text.startswith("/**/show.events(") and response.text.rstrip(";").endswith(")")
    assert ("Access-Control-Allow-Origin", "*") in response.headers
    hostile = get(f"{KEYS}&method=get_events&callback=alert(1)//")
    assert hostile.status == 400 and "callback" in json.loads(hostile.body)["result"]


@pytest.mark.parametrize(
    ("query", "status", "result"),
    [
        (f"app_id={APP_ID}&method=sessions", 400, 'Missing parameter "api_key" or "auth_token"'),
        (f"api_key={API_KEY}&method=sessions", 400, 'Missing parameter "app_id"'),
        (f"{KEYS}", 400, "Invalid method"),
        (f"{KEYS}&method=retention", 400, "Invalid method"),
        (f"api_key=nope&app_id={APP_ID}&method=sessions", 401, "User does not exist"),
        (f"api_key={APP_KEY}&app_id={APP_ID}&method=sessions", 401, "User does not exist"),
        (f"api_key={API_KEY}&app_id=000000000000000000000000&method=sessions", 401,
         "App does not exist"),
    ],
)  # fmt: skip
def test_countly_errors(query: str, status: int, result: str) -> None:
    response = get(query)
    assert (response.status, json.loads(response.body)) == (status, {"result": result})
    assert ("Access-Control-Allow-Origin", "*") in response.headers


def test_a_bad_events_list_is_named() -> None:
    response = get(f"{KEYS}&method=events&events=share")
    assert response.status == 400 and "events" in json.loads(response.body)["result"]
