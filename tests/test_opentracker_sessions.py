"""Opentracker's session list c_view_session.jsp (seed 001) on the sample, as documented."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from sample_store import sample

from workbench.api import wall_clock
from workbench.dialects.opentracker import TICKETS
from workbench.dialects.opentracker_session_fields import FIELDS
from workbench.dialects.opentracker_session_rows import Options, render_row
from workbench.filters import Eq
from workbench.query import Query
from workbench.timeframe import Interval

DATA = Path(__file__).resolve().parent / "data"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_723d3149811d9f50.txt"
NOW = dt.datetime(2011, 11, 16, 19, 44, 57, tzinfo=dt.UTC)
CREDENTIALS = "login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
REPLAY = (
    f"c_view_session.jsp?{CREDENTIALS}&date=2011-11-17&period=2d&dataType=jsondatatable"
    "&timeZone=Asia/Karachi"
)
# first visits inside 2011's Russian summer time: the document wrote them in UTC+6
SUMMER_2011 = (
    dt.datetime(2011, 3, 26, 21, tzinfo=dt.UTC),
    dt.datetime(2011, 10, 29, 21, tzinfo=dt.UTC),
)


def documented() -> dict:
    return json.loads((DATA / "seed001_rows.json").read_text(encoding="utf-8"))


def documented_head() -> dict:
    """The example response's table description (every key but resultsList)."""
    if not SEED.exists():
        pytest.skip("seed 001 not beside the project")
    line = next(x for x in SEED.read_text(encoding="utf-8").splitlines() if x.startswith('{"rows"'))
    return json.loads(line.split('"resultsList":')[0] + '"resultsList": []}')


_TICKETS: dict[dt.datetime | None, str] = {}


def ticket(now: dt.datetime | None) -> str:
    """A ticketId valid at ``now`` (checking a password on every request is slow by design);
    issued again if another test's ticket pushed it out."""
    held = _TICKETS.get(now)
    if held is None or TICKETS.login(held, now or wall_clock()) is None:
        login = "/api/management/login_user.jsp?login=demo@opentracker.net&password=demo123"
        _TICKETS[now] = sample().request(f"{login}&expires=86400", now=now).text
    return _TICKETS[now]


def get(url: str, now: dt.datetime | None = NOW, path: str = "/", password: bool = False):
    """The response; the demo credentials are sent as a ticket unless ``password``."""
    if not password:
        by_ticket = f"login=demo@opentracker.net&ticketId={ticket(now)}&site=www.opentracker.net"
        url = url.replace(CREDENTIALS, by_ticket)
    return sample().request(path + url, now=now)


def table(url: str, now: dt.datetime | None = NOW) -> dict:
    response = get(url, now)
    assert response.status == 200, response.text
    return json.loads(response.body)


def records(url: str, now: dt.datetime | None = NOW) -> list[dict[str, str]]:
    doc = table(url, now)
    return [dict(zip(doc["field"], row, strict=True)) for row in doc["resultsList"]]


def ids(url: str, now: dt.datetime | None = NOW) -> list[str]:
    return [r["session_id"] for r in records(url, now)]


ALL_IDS = [r["values"]["session_id"] for r in documented()["rows"] if r["values"]["session_id"]]
ROW4 = "1321472500789.1331438727"  # cut in the document after machine_id
ALL_IDS.insert(3, ROW4)


def by_country(*codes: str) -> list[str]:
    rows = {r["session_id"]: r["country_code"] for r in records(REPLAY)}
    return [i for i in ALL_IDS if rows[i] in codes]


# -- the documented replay ----------------------------------------------------------------


def summer(ms: str) -> bool:
    ts = dt.datetime.fromtimestamp(int(ms) / 1000, dt.UTC)
    return SUMMER_2011[0] <= ts < SUMMER_2011[1]


