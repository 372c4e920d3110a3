"""The Dashboard journey in a real headless Chromium against a real `workbench run`: open it,
switch the period, download the KPIs as CSV (read back) and a chart as PNG (decoded)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from browser_kit import drawn_share, heading
from PIL import Image
from sample_store import sample

from workbench import Query
from workbench.timeframe import Interval
from workbench.ui import dashboard
from workbench.ui.images import HEIGHT, PNG_SCALE, WIDTH

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it

APP, ZONE = "countly-app", "Europe/Istanbul"


def totals(first: dt.date) -> dict[str, float]:
    span = Interval.from_dates(first, dt.date(2024, 11, 19), ZONE)
    q = Query(span, sites=(APP,), metrics=dashboard.METRICS)
    return sample().query(q).frame.iloc[0].to_dict()


def download(page, label: str) -> Path:
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name=label, exact=True).click()
    return Path(started.value.path())


def test_analyst_switches_the_period_and_downloads_the_kpis_and_a_chart(
    offline_page, app_url, tmp_path
) -> None:
    page = offline_page
    page.goto(f"{app_url}/dashboard?site={APP}&period=7d")
    heading(page, "Dashboard")
    week = totals(dt.date(2024, 11, 13))
    values = page.get_by_test_id("stMetricValue")
    values.filter(has_text=f"{int(week['sessions']):,}").first.wait_for(timeout=30_000)

    page.get_by_role("radio", name="Last 30 days", exact=True).click()  # the period switch
    month = totals(dt.date(2024, 10, 21))
    values.filter(has_text=f"{int(month['sessions']):,}").first.wait_for(timeout=30_000)
    assert "period=30d" in page.url  # the view is a link
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=30_000)
    card = page.get_by_test_id("stMetric").first
    card.screenshot(path=tmp_path / "sessions-card.png")
    assert drawn_share(tmp_path / "sessions-card.png") > 0.05  # its value and trend drew

    page.unroute("**/*")  # Chromium cancels downloads of an intercepted page
    rows = list(csv.DictReader(io.StringIO(download(page, "KPIs CSV").read_text("utf-8"))))
    assert [r["metric"] for r in rows] == list(dashboard.METRICS)
    for row in rows:
        assert float(row["value"]) == pytest.approx(month[row["metric"]])
        assert row["definition"]

    png = tmp_path / "daily.png"
    png.write_bytes(download(page, "Daily PNG").read_bytes())
    image = Image.open(png)
    assert image.size == (WIDTH * PNG_SCALE, HEIGHT * PNG_SCALE)  # print resolution
    assert drawn_share(png) > 0.01, png  # lines, axes and labels, not a blank page
