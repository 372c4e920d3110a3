"""Clicky's /api/stats/4 (seed 003) on the sample: the examples, dates, outputs, filters, errors."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import phpserialize
import pytest
from sample_store import sample

from workbench.dialects import clicky_types
from workbench.dialects.clicky_lists import time_pretty

SITE = {"site_id": "32020", "sitekey": "0f3545d91b71cf50"}
DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "clicky"
DOC_NOW = dt.datetime(2024, 10, 29, 20, 0, tzinfo=dt.UTC)  # the document's today, 2024-10-29


def get(params: dict | str, now: dt.datetime | None = None, site: dict | None = SITE):
    query = params if isinstance(params, str) else urlencode(params)
    prefix = urlencode(site) + "&" if site else ""
    return sample().request(f"/api/stats/4?{prefix}{query}", now=now)


def data(params: dict, now: dt.datetime | None = None) -> list:
    response = get({**params, "output": "json"}, now)
    assert response.status == 200, response.text
    return json.loads(response.body)


def php(value: object) -> object:
    """phpserialize's dicts of bytes as plain Python (lists where PHP had 0..n keys)."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, dict):
        keys = list(value)
        if keys == list(range(len(keys))):
            return [php(value[k]) for k in keys]
        return {php(k): php(v) for k, v in value.items()}
    return value


def from_xml(element: ET.Element) -> object:
    """Our XML as the JSON document: type → date → item elements."""
    return [
        {
            "type": t.get("type"),
            "dates": [
                {"date": d.get("date"), "items": [_xml_item(i) for i in d.findall("item")]}
                for d in t.findall("date")
            ],
        }
        for t in element.findall("type")
    ]


def _xml_item(element: ET.Element) -> object:
    children = list(element)
    if not children:
        return element.text or ""
    if all(c.tag == "item" for c in children):
        return [_xml_item(c) for c in children]
    return {c.tag: _xml_item(c) for c in children}


# -- the document's examples ----------------------------------------------------------------


def test_todays_tallies() -> None:
    names = ["visitors", "actions", "actions-average", "time-average", "bounce-rate"]
    doc = data({"type": ",".join(names)})
    assert [block["type"] for block in doc] == names
    for block in doc:
        [group] = block["dates"]
        assert group["date"] == "2024-11-19"  # the sample's as_of
        [item] = group["items"]
        assert list(item) == ["value"] and isinstance(item["value"], str)
    values = {b["type"]: b["dates"][0]["items"][0]["value"] for b in doc}
    assert int(values["visitors"]) > 0 and "." in values["actions-average"]
    ratio = int(values["actions"]) / int(values["visitors"])
    assert values["actions-average"] == f"{ratio:.1f}"


def test_hourly_tallies_for_the_last_7_days() -> None:
    doc = data({"type": "visitors,actions", "hourly": "1", "date": "last-7-days"})
    for block in doc:
        dates = [g["date"] for g in block["dates"]]
        assert dates == [f"2024-11-{d}" for d in range(19, 12, -1)]  # newest first
        for group in block["dates"]:
            assert [i["hour"] for i in group["items"]] == [str(h) for h in range(24)]
    day = data({"type": "visitors", "date": "2024-11-18"})[0]["dates"][0]["items"][0]["value"]
    hours = doc[0]["dates"][1]["items"]
    assert sum(int(i["value"]) for i in hours) == int(day)


def test_the_last_30_visitors_today_who_arrived_via_a_search() -> None:
    doc = data({"type": "visitors-list", "source": "search", "limit": "30"})
    items = doc[0]["dates"][0]["items"]
    assert len(items) == 30
    assert {i["referrer_type"] for i in items} == {"search"}
    times = [int(i["time"]) for i in items]
    assert times == sorted(times, reverse=True)
    assert all(i["time_pretty"].startswith("Tue Nov 19 2024, ") for i in items)


def test_segmentation_of_visitors_today_who_arrived_via_a_search() -> None:
    doc = data({"type": "segmentation", "source": "search", "segments": "summary,web-browsers"})
    [group] = doc[0]["dates"]
    summary, browsers = group["items"]
    assert summary["segment"] == "summary" and browsers["segment"] == "web-browsers"
    visits = int(summary["items"][0]["value"])
    listed = data({"type": "visitors-list", "source": "search", "limit": "all"})
    assert visits == len(listed[0]["dates"][0]["items"])
    assert sum(int(i["value"]) for i in browsers["items"]) <= visits