def an_hour_earlier(text: str) -> str:
    """'Oct 02 04:38 PM' -> 'Oct 02 03:38 PM' (the year does not matter for these)."""
    parsed = dt.datetime.strptime(f"2011 {text}", "%Y %b %d %I:%M %p") - dt.timedelta(hours=1)
    return parsed.strftime("%b %d %I:%M %p")


@pytest.mark.parametrize("zone", ["Asia/Karachi", "Etc/GMT-5"])
@pytest.mark.parametrize("path", ["/", "/api/"])
def test_the_replay_returns_the_documented_rows(zone: str, path: str) -> None:
    response = get(REPLAY.replace("Asia/Karachi", zone), path=path, password=True)
    assert response.status == 200, response.text
    assert response.media_type.startswith("application/json")
    doc = json.loads(response.body)
    want = documented()
    assert doc["field"] == want["fields"] == list(FIELDS)
    assert doc["className"] == doc["width"] == want["fields"]
    assert doc["rows"] == len(doc["resultsList"]) == len(want["rows"]) == 8
    shifted = 0
    for got, row in zip(doc["resultsList"], want["rows"], strict=True):
        values = dict(zip(doc["field"], got, strict=True))
        for name, value in row["values"].items():
            if value is None:
                continue  # cut from the document
            if name == "firstMeasurement" and summer(values["first_session_unix_timestamp"]):
                # the document's server had UTC+6 here (older rules); ours is the zone's UTC+5
                assert values[name] == an_hour_earlier(value), row["position"]
                shifted += 1
                continue
            assert values[name] == value, (row["position"], name)
    assert shifted == 3  # Oct 02, Oct 25 and Jun 21


def test_the_replay_has_the_documented_table_description() -> None:
    doc, head = table(REPLAY), documented_head()
    assert list(doc) == list(head)  # key order kept
    assert doc["label"] == head["label"] and doc["className"] == head["className"]
    for key in head:
        if key not in ("rows", "nextToken", "resultsList"):
            assert doc[key] == head[key], key
    assert doc["nextToken"] == ""  # all 8 sample rows fit the default 40


def test_online_rows_and_durations_follow_now() -> None:
    rows = records(REPLAY)
    assert [r["user_status"] for r in rows] == ["online"] * 4 + ["offline"] * 4
    later = records(REPLAY, now=NOW + dt.timedelta(hours=1))
    assert {r["status"] for r in later} == {"puppet_offline"}
    assert later[0]["duration"] == "3s"  # offline: end - start
    assert later[2]["duration"] == "s.e."  # a single event


# -- paging ------------------------------------------------------------------------------

TOKEN = re.compile(r"([0-9]+)\.([0-9]+)")


def pages(
    url: str, limit: int, now: dt.datetime | None = NOW, first: int | None = None
) -> list[list[str]]:
    """The session ids of every page (the first one ``first`` rows long, if given)."""
    out, token = [], None
    for _ in range(100):
        size = first if first is not None and not out else limit
        doc = table(f"{url}&limit={size}" + (f"&nextToken={token}" if token else ""), now)
        out.append(
            [dict(zip(doc["field"], r, strict=True))["session_id"] for r in doc["resultsList"]]
        )
        token = doc["nextToken"]
        if not token:
            return out
        day, at = map(int, TOKEN.fullmatch(token).groups())
        assert day % 86_400_000 == 0 and day <= at < day + 86_400_000
    raise AssertionError("paging did not end")


def test_next_token_pages_every_row_exactly_once() -> None:
    got = pages(REPLAY, 3)
    assert [len(p) for p in got] == [3, 3, 2]
    assert [i for p in got for i in p] == ids(REPLAY) == ALL_IDS


def test_the_documented_token_is_accepted() -> None:
    # 2011-11-16T18:00Z: the sample's rows all ended after it
    assert table(f"{REPLAY}&nextToken=1321401600000.1321466400000")["resultsList"] == []
    later = table(f"{REPLAY}&nextToken=1321401600000.1321470128676")  # row 39's end
    assert [
        dict(zip(later["field"], r, strict=True))["session_id"] for r in later["resultsList"]
    ] == [ALL_IDS[-1]]


