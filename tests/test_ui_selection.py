"""The app's URL parameters → Selection and Drill (no Streamlit), the segment language, and
the geography view's table; an AppTest that the Geography page applies the segment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench import filters as f
from workbench.errors import WorkbenchError
from workbench.reports import session_list, top_locations
from workbench.timeframe import Interval
from workbench.ui import geography
from workbench.ui.selection import (
    Condition,
    Drill,
    Parsed,
    Selection,
    parse,
    parse_segment,
    segment_text,
    to_params,
)

ZONES = {"a-site": "America/New_York", "b-site": "Europe/Helsinki"}
DAY = dt.date(2024, 11, 19)


def ok(params: dict[str, str]) -> Parsed:
    parsed = parse(params, ZONES)
    assert parsed.problems == (), parsed.problems
    return parsed


def problem(params: dict[str, str], text: str) -> Parsed:
    parsed = parse(params, ZONES)
    assert any(text in p for p in parsed.problems), parsed.problems
    return parsed


@pytest.mark.parametrize(
    ("params", "selection", "drill"),
    [
        ({}, Selection(("a-site",)), Drill()),
        ({"site": "b-site"}, Selection(("b-site",)), Drill()),
        ({"site": "b-site, a-site,b-site"}, Selection(("b-site", "a-site")), Drill()),
        ({"site": "a-site", "period": "7d"}, Selection(("a-site",), "7d"), Drill()),
        ({"period": "1d"}, Selection(("a-site",), "1d"), Drill()),
        (
            {"period": "custom", "from": "2024-11-01", "to": "2024-11-19"},
            Selection(("a-site",), "custom", dt.date(2024, 11, 1), DAY),
            Drill(),
        ),
        ({"tz": "Asia/Tokyo"}, Selection(("a-site",), zone="Asia/Tokyo"), Drill()),
        ({"bots": "1", "compare": "true"}, Selection(("a-site",), include_bots=True, compare=True), Drill()),
        ({"bots": "0"}, Selection(("a-site",)), Drill()),
        ({"country": "us"}, Selection(("a-site",)), Drill("US")),
        ({"country": "US", "region": "CA"}, Selection(("a-site",)), Drill("US", "CA")),
        (
            {"country": "US", "region": "CA", "city": "San Jose"},
            Selection(("a-site",)),
            Drill("US", "CA", "San Jose"),
        ),
    ],
)  # fmt: skip
def test_parameters_parse(params, selection, drill) -> None:
    parsed = ok(params)
    assert parsed.selection == selection
    assert parsed.drill == drill


@pytest.mark.parametrize(
    ("params", "message", "selection", "drill"),
    [
        ({"site": "nope"}, "site: 'nope' not found; expected one of a-site, b-site", Selection(("a-site",)), Drill()),
        ({"site": "nope,b-site"}, "'nope' not found", Selection(("b-site",)), Drill()),
        ({"period": "2w"}, "period: '2w' is not a period; expected one of 1d, 7d, 30d, 90d, custom", Selection(("a-site",)), Drill()),
        ({"period": "custom", "from": "2024-11-19"}, "to: '' is not a date", Selection(("a-site",)), Drill()),
        ({"period": "custom", "from": "2024-13-01", "to": "2024-11-19"}, "from: '2024-13-01' is not a date", Selection(("a-site",)), Drill()),
        ({"period": "custom", "from": "2024-11-19", "to": "2024-11-01"}, "is before from", Selection(("a-site",)), Drill()),
        ({"tz": "Europe/Helsinky"}, "Europe/Helsinki", Selection(("a-site",)), Drill()),
        ({"bots": "yes"}, "bots: 'yes' is not a switch", Selection(("a-site",)), Drill()),
        ({"region": "CA"}, "region: needs a country", Selection(("a-site",)), Drill()),
        ({"country": "US", "city": "Boston"}, "city: needs a region", Selection(("a-site",)), Drill("US")),
    ],
)  # fmt: skip
def test_bad_parameters_fall_back_and_say_why(params, message, selection, drill) -> None:
    parsed = problem(params, message)
    assert parsed.selection == selection
    assert parsed.drill == drill


@pytest.mark.parametrize(
    ("selection", "drill"),
    [
        (Selection(("a-site",)), Drill()),
        (Selection(("b-site", "a-site"), "7d", zone="UTC", include_bots=True), Drill("US")),
        (Selection(("a-site",), "custom", dt.date(2024, 1, 1), DAY, compare=True), Drill("US", "CA", "San Jose")),
        (Selection(("a-site",), segment=(Condition("browser", "=", ("Chrome",)), Condition("city", "=", ("a,b", "c|d\\")))), Drill("US")),
    ],
)  # fmt: skip
def test_parameters_round_trip(selection, drill) -> None:
    assert ok(to_params(selection, drill)) == Parsed(selection, drill)


def test_relative_periods_end_today_in_the_sites_zone() -> None:
    interval = Selection(("b-site",), "7d").interval(ZONES, DAY)
    assert interval.zone == "Europe/Helsinki"
    assert interval.local_start.date() == dt.date(2024, 11, 13)
    assert interval.local_end.date() == dt.date(2024, 11, 20)
    custom = Selection(("a-site",), "custom", dt.date(2024, 11, 1), dt.date(2024, 11, 2), "UTC")
    assert custom.interval(ZONES, DAY).duration == dt.timedelta(days=2)


def test_drill_goes_down_and_back_up() -> None:
    levels = []
    drill = Drill()
    for code in ("US", "CA", "San Jose"):
        levels.append(drill.level)
        drill = drill.into(code)
    assert [*levels, drill.level] == ["country", "region", "city", "sessions"]
    assert drill.up_to("city") == Drill("US", "CA")
    assert drill.up_to("region") == Drill("US")
    assert drill.up_to("country") == Drill()


def test_the_opentracker_request_of_a_view() -> None:
    ids = {"a-site": "www.a.example", "b-site": None}
    url = geography.opentracker_url(
        Selection(("a-site",), "7d"), Drill("US"), ids, "America/New_York", DAY, "csv"
    )
    assert url == (
        "/api/location/top_country_region_city.jsp?site=www.a.example&detailLevel=region"
        "&countryCode=US&period=7d&date=2024-11-19&timeZone=America%2FNew_York&dataType=csv"
    )
    custom = Selection(("a-site",), "custom", dt.date(2024, 11, 1), dt.date(2024, 11, 10))
    assert "period=10d&date=2024-11-10" in geography.opentracker_url(
        custom, Drill(), ids, "UTC", DAY
    )
    with pytest.raises(WorkbenchError, match="b-site has no Opentracker identity"):
        geography.opentracker_url(Selection(("b-site",)), Drill(), ids, "UTC", DAY)


def test_the_table_keeps_unknown_locations_and_ends_with_totals() -> None:
    frame = pd.DataFrame(
        {
            "country_code": ["FI", None],
            "country_name": ["Finland", None],
            "users": [3, 1],
            "sessions": [4, 1],
            "share": [0.75, 0.25],
        }
    )
    view = geography.view_table(SimpleNamespace(frame=frame), "country")
    assert view.frame["location"].tolist() == ["Finland", geography.UNKNOWN, geography.TOTAL]
    assert view.frame["flag"].tolist() == ["🇫🇮", "", ""]
    assert view.frame.iloc[-1][["users", "sessions", "share"]].tolist() == [4, 5, 1.0]
    assert view.codes == ("FI", None, None)  # neither the unknown nor the totals row drills


# -- segments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", None),
        ("country_code=US", f.Eq("country_code", "US")),
        ("country_code=US,browser=Chrome", f.And((f.Eq("country_code", "US"), f.Eq("browser", "Chrome")))),
        (" country_code = US|CA , ", f.In("country_code", ("US", "CA"))),
        ("browser!=Chrome", f.Not(f.Eq("browser", "Chrome"))),
        ("browser!=Chrome|Safari", f.Not(f.In("browser", ("Chrome", "Safari")))),
        ("entry_url=*/pricing*", f.Wildcard("entry_url", "*/pricing*")),
        ("entry_url=/|*/blog/*", f.Or((f.Eq("entry_url", "/"), f.Wildcard("entry_url", "*/blog/*")))),
        ("entry_url~Pricing", f.Contains("entry_url", "Pricing", case_insensitive=True)),
        ("entry_url!~a|b", f.Not(f.Or((f.Contains("entry_url", "a", True), f.Contains("entry_url", "b", True))))),
        ("city=", f.IsNull("city")),
        ("city!=", f.Not(f.IsNull("city"))),
        ("pageviews>=3", f.Range("pageviews", low=3)),
        ("pageviews>3", f.Range("pageviews", low=3, low_strict=True)),
        ("duration_s<=59.5", f.Range("duration_s", high=59.5)),
        ("duration_s<60", f.Range("duration_s", high=60, high_strict=True)),
        ("visit_number=1|2", f.In("visit_number", (1, 2))),
        ("is_new=true", f.Eq("is_new", True)),
        ("is_new=0", f.Eq("is_new", False)),
        ("property.username=a\\,b|c\\|d\\\\e", f.In("property.username", ("a,b", "c|d\\e"))),
        ("local_hour>=9,local_hour<17", f.And((f.Range("local_hour", low=9), f.Range("local_hour", high=17, high_strict=True)))),
    ],
)  # fmt: skip
def test_segments_parse_into_filter_trees(text, where) -> None:
    parsed = ok({"seg": text})
    assert parsed.selection.where == where
    again = ok(to_params(parsed.selection))  # the URL written back reads the same
    assert again.selection == parsed.selection


@pytest.mark.parametrize(
    ("text", "message", "kept"),
    [
        ("nope=1", "seg: invalid value 'nope'; expected one of: site_id", ""),
        ("garbage", "seg: 'garbage' is not a condition; expected dimension OP value", ""),
        ("browser=Chrome,garbage", "'garbage' is not a condition", "browser=Chrome"),
        ("pageviews>x", "seg: pageviews='x' is not a number", ""),
        ("pageviews=1|x", "pageviews='x' is not a number", ""),
        ("is_new=maybe", "seg: is_new='maybe'; expected true or false", ""),
        ("country_code>US", "seg: '>' does not apply to country_code (text); it takes a number dimension", ""),
        ("pageviews~3", "'~' does not apply to pageviews (number)", ""),
        ("start_ts=2024-11-19", "'=' does not apply to start_ts (time)", ""),
        ("browser~", "seg: 'browser~' needs a value", ""),
        ("browser~a|", "needs a value", ""),
        ("pageviews>=1|2", "seg: 'pageviews>=1|2' needs one value", ""),
        ("pageviews<", "needs one value", ""),
        ("=US", "is not a condition", ""),
    ],
)  # fmt: skip
def test_bad_segments_are_problems_and_the_rest_is_kept(text, message, kept) -> None:
    parsed = problem({"seg": text}, message)
    assert segment_text(parsed.selection.segment) == kept


def test_a_segment_text_parses_alone() -> None:
    segment, problems = parse_segment("browser=Chrome,,device_type=mobile,browser=Chrome")
    assert problems == ()
    assert segment_text(segment) == "browser=Chrome,device_type=mobile"  # repeats dropped


@pytest.mark.parametrize(
    ("text", "carried"),
    [
        ("property.username=ann", {"segment": "username", "filter": "ann"}),
        ("", None),
        ("browser=Chrome", None),
        ("property.username=ann|bob", None),
        ("property.username!=ann", None),
        ("property.username=a*", None),
        ("property.username=none", None),
        ("property.username=ann,browser=Chrome", None),
    ],
)
def test_opentracker_carries_only_one_custom_property_value(text, carried) -> None:
    selection = ok({"seg": text}).selection
    assert geography.opentracker_segment(selection) == carried
    url = geography.opentracker_url(selection, Drill(), {"a-site": "www.a"}, "UTC", DAY)
    assert ("&segment=username&filter=ann" in url) == (carried is not None)


# -- the Geography page applies the segment ---------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SITE = "www.opentracker.net"
LAST_30 = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), "America/New_York")


def geography_page(**params: str) -> AppTest:
    sample()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.query_params.update(params)
    test.run()
    assert not test.exception, test.exception
    return test


@pytest.mark.parametrize(
    ("drill", "level"),
    [({}, "country"), ({"country": "US", "region": "CA"}, "city")],
)
def test_geography_numbers_in_a_segment_are_the_librarys(drill, level) -> None:
    seg = "device_type=mobile,browser!=Safari"
    test = geography_page(site=SITE, seg=seg, **drill)
    where = f.And((f.Eq("device_type", "mobile"), f.Not(f.Eq("browser", "Safari"))))
    expected = top_locations(sample(), LAST_30, level, sites=(SITE,), where=where, **drill)
    everyone = top_locations(sample(), LAST_30, level, sites=(SITE,), **drill).frame
    want = geography.view_table(expected, level).frame
    shown = test.dataframe[0].value
    columns = ["location", "users", "sessions", "share"]
    pd.testing.assert_frame_equal(shown[columns], want[columns], check_dtype=False)
    metrics = {m.label: m.value for m in test.metric}
    users, sessions = expected.frame["users"].sum(), expected.frame["sessions"].sum()
    assert metrics == {"Users": f"{users:,}", "Sessions": f"{sessions:,}"}
    assert sessions < everyone["sessions"].sum()  # the segment did cut
    assert f"Segment: {seg}" in [c.value for c in test.sidebar.caption]
    assert test.text_input(key="filter_segment").value == seg


def test_a_citys_sessions_are_in_the_segment() -> None:
    test = geography_page(
        site=SITE, country="US", region="CA", city="Los Angeles", seg="device_type=mobile"
    )
    sessions = test.dataframe[1].value
    where = f.And(
        (
            f.Eq("device_type", "mobile"),
            f.Eq("country_code", "US"),
            f.Eq("region_code", "CA"),
            f.Eq("city", "Los Angeles"),
        )
    )
    expected = session_list(sample(), LAST_30, sites=(SITE,), where=where, limit=100).frame
    assert sessions["session_id"].tolist() == expected["session_id"].tolist()


def test_the_segment_field_applies_and_bad_text_is_a_message() -> None:
    test = geography_page(site=SITE)
    test.text_input(key="filter_segment").input("pageviews>=three")
    test.button[-1].click()  # Apply
    test.run()
    assert "seg" not in test.query_params
    assert any("pageviews='three' is not a number" in w.value for w in test.sidebar.warning)
    test.text_input(key="filter_segment").input("pageviews>=3")
    test.button[-1].click()
    test.run()
    assert not test.exception and test.query_params["seg"] == "pageviews>=3"
    expected = top_locations(
        sample(), LAST_30, sites=(SITE,), where=f.Range("pageviews", low=3)
    ).frame
    assert test.dataframe[0].value.iloc[-1]["sessions"] == expected["sessions"].sum()


def test_a_bad_segment_in_the_url_is_a_message() -> None:
    test = geography_page(site=SITE, seg="nope=1,device_type=mobile")
    warnings = [w.value for w in test.sidebar.warning]
    assert len(warnings) == 1 and "seg: invalid value 'nope'" in warnings[0]
    assert test.title[0].value == "Geography"
