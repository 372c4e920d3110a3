"""Playwright kit for browser journeys: Debian's chromium, the served app, offline tabs, Streamlit helpers.

tests/conftest.py registers this module as a plugin, so the fixtures (``app_url``, ``browser``,
``offline_page``) reach every test; test modules import the helpers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sample_store import sample
from served_app import running_app

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
    playwright = pytest.importorskip("playwright.sync_api")  # a test extra; `make test` installs it
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
