"""The app's URL parameters → Selection and Drill (no Streamlit), and the geography view's table."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.ui import geography
from workbench.ui.selection import Drill, Parsed, Selection, parse, to_params

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