DAY = f"c_view_session.jsp?{CREDENTIALS}&date=2024-11-19&dataType=jsondatatable"


def newest_first_of_the_day() -> pd.DataFrame:
    return sample().sql(
        """SELECT session_id, epoch_ms(end_ts) AS end_ms FROM sessions
           WHERE site_id = 'www.opentracker.net' AND NOT is_bot
             AND start_ts >= TIMESTAMPTZ '2024-11-19 00:00:00-05'
             AND start_ts < TIMESTAMPTZ '2024-11-20 00:00:00-05'
           ORDER BY end_ts DESC, session_id DESC"""
    )


def test_paging_a_whole_day_never_splits_rows_ending_together() -> None:
    frame = newest_first_of_the_day()
    tied = frame[frame["end_ms"].duplicated(keep=False)]
    assert len(tied) >= 2  # the sample has sessions ending in the same millisecond
    first = int(tied.index[0])  # a page ending on the first of them must take the others
    got = pages(DAY + "&showColumns=session_id", 1000, now=None, first=first + 1)
    assert len(got[0]) == first + (frame["end_ms"] == frame["end_ms"][first]).sum()
    assert [i for p in got for i in p] == list(frame["session_id"])


def test_the_default_limit_is_40_and_1000_is_the_most() -> None:
    doc = table(DAY, now=None)
    assert doc["rows"] == 40 and doc["nextToken"]
    got = pages(DAY.replace("jsondatatable", "jsondatatable&showColumns=session_id"), 1000, None)
    assert max(len(p) for p in got) >= 1000
    assert [i for p in got for i in p] == list(newest_first_of_the_day()["session_id"])


# -- filters and shaping -----------------------------------------------------------------


def test_session_id() -> None:
    assert ids(f"{REPLAY}&session_id={ALL_IDS[2]}") == [ALL_IDS[2]]
    url = f"c_view_session.jsp?{CREDENTIALS}&dataType=jsondatatable&session_id={ALL_IDS[5]}"
    assert ids(url, now=None) == [ALL_IDS[5]]  # without date: the whole history


def test_include_country_code_adds_filtered_company() -> None:
    doc = table(f"{REPLAY}&includeCountryCode=us,GB")
    assert doc["field"] == [*FIELDS, "filtered_company"]
    rows = [dict(zip(doc["field"], r, strict=True)) for r in doc["resultsList"]]
    assert [r["session_id"] for r in rows] == by_country("US", "GB")
    assert {r["filtered_company"] for r in rows} == {"", "Kintiskton Llc", "Webfargo Data Security"}
    assert all(r["filtered_company"] == r["company_org"] for r in rows)


def test_exclude_in_url() -> None:
    rows = records(f"{REPLAY}&excludeInUrl=LOGINPAGE,clickstream")
    assert len(rows) == 4
    for r in rows:
        assert "loginpage" not in r["entryPage"] + r["currentPage"]
        assert "clickstream" not in r["entryPage"] + r["currentPage"]
    assert "filtered_company" in rows[0]


def test_exclude_in_filtered_company_keeps_unknown_companies() -> None:
    assert ids(f"{REPLAY}&excludeInFilteredCompany=kintiskton") == [i for i in ALL_IDS if i != ROW4]


def test_max_event_threshold_and_max_duration() -> None:
    rows = records(f"{REPLAY}&maxEventThreshold=5")
    assert [int(r["total_pages_viewed"]) for r in rows] == [1, 1, 4, 1]
    short = records(f"{REPLAY}&maxDuration=100")
    assert len(short) == 5 and ROW4 not in [r["session_id"] for r in short]


