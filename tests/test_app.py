"""The app's pages, run by Streamlit's AppTest on the sample store."""

from __future__ import annotations

from pathlib import Path

from sample_store import sample
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def test_app_starts_on_the_overview() -> None:
    sample()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "Analyst workbench"


def test_overview_shows_the_documented_day_for_opentracker() -> None:
    sample()
    page = AppTest.from_file(str(ROOT / "workbench/ui/pages/overview.py"), default_timeout=60).run()
    assert not page.exception
    page.selectbox(key="overview_site").select("www.opentracker.net").run()
    page.selectbox(key="overview_days").select(1).run()
    assert (
        page.caption[0].value
        == "Now = 2024-11-19 23:59 America/New_York (sample as_of 2024-11-19)."
    )
    metrics = {m.label: m.value for m in page.metric}
    assert metrics == {"Users": "1,876", "Sessions": "2,151"}
    top = page.dataframe[0].value
    assert top.iloc[0]["country_name"] == "India" and top.iloc[0]["users"] == 479
