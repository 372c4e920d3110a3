"""A journey on the Sessions page in a real headless Chromium against a real `workbench run`:
search sessions, open one, download every session of the view."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from browser_kit import click_row, heading, settle
from sample_store import sample

from workbench.dialects.opentracker_sessions import session_filter
from workbench.query import MAX_LIMIT
from workbench.reports import session_list
from workbench.timeframe import Interval

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it

SITE = "www.opentracker.net"
LAST_30 = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), "America/New_York")


def test_analyst_searches_sessions_and_opens_one(offline_page, app_url) -> None:
    where = session_filter({"search": "pricing"})
    expected = session_list(sample(), LAST_30, sites=(SITE,), where=where, limit=MAX_LIMIT).frame
    page = offline_page
    page.goto(f"{app_url}/sessions?site={SITE}")
    heading(page, "Sessions")
    settle(page)  # the first run is over: a submit now is not lost in it
    main = page.get_by_test_id("stMain")
    main.get_by_role("textbox", name="Search", exact=True).fill("pricing")
    main.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url("**s_search=pricing**", timeout=30_000)  # the view is a link
    page.get_by_text(f"Rows 1–25 of {len(expected):,}.").wait_for(timeout=30_000)

    click_row(page, 0)
    heading(page, "Session detail")
    first = expected["session_id"][0]
    page.get_by_text(f"Session {first}", exact=True).wait_for(timeout=30_000)
    assert f"s_session={first}" in page.url
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.wait_for(timeout=60_000)  # plotly.js loads on its first chart; slow on a busy machine
    chart.scroll_into_view_if_needed()
    page.locator(".scatterlayer .point").first.wait_for(state="attached", timeout=30_000)
    page.locator(".scattergeo path.point").first.wait_for(state="attached", timeout=15_000)
    assert not [u for u in page.blocked if "topojson" in u]  # the pin's map came from the app

    settle(page)
    page.unroute("**/*")  # Chromium cancels downloads of an intercepted page; the maps are done
    with page.expect_download() as download:
        page.get_by_role("button", name="Sessions CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert [r["session_id"] for r in rows] == expected["session_id"].tolist()
    assert [int(r["duration_s"]) for r in rows] == expected["duration_s"].tolist()