def test_remove_isp_keeps_identified_companies() -> None:
    assert [r["company_org"] for r in records(f"{REPLAY}&removeIsp=true")] == [
        "Kintiskton Llc",
        "Webfargo Data Security",
    ]
    assert len(records(f"{REPLAY}&removeIsp=false")) == 8


def test_filter_by_current_title_is_case_sensitive() -> None:
    title = "Get%20in%20here.%20|%20Opentracker.net"
    assert len(records(f"{REPLAY}&filterByCurrentTitle={title}")) == 3
    assert records(f"{REPLAY}&filterByCurrentTitle={title.lower()}") == []
    assert len(records(f"{REPLAY}&filterByCurrentTitle=*Opentracker.net*")) == 8


def test_search_with_wildcards_and_use_or() -> None:
    assert [r["city"] for r in records(f"{REPLAY}&search=brook*n")] == ["Brooklyn"]
    assert len(records(f"{REPLAY}&search=google")) == 4  # referrers
    assert records(f"{REPLAY}&search=spain%20italy") == []
    both = records(f"{REPLAY}&search=spain,italy&useOr=true")
    assert [r["country"] for r in both] == ["Spain", "Italy"]
    assert len(records(f"{REPLAY}&search=sp?in")) == 1


def test_show_columns_in_the_given_order() -> None:
    doc = table(f"{REPLAY}&showColumns=session_id,country,lastEvent,currentPage,country")
    assert doc["field"] == ["session_id", "country", "lastEvent", "currentPage"]
    assert doc["label"] == ["session_id", "country", "last event", "current page (exit page)"]
    assert doc["expandDataIndex"] == [1, 3] and doc["equivalentColumns"] == [[3, "currentTitle"]]
    assert doc["resultsList"][0] == [
        ALL_IDS[0],
        "Spain",
        "Nov 17 12:44 AM",
        doc["resultsList"][0][3],
    ]


def test_order_criteria_orders_the_whole_selection() -> None:
    rows = records(f"{REPLAY}&orderCriteria=duration%20desc,country")
    assert rows[0]["session_id"] == ALL_IDS[1]  # the 20-hour visit
    assert [r["country"] for r in rows[-4:]] == ["Brazil", "Canada", "Italy", "United Kingdom"]
    assert table(f"{REPLAY}&orderCriteria=country&limit=2")["nextToken"] == ""
    descending = records(f"{REPLAY}&orderCriteria=country+desc")
    assert descending[0]["country"] == "United States"


def test_date_format_time_zone_and_replacements() -> None:
    row = records(f"{REPLAY}&dateFormat=yyyy-dd-MM%20HH:mm")[0]
    assert row["lastEvent"] == "2011-17-11 00:44" and row["firstMeasurement"] == "2011-02-10 15:38"
    assert records(REPLAY.replace("Asia/Karachi", "UTC"))[0]["lastEvent"] == "Nov 16 07:44 PM"
    uk = records(f"{REPLAY}&gbCountryCode=UK&includeCountryCode=gb")
    assert [(r["country_code"], r["flag"]) for r in uk] == [("UK", "gb")]


def test_unknown_region_on_a_day_with_unknown_regions() -> None:
    url = f"{DAY}&showColumns=session_id,region&limit=1000"
    plain = records(url, now=None)
    named = records(f"{url}&unknownRegion=N/A", now=None)
    assert [r["session_id"] for r in plain] == [r["session_id"] for r in named]
    replaced = [(a["region"], b["region"]) for a, b in zip(plain, named, strict=True) if a != b]
    assert replaced and all(a == "" and b == "N/A" for a, b in replaced)


