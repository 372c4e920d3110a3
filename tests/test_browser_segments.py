"""Journeys on the Segments page, in a real headless Chromium against a real `workbench run`:
build a segment, compare it with the previous period, download its CSV and PNG."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from browser_kit import heading, settle
from PIL import Image
from sample_store import sample

from workbench import filters as f
from workbench.reports import compare, segmentation
from workbench.timeframe import Interval
from workbench.ui import images
from workbench.ui.segments import stamp

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it

SITE = "giosg-shop"
LAST_30 = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), "Europe/Helsinki")


def pick(page, label: str, option: str, nth: int = 0) -> None:
    """Choose ``option`` in a selectbox or multiselect: type to narrow the (virtual) list."""
    box = page.get_by_label(label, exact=True).nth(nth)
    box.click()
    box.press_sequentially(option[:8])
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)


def url_has(page, text: str) -> None:
    """Wait until the page's URL holds ``text`` (the run that writes it has ended)."""
    page.wait_for_function("t => location.search.includes(t)", arg=text, timeout=30_000)
    settle(page)


def headers(page, wanted: str) -> list[str]:
    """The table's column names, once ``wanted`` is among them (the grid draws after the run)."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.locator("[role=columnheader]", has_text=wanted).first.wait_for(
        state="attached", timeout=15_000
    )
    return grid.locator("[role=columnheader]").all_inner_texts()


def download(page, name: str) -> Path:
    with page.expect_download() as file:
        page.get_by_role("button", name=name, exact=True).click()
    return Path(file.value.path())


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_analyst_builds_a_segment(offline_page, app_url) -> None:
    page = offline_page
    page.goto(f"{app_url}/segments?site={SITE}")
    heading(page, "Segments")
    settle(page)
    pick(page, "Group by", "device_type")
    url_has(page, "dims=device_type")
    pick(page, "Metrics", "avg_duration")
    url_has(page, "avg_duration")
    page.get_by_role("button", name="Add condition").first.click()
    url_has(page, "a1=browser")  # a new condition on the browser, waiting for its value
    value = page.get_by_label("Value", exact=True).first
    value.fill("Chrome")
    value.press("Enter")
    url_has(page, "a1=browser%3Aeq%3AChrome")  # the segment is a link
    assert headers(page, "avg_duration")[:5] == [
        "bucket",
        "device_type",
        "sessions",
        "users",
        "avg_duration",
    ]
    page.locator(".js-plotly-plot .scatterlayer .trace").first.wait_for(timeout=15_000)

    page.unroute("**/*")  # Chromium cancels downloads of an intercepted page
    rows = csv_rows(download(page, "CSV"))
    expected = segmentation(
        sample(), LAST_30, ("sessions", "users", "avg_duration"), ("device_type",), "day",
        sites=(SITE,), where=f.Eq("browser", "Chrome"),
    ).frame  # fmt: skip
    assert len(rows) == len(expected)  # every row of the view, not a page of it
    assert [r["bucket"] for r in rows] == [stamp(b) for b in expected["bucket"]]
    assert [r["device_type"] for r in rows] == expected["device_type"].tolist()
    assert [int(r["sessions"]) for r in rows] == expected["sessions"].tolist()

    image = Image.open(download(page, "PNG chart"))
    assert image.size == (images.WIDTH * images.PNG_SCALE, images.HEIGHT * images.PNG_SCALE)
    pixels = np.asarray(image.convert("RGB"))
    assert (pixels.min(axis=2) < 240).mean() > 0.01  # axes, grid and lines, not a blank frame
    assert len({tuple(p) for p in pixels[::8, ::8].reshape(-1, 3)}) > 20  # coloured lines


def test_analyst_compares_with_the_previous_period(offline_page, app_url) -> None:
    page = offline_page
    page.goto(f"{app_url}/segments?site={SITE}&gran=week&dims=device_type")
    heading(page, "Segments")
    settle(page)
    assert "sessions_previous" not in headers(page, "device_type")
    page.get_by_text("Compare with the previous period", exact=True).click()
    page.get_by_role("button", name="Apply", exact=True).click()
    url_has(page, "compare=1")
    page.get_by_text("vs previous period").first.wait_for(timeout=30_000)
    settle(page)
    shown = headers(page, "sessions_previous")
    assert {"sessions_previous", "users_previous", "sessions_change"} <= set(shown), shown
    assert "compare=1" in page.url and "gran=week" in page.url  # the builder stayed

    page.unroute("**/*")
    rows = csv_rows(download(page, "CSV"))
    expected = compare(
        sample(), segmentation, LAST_30, metrics=("sessions", "users"),
        dimensions=("device_type",), granularity="week", sites=(SITE,),
    ).frame  # fmt: skip
    assert len(rows) == len(expected)
    assert [int(r["sessions"]) for r in rows] == expected["sessions"].tolist()
    previous = [int(float(r["sessions_previous"])) for r in rows]
    assert previous == expected["sessions_previous"].astype(int).tolist()
