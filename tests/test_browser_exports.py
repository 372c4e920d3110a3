"""Every page's exports in a real headless Chromium against a real `workbench run`: CSV read back
holds every row of the view, PNG at print resolution and not blank, vendor answer as requested."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
from browser_kit import drawn_share, heading, settle
from PIL import Image
from sample_store import sample

from workbench.encoders import Table, encode
from workbench.query import MAX_LIMIT
from workbench.reports import segmentation, session_list, top_locations
from workbench.sites import site_keys
from workbench.timeframe import local_date
from workbench.ui import dashboard, events, geography, images, segments
from workbench.ui import sessions as s
from workbench.ui.selection import Selection, parse

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it

PERIOD = "30d"
FULL = (images.WIDTH * images.PNG_SCALE, images.HEIGHT * images.PNG_SCALE)


@dataclass(frozen=True)
class View:
    """What a page runs its reports with, for a URL's parameters (as filters.sidebar does)."""

    params: dict[str, str]
    selection: Selection
    zone: str
    now: dt.datetime
    today: dt.date

    @property
    def interval(self):
        return self.selection.interval(zones(), self.today)


def zones() -> dict[str, str]:
    sites = sample().sites()
    return dict(zip(sites["site_id"], sites["time_zone"], strict=True))


def view_of(params: dict[str, str]) -> View:
    selection = parse(params, zones()).selection
    zone = selection.time_zone(zones())
    now = sample().clock(dt.datetime.now(dt.UTC), zone).now
    return View(params, selection, zone, now, local_date(now, zone))


def table_csv(frame: pd.DataFrame) -> bytes:
    """A table as the pages encode it (formula-like cells neutralised)."""
    return encode("csv", Table.of(frame.columns, frame.itertuples(index=False))).body


# -- what each page's downloads must hold ---------------------------------------------------


def geography_tables(v: View) -> dict[str, bytes]:
    drill = parse(v.params, zones()).drill
    result = geography.locations(sample(), v.selection, drill, v.interval)
    frame = geography.view_table(result, drill.level).frame
    library = top_locations(sample(), v.interval, drill.level, sites=v.selection.sites,
                            country=drill.country).frame  # fmt: skip
    assert len(frame) == len(library) + 1  # every location and the totals row
    return {"CSV": table_csv(frame)}


def sessions_view(v: View) -> s.SessionView:
    return s.parse_view(v.params)[0]


def sessions_tables(v: View) -> dict[str, bytes]:
    frame = s.every_session(sample(), v.selection, v.interval, sessions_view(v))
    where = s.where(sessions_view(v).filters, v.selection)
    library = session_list(
        sample(), v.interval, sites=v.selection.sites, where=where, limit=MAX_LIMIT
    )
    assert frame["session_id"].tolist() == library.frame["session_id"].tolist()
    assert len(frame) > sessions_view(v).size  # more than the page on screen
    return {"Sessions CSV": s.csv_bytes(frame)}


def segments_tables(v: View) -> dict[str, bytes]:
    b = segments.parse(v.params).builder
    plan = segments.plan(b, v.selection.sites, v.interval, False, False)
    frames = {
        name: segments.segment_frame(segments.run(sample(), spec).frame, None, b.dimensions)
        for name, spec in plan.series.items()
    }
    table = segments.view_table(frames, b.dimensions)
    library = segmentation(sample(), v.interval, b.metrics, b.dimensions, b.granularity,
                           sites=v.selection.sites).frame  # fmt: skip
    assert len(table) == len(library)
    return {"CSV": segments.csv_bytes(table)}


def dashboard_tables(v: View) -> dict[str, bytes]:
    kpis = dashboard.kpis(sample(), v.selection, v.interval)
    tops = dashboard.top_lists(sample(), v.selection, v.interval)
    return {
        "KPIs CSV": table_csv(kpis.table),
        "Top lists CSV": table_csv(dashboard.top_table(tops)),
    }


def events_tables(v: View) -> dict[str, bytes]:
    key, segment = v.params["e_key"], v.params["e_seg"]
    keys, _ = events.per_key(sample(), v.selection, v.interval)
    daily = events.over_time(sample(), v.selection, v.interval, key)
    breakdown = events.breakdown(sample(), v.selection, v.interval, key, segment)
    tables = {"Events": keys, "Daily": daily, "Breakdown": breakdown}
    return {f"{label} CSV": table_csv(frame) for label, frame in tables.items()}


