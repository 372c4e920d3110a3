"""Journeys a person takes, in a real headless Chromium against a real `workbench run`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_store import sample
from served_app import running_app

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


@pytest.fixture(scope="module")
def app_url():
    sample()  # built before the server starts
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(app_url)
        yield tab
        browser.close()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_analyst_opens_the_documented_day_of_opentracker(page) -> None:
    page.get_by_text("Top countries").wait_for(timeout=30_000)
    choose(page, "Site", "www.opentracker.net")
    choose(page, "Period", "last 1 day")
    page.get_by_text("America/New_York (sample as_of 2024-11-19)").wait_for(timeout=15_000)
    metrics = page.get_by_test_id("stMetricValue")
    metrics.first.filter(has_text="1,876").wait_for(timeout=15_000)
    assert metrics.all_inner_texts() == ["1,876", "2,151"]