def _row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        name: None
        for name in (
            "session_id", "visitor_id", "site_id", "start_ts", "end_ts", "last_seen_ts",
            "duration_s", "visit_number", "first_visit_ts", "visitor_pageviews", "pageviews",
            "entry_url", "entry_title", "exit_url", "exit_title", "referrer_url",
            "referrer_domain", "search_term", "country_code", "country_name", "region_code",
            "region_name", "city", "postal_code", "latitude", "longitude", "metro_code",
            "area_code", "geo_time_zone", "ip_address", "isp", "isp_organization",
            "organization", "hostname", "connection_type", "browser", "browser_version", "os",
            "os_version", "screen_resolution", "property.email", "source.machine_id",
            "source.rnd", "source.event_id", "source.entry_query", "source.exit_query_id",
            "source.total_duration", "source.platform",
        )
    }  # fmt: skip
    row |= {"site_id": "ot-de", "start_ts": 0, "end_ts": 1000, "last_seen_ts": 1000}
    return row | changes


def test_europe_maps_to_the_site_domain_and_unknown_cities_are_named() -> None:
    options = Options(
        zone="UTC",
        now=NOW,
        date_format="MMM dd hh:mm a",
        unknown_city="(unknown)",
        eu_to_domain=True,
        site_names={"ot-de": "www.opentracker.de", "ot-net": "www.opentracker.net"},
    )
    columns = ("country", "country_code", "flag", "city", "site")
    de = render_row(_row(country_code="EU", country_name="Europe"), columns, options)
    assert [de[c] for c in columns] == ["Germany", "DE", "de", "(unknown)", "www.opentracker.de"]
    net = render_row(
        _row(site_id="ot-net", country_code="EU", country_name="Europe"), columns, options
    )
    assert [net[c] for c in columns[:3]] == ["Europe", "EU", "eu"]
    kept = render_row(_row(city="Vitoria"), columns, options)
    assert kept["city"] == "Vitoria"
    assert records(f"{REPLAY}&mapEuToCountryDomain=true") == records(REPLAY)


def test_source_fields_are_dimensions() -> None:
    interval = Interval(
        dt.datetime(2011, 11, 15, tzinfo=dt.UTC), dt.datetime(2011, 11, 17, tzinfo=dt.UTC), "UTC"
    )
    q = Query(
        interval,
        dimensions=("session_id", "source.machine_id"),
        filter=Eq("source.rnd", "82656"),
    )
    frame = sample().query(q).frame
    assert frame.values.tolist() == [[ALL_IDS[0], "10.245.194.182:1317844259538"]]


# -- formats -----------------------------------------------------------------------------


def test_json_is_a_results_list_of_objects() -> None:
    doc = json.loads(get(REPLAY.replace("jsondatatable", "json")).body)
    assert list(doc) == ["resultsList"]
    assert [list(r) for r in doc["resultsList"]] == [list(FIELDS)] * 8
    assert [r["session_id"] for r in doc["resultsList"]] == ALL_IDS


