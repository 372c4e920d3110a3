"""Journeys a person takes, in a real headless Chromium against a real `workbench run`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sample_store import sample
from served_app import running_app

from workbench.reports import top_locations
from workbench.timeframe import Interval

playwright = pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it
pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by `make test`
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SITE = "www.opentracker.net"
ROW_PX = 35  # st.dataframe's header and row height
MARKER_PX = 16  # the middle of a row's selection checkbox, from the grid's left edge


@pytest.fixture(scope="module")
def app_url():
    sample()  # built before the server starts
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def offline_page(browser, app_url):
    """A tab whose requests to anything but the app (127.0.0.1) are aborted."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    blocked: list[str] = []

    def local_only(route) -> None:
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    tab.route("**/*", local_only)
    tab.blocked = blocked
    yield tab
    context.close()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def settle(page) -> None:
    """Wait until the app's script run is over and its tables have drawn.

    A heading of the new view can show before the run ends, while the table below it is
    still the previous view's: a click then lands on the wrong table, or on none.
    """
    page.wait_for_timeout(300)  # let a rerun that a click started begin
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=30_000)
    page.get_by_test_id("stDataFrame").first.locator("canvas").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)  # the grid paints its canvas after the run


def click_row(page, index: int) -> None:
    """Tick row ``index`` (0 is the first under the header) of the page's first table."""
    settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + MARKER_PX, box["y"] + ROW_PX * (index + 1) + ROW_PX // 2)


def heading(page, text: str) -> None:
    page.get_by_role("heading", name=text, exact=True).wait_for(timeout=30_000)


def drawn_share(png: Path) -> float:
    """The share of pixels in a screenshot that are not the white page background."""
    pixels = np.asarray(Image.open(png).convert("RGB"))
    return float((pixels.min(axis=2) < 240).mean())


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