# -- the vendor request each page shows -----------------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    body: str | None = None
    method: str = "GET"
    headers: dict[str, str] | None = None

    def answer(self, v: View) -> bytes:
        response = sample().request(self.url, self.body, self.method, self.headers, now=v.now)
        assert response.status == 200, response.body[:300]
        return response.body


def opentracker_request(data_type: str) -> Callable[[str, View], Request]:
    """The shown Opentracker URL (json) as the download of ``data_type`` requests it."""

    def request(shown: str, v: View) -> Request:
        assert shown.startswith("/api/") and "dataType=json" in shown, shown
        return Request(shown.replace("dataType=json", f"dataType={data_type}"))

    return request


def countly_request(shown: str, v: View) -> Request:
    """The shown Countly URL with the app's real read key (the screen hides it)."""
    key = site_keys(sample().store, v.selection.sites[0])["countly_api_key"]
    masked = f"api_key={dashboard.MASK}"
    assert masked in shown, shown
    return Request(shown.replace(masked, urlencode({"api_key": key})))


def giosg_request(shown: str, v: View) -> Request:
    """The shown giosg POST (first line the URL, the JSON body after a blank line)."""
    head, _, body = shown.partition("\n\n")
    method, url = head.splitlines()[0].split(" ", 1)
    token = site_keys(sample().store, v.selection.sites[0])["giosg_token"]
    return Request(url, json.dumps(json.loads(body)), method, {"Authorization": f"Token {token}"})


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def json_tree(body: bytes, wrap: Callable[[float], object] = float) -> object:
    """A JSON answer to compare: its floating-point numbers ``wrap``ped."""
    return _wrapped(json.loads(body), wrap)


def _wrapped(node: object, wrap: Callable[[float], object]) -> object:
    if isinstance(node, dict):
        return {k: _wrapped(v, wrap) for k, v in node.items()}
    if isinstance(node, list):
        return [_wrapped(v, wrap) for v in node]
    return wrap(node) if isinstance(node, float) else node


def csv_table(body: bytes, wrap: Callable[[float], object] = float) -> list[list[object]]:
    """A vendor's CSV as rows of cells (its lines need not share the header's width)."""
    lines = csv.reader(io.StringIO(body.decode("utf-8")))
    return [[_number(cell, wrap) for cell in line] for line in lines]


PARSERS = {"json": json_tree, "csv": csv_table}  # a vendor format -> its comparable parse


def opentracker_ids() -> dict[str, str | None]:
    return sample().sites().set_index("site_id")["opentracker_site"].to_dict()


def geography_url(v: View) -> Request:
    drill = parse(v.params, zones()).drill
    return Request(geography.opentracker_url(v.selection, drill, opentracker_ids(), v.zone,
                                             v.today, "json"))  # fmt: skip


def sessions_url(v: View) -> Request:
    view = sessions_view(v)
    return Request(s.opentracker_url(v.selection, view, opentracker_ids(), v.zone, v.today, "csv"))


def segments_url(v: View) -> Request:
    b = segments.parse(v.params).builder
    keys = site_keys(sample().store, v.selection.sites[0])
    request = segments.giosg_request(b, b.a, str(keys["giosg_org_id"]), v.interval)
    headers = {"Authorization": f"Token {keys['giosg_token']}"}
    return Request(request.url, json.dumps(request.body), "POST", headers)


def dashboard_url(v: View) -> Request:
    return Request(dashboard.countly_url(site_keys(sample().store, v.selection.sites[0])))


def events_url(v: View) -> Request:
    keys = site_keys(sample().store, v.selection.sites[0])
    urls = events.countly_urls(keys, v.params["e_key"], v.params["e_seg"], today_only=False)
    return Request(urls["events"])


# -- the pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A page at a fixed view of the sample and its exports."""

    path: str  # the page's URL path
    params: dict[str, str]  # the sidebar's and the page's own URL parameters
    title: str  # a heading once the view is drawn
    tables: Callable[[View], dict[str, bytes]]  # CSV button -> the bytes its rows must be
    png: str  # the PNG button
    png_size: tuple[int, int]
    vendor: str  # the vendor-format button
    vendor_format: str  # a key of PARSERS
    request: Callable[[str, View], Request]  # the shown request -> what the download answers
    expected: Callable[[View], Request]  # the view's request, from the page's pure module


