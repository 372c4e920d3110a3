"""Journeys in a real headless Chromium against a real `workbench run`: a shared URL reopens the
same view in a new browser, and the API console downloads exactly Workbench.request's bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from browser_kit import choose, click_row, heading, settle
from sample_store import sample

from workbench import filters as f
from workbench.reports import compare, top_locations
from workbench.timeframe import Interval

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it

SITE = "www.opentracker.net"
ZONE = "America/New_York"
SEGMENT = "device_type=mobile"
VIEWPORT = {"width": 1400, "height": 1000}


def download(page, name: str) -> bytes:
    with page.expect_download() as done:
        page.get_by_role("button", name=name, exact=True).click()
    return Path(done.value.path()).read_bytes()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def view(page) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """What the Geography view shows: KPI values, their deltas, and its table (as its CSV)."""
    settle(page)
    values = page.get_by_test_id("stMetricValue").all_inner_texts()
    deltas = page.get_by_test_id("stMetricDelta").all_inner_texts()
    return values, deltas, csv_rows(download(page, "CSV"))


def test_a_shared_url_reopens_the_same_view(browser, app_url) -> None:
    interval = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), ZONE)
    where = f.Eq("device_type", "mobile")
    expected = compare(
        sample(), top_locations, interval, level="region", sites=(SITE,), country="US", where=where
    ).frame
    first = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = first.new_page()
    page.goto(f"{app_url}/?site={SITE}")
    heading(page, "Countries")
    click_row(page, 1)  # the United States
    heading(page, "Regions")
    page.get_by_label("Segment", exact=True).fill(SEGMENT)
    page.get_by_text("Compare with the previous period", exact=True).click()
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url("**seg=device_type*", timeout=30_000)
    users = f"{expected['users'].sum():,}"
    page.get_by_test_id("stMetricValue").first.filter(has_text=users).wait_for(timeout=30_000)
    shown = view(page)
    assert shown[0] == [users, f"{expected['sessions'].sum():,}"]
    assert len(shown[1]) == 2  # the comparison's deltas
    assert [r["code"] for r in shown[2][:5]] == expected["region_code"].head(5).tolist()
    assert "users_previous" in shown[2][0]
    url = page.url
    assert "country=US" in url and "compare=1" in url

    second = browser.new_context(viewport=VIEWPORT, accept_downloads=True)  # nothing shared
    again = second.new_page()
    again.goto(url)
    heading(again, "Regions")
    again.get_by_test_id("stMetricValue").first.filter(has_text=users).wait_for(timeout=30_000)
    reopened = view(again)
    assert reopened[:2] == shown[:2]
    assert reopened[2][:10] == shown[2][:10]
    assert again.get_by_label("Segment", exact=True).input_value() == SEGMENT
    first.close()
    second.close()


def test_the_api_console_returns_the_same_bytes_as_workbench_request(browser, app_url) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{app_url}/console?site={SITE}")
    heading(page, "API console")
    choose(page, "detailLevel", "region")
    page.get_by_label("countryCode", exact=True).fill("US")
    page.get_by_role("button", name="Send request").click()
    page.get_by_test_id("stRadio").get_by_text("csv", exact=True).click()
    page.get_by_role("button", name="Download (csv)").wait_for(timeout=30_000)
    page.get_by_text("Show credentials", exact=True).click()
    code = page.get_by_test_id("stCode").first.locator("code")
    code.filter(has_text="password=demo123").wait_for(timeout=30_000)  # the demo login's
    url = code.inner_text().strip()
    assert "detailLevel=region&countryCode=US" in url and "dataType=csv" in url
    body = download(page, "Download (csv)")
    now = sample().clock(dt.datetime.now(dt.UTC), ZONE).now
    expected = sample().request(url, now=now)
    assert expected.status == 200 and expected.media_type.startswith("text/csv")
    assert body == expected.body
    assert csv_rows(body)[0]["country / region / city"] == "New York"
    context.close()
