"""The injection corpus in every attacker-controlled field, through every dialect and format.

A store holds one visit per corpus string on each vendor's site, the string in its URLs,
titles, referrer, search term, location names, organization and carrier, and in its
event's URL, title, key and segmentation. Every answer must then be valid in its format:
JSON parses, XML is well-formed, CSV has no live formula, PHP unserialises with the right
byte lengths, HTML carries no markup from the data, and hostile callbacks are refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import phpserialize
import pyarrow as pa
import pytest
from injection import CORPUS, is_live_formula, utf8_text

from workbench import Workbench
from workbench.credentials import hash_password
from workbench.model import STRING_MAP, TIMESTAMP, conform
from workbench.sample.sites import sample_sites_table
from workbench.store import Store

DAY = dt.date(2024, 11, 19)
NOON = dt.datetime(2024, 11, 19, 17, tzinfo=dt.UTC)  # the afternoon in every sample zone
SITES = ("www.opentracker.net", "clicky-demo", "countly-app", "giosg-shop")
VALUES = {name: utf8_text(text) for name, text in CORPUS.items() if name != "long_plain"}
OT = "login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
CLICKY = "site_id=32020&sitekey=0f3545d91b71cf50&date=2024-11-19"
COUNTLY = "api_key=e2c569be17396eca2a2e3c11578123ed&app_id=5c4f2a1e9b3d7e0012a4c001"
GIOSG = "/api/reporting/v1/orgs/b0a1d32b-e82c-11e4-b081-6c4008adf7e8/visitor_sessions"
TOKEN = {"Authorization": "Token 3a6d0284e743dc4a9b86f97d6dd1a3bf"}


def _sessions() -> pa.Table:
    rows = []
    for site in SITES:
        for i, (name, text) in enumerate(VALUES.items()):
            start = NOON + dt.timedelta(seconds=i)
            rows.append(
                {
                    "site_id": site,
                    "session_id": f"{site}-{name}",
                    "visitor_id": f"v-{site}-{name}",
                    "start_ts": start,
                    "end_ts": start + dt.timedelta(seconds=30),
                    "last_seen_ts": start + dt.timedelta(seconds=30),
                    "duration_s": 30,
                    "is_new": True,
                    "visit_number": 1,
                    "pageviews": 1,
                    "actions": 1,
                    "entry_url": f"http://shop.example/{text}",
                    "entry_title": text,
                    "exit_url": text,
                    "exit_title": text,
                    "referrer_url": f"http://{text}",
                    "referrer_domain": text,
                    "referrer_type": "search",
                    "search_term": text,
                    "country_code": "US",
                    "country_name": "United States",
                    "region_code": "CA",
                    "region_name": text,
                    "city": text,
                    "organization": text,
                    "isp": text,
                    "carrier": text,
                    "browser": text,
                    "os": "Android",
                    "device_type": "mobile",
                    "ip_address": "203.0.113.9",
                    "is_bot": False,
                    "properties": [("username", text)],
                }
            )
    columns = {k: [r.get(k) for r in rows] for k in rows[0]}
    columns["start_ts"] = pa.array(columns["start_ts"], TIMESTAMP)
    columns["end_ts"] = pa.array(columns["end_ts"], TIMESTAMP)
    columns["last_seen_ts"] = pa.array(columns["last_seen_ts"], TIMESTAMP)
    columns["properties"] = pa.array(columns["properties"], STRING_MAP)
    return conform("sessions", pa.table(columns))


def _events(sessions: pa.Table) -> pa.Table:
    rows = sessions.to_pylist()
    return conform(
        "events",
        pa.table(
            {
                "site_id": [r["site_id"] for r in rows],
                "session_id": [r["session_id"] for r in rows],
                "visitor_id": [r["visitor_id"] for r in rows],
                "event_id": [f"e-{r['session_id']}" for r in rows],
                "ts": pa.array([r["start_ts"] for r in rows], TIMESTAMP),
                "seq": [1] * len(rows),
                "type": ["custom"] * len(rows),
                "url": [r["entry_url"] for r in rows],
                "title": [r["entry_title"] for r in rows],
                "search_term": [r["search_term"] for r in rows],
                "key": [r["city"] or "empty" for r in rows],
                "count": [1] * len(rows),
                "sum": [1.5] * len(rows),
                "segmentation": pa.array([[("item", r["city"])] for r in rows], STRING_MAP),
            }
        ),
    )


@pytest.fixture(scope="module")
def wb(tmp_path_factory) -> Workbench:
    store = Store.create(tmp_path_factory.mktemp("hostile") / "store", as_of=DAY)
    sessions = _sessions()
    with store.batch() as batch:
        batch.put_sites(sample_sites_table(hash_password))
        batch.append("sessions", sessions)
        batch.append("events", _events(sessions))
    return Workbench(store)


REQUESTS = {  # name -> (url, format)
    "ot-geo-json": (f"/api/location/top_country_region_city.jsp?{OT}&date=2024-11-19&detailLevel=city&countryCode=US&regionCode=CA", "json"),
    "ot-geo-html": (f"/api/location/top_country_region_city.jsp?{OT}&date=2024-11-19&detailLevel=city&countryCode=US&regionCode=CA&dataType=html", "html"),
    "ot-geo-csv": (f"/api/location/top_country_region_city.jsp?{OT}&date=2024-11-19&detailLevel=city&countryCode=US&regionCode=CA&dataType=csv", "csv"),
    "ot-geo-datatable": (f"/api/location/top_country_region_city.jsp?{OT}&date=2024-11-19&detailLevel=region&countryCode=US&dataType=jsondatatable", "json"),
    "ot-geo-jqgrid": (f"/api/location/top_country_region_city.jsp?{OT}&date=2024-11-19&detailLevel=city&countryCode=US&regionCode=CA&dataType=jsonjqgrid", "json"),
    "ot-sessions-json": (f"/api/c_view_session.jsp?{OT}&date=2024-11-19&period=1d&limit=1000", "json"),
    "ot-sessions-html": (f"/api/c_view_session.jsp?{OT}&date=2024-11-19&period=1d&limit=1000&dataType=html", "html"),
    "ot-sessions-csv": (f"/api/c_view_session.jsp?{OT}&date=2024-11-19&period=1d&limit=1000&dataType=csv", "csv"),
    "ot-sessions-datatable": (f"/api/c_view_session.jsp?{OT}&date=2024-11-19&period=1d&limit=1000&dataType=jsondatatable", "json"),
    "clicky-json": (f"/api/stats/4?{CLICKY}&type=pages,searches,cities,web-browsers,visitors-list,actions-list&output=json", "json"),
    "clicky-xml": (f"/api/stats/4?{CLICKY}&type=pages,searches,cities,web-browsers,visitors-list,actions-list&output=xml", "xml"),
    "clicky-csv": (f"/api/stats/4?{CLICKY}&type=pages,searches,cities,visitors-list&output=csv", "csv"),
    "clicky-php": (f"/api/stats/4?{CLICKY}&type=pages,searches,cities,web-browsers,visitors-list,actions-list&output=php", "php"),
    "countly-events": (f"/o?{COUNTLY}&method=events&events=[]&segmentation=item", "json"),
    "countly-get-events": (f"/o?{COUNTLY}&method=get_events", "json"),
    "countly-carriers": (f"/o?{COUNTLY}&method=carriers&action=refresh", "json"),
    "countly-dashboard": (f"/o/analytics/dashboard?{COUNTLY}", "json"),
    "countly-jsonp": (f"/o?{COUNTLY}&method=get_events&callback=show", "jsonp"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(REQUESTS))
def test_every_answer_is_valid_in_its_format(wb: Workbench, name: str) -> None:
    url, kind = REQUESTS[name]
    response = wb.request(url, now=NOON)
    assert response.status == 200, response.text[:500]
    CHECKS[kind](response.body)


def test_giosg_groups_by_hostile_cities(wb: Workbench) -> None:
    body = {
        "interval": {"start": "2024-11-19T00:00:00+02:00", "end": "2024-11-20T00:00:00+02:00"},
        "granularity": "all",
        "group_by": ["city", "browser_name"],
        "aggregations": [{"type": "count"}],
    }
    response = wb.request(GIOSG, json.dumps(body), "POST", TOKEN)
    assert response.status == 200
    cities = {row[1] for row in json.loads(response.body)["data"]}
    assert cities >= {v for v in VALUES.values() if v}


@pytest.mark.parametrize(
    "url",
    [
        f"/o?{COUNTLY}&method=get_events&callback=alert(1)//",
        f"/api/stats/4?{CLICKY}&type=pages&output=json&json_callback=%3Cscript%3E",
        f"/api/stats/4?{CLICKY}&type=pages&output=json&json_var=a%3Dalert(1)",
    ],
)
def test_hostile_callbacks_are_refused(wb: Workbench, url: str) -> None:
    response = wb.request(url, now=NOON)
    assert response.status == 400
    assert b"alert(1)(" not in response.body and b"<script>(" not in response.body


# -- format checks --------------------------------------------------------------------------


def _json(body: bytes) -> None:
    json.loads(body)
    assert b"</script" not in body.lower()  # '<' is escaped: safe inside a <script> too


def _jsonp(body: bytes) -> None:
    text = body.decode()
    start, end = text.index("(") + 1, text.rindex(")")
    json.loads(text[start:end])
    assert "</script" not in text.lower()


def _xml(body: bytes) -> None:
    ET.fromstring(body)


def _csv(body: bytes) -> None:
    csv.field_size_limit(10_000_000)  # the corpus holds a 100,000-character string
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    live = [cell for row in rows for cell in row if is_live_formula(cell)]
    assert not live, live[:5]


def _php(body: bytes) -> None:
    phpserialize.loads(body, decode_strings=True)  # fails on a wrong byte length


class _Tags(HTMLParser):
    ALLOWED = frozenset(
        (
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "caption",
            "html",
            "head",
            "body",
            "meta",
            "title",
        )
    )

    def __init__(self) -> None:
        super().__init__()
        self.foreign: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.ALLOWED:
            self.foreign.append(tag)
        for name, _ in attrs:
            if name.startswith("on") or name in ("href", "src", "style"):
                self.foreign.append(f"{tag}[{name}]")


def _html(body: bytes) -> None:
    parser = _Tags()
    parser.feed(body.decode("utf-8"))
    assert not parser.foreign, parser.foreign[:5]


CHECKS = {"json": _json, "jsonp": _jsonp, "xml": _xml, "csv": _csv, "php": _php, "html": _html}