def test_csv_reads_back_with_and_without_meta_lines() -> None:
    url = REPLAY.replace("jsondatatable", "csv")
    with_meta = get(url).text
    assert with_meta.splitlines()[:4] == [
        "site,www.opentracker.net",
        "start date,2011-11-16",
        "end date,2011-11-17",
        "title,Visitor sessions",
    ]
    frame = pd.read_csv(io.StringIO(with_meta), skiprows=5, dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(FIELDS) and list(frame["session_id"]) == ALL_IDS
    plain = get(f"{url}&metaCsv=false&title=ignored").text
    frame = pd.read_csv(io.StringIO(plain), dtype=str, keep_default_na=False)
    assert frame.shape == (8, len(FIELDS))
    assert frame.values.tolist() == [[r[f] for f in FIELDS] for r in records(REPLAY)]
    titled = get(f"{url}&title=Weekly%20visits").text
    assert titled.splitlines()[3] == "title,Weekly visits"


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.rows: list[list[str]] = []
        self.sorts: list[list[str | None]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])
            self.sorts.append([])
        elif tag in ("td", "th"):
            self._cell = []
            self.sorts[-1].append(dict(attrs).get("sort"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_a_table_of_escaped_text() -> None:
    response = get(REPLAY.replace("jsondatatable", "html"))
    assert response.media_type.startswith("text/html")
    parser = _Cells()
    parser.feed(response.text)
    assert parser.tags <= {"table", "thead", "tbody", "tr", "th", "td"}
    assert parser.rows[0] == documented_head()["label"]
    want = records(REPLAY)
    assert parser.rows[1:] == [[r[f] for f in FIELDS] for r in want]
    assert "&amp;" in response.text  # the '&' of a title
    duration = FIELDS.index("duration")
    assert parser.sorts[2][duration] == "74697"  # seconds behind "20h 44m 57s"


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value", "valid"),
    [
        ("limit", "0", "from 1 to 1,000"),
        ("limit", "1001", "from 1 to 1,000"),
        ("limit", "abc", "from 1 to 1,000"),
        ("showColumns", "lastEvent,nope", "zipCode"),
        ("dateFormat", "yyyy-qq", "SimpleDateFormat"),
        ("dateFormat", "'open", "single quote"),
        ("orderCriteria", "nope desc", "duration"),
        ("orderCriteria", "duration sideways", "duration desc"),
        ("dataType", "xml", "json, html, jsondatatable, csv"),
        ("dataType", "jsonjqgrid", "json, html, jsondatatable, csv"),
        ("timeZone", "Mars/Base", "IANA"),
        ("date", "2011-13-01", "yyyy-MM-dd"),
        ("period", "2y", "e.g. 1d"),
        ("nextToken", "abc", "timestampday.timestamphouroffset"),
        ("nextToken", "1321401600001.1321466400000", "timestampday.timestamphouroffset"),
        ("nextToken", "1321401600000.1321566400000", "timestampday.timestamphouroffset"),
        ("includeCountryCode", "USA", "two-letter"),
        ("maxEventThreshold", "-1", "whole number"),
        ("maxDuration", "1.5", "whole number"),
        ("removeIsp", "yes", "true, false"),
        ("metaCsv", "no", "true, false"),
        ("mapEuToCountryDomain", "1", "true, false"),
        ("useOr", "or", "true, false"),
        ("ignoreLocale", "maybe", "true, false"),
        ("locale", "xx_YY", "en_US"),
        ("search", ",", "comma-separated words"),
    ],
)
def test_bad_parameters_are_named_in_the_documented_error_form(
    param: str, value: str, valid: str
) -> None:
    url = re.sub(f"&{param}=[^&]*", "", REPLAY)
    response = get(f"{url}&{param}={value}")
    assert response.status == 400, response.text
    assert response.text.startswith("Error: java.lang.IllegalArgumentException: ")
    shown = repr(value) if param != "showColumns" else repr(value.split(",")[-1])
    assert param in response.text and shown in response.text
    assert valid.lower() in response.text.lower()


def test_next_token_and_order_criteria_do_not_mix() -> None:
    response = get(f"{REPLAY}&orderCriteria=country&nextToken=1321401600000.1321466400000")
    assert response.status == 400 and "orderCriteria" in response.text


@pytest.mark.parametrize(
    "credentials",
    [
        "login=demo@opentracker.net&password=wrong&site=www.opentracker.net",
        "login=demo@opentracker.net&password=demo123&site=www.opentracker.net,www.nope.net",
    ],
)
def test_bad_credentials_get_the_documented_error(credentials: str) -> None:
    response = get(REPLAY.replace(CREDENTIALS, credentials))
    assert response.status == 401
    assert response.text == (
        "Error: java.lang.RuntimeException: Login/ site combination is not valid"
    )


def test_a_merge_of_the_same_site_lists_it_once() -> None:
    merged = REPLAY.replace(
        "site=www.opentracker.net", "site=www.opentracker.net,%20www.opentracker.net"
    )
    assert ids(merged) == ALL_IDS