def test_last_weeks_top_pages_links_and_searches() -> None:
    doc = data({"type": "pages,links,searches", "date": "last-week"})
    assert [b["type"] for b in doc] == ["pages", "links", "searches"]
    for block in doc:
        [group] = block["dates"]
        assert group["date"] == "2024-11-10,2024-11-16"
        items = group["items"]
        assert 0 < len(items) <= 50
        values = [int(i["value"]) for i in items]
        assert values == sorted(values, reverse=True)
        assert list(items[0])[:4] == ["value", "value_percent", "title", "stats_url"]
    page = doc[0]["dates"][0]["items"][0]
    assert page["url"].startswith("https://clicky.com/") and page["title"]


def test_last_weeks_top_items_by_day() -> None:
    doc = data({"type": "pages,links,searches", "date": "last-week", "daily": "1", "limit": "3"})
    for block in doc:
        assert [g["date"] for g in block["dates"]] == [f"2024-11-{d}" for d in range(16, 9, -1)]
        assert all(len(g["items"]) <= 3 for g in block["dates"])


@pytest.mark.parametrize("output", ["json", "xml", "php", "csv"])
def test_invalid_request_with_error_response(output: str) -> None:
    response = get(
        {"type": "visitors", "output": output}, site={"site_id": "32020", "sitekey": "x"}
    )
    assert response.status == 401  # a wrong sitekey
    assert ("Access-Control-Allow-Origin", "*") in response.headers
    message = "Invalid site_id or sitekey."
    if output == "json":
        assert json.loads(response.body) == [{"error": message}]
    elif output == "php":
        assert php(phpserialize.loads(response.body)) == [{"error": message}]
    elif output == "xml":
        root = ET.fromstring(response.body)
        assert root.get("status") == "fail" and root.findtext("error") == message
    else:
        assert pd.read_csv(io.BytesIO(response.body)).to_dict("records") == [{"error": message}]


def test_example_code_reproduces_the_documented_output() -> None:
    """The seed's PHP example: unserialize, three foreach loops, one line per visitor."""
    response = get({"type": "visitors-list", "output": "php", "date": "2015-04-13"})
    assert response.status == 200
    lines = []
    for item in php(phpserialize.loads(response.body)).values():
        for date in item.values():
            for visitor in date:
                referrer = visitor.get("referrer_url") or "(no referrer)"
                lines.append(f"{visitor['time_pretty']} - {visitor['ip_address']} - {referrer}")
    documented = (DATA / "seed003_visitors_list.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [line.removesuffix("<br>").rstrip() for line in documented]


def test_time_pretty() -> None:
    zone = dt.timezone(dt.timedelta(hours=-7))
    assert time_pretty(dt.datetime(2015, 4, 13, 14, 0, tzinfo=zone)) == "Mon Apr 13 2015, 2pm"
    assert time_pretty(dt.datetime(2024, 10, 29, 0, 5, tzinfo=zone)) == "Tue Oct 29 2024, 12:05am"


def test_a_visitor_has_the_documented_fields() -> None:
    [visitor, *_] = data({"type": "visitors-list", "date": "2015-04-13"})[0]["dates"][0]["items"]
    assert list(visitor) == [
        "time",
        "time_pretty",
        "time_total",
        "ip_address",
        "session_id",
        "actions",
        "total_visits",
        "first_visit",
        "web_browser",
        "operating_system",
        "screen_resolution",
        "javascript",
        "language",
        "referrer_url",
        "referrer_domain",
        "referrer_search",
        "referrer_type",
        "geolocation",
        "latitude",
        "longitude",
        "hostname",
        "organization",
        "stats_url",
    ]
    assert visitor["geolocation"] == "Seattle, Washington, United States"
    assert visitor["referrer_search"] == "unique visitor versus visitor"
    assert visitor["first_visit"] == {"time": visitor["time"], "session_id": visitor["session_id"]}


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "label"),
    [
        ("today", "2024-10-29"),
        ("yesterday", "2024-10-28"),
        ("3-days-ago", "2024-10-26"),
        ("last-3-days", "2024-10-27,2024-10-29"),
        ("previous-3-days", "2024-10-26,2024-10-28"),
        ("this-month", "2024-10-01,2024-10-31"),
        ("last-month", "2024-09-01,2024-09-30"),
        ("3-months-ago", "2024-07-01,2024-07-31"),
        ("this-week", "2024-10-27,2024-11-02"),
        ("last-week", "2024-10-20,2024-10-26"),
        ("3-weeks-ago", "2024-10-06,2024-10-12"),
        ("2024-09-01,2024-09-30", "2024-09-01,2024-09-30"),
        ("2024-10", "2024-10-01,2024-10-31"),
        ("2023", "2023-01-01,2023-12-31"),
    ],
)
def test_relative_dates_resolve_as_the_document_table(expression: str, label: str) -> None:
    doc = data({"type": "goals", "date": expression}, now=DOC_NOW)
    assert doc[0]["dates"][0]["date"] == label