# Gaps (no such button on the page, so not tested; reported to issue 6's owner):
# - Sessions: the session list has no chart and no PNG; the PNG tested is the open session's
#   timeline ("PNG timeline", the detail view), the one image the page offers.
# - No page offers an XML vendor export (e.g. Clicky `countries` xml for the geography view);
#   the vendor formats offered are Opentracker json/csv, giosg JSON and Countly json.
OT, COUNTLY, GIOSG = "www.opentracker.net", "countly-app", "giosg-shop"
CASES = {
    "geography": Case(
        "", {"site": OT, "period": PERIOD, "country": "US"}, "Regions", geography_tables,
        "PNG map", FULL, "Opentracker json", "json", opentracker_request("json"), geography_url,
    ),
    "sessions": Case(
        "sessions", {"site": OT, "period": PERIOD, "s_search": "pricing"}, "Session detail",
        sessions_tables, "PNG timeline", (images.WIDTH * images.PNG_SCALE, 300 * images.PNG_SCALE),
        "Opentracker csv", "csv", opentracker_request("csv"), sessions_url,
    ),
    "segments": Case(
        "segments", {"site": GIOSG, "period": PERIOD, "dims": "device_type"}, "Table",
        segments_tables, "PNG chart", FULL, "giosg JSON", "json", giosg_request, segments_url,
    ),
    "dashboard": Case(
        "dashboard", {"site": COUNTLY, "period": PERIOD}, "Over time", dashboard_tables,
        "Daily PNG", FULL, "Countly dashboard json", "json", countly_request, dashboard_url,
    ),
    "events": Case(
        "events", {"site": COUNTLY, "period": PERIOD, "e_key": "level_fail", "e_seg": "mode"},
        "By segment value", events_tables, "PNG chart", FULL, "Countly events json", "json",
        countly_request, events_url,
    ),
}  # fmt: skip


def first_session(params: dict[str, str]) -> dict[str, str]:
    """The Sessions view with its newest session open (the timeline is the page's PNG)."""
    v = view_of(params)
    rows = s.list_page(sample(), v.selection, v.interval, sessions_view(v)).frame
    return {**params, "s_session": str(rows["session_id"].iloc[0])}


def cells(row: dict[str, str], wrap: Callable[[float], object] = float) -> dict[str, object]:
    """A CSV row to compare: numbers as numbers (``wrap``ped), other cells as text."""
    return {k: _number(v, wrap) for k, v in row.items()}


def near(value: float) -> object:
    """Equal to 12 significant digits: DuckDB sums floating-point values in a parallel order,
    so a sum's last digits vary between runs (seen: events_sum 1727.590000000004 / ...42)."""
    return pytest.approx(value, rel=1e-12, abs=1e-9)


def _number(text: str, wrap: Callable[[float], object]) -> object:
    try:
        value = float(text)
    except ValueError:
        return text
    return text if value != value else wrap(value)


def download(page, label: str) -> bytes:
    with page.expect_download(timeout=90_000) as started:
        page.get_by_role("button", name=label, exact=True).click()
    return Path(started.value.path()).read_bytes()


@pytest.mark.parametrize("name", list(CASES))
def test_every_export_of_the_page_holds_the_view(name, offline_page, app_url, tmp_path) -> None:
    case = CASES[name]
    params = first_session(case.params) if name == "sessions" else case.params
    v = view_of(params)
    page = offline_page
    page.goto(f"{app_url}/{case.path}?{urlencode(params)}")
    vendor = page.get_by_role("button", name=case.vendor, exact=True)
    vendor.wait_for(timeout=120_000)  # near the page's end: its first run is almost over
    heading(page, case.title)
    settle(page)
    shown = page.get_by_test_id("stCode").first.locator("code").inner_text().strip()
    page.unroute("**/*")  # Chromium cancels downloads of an intercepted page

    for label, expected in case.tables(v).items():
        rows = csv_rows(download(page, label))
        wanted = csv_rows(expected)
        assert len(rows) == len(wanted) > 0, f"{name}: {label}"  # every row of the view
        assert [cells(r) for r in rows] == [cells(r, near) for r in wanted], f"{name}: {label}"

    png = tmp_path / f"{name}.png"
    png.write_bytes(download(page, case.png))
    assert Image.open(png).size == case.png_size  # print resolution (2x)
    assert drawn_share(png) > 0.01, png  # axes, marks and labels, not a blank frame

    request = case.request(shown, v)
    assert request == case.expected(v), name  # the page shows the view's request
    body = download(page, case.vendor)
    parse_as = PARSERS[case.vendor_format]
    assert parse_as(body)  # parses as its format, and is not empty
    assert parse_as(body) == parse_as(request.answer(v), near)  # Workbench.request's answer
