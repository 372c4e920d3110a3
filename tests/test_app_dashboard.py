"""The Dashboard page, run by Streamlit's AppTest on the sample store: its widgets drive it
without an exception, and its numbers are the library's and Countly's dashboard answer's."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markdown_text import read
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench import Query
from workbench import filters as f
from workbench.reports import previous_interval, segmentation
from workbench.sites import site_keys
from workbench.timeframe import Interval
from workbench.ui import dashboard
from workbench.ui.selection import Selection

ROOT = Path(__file__).resolve().parent.parent
PAGE = "workbench/ui/pages/dashboard.py"
APP, ZONE = "countly-app", "Europe/Istanbul"
WEEK = Interval.from_dates(dt.date(2024, 11, 13), dt.date(2024, 11, 19), ZONE)
TODAY = Interval.from_dates(dt.date(2024, 11, 19), dt.date(2024, 11, 19), ZONE)
COUNTLY_KEYS = {  # Countly's Y object -> the KPI it answers
    "total_sessions": "sessions",
    "total_users": "users",
    "new_users": "new_users",
}


def page(**params: str) -> AppTest:
    sample()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    test.query_params.update(params)
    test.switch_page(PAGE)
    return rerun(test)


def rerun(test: AppTest) -> AppTest:
    test.run()
    assert not test.exception, test.exception
    return test


def chart_ys(test: AppTest, index: int) -> list[list[float]]:
    """The y values of each trace of the page's ``index``-th Plotly chart."""
    spec = json.loads(test.get("plotly_chart")[index].proto.spec)
    return [_values(trace["y"]) for trace in spec["data"]]


def _values(y: object) -> list[float]:
    if isinstance(y, dict):  # plotly's typed array: base64 of the numbers
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    return list(y)


def kpi_table(test: AppTest) -> pd.DataFrame:
    return test.dataframe[0].value.set_index("metric")


def totals(interval: Interval, site: str = APP, where: f.Filter | None = None) -> pd.Series:
    q = Query(interval, sites=(site,), metrics=dashboard.METRICS, filter=where)
    return sample().query(q).frame.iloc[0]


def test_the_week_kpis_are_the_librarys_with_their_change() -> None:
    test = page(site=APP, period="7d")
    assert test.title[0].value == "Dashboard"
    table = kpi_table(test)
    now, before = totals(WEEK), totals(previous_interval(WEEK))
    for metric in dashboard.METRICS:
        assert table.loc[metric, "value"] == pytest.approx(now[metric])
        assert table.loc[metric, "previous"] == pytest.approx(before[metric])
        change = (now[metric] - before[metric]) / before[metric]
        assert table.loc[metric, "change"] == pytest.approx(change)
    cards = {m.label: m for m in test.metric}
    assert cards["Sessions"].value == f"{int(now['sessions']):,}"
    assert cards["Users"].value == f"{int(now['users']):,}"
    assert cards["Sessions"].delta == f"{table.loc['sessions', 'change']:+.1%}"
    assert cards["Average time"].value == dashboard.duration(now["avg_duration"])
    assert cards["Sessions"].help.startswith("Visits started in the interval")


def test_the_kpis_match_countlys_dashboard_answer_for_the_same_app_and_period() -> None:
    test = page(site=APP, period="7d")
    url = dashboard.countly_url(site_keys(sample().store, APP))  # what the download requests
    assert test.code[0].value == dashboard.masked(url)
    assert test.code[0].value.startswith("/o/analytics/dashboard?api_key=********&app_id=")
    answer = json.loads(sample().request(url).body)["7days"]["dashboard"]
    table = kpi_table(test)
    for countly_key, metric in COUNTLY_KEYS.items():
        assert answer[countly_key]["total"] == table.loc[metric, "value"]
        change = f"{round(table.loc[metric, 'change'] * 100, 1):.1f}%"
        assert answer[countly_key]["change"] == change
    assert answer["avg_requests"]["total"] == round(table.loc["actions_per_session", "value"], 1)
    top = json.loads(sample().request(url).body)["7days"]["top"]
    for name, index in (("platforms", 1), ("resolutions", 2)):
        shown = test.dataframe[index].value.head(3)
        assert [(t["name"], t["value"]) for t in top[name]] == list(
            zip(shown["value"], shown["sessions"], strict=True)
        )


def test_switching_to_today_writes_the_url_and_shows_today() -> None:
    test = page(site=APP, period="30d")
    test.segmented_control(key="dash_period_30d").set_value("1d")
    rerun(test)
    assert test.query_params["period"] == "1d"
    table = kpi_table(test)
    assert table.loc["sessions", "value"] == totals(TODAY)["sessions"]
    library = segmentation(sample(), TODAY, ("sessions",), (), "hour", sites=(APP,)).frame
    assert chart_ys(test, 0)[0] == library["sessions"].tolist() and len(library) == 24


def test_the_year_ago_toggle_adds_the_same_weekdays_52_weeks_back() -> None:
    test = page(site=APP, period="7d")
    test.toggle(key="dash_year").set_value(True)
    rerun(test)
    table = kpi_table(test)
    year = Interval.from_dates(dt.date(2023, 11, 15), dt.date(2023, 11, 21), ZONE)
    assert year.local_start.weekday() == WEEK.local_start.weekday()
    was = totals(year)
    for metric in dashboard.METRICS:
        assert table.loc[metric, "year_ago"] == pytest.approx(was[metric])
    assert "A year earlier (same weekdays)" in {m.label: m for m in test.metric}["Users"].help


