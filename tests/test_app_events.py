"""The Events page, run by Streamlit's AppTest on the sample store: its widgets drive it
without an exception, and its numbers are the library's and Countly's events answer's."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from markdown_text import read
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench import Order, Query
from workbench import filters as f
from workbench.reports import previous_interval, segmentation
from workbench.sites import site_keys
from workbench.timeframe import Interval
from workbench.ui import events
from workbench.ui.dashboard import masked

ROOT = Path(__file__).resolve().parent.parent
PAGE = "workbench/ui/pages/events.py"
APP, ZONE = "countly-app", "Europe/Istanbul"
WEEK = Interval.from_dates(dt.date(2024, 11, 13), dt.date(2024, 11, 19), ZONE)
METRICS = ("events", "events_sum", "events_duration", "users", "sessions")


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


def choose(test: AppTest, event: str, segment: str | None = None) -> AppTest:
    test.selectbox(key="events_key").select(event)
    rerun(test)
    if segment is not None:
        test.selectbox(key="events_segment").select(segment)
        rerun(test)
    return test


def library(interval: Interval, dimensions=(), granularity="all", where=None) -> pd.DataFrame:
    where = where or f.Not(f.IsNull("key"))
    return segmentation(
        sample(), interval, METRICS, dimensions, granularity,
        sites=(APP,), table="events", where=where,
    ).frame  # fmt: skip


def same(shown: pd.Series, expected: pd.Series) -> None:
    assert shown.fillna(-1).tolist() == pytest.approx(expected.fillna(-1).tolist())


def test_every_event_key_with_the_librarys_totals() -> None:
    test = page(site=APP, period="7d")
    assert test.title[0].value == "Events"
    keys = test.dataframe[0].value
    expected = library(WEEK, ("key",)).set_index("key").loc[keys["key"]]
    for metric in METRICS:
        same(keys[metric], expected[metric])
    assert keys["events"].is_monotonic_decreasing
    assert set(keys["key"]) == {
        "[CLY]_view", "level_success", "level_fail", "add_to_cart", "share", "in_app_purchase",
    }  # fmt: skip


def test_an_events_days_beside_the_previous_period() -> None:
    test = choose(page(site=APP, period="7d", compare="1"), "in_app_purchase")
    daily = test.dataframe[1].value
    where = f.Eq("key", "in_app_purchase")
    now = library(WEEK, granularity="day", where=where)
    before = library(previous_interval(WEEK), granularity="day", where=where)
    same(daily["events"], now["events"])
    same(daily["events_sum"], now["events_sum"])
    same(daily["events_previous"], before["events"])
    assert len(daily) == 7


def test_a_breakdown_by_segment_equals_the_library_and_countly() -> None:
    test = choose(page(site=APP, period="7d"), "level_fail", "mode")
    test.selectbox(key="events_metric").select("events_duration")
    rerun(test)
    shown = test.dataframe[1].value.set_index("mode")
    where = f.Eq("key", "level_fail")
    expected = library(WEEK, ("segmentation.mode",), where=where).set_index("segmentation.mode")
    for metric in METRICS:
        same(shown[metric], expected.loc[shown.index, metric])
    keys = site_keys(sample().store, APP)
    urls = list(events.countly_urls(keys, "level_fail", "mode", today_only=False).values())
    assert [c.value for c in test.code] == [masked(u) for u in urls]  # the read key hidden
    assert "api_key=********&" in test.code[0].value and keys["countly_api_key"] in urls[0]
    assert urls[0].endswith("&method=events&event=level_fail&segmentation=mode")
    tree = json.loads(sample().request(urls[0]).body)
    days = [tree["2024"]["11"][str(day)] for day in range(13, 20)]
    for mode in shown.index:
        assert sum(d.get(mode, {}).get("c", 0) for d in days) == shown.loc[mode, "events"]
    assert tree["meta"]["segments"] == ["level", "mode"]
    listing = json.loads(sample().request(urls[1]).body)
    assert "level_fail" in listing["list"]


def test_a_site_without_custom_events_says_so_and_offers_the_countly_app() -> None:
    test = page(site="www.opentracker.net")
    assert "no custom events" in test.info[0].value
    test.button(key=f"events_app_{APP}").click()
    rerun(test)
    assert test.query_params["site"] == APP
    assert test.dataframe[0].value["events"].sum() > 0


def test_bot_events_left_out_are_counted_and_exports_are_offered() -> None:
    test = page(site=APP, period="1d")
    today = Interval.from_dates(dt.date(2024, 11, 19), dt.date(2024, 11, 19), ZONE)
    result = segmentation(
        sample(), today, ("events",), ("key",), "all", sites=(APP,), table="events",
        where=f.Not(f.IsNull("key")),
    )  # fmt: skip
    captions = [c.value for c in test.sidebar.caption]
    assert f"{result.excluded_bots:,} events of bot sessions left out." in captions
    assert len(test.dataframe[1].value) == 24  # one day: per hour
    assert "action=refresh" in test.code[0].value  # Countly's today
    labels = [b.label for b in test.get("download_button")]
    for label in ("Events CSV", "Daily CSV", "PNG chart", "SVG chart", "Countly events json"):
        assert label in labels


def test_a_segment_on_session_fields_is_said_not_to_apply() -> None:
    test = page(site=APP, period="7d", seg="country_code=TR")
    assert "events are shown for every session" in test.caption[0].value
    keys = test.dataframe[0].value
    same(keys["events"], library(WEEK, ("key",)).set_index("key").loc[keys["key"], "events"])


def test_a_segment_on_the_visitor_filters_the_events() -> None:
    q = Query(WEEK, sites=(APP,), table="events", dimensions=("visitor_id",), metrics=("events",),
              order=(Order("events", True), Order("visitor_id")), limit=1)  # fmt: skip
    visitor = sample().query(q).frame["visitor_id"][0]
    test = page(site=APP, period="7d", seg=f"visitor_id={visitor}")
    keys = test.dataframe[0].value
    where = f.And((f.Not(f.IsNull("key")), f.Eq("visitor_id", visitor)))
    expected = library(WEEK, ("key",), where=where).set_index("key").loc[keys["key"]]
    same(keys["events"], expected["events"])
    assert keys["users"].tolist() == [1] * len(keys)


def test_event_keys_and_segment_values_show_as_written_in_charts() -> None:
    frame = pd.DataFrame(
        {"bucket": [WEEK.start] * 2, "v": ['<a href="x">y</a>', "<b>z"], "events": [2, 1]}
    )
    fig = events.segment_chart(frame, "v", "events", events.label("<img src=x>"))
    assert [t.name for t in fig.data] == ['&lt;a href="x"&gt;y&lt;/a&gt;', "&lt;b&gt;z"]
    assert fig.layout.title.text == "&lt;img src=x&gt;"
    assert events.file_name("[CLY]_view/../x") == "CLY__view_.._x"  # no path separators


def test_the_pages_choices_are_a_link() -> None:
    test = page(site=APP, period="7d", e_key="level_fail", e_seg="mode", e_metric="events_duration")
    assert test.selectbox(key="events_key").value == "level_fail"
    assert test.selectbox(key="events_segment").value == "mode"
    assert test.selectbox(key="events_metric").value == "events_duration"
    assert list(test.dataframe[1].value["mode"]) == ["classic", "daily", "endless"]
    test.selectbox(key="events_key").select("share")
    rerun(test)  # share has no "mode": the breakdown goes, quietly
    assert not test.main.warning
    assert test.query_params["e_key"] == "share" and "e_seg" not in test.query_params
    assert test.query_params["e_metric"] == "events_duration"
    assert "bucket" in test.dataframe[1].value


def test_bad_choices_in_the_url_are_named_and_replaced() -> None:
    test = page(site=APP, period="7d", e_key="nope", e_metric="revenue", e_seg="level")
    warnings = [read(w.value) for w in test.main.warning]
    assert any(w.startswith("e_metric: 'revenue' is not a metric") for w in warnings)
    assert "e_key: 'nope' has no events here; showing '[CLY]_view'" in warnings
    assert "e_seg: 'level' is not a segmentation key of '[CLY]_view'; none used" in warnings
    assert test.selectbox(key="events_key").value == "[CLY]_view"
    assert test.query_params["e_key"] == "[CLY]_view" and "e_seg" not in test.query_params
