"""The Sessions page, run by Streamlit's AppTest on the sample store: every filter widget,
paging and the session detail, with the rows and totals the library gives for the same
filter; and the page's pure module (URL round trip, Opentracker parameters, exports)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench import filters as f
from workbench.dialects.opentracker_sessions import session_filter
from workbench.query import MAX_LIMIT, Order, Query
from workbench.reports import SESSION_COLUMNS, previous_interval, session_list
from workbench.timeframe import Interval
from workbench.ui import sessions as s
from workbench.ui.selection import Selection

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "workbench/ui/pages/sessions.py"
SITE = "www.opentracker.net"
ZONE = "America/New_York"
TODAY = dt.date(2024, 11, 19)
LAST_30 = Interval.from_dates(dt.date(2024, 10, 21), TODAY, ZONE)
SIZE = s.PAGE_SIZES[0]
TABLE_KEY = "sessions_table_key"  # where the page keeps its table's widget key


def page(**params: str) -> AppTest:
    sample()
    test = AppTest.from_file(str(PAGE), default_timeout=120)
    test.query_params.update({"site": SITE, **params})
    return rerun(test)


def rerun(test: AppTest) -> AppTest:
    test.run()
    assert not test.exception, test.exception
    return test


def apply(test: AppTest) -> AppTest:
    next(b for b in test.main.button if b.label == "Apply").click()
    return rerun(test)


def shown(test: AppTest) -> pd.DataFrame:
    return test.dataframe[0].value


def metrics(test: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in test.metric}


def library(where: f.Filter | None, **arguments) -> pd.DataFrame:
    """The library's list for the page's default columns (and the id a row opens)."""
    return session_list(
        sample(), LAST_30, sites=(SITE,), columns=SESSION_COLUMNS, where=where, **arguments
    ).frame


def count(where: f.Filter | None, interval: Interval = LAST_30) -> int:
    """Every session the library lists under ``where``."""
    every = session_list(
        sample(), interval, sites=(SITE,), columns=("session_id",), where=where, limit=MAX_LIMIT
    )
    assert len(every.frame) < MAX_LIMIT
    return len(every.frame)


def assert_same_rows(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert shown["session_id"].tolist() == expected["session_id"].tolist()
    assert shown["duration_s"].tolist() == expected["duration_s"].tolist()
    assert shown["start_ts"].tolist() == expected["start_ts"].tolist()  # same instants


def test_the_newest_sessions_and_their_total() -> None:
    test = page()
    assert test.title[0].value == "Sessions"
    assert_same_rows(shown(test), library(None, limit=SIZE))
    total = count(None)
    assert metrics(test) == {"Sessions": f"{total:,}"}
    assert f"Rows 1–{SIZE} of {total:,}." in [c.value for c in test.caption]
    bots = session_list(sample(), LAST_30, sites=(SITE,)).excluded_bots
    assert f"{bots:,} bot sessions left out (Include bot sessions)." in [
        c.value for c in test.sidebar.caption
    ]


# each filter widget, what it is set to, its URL parameter, and the documented request's
# parameters that select the same visits
FILTERS = [
    ("s_w_search", "pricing", "s_search", {"search": "pricing"}),
    ("s_w_cc", "us, gb", "s_cc", {"includeCountryCode": "US,GB"}),
    ("s_w_exclude_url", "pricing,blog", "s_exclude_url", {"excludeInUrl": "pricing,blog"}),
    ("s_w_exclude_company", "inc", "s_exclude_company", {"excludeInFilteredCompany": "inc"}),
    ("s_w_max_events", 3, "s_max_events", {"maxEventThreshold": "3"}),
    ("s_w_max_duration", 30, "s_max_duration", {"maxDuration": "30"}),
    ("s_w_no_isp", True, "s_no_isp", {"removeIsp": "true"}),
    ("s_w_title", "*Pricing*", "s_title", {"filterByCurrentTitle": "*Pricing*"}),
]


@pytest.mark.parametrize(("key", "value", "param", "documented"), FILTERS)
def test_every_filter_shows_the_librarys_rows_and_total(key, value, param, documented) -> None:
    test = page()
    widget = next(w for w in test.main.get(_kind(value)) if w.key == key)
    widget.set_value(value)
    apply(test)
    assert param in test.query_params
    where = session_filter(documented)
    total = count(where)
    assert 0 < total < count(None)
    assert metrics(test)["Sessions"] == f"{total:,}"
    assert_same_rows(shown(test), library(where, limit=SIZE))


def _kind(value: object) -> str:
    return {bool: "checkbox", int: "number_input"}.get(type(value), "text_input")


def test_search_with_and_or_or() -> None:
    test = page()
    test.text_input(key="s_w_search").set_value("pricing google")
    apply(test)
    both = count(session_filter({"search": "pricing google"}))
    assert metrics(test)["Sessions"] == f"{both:,}"
    test.radio(key="s_w_match").set_value("any word (OR)")
    apply(test)
    assert test.query_params["s_any"] == "1"
    where = session_filter({"search": "pricing google", "useOr": "true"})
    assert metrics(test)["Sessions"] == f"{count(where):,}" and count(where) > both
    assert_same_rows(shown(test), library(where, limit=SIZE))


def test_pages_go_forward_and_back_by_cursor() -> None:
    test = page()
    first = session_list(sample(), LAST_30, sites=(SITE,), limit=SIZE)
    next(b for b in test.button if b.label == "Next page").click()
    rerun(test)
    second = library(None, limit=SIZE, cursor=first.next_cursor)
    assert_same_rows(shown(test), second)
    assert f"Rows {SIZE + 1}–{2 * SIZE} of {count(None):,}." in [c.value for c in test.caption]
    next(b for b in test.button if b.label == "Previous page").click()
    rerun(test)
    assert_same_rows(shown(test), first.frame)


def test_columns_order_and_page_size() -> None:
    test = page()
    test.multiselect(key="s_w_columns").set_value(["session_id", "browser", "duration_s"])
    test.selectbox(key="s_w_order").set_value("duration_s")
    test.selectbox(key="s_w_size").set_value(50)
    apply(test)
    assert test.query_params["s_order"] == "duration_s"
    order = (Order("duration_s", True),)
    columns = ("session_id", "browser", "duration_s")
    expected = session_list(
        sample(), LAST_30, sites=(SITE,), columns=columns, order=order, limit=50
    ).frame
    table = shown(test)
    assert table["session_id"].tolist() == expected["session_id"].tolist()
    next(b for b in test.button if b.label == "Next page").click()
    rerun(test)
    expected = session_list(
        sample(), LAST_30, sites=(SITE,), columns=columns, order=order, limit=50, offset=50
    ).frame
    assert shown(test)["session_id"].tolist() == expected["session_id"].tolist()


def test_a_ticked_row_opens_its_session() -> None:
    test = page(s_search="pricing")
    row = shown(test).iloc[2]
    test.session_state[test.session_state[TABLE_KEY]] = {"selection": {"rows": [2], "columns": []}}
    rerun(test)
    assert test.query_params["s_session"] == row["session_id"]
    assert "Session detail" in [h.value for h in test.subheader]
    assert f"Session {row['session_id']}" in [t.value for t in test.text]
    events = (
        sample()
        .query(
            Query(
                LAST_30,
                sites=(SITE,),
                table="events",
                dimensions=("ts", "type", "url"),
                filter=f.Eq("session_id", row["session_id"]),
                order=(Order("ts"), Order("seq")),
                include_bots=True,
            )
        )
        .frame
    )
    timeline = next(d.value for d in test.dataframe if "seq" in d.value)
    assert timeline["url"].tolist() == events["url"].tolist() and len(events) > 0
    assert metrics(test)["Actions"] == f"{len(events):,}"
    others = next(d.value for d in test.dataframe if "is_bot" in d.value)
    assert row["session_id"] not in set(others["session_id"])
    assert len(test.get("plotly_chart")) == 2  # the timeline and the map pin
    test.button(key="session_close").click()
    rerun(test)
    assert "s_session" not in test.query_params
    assert "Session detail" not in [h.value for h in test.subheader]


def test_a_link_reopens_the_view_and_bad_values_are_shown() -> None:
    session_id = library(session_filter({"includeCountryCode": "FI"}), limit=1)["session_id"][0]
    test = page(s_cc="fi,USA", s_order="nonsense", s_session=session_id)
    assert test.text_input(key="s_w_cc").value == "FI"
    warnings = [w.value for w in test.warning]
    assert any("'USA'" in w for w in warnings) and any("'nonsense'" in w for w in warnings)
    assert f"Session {session_id}" in [t.value for t in test.text]
    assert set(shown(test)["country_name"]) == {"Finland"}


def test_compare_shows_the_previous_periods_total() -> None:
    test = page(compare="1", s_search="pricing")
    where = session_filter({"search": "pricing"})
    now, was = count(where), count(where, previous_interval(LAST_30))
    assert metrics(test) == {"Sessions": f"{now:,}", "Previous period": f"{was:,}"}
    assert test.metric[0].delta == f"{(now - was) / was:+.1%} vs previous period"


def test_the_app_navigates_to_the_page() -> None:
    sample()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    test.query_params["site"] = SITE
    rerun(test)
    test.switch_page("workbench/ui/pages/sessions.py")
    rerun(test)
    assert test.title[0].value == "Sessions"


# -- the pure module ------------------------------------------------------------------------


def test_a_view_round_trips_through_the_url() -> None:
    view = s.SessionView(
        s.SessionFilters(("US",), ("a", "b"), ("c",), 3, 60, True, "T*", "x y", True),
        ("session_id", "os"),
        "duration_s",
        False,
        100,
        "abc",
    )
    params = s.view_params(view)
    assert all(k.startswith(s.PREFIX) for k in params)
    assert s.parse_view({**params, "site": SITE, "country": "US"}) == (view, ())
    assert s.view_params(s.SessionView()) == {}
    assert s.parse_view({"s_search": " , "})[0].filters.search == ""  # no word: no search
    assert "visited_url" not in s.CHOOSABLE  # several values a visit: not a list column


def test_the_csv_export_holds_every_session_and_opentracker_the_same_visits() -> None:
    selection = Selection((SITE,))
    view = s.SessionView(s.SessionFilters(max_duration=5))
    every = s.every_session(sample(), selection, LAST_30, view)
    where = session_filter({"maxDuration": "5"})
    assert every["session_id"].tolist() == library(where, limit=MAX_LIMIT)["session_id"].tolist()
    read_back = pd.read_csv(io.BytesIO(s.csv_bytes(every)))
    assert read_back["session_id"].tolist() == every["session_id"].tolist()
    url = s.opentracker_url(selection, view, {SITE: SITE}, ZONE, TODAY)
    assert "maxDuration=5" in url and "period=30d" in url
    rows = json.loads(sample().request(url).body)["resultsList"]
    assert len(rows) == min(len(every), s.MAX_ROWS)
    assert {r["session_id"] for r in rows} <= set(every["session_id"])


def test_the_sidebar_segment_narrows_the_list() -> None:
    test = page(seg="country_code=US", s_search="pricing")
    where = f.all_of(f.Eq("country_code", "US"), session_filter({"search": "pricing"}))
    assert metrics(test)["Sessions"] == f"{count(where):,}"
    assert_same_rows(shown(test), library(where, limit=SIZE))
    assert set(shown(test)["country_name"]) == {"United States"}


def test_the_opentracker_request_is_shown() -> None:
    test = page(s_cc="fi", s_order="duration_s")
    view = s.SessionView(s.SessionFilters(countries=("FI",)), order="duration_s")
    url = s.opentracker_url(Selection((SITE,)), view, {SITE: SITE}, ZONE, TODAY)
    assert "orderCriteria=duration+desc" in url and "includeCountryCode=FI" in url
    assert test.code[0].value == url
    assert sample().request(url).status == 200