def test_top_lists_hold_every_value_beside_the_previous_period() -> None:
    test = page(site=APP, period="7d", compare="1")
    countries = test.dataframe[4].value
    library = segmentation(
        sample(), WEEK, ("sessions", "users"), ("country_name",), "all", sites=(APP,)
    ).frame
    assert countries["sessions"].sum() == library["sessions"].sum()
    assert len(countries) == len(library)
    assert countries.iloc[0]["value"] == "Turkey"
    top = library.sort_values("sessions", ascending=False).iloc[0]
    assert countries.iloc[0]["sessions"] == top["sessions"]
    before = segmentation(
        sample(), previous_interval(WEEK), ("sessions",), ("country_name",), "all", sites=(APP,)
    ).frame.set_index("country_name")
    assert countries.iloc[0]["sessions_previous"] == before.loc["Turkey", "sessions"]
    platforms = test.dataframe[1].value
    assert set(platforms["value"]) == {"Android", "iOS"}
    assert platforms["share"].sum() == pytest.approx(1.0)


def test_the_daily_chart_draws_the_librarys_series_and_its_comparison() -> None:
    test = page(site=APP, period="7d", compare="1")
    test.selectbox(key="dash_metric").select("users")
    rerun(test)
    spec = json.loads(test.get("plotly_chart")[1].proto.spec)
    assert [t["name"] for t in spec["data"]] == ["this period", "previous period"]
    now, before = (
        segmentation(sample(), WEEK, ("users",), sites=(APP,)).frame,
        segmentation(sample(), previous_interval(WEEK), ("users",), sites=(APP,)).frame,
    )
    assert chart_ys(test, 1) == [now["users"].tolist(), before["users"].tolist()]
    hours = segmentation(sample(), WEEK, ("users",), ("local_hour",), "all", sites=(APP,)).frame
    assert chart_ys(test, 0)[0] == hours.sort_values("local_hour")["users"].tolist()
    labels = [b.label for b in test.get("download_button")]
    for label in ("KPIs CSV", "Top lists CSV", "Hourly PNG", "Daily SVG", "Countly dashboard json"):
        assert label in labels


def test_bot_sessions_left_out_are_counted() -> None:
    site = "www.opentracker.net"
    test = page(site=site, period="7d")
    week = Interval.from_dates(dt.date(2024, 11, 13), dt.date(2024, 11, 19), "America/New_York")
    q = Query(week, sites=(site,), metrics=("sessions",))
    result = sample().query(q)
    assert kpi_table(test).loc["sessions", "value"] == result.frame["sessions"][0]
    captions = [c.value for c in test.sidebar.caption]
    assert f"{result.excluded_bots:,} bot sessions left out (Include bot sessions)." in captions
    assert "none of the chosen sites is a Countly app" in " ".join(c.value for c in test.caption)


def test_the_sidebar_segment_filters_every_number() -> None:
    test = page(site=APP, period="7d", seg="country_code=TR")
    turkey = f.Eq("country_code", "TR")
    table = kpi_table(test)
    now, before = totals(WEEK, where=turkey), totals(previous_interval(WEEK), where=turkey)
    assert table.loc["users", "value"] == now["users"]
    assert table.loc["users", "previous"] == before["users"]
    assert test.dataframe[4].value["value"].tolist() == ["Turkey"]
    captions = " ".join(c.value for c in test.main.caption)
    assert "no segment" in captions  # Countly's dashboard cannot carry it


def test_the_pages_choices_are_a_link() -> None:
    test = page(site=APP, period="7d", d_year="1", d_chart="users")
    assert test.toggle(key="dash_year").value is True
    assert test.selectbox(key="dash_metric").value == "users"
    assert "year_ago" in kpi_table(test)
    test.selectbox(key="dash_metric").select("avg_duration")
    rerun(test)
    assert test.query_params["d_chart"] == "avg_duration"
    assert test.query_params["d_year"] == "1"
    test.toggle(key="dash_year").set_value(False)
    rerun(test)
    assert "d_year" not in test.query_params and "year_ago" not in kpi_table(test)


def test_bad_choices_in_the_url_are_named_and_ignored() -> None:
    test = page(site=APP, period="7d", d_chart="revenue", d_year="yes")
    warnings = [read(w.value) for w in test.main.warning]
    assert any(w.startswith("d_chart: 'revenue' is not a KPI") for w in warnings)
    assert any(w.startswith("d_year: 'yes' is not a switch") for w in warnings)
    assert test.selectbox(key="dash_metric").value == "sessions"


def test_the_top_lists_export_holds_every_row_of_every_list() -> None:
    selection = Selection((APP,), "7d", compare=True)
    lists = dashboard.top_lists(sample(), selection, WEEK, ("previous",))
    table = dashboard.top_table(lists)
    assert len(table) == sum(len(frame) for frame in lists.values())
    assert list(table.columns[:2]) == ["list", "value"] and "sessions_previous" in table
    assert table.groupby("list")["sessions"].sum().tolist() == [totals(WEEK)["sessions"]] * 4


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"period": "90d"}, dt.date(2024, 8, 22), dt.date(2024, 11, 19)),
        ({"period": "custom", "from": "2024-11-01", "to": "2024-11-10"},
         dt.date(2024, 11, 1), dt.date(2024, 11, 10)),
    ],
)  # fmt: skip
def test_any_sidebar_period_works_and_countly_says_it_has_no_such_part(params, first, last) -> None:
    test = page(site=APP, **params)
    span = Interval.from_dates(first, last, ZONE)
    assert kpi_table(test).loc["sessions", "value"] == totals(span)["sessions"]
    assert test.segmented_control(key=f"dash_period_{params['period']}").value is None
    assert "none of them is this period" in " ".join(c.value for c in test.main.caption)