def test_a_range_totals_its_days() -> None:
    days = data({"type": "visitors", "date": "last-3-days", "daily": "1"}, now=DOC_NOW)
    total = data({"type": "visitors", "date": "last-3-days"}, now=DOC_NOW)
    per_day = [int(g["items"][0]["value"]) for g in days[0]["dates"]]
    assert [g["date"] for g in days[0]["dates"]] == ["2024-10-29", "2024-10-28", "2024-10-27"]
    assert sum(per_day) == int(total[0]["dates"][0]["items"][0]["value"])


# -- outputs ----------------------------------------------------------------------------------

REQUESTS = {
    "popular": {"type": "pages,web-browsers", "date": "last-week", "limit": "5"},
    "tally": {"type": "visitors,actions,bounce-rate", "date": "last-7-days", "daily": "1"},
    "list": {"type": "visitors-list", "date": "2015-04-13"},
}
MEDIA = {
    "json": "application/json",
    "xml": "application/xml",
    "php": "text/plain",
    "csv": "text/csv",
}


@pytest.mark.parametrize("output", MEDIA)
@pytest.mark.parametrize("kind", REQUESTS)
def test_golden(kind: str, output: str) -> None:
    response = get({**REQUESTS[kind], "output": output})
    assert response.status == 200 and response.media_type.startswith(MEDIA[output])
    assert ("Access-Control-Allow-Origin", "*") in response.headers
    path = GOLDEN / f"{kind}.{output}"
    if os.environ.get("WRITE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.body)
    assert response.body == path.read_bytes()


@pytest.mark.parametrize("kind", REQUESTS)
def test_every_output_parses_to_the_same_document(kind: str) -> None:
    doc = data(REQUESTS[kind])
    xml = get({**REQUESTS[kind], "output": "xml"})
    root = ET.fromstring(xml.body)
    assert root.tag == "response" and root.get("status") == "ok"
    assert from_xml(root) == doc
    php_doc = php(phpserialize.loads(get({**REQUESTS[kind], "output": "php"}).body))
    assert php_doc == {b["type"]: {g["date"]: g["items"] for g in b["dates"]} for b in doc}
    csv = get({**REQUESTS[kind], "output": "csv"})
    table = pd.read_csv(io.BytesIO(csv.body), header=None if kind == "tally" else 0, dtype=str)
    items = [i for b in doc for g in b["dates"] for i in g["items"]]
    assert len(table) == len(items)
    if kind == "tally":  # every type a tally, daily: each line is date,value
        assert list(table[1]) == [i["value"] for i in items]
        assert list(table[0]) == [g["date"] for b in doc for g in b["dates"]]
    else:
        assert list(table["title" if kind == "popular" else "ip_address"]) == [
            i["title" if kind == "popular" else "ip_address"] for i in items
        ]


def test_csv_with_other_types_per_day_keeps_type_and_date() -> None:
    response = get("type=searches,visitors&date=last-7-days&daily=1&output=csv&limit=2")
    table = pd.read_csv(io.BytesIO(response.body), dtype=str)
    assert list(table.columns[:3]) == ["type", "date", "value"]
    assert set(table["type"]) == {"searches", "visitors"}
    assert (table["type"] == "visitors").sum() == 7


def test_json_callback_and_json_var() -> None:
    plain = get("type=visitors&output=json").text
    called = get("type=visitors&output=json&json_callback=my_callback")
    assert called.media_type.startswith("application/javascript")
    assert called.text == f"my_callback({plain});"
    assigned = get("type=visitors&output=json&json_var=my_var").text
    assert assigned == f"var my_var = {plain};"


@pytest.mark.parametrize("name", ["alert(1)", "x</script>", "a b", "?"])
def test_hostile_callbacks_are_refused(name: str) -> None:
    response = get({"type": "visitors", "output": "json", "json_callback": name})
    [answer] = json.loads(response.body)
    assert "json_callback" in answer["error"] and response.status == 400
    assert response.media_type.startswith("application/json")


def test_null_values_and_visitor_details() -> None:
    params = {"type": "visitors-list", "date": "2015-04-13", "limit": "2"}
    full = data({**params, "null_values": "1"})[0]["dates"][0]["items"]
    assert all(len(v) == 26 and "goals" in v and "custom" in v for v in full)
    assert full[1]["referrer_url"] == ""
    some = data({**params, "visitor-details": "ip_address,session_id,geolocation,bogus"})
    assert [list(v) for v in some[0]["dates"][0]["items"]] == [
        ["ip_address", "session_id", "geolocation"]
    ] * 2


def test_types_the_data_cannot_answer_are_empty() -> None:
    doc = data({"type": "goals,uptime,uptime-list,split-tests", "date": "yesterday"})
    assert [b["dates"] for b in doc] == [[{"date": "2024-11-18", "items": []}]] * 4


def test_every_type_answers() -> None:
    doc = data({"type": ",".join(clicky_types.TYPES), "date": "yesterday", "limit": "2"})
    assert [b["type"] for b in doc] == list(clicky_types.TYPES)
    answered = {b["type"] for b in doc if b["dates"][0]["items"]}
    assert answered >= {*clicky_types.TALLIES, "pages", "visitors-list", "actions-list"}


# -- popular parameters -----------------------------------------------------------------------


def test_filter_item_page_and_trends() -> None:
    week = {"type": "searches", "date": "last-7-days", "limit": "all"}
    every = data(week)[0]["dates"][0]["items"]
    some = data({**week, "filter": "Clicky"})[0]["dates"][0]["items"]
    others = data({**week, "filter": "!clicky"})[0]["dates"][0]["items"]
    assert some and all("clicky" in i["title"].lower() for i in some)
    assert len(some) + len(others) == len(every)
    [one] = data({**week, "item": every[3]["title"]})[0]["dates"][0]["items"]
    assert one == every[3]
    second = data({**week, "limit": "2", "page": "2"})[0]["dates"][0]["items"]
    assert second == every[2:4]
    shares = sum(float(i["value_percent"]) for i in every)
    assert abs(shares - 100) < 0.05 * len(every)
    trended = data({**week, "limit": "3", "trends": "1"})[0]["dates"][0]["items"]
    assert all(-999 <= int(i["trend"]) <= 999 for i in trended)


def test_item_with_daily() -> None:
    doc = data({"type": "web-browsers", "item": "Chrome", "date": "last-3-days", "daily": "1"})
    assert [[i["title"] for i in g["items"]] for g in doc[0]["dates"]] == [["Chrome"]] * 3


# -- visitors-list and actions-list filters -----------------------------------------------------

DAY = {"type": "visitors-list", "date": "2015-04-13", "limit": "all"}


def ips(**params: str) -> list[str]:
    doc = data({**DAY, **params})
    return [v["ip_address"] for v in doc[0]["dates"][0]["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 9),
        ({"ip_address": "99.6.169.0"}, ["99.6.169.0"]),
        (
            {"ip_address": "65.0.0.0,100.0.0.0"},
            ["95.129.203.0", "99.6.169.0", "90.174.2.0", "78.97.148.0"],
        ),
        ({"ip_address": "65.0.0.0,85.0.0.0|24.10.83.0"}, ["24.10.83.0", "78.97.148.0"]),
        ({"ip_address": "24.10.83.0", "country": "xx"}, ["24.10.83.0"]),  # ip overrides
        ({"ip_address": "not-an-ip"}, 9),  # unreadable: ignored
        ({"new_visitors": "1"}, None),
        ({"returning_visitors": "1"}, None),
        ({"country": "us"}, None),
        ({"search": "VISITOR"}, ["50.46.135.0"]),
        ({"domain": "bing.com"}, ["50.46.135.0"]),
        ({"actions": "abc"}, 9),
    ],
)
def test_visitor_filters(params: dict, expected) -> None:
    got = ips(**params)
    if isinstance(expected, int):
        assert len(got) == expected
    elif expected is not None:
        assert sorted(got) == sorted(expected)
    else:
        assert 0 < len(got) < 9


def test_visitor_filters_agree_with_the_visits() -> None:
    every = data(DAY)[0]["dates"][0]["items"]
    new = {v["ip_address"] for v in every if v["total_visits"] == "1"}
    assert set(ips(new_visitors="1")) == new
    assert set(ips(returning_visitors="1")) == {v["ip_address"] for v in every} - new
    assert set(ips(actions=">2")) == {v["ip_address"] for v in every if int(v["actions"]) > 2}
    timed = {v["ip_address"] for v in every if 60 <= int(v["time_total"]) <= 120}
    assert set(ips(time="60,120")) == timed
    for param, field in (("browser", "web_browser"), ("os", "operating_system")):
        value = every[0][field]
        assert set(ips(**{param: value.lower()})) == {
            v["ip_address"] for v in every if v[field] == value
        }
    assert set(ips(uid="no-such-visitor")) == set()
    city = every[0]["geolocation"].split(",")[0]
    assert every[0]["ip_address"] in ips(city=city.upper())
    assert set(ips(language="en")) == {
        v["ip_address"] for v in every if v.get("language", "").startswith("en")
    }


def test_custom_online_and_session_filters() -> None:
    today = {"type": "visitors-list", "limit": "all"}
    visitors = data(today)[0]["dates"][0]["items"]
    named = next(v for v in visitors if v.get("custom", {}).get("username"))
    found = data({**today, "custom[username]": named["custom"]["username"]})
    assert named["session_id"] in [v["session_id"] for v in found[0]["dates"][0]["items"]]
    online = data({**today, "online": "1"})[0]["dates"][0]["items"]
    count = data({"type": "visitors-online"})[0]["dates"][0]["items"][0]["value"]
    assert len(online) == int(count) > 0
    old = data({"type": "visitors-list", "session_id": "fx-cl-20150413-s9"})  # any date
    assert [v["ip_address"] for v in old[0]["dates"][0]["items"]] == ["50.46.135.0"]


def test_actions_list_and_its_filters() -> None:
    base = {"type": "actions-list", "date": "2015-04-13", "limit": "all"}
    actions = data(base)[0]["dates"][0]["items"]
    assert actions and {"time", "time_pretty", "ip_address", "session_id", "action_type"} <= set(
        actions[0]
    )
    one = data({**base, "session_id": "fx-cl-20150413-s9"})[0]["dates"][0]["items"]
    assert [a["action_url"] for a in one][-1] == (
        "https://clicky.com/help/faq/stats/visitors-vs-unique-visitors"
    )
    assert {a["ip_address"] for a in one} == {"50.46.135.0"}
    assert one[-1]["referrer_domain"] == "bing.com"
    pages = data({**base, "action_type": "pageview"})[0]["dates"][0]["items"]
    assert {a["action_type"] for a in pages} == {"pageview"}
    by_ip = data({**base, "ip_address": "50.46.135.0"})[0]["dates"][0]["items"]
    assert by_ip == one
    recent = data({"type": "visitors-list", "time_offset": "3600", "limit": "all"})
    times = [int(v["time"]) for v in recent[0]["dates"][0]["items"]]
    end = sample().clock(dt.datetime.now(dt.UTC), "America/Los_Angeles").now.timestamp()
    assert times and all(end - 3600 <= t <= end for t in times)


def test_searches_and_links_lists() -> None:
    recent = data({"type": "searches-recent,links-recent", "date": "2015-04-13"})
    assert [i["item"] for i in recent[0]["dates"][0]["items"]] == ["unique visitor versus visitor"]
    unique = data({"type": "searches-unique", "date": "2015-04-13"})
    assert unique[0]["dates"][0]["items"][0]["item"] == "unique visitor versus visitor"


# -- bad parameters ---------------------------------------------------------------------------

ERR = "error"


@pytest.mark.parametrize(
    ("site", "params", "status", "expected"),
    [
        (None, "type=visitors", 400, "site_id is required"),
        ({"site_id": "abc", "sitekey": "k"}, "type=visitors", 400, "site_id: invalid value 'abc'"),
        ({"site_id": "999"}, "type=visitors", 401, "sitekey is required"),
        (
            {"site_id": "999", "sitekey": "0f3545d91b71cf50"},
            "type=visitors",
            401,
            "Invalid site_id",
        ),
        (
            {"site_id": "32020", "sitekey": "0F3545D91B71CF50"},
            "type=visitors",
            401,
            "Invalid site_id",
        ),
        (SITE, "", 400, "type is required"),
        (SITE, "type=visitors,bogus", 400, "type: invalid value 'bogus'"),
        (SITE, "type=visitors&alert_id=123", 400, "alert_id"),
        (SITE, "type=visitors&json_var=a-b", 400, "json_var: invalid value 'a-b'"),
    ],
)
def test_errors(site, params: str, status: int, expected: str) -> None:
    response = get(f"{params}&output=json", site=site)
    assert response.status == status
    assert ("Access-Control-Allow-Origin", "*") in response.headers
    [answer] = json.loads(response.body)
    assert list(answer) == [ERR] and expected in answer[ERR]


TODAY = "2024-11-19"


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ("type=visitors&date=2024-13-45", lambda d: d[0]["dates"][0]["date"] == TODAY),
        ("type=visitors&date=2024-10-05,2024-10-01", lambda d: d[0]["dates"][0]["date"] == TODAY),
        ("type=visitors&date=2022-01-01,2024-01-01", lambda d: d[0]["dates"][0]["date"] == TODAY),
        ("type=visitors&date=last-0-days", lambda d: d[0]["dates"][0]["date"] == TODAY),
        ("type=visitors-list&date=last-60-days", lambda d: d[0]["dates"][0]["date"] == TODAY),
        ("type=pages&date=last-60-days", lambda d: d[0]["dates"][0]["date"] != TODAY),
        ("type=visitors-list&limit=0", lambda d: len(d[0]["dates"][0]["items"]) == 50),
        ("type=visitors-list&limit=abc", lambda d: len(d[0]["dates"][0]["items"]) == 50),
        ("type=visitors-list&limit=5000", lambda d: len(d[0]["dates"][0]["items"]) == 50),
        ("type=visitors-list&limit=all", lambda d: len(d[0]["dates"][0]["items"]) > 50),
        ("type=visitors-list&limit=3&page=-2", lambda d: len(d[0]["dates"][0]["items"]) == 3),
        ("type=visitors&date=last-3-days&daily=yes", lambda d: len(d[0]["dates"]) == 1),
        ("type=pages,visitors&hourly=1", lambda d: "hour" not in d[1]["dates"][0]["items"][0]),
        ("type=pages,searches&item=clicky", lambda d: len(d[1]["dates"][0]["items"]) > 1),
        (
            "type=visitors-list&null_values=2&limit=1",
            lambda d: "goals" not in d[0]["dates"][0]["items"][0],
        ),
        (
            "type=visitors-list&time_offset=999999&limit=1",
            lambda d: d[0]["dates"][0]["date"] == TODAY,
        ),
        ("type=visitors-list&actions=%3Cx&limit=1", lambda d: len(d[0]["dates"][0]["items"]) == 1),
        (
            "type=actions-list&action_type=bogus&limit=1",
            lambda d: len(d[0]["dates"][0]["items"]) == 1,
        ),
        (
            "type=segmentation&segments=bogus",
            lambda d: d[0]["dates"][0]["items"][0]["segment"] == "summary",
        ),
        ("type=visitors&app=" + "x" * 300, lambda d: d[0]["type"] == "visitors"),
        ("type=VISITORS,%20actions", lambda d: [b["type"] for b in d] == ["visitors", "actions"]),
    ],
)
def test_invalid_values_fall_back(params: str, check) -> None:
    response = get(params + "&output=json")
    assert response.status == 200
    assert check(json.loads(response.body)), response.text[:300]


def test_invalid_output_is_xml() -> None:
    response = get("type=visitors&output=yaml")
    assert response.media_type.startswith("application/xml")
    assert ET.fromstring(response.body).get("status") == "ok"
