"""The app's pages, run by Streamlit's AppTest on the sample store: every page, its main
widgets, and its numbers against the library's for the same selection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from markdown_text import read
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench.reports import previous_interval, top_locations
from workbench.timeframe import Interval
from workbench.ui.geography import TOTAL

ROOT = Path(__file__).resolve().parent.parent
SITE = "www.opentracker.net"
ZONE = "America/New_York"
LAST_30 = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), ZONE)


def app(**params: str) -> AppTest:
    sample()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.query_params.update(params)
    test.run()
    assert not test.exception, test.exception
    return test


def rerun(test: AppTest) -> AppTest:
    test.run()
    assert not test.exception, test.exception
    return test


def table(test: AppTest) -> pd.DataFrame:
    return test.dataframe[0].value


def assert_same_rows(shown: pd.DataFrame, expected: pd.DataFrame, name: str) -> None:
    """The table's rows (totals last) are the library's rows, in its order."""
    body, total = shown.iloc[:-1], shown.iloc[-1]
    assert body["location"].tolist() == expected[name].tolist()
    assert body["users"].tolist() == expected["users"].tolist()
    assert body["sessions"].tolist() == expected["sessions"].tolist()
    assert body["share"].tolist() == pytest.approx(expected["share"].tolist())
    assert total["location"] == TOTAL
    assert (total["users"], total["sessions"]) == (
        expected["users"].sum(),
        expected["sessions"].sum(),
    )


def test_app_starts_on_geography() -> None:
    test = app()
    assert test.title[0].value == "Geography"
    assert not test.sidebar.warning


def test_the_documented_day_of_opentracker() -> None:
    test = app(site=SITE, period="1d")
    captions = [c.value for c in test.sidebar.caption]
    assert "Now = 2024-11-19 23:59 America/New_York (sample as_of 2024-11-19)." in captions
    metrics = {m.label: m.value for m in test.metric}
    assert metrics == {"Users": "1,876", "Sessions": "2,151"}
    top = table(test)
    assert top.iloc[0]["location"] == "India" and top.iloc[0]["users"] == 479


@pytest.mark.parametrize(
    ("drill", "level", "name"),
    [
        ({}, "country", "country_name"),
        ({"country": "US"}, "region", "region_name"),
        ({"country": "US", "region": "CA"}, "city", "city"),
    ],
)
def test_every_level_shows_the_librarys_numbers(drill, level, name) -> None:
    test = app(site=SITE, **drill)
    expected = top_locations(sample(), LAST_30, level, sites=(SITE,), **drill).frame
    assert_same_rows(table(test), expected, name)
    bots = top_locations(sample(), LAST_30, level, sites=(SITE,), **drill).excluded_bots
    assert f"{bots:,} bot sessions left out (Include bot sessions)." in [
        c.value for c in test.sidebar.caption
    ]


def test_selecting_rows_drills_down_and_the_breadcrumb_goes_back_up() -> None:
    test = app(site=SITE)
    test.session_state["geo_table_country_None_None"] = {"selection": {"rows": [1], "columns": []}}
    rerun(test)  # row 1 is the United States
    assert test.query_params["country"] == "US"
    assert table(test).iloc[0]["location"] == "New York"
    test.session_state["geo_table_region_US_None"] = {"selection": {"rows": [1], "columns": []}}
    rerun(test)  # California
    assert table(test).iloc[0]["location"] == "Los Angeles"
    test.session_state["geo_table_city_US_CA"] = {"selection": {"rows": [2], "columns": []}}
    rerun(test)  # San Jose: its row and its sessions
    assert table(test)["location"].tolist() == ["San Jose"]
    sessions = test.dataframe[1].value
    assert len(sessions) == 100 and set(sessions["city"]) == {"San Jose"}
    assert [b.label for b in test.button][:3] == ["World", "United States", "California"]
    test.button(key="crumb_region").click()
    rerun(test)
    assert "region" not in test.query_params and test.query_params["country"] == "US"
    test.button(key="crumb_country").click()
    rerun(test)
    assert "country" not in test.query_params
    assert table(test).iloc[0]["location"] == "India"


def test_a_map_click_drills_down() -> None:
    test = app(site=SITE)
    test.session_state["geo_map_country_None_None"] = {
        "selection": {
            "points": [{"customdata": "IN"}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    rerun(test)
    assert test.query_params["country"] == "IN"
    expected = top_locations(sample(), LAST_30, "region", sites=(SITE,), country="IN").frame
    assert_same_rows(table(test), expected, "region_name")


def test_the_filters_form_writes_the_url_and_the_comparison() -> None:
    test = app(site=SITE)
    test.selectbox(key="filter_period").select("7d")
    test.toggle(key="filter_compare").set_value(True)
    test.button[-1].click()  # Apply (the form's submit)
    rerun(test)
    assert test.query_params["period"] == "7d" and test.query_params["compare"] == "1"
    week = Interval.from_dates(dt.date(2024, 11, 13), dt.date(2024, 11, 19), ZONE)
    now = top_locations(sample(), week, sites=(SITE,)).frame
    before = top_locations(sample(), previous_interval(week), sites=(SITE,)).frame
    shown = table(test)
    assert_same_rows(shown, now, "country_name")
    merged = now.merge(before, on="country_code", how="left", suffixes=("", "_previous"))
    assert shown.iloc[:-1]["users_previous"].fillna(-1).tolist() == (
        merged["users_previous"].fillna(-1).tolist()
    )
    assert (
        shown.iloc[-1]["users_previous"]
        == before[before["country_code"].isin(now["country_code"])]["users"].sum()
    )


def test_including_bots_counts_more_and_says_so() -> None:
    plain = table(app(site=SITE)).iloc[-1]["sessions"]
    test = app(site=SITE, bots="1")
    assert table(test).iloc[-1]["sessions"] > plain
    assert "Bot sessions are included." in [c.value for c in test.sidebar.caption]


def test_bad_parameters_are_messages_not_errors() -> None:
    test = app(site="nope", period="2w", region="CA")
    warnings = [w.value for w in test.sidebar.warning]
    assert len(warnings) == 3 and "site: 'nope' not found" in read(warnings[0])
    assert test.title[0].value == "Geography"


def test_the_opentracker_export_is_the_same_view() -> None:
    test = app(site=SITE, country="US")
    url = test.code[0].value
    assert url.startswith("/api/location/top_country_region_city.jsp?site=www.opentracker.net")
    answer = sample().request(url.replace("dataType=json", "dataType=csv"))
    vendor = pd.read_csv(pd.io.common.StringIO(answer.text), dtype=str, keep_default_na=False)
    shown = table(test).iloc[:-1]
    assert vendor["code"].iloc[:-1].tolist() == shown["code"].tolist()
    assert vendor["users"].iloc[:-1].str.replace(",", "").astype(int).tolist() == (
        shown["users"].tolist()
    )


def test_the_data_page_describes_the_store() -> None:
    sample()
    test = AppTest.from_file(str(ROOT / "workbench/ui/pages/data.py"), default_timeout=60).run()
    assert not test.exception, test.exception
    facts = sample().info()
    metrics = {m.label: m.value for m in test.metric}
    assert metrics["Sessions"] == f"{facts['rows']['sessions']:,}"
    assert metrics["as_of"] == "2024-11-19"
    test.radio(key="data_fields_table").set_value("events")
    rerun(test)
    assert "event_id" in test.dataframe[-1].value["dimension"].tolist()


@pytest.mark.slow
def test_the_map_exports_as_a_print_resolution_png_and_an_svg_offline() -> None:
    """kaleido draws the map from the shipped topojson (plotly would fetch it from a CDN)."""
    import io
    import xml.etree.ElementTree as ET

    import numpy as np
    from PIL import Image

    from workbench.ui import geography, images, maps
    from workbench.ui.selection import Drill, Selection

    drill = Drill("US")
    result = geography.locations(sample(), Selection((SITE,)), drill, LAST_30)
    view = geography.view_table(result, "region")
    fig = maps.figure(view.frame, view.codes, drill)
    image = Image.open(io.BytesIO(images.png(fig)))
    assert image.size == (images.WIDTH * images.PNG_SCALE, images.HEIGHT * images.PNG_SCALE)
    pixels = np.asarray(image.convert("RGB"))
    assert (pixels.min(axis=2) < 240).mean() > 0.2  # land and bubbles, not a blank frame
    svg = ET.fromstring(images.svg(fig))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    bubbles = svg.findall(".//{http://www.w3.org/2000/svg}path[@class='point']")
    assert len(bubbles) >= 30  # a bubble per region with a known place (38 in these 30 days)
    land = svg.find(".//{http://www.w3.org/2000/svg}g[@class='layer land']")
    assert land is not None and len(land) > 0  # the base map, drawn from the shipped topojson


def test_the_sidebar_keeps_its_filters_on_every_page() -> None:
    """Drawn by app.py, the filters are the same widgets on every page: a page change keeps
    the form as the link says, so Apply on another page does not lose the sites."""
    test = app(site=SITE, period="30d", tz="Europe/Helsinki")
    for path in ("workbench/ui/pages/sessions.py", "workbench/ui/pages/dashboard.py"):
        test.switch_page(path)
        rerun(test)
        assert test.sidebar.multiselect[0].value == [SITE]
        assert test.sidebar.selectbox[0].value == "30d"
        assert test.sidebar.selectbox[1].value == "Europe/Helsinki"
    test.sidebar.toggle[1].set_value(True)  # compare, then Apply
    next(b for b in test.sidebar.button if b.label == "Apply").click()
    rerun(test)
    assert dict(test.query_params) == {
        "site": SITE, "period": "30d", "tz": "Europe/Helsinki", "compare": "1"
    }  # fmt: skip
