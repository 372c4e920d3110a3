"""Journeys a person takes on the Geography page, in a real headless Chromium against a real `workbench run`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from browser_kit import choose, click_row, drawn_share, heading
from sample_store import sample

from workbench.reports import top_locations
from workbench.timeframe import Interval

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it

SITE = "www.opentracker.net"


def test_analyst_opens_the_documented_day_of_opentracker(offline_page, app_url) -> None:
    page = offline_page
    page.goto(f"{app_url}/?site={SITE}")
    heading(page, "Countries")
    choose(page, "Period", "today")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_text("America/New_York (sample as_of 2024-11-19)").wait_for(timeout=15_000)
    metrics = page.get_by_test_id("stMetricValue")
    metrics.first.filter(has_text="1,876").wait_for(timeout=15_000)
    assert metrics.all_inner_texts() == ["1,876", "2,151"]
    assert "period=1d" in page.url  # the view is a link


def test_analyst_drills_to_california_and_back_offline(offline_page, app_url, tmp_path) -> None:
    page = offline_page
    page.goto(f"{app_url}/?site={SITE}")
    heading(page, "Countries")
    world_map = page.get_by_test_id("stPlotlyChart").first
    page.locator(".geo .countries path").first.wait_for(state="attached", timeout=15_000)
    world_map.screenshot(path=tmp_path / "world.png")
    assert drawn_share(tmp_path / "world.png") > 0.15, tmp_path / "world.png"
    assert not [u for u in page.blocked if "topojson" in u]  # shapes came from the app

    click_row(page, 1)  # the United States
    heading(page, "Regions")
    assert "country=US" in page.url
    click_row(page, 1)  # California
    heading(page, "Cities")
    assert "region=CA" in page.url
    for crumb in ("World", "United States"):
        page.get_by_role("button", name=crumb, exact=True).wait_for()
    page.locator(".scattergeo path.point").first.wait_for(state="attached", timeout=15_000)
    page.get_by_test_id("stPlotlyChart").first.screenshot(path=tmp_path / "california.png")
    assert drawn_share(tmp_path / "california.png") > 0.15, tmp_path / "california.png"

    page.get_by_role("button", name="United States", exact=True).click()
    heading(page, "Regions")
    assert "region=" not in page.url
    page.unroute("**/*")  # Chromium cancels downloads of an intercepted page; the map is done
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    interval = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), "America/New_York")
    expected = top_locations(sample(), interval, "region", sites=(SITE,), country="US").frame
    assert [r["code"] for r in rows[:-1]] == expected["region_code"].tolist()
    assert [int(r["users"]) for r in rows[:-1]] == expected["users"].tolist()
    assert rows[-1]["location"] == "Total"
    assert int(rows[-1]["users"]) == expected["users"].sum()

    page.get_by_role("button", name="World", exact=True).click()
    heading(page, "Countries")
    assert "country=" not in page.url
