"""The Segments page run by Streamlit's AppTest on the sample store: the builder's widgets,
its table against ``reports.segmentation`` for the same choices, the URL, the giosg export."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench import filters as f
from workbench.reports import compare, segmentation
from workbench.sites import site_keys
from workbench.timeframe import Interval
from workbench.ui import segments
from workbench.ui.segments import stamp

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "workbench/ui/pages/segments.py")
SITE = "giosg-shop"
ZONE = "Europe/Helsinki"
LAST_30 = Interval.from_dates(dt.date(2024, 10, 21), dt.date(2024, 11, 19), ZONE)


def page(**params: str) -> AppTest:
    sample()
    test = AppTest.from_file(PAGE, default_timeout=60)
    test.query_params.update({"site": SITE, **params})
    return rerun(test)


def rerun(test: AppTest) -> AppTest:
    test.run()
    assert not test.exception, test.exception
    assert not test.error, [e.value for e in test.error]
    return test


def shown_text(markdown: str) -> str:
    """A message as it reads on screen (markup characters may be backslash-escaped)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def table(test: AppTest) -> pd.DataFrame:
    return test.dataframe[0].value


def library(metrics, dims=(), granularity="day", where=None, **options) -> pd.DataFrame:
    """``reports.segmentation`` for the page's default site and period, buckets as shown."""
    frame = segmentation(
        sample(), LAST_30, metrics, dims, granularity, sites=(SITE,), where=where, **options
    ).frame
    if "bucket" in frame:
        frame["bucket"] = [stamp(b) for b in frame["bucket"]]
    return frame


def assert_columns(shown: pd.DataFrame, expected: pd.DataFrame, suffix: str = "") -> None:
    """Every column of the library's frame is on the page (named with ``suffix``), row by row."""
    for column in expected.columns:
        name = column if column in ("bucket", "device_type") else f"{column}{suffix}"
        mine = shown[name].tolist()
        theirs = expected[column].tolist()
        if pd.api.types.is_float_dtype(expected[column]):
            assert mine == pytest.approx(theirs, nan_ok=True), column
        else:
            assert mine == theirs, column


def add_condition(test: AppTest, prefix: str, field: str, op: str, value: str, negate=False):
    index = test.session_state[f"seg_{prefix}_rows"]
    test.button(key=f"seg_{prefix}_add").click()
    rerun(test)
    test.selectbox(key=f"seg_{prefix}_field_{index}").select(field)
    test.selectbox(key=f"seg_{prefix}_op_{index}").select(op)
    test.text_input(key=f"seg_{prefix}_value_{index}").input(value)
    test.checkbox(key=f"seg_{prefix}_not_{index}").set_value(negate)
    return rerun(test)


def test_the_default_view_is_the_librarys_daily_series() -> None:
    test = page()
    assert test.title[0].value == "Segments"
    expected = library(("sessions", "users"))
    assert len(table(test)) == 30
    assert_columns(table(test), expected)
    whole = library(("sessions", "users"), granularity="all").iloc[0]
    metrics = {m.label: m.value for m in test.metric}
    assert metrics == {"sessions": f"{whole['sessions']:,}", "users": f"{whole['users']:,}"}
    assert all(m.help for m in test.metric)  # every number carries its definition
    bots = segmentation(sample(), LAST_30, ("sessions",), sites=(SITE,)).excluded_bots
    assert f"{bots:,} bot sessions left out (Include bot sessions)." in [
        c.value for c in test.sidebar.caption
    ]


def test_the_built_segments_equal_the_librarys_and_travel_in_the_url() -> None:
    test = page()
    test.multiselect(key="seg_dims").select("device_type")
    test.multiselect(key="seg_metrics").select("avg_duration")
    test.radio(key="seg_gran").set_value("week")
    test.toggle(key="seg_approx").set_value(True)
    rerun(test)
    add_condition(test, "a", "browser", "eq", "Chrome")
    add_condition(test, "a", "country_name", "eq", "Finland", negate=True)
    test.radio(key="seg_a_join").set_value("or")
    test.toggle(key="seg_b_on").set_value(True)
    rerun(test)
    add_condition(test, "b", "duration_s", "range", "60..")

    segment_a = f.Or((f.Eq("browser", "Chrome"), f.Not(f.Eq("country_name", "Finland"))))
    segment_b = f.Range("duration_s", 60, None)
    metrics, dims = ("sessions", "users", "avg_duration"), ("device_type",)
    shown = table(test)
    for name, where in (("A", segment_a), ("B", segment_b)):
        exact = library(metrics, dims, "week", where)
        mine = shown.dropna(subset=[f"sessions [{name}]"]).reset_index(drop=True)
        assert_columns(mine, exact, f" [{name}]")
        approx = library(("users",), dims, "week", where, approximate=True)
        assert mine[f"users_approx [{name}]"].tolist() == pytest.approx(approx["users"].tolist())
        diff = (approx["users"] - exact["users"]) / exact["users"]
        assert mine[f"users_approx_diff [{name}]"].tolist() == pytest.approx(diff.tolist())
    labels = [m.label for m in test.metric]
    assert labels.count("users ≈ approximate") == 2  # estimates are labelled, per segment

    params = {k: test.query_params[k] for k in test.query_params}
    assert params["a1"] == "browser:eq:Chrome" and params["a2"] == "!country_name:eq:Finland"
    assert (params["a"], params["b"], params["b1"]) == ("or", "and", "duration_s:range:60..")
    again = page(**params)  # the link reopens the same segments
    pd.testing.assert_frame_equal(table(again), shown)


def test_the_previous_period_beside_each_metric() -> None:
    test = page(compare="1", dims="device_type", gran="all", metrics="sessions,users")
    expected = compare(
        sample(), segmentation, LAST_30, metrics=("sessions", "users"),
        dimensions=("device_type",), granularity="all", sites=(SITE,),
    ).frame  # fmt: skip
    assert_columns(table(test), expected)
    assert "users_previous" in table(test) and "users_change" in table(test)
    deltas = [m.delta for m in test.metric]
    assert all(d and d.endswith("vs previous period") for d in deltas)


def test_bad_url_values_are_messages() -> None:
    test = page(table="nope", dims="zz", gran="year", approx="x", a="xor", a1="foo:eq:1")
    warnings = [shown_text(w.value) for w in test.warning]
    assert len(warnings) == 6, warnings
    assert warnings[0].startswith("table: 'nope' is not valid")
    assert len(table(test)) == 30  # the defaults stand in


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("duration_s:eq:long", "value: invalid value 'long'; expected a number value for duration_s"),
        ("duration_s:contains:5", "operator: invalid value 'contains'; expected equals, is one of, "
         "between, is missing for duration_s (number)"),
        ("browser:regex:(", "filter: invalid value '('; expected a valid regular expression"),
    ],
)  # fmt: skip
def test_a_bad_condition_is_a_message(condition, message) -> None:
    sample()
    test = AppTest.from_file(PAGE, default_timeout=60)
    test.query_params.update({"site": SITE, "a": "and", "a1": condition})
    test.run()
    assert not test.exception
    [error] = [shown_text(e.value) for e in test.error]
    assert error.startswith(message)


def test_the_events_table() -> None:
    test = page()
    test.radio(key="seg_table").set_value("events")
    rerun(test)
    assert test.query_params["table"] == "events"
    assert_columns(table(test), library(("events", "users"), table="events"))


def test_the_giosg_request_gives_the_same_numbers() -> None:
    test = page(dims="device_type", metrics="sessions,users,avg_duration", approx="1",
                a="and", a1="browser:contains/i:CHROME")  # fmt: skip
    request = test.code[0].value
    head, _, body = request.partition("\n\n")
    url = head.splitlines()[0].removeprefix("POST ")
    token = site_keys(sample().store, SITE)["giosg_token"]
    assert token not in request  # the token is not shown
    answer = sample().request(url, body, "POST", {"Authorization": f"Token {token}"})
    assert answer.status == 200, answer.text
    doc = json.loads(answer.body)
    shown = table(test)
    data = pd.DataFrame(doc["data"], columns=[x["name"] for x in doc["fields"]])
    assert data["count"].tolist() == shown["sessions"].tolist()
    assert data["session_duration_secs_avg"].tolist() == pytest.approx(
        shown["avg_duration"].tolist()
    )
    assert data["visitor_id_hyper_unique"].tolist() == pytest.approx(shown["users_approx"].tolist())


def test_the_builder_survives_another_page() -> None:
    sample()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.query_params.update({"site": SITE})
    test.run()
    test.switch_page("workbench/ui/pages/segments.py")
    rerun(test)
    assert test.title[0].value == "Segments"
    test.multiselect(key="seg_dims").select("device_type")
    rerun(test)
    test.switch_page("workbench/ui/pages/geography.py")
    rerun(test)
    test.switch_page("workbench/ui/pages/segments.py")
    rerun(test)
    assert test.multiselect(key="seg_dims").value == ["device_type"]
    assert test.query_params["dims"] == "device_type"


def test_the_builder_survives_the_sidebars_apply() -> None:
    test = page(dims="device_type")
    test.toggle(key="filter_compare").set_value(True)
    apply = next(b for b in test.button if b.label == "Apply")
    apply.click()  # the sidebar writes only its own parameters: the page restores its own
    rerun(test)
    assert test.query_params["compare"] == "1" and test.query_params["dims"] == "device_type"
    assert "sessions_previous" in table(test) and "device_type" in table(test)


def test_the_sidebars_segment_applies_under_both_segments() -> None:
    test = page(seg="device_type=mobile", b="and", b1="browser:eq:Chrome")
    mobile = f.Eq("device_type", "mobile")
    chrome = f.And((mobile, f.Eq("browser", "Chrome")))
    assert_columns(table(test), library(("sessions", "users"), where=mobile), " [A]")
    assert_columns(table(test), library(("sessions", "users"), where=chrome), " [B]")
    assert '"value": "mobile"' in test.code[0].value  # and in the giosg request


@pytest.mark.parametrize(
    ("text", "leaf"),
    [
        ("browser:eq:Chrome", f.Eq("browser", "Chrome")),
        ("!browser:eq/i:chrome", f.Not(f.Eq("browser", "chrome", True))),
        ("country_name:in:Finland, Sweden", f.In("country_name", ("Finland", "Sweden"))),
        ("entry_url:contains:/pricing", f.Contains("entry_url", "/pricing")),
        ("entry_url:wildcard/i:*PRICING?", f.Wildcard("entry_url", "*PRICING?", True)),
        ("duration_s:range:10..60", f.Range("duration_s", 10, 60)),
        ("duration_s:range:..2.5", f.Range("duration_s", None, 2.5)),
        ("region_code:is-null:", f.IsNull("region_code")),
        ("os:regex:^(iOS|Android)$", f.Regex("os", "^(iOS|Android)$")),
        ("is_new:eq:true", f.Eq("is_new", True)),
        ("local_hour:in:9,10", f.In("local_hour", (9, 10))),
    ],
)
def test_a_condition_in_the_url_is_a_filter_leaf(text, leaf) -> None:
    parsed = segments.parse({"a": "and", "a1": text})
    assert not parsed.problems
    assert segments.to_filter(parsed.builder.a, "sessions", ZONE) == leaf
    assert segments.condition_text(parsed.builder.a.conditions[0]) == text


@pytest.mark.parametrize(
    "conditions",
    [
        ("browser:wildcard:Chr*", "!os:regex:^Win", "city:is-null:"),
        ("browser:contains/i:FIRE", "duration_s:range:30..600", "!country_name:in:Finland"),
        ("browser:eq/i:chrome", "device_type:in/i:MOBILE,tablet", "entry_url:wildcard/i:*/P*"),
    ],
)
def test_every_operator_reaches_giosg_with_the_same_numbers(conditions) -> None:
    params = {"a": "or", **{f"a{i}": c for i, c in enumerate(conditions, 1)}}
    builder = segments.parse({**params, "gran": "week", "dims": "device_type"}).builder
    wb = sample()
    org = str(wb.sites().set_index("site_id").loc[SITE, "giosg_org_id"])
    request = segments.giosg_request(builder, builder.a, org, LAST_30)
    token = site_keys(wb.store, SITE)["giosg_token"]
    headers = {"Authorization": f"Token {token}"}
    answer = wb.request(request.url, json.dumps(request.body), "POST", headers)
    assert answer.status == 200, answer.text
    rows = segments.giosg_rows(json.loads(answer.body), request)
    where = segments.to_filter(builder.a, "sessions", ZONE)
    expected = library(("sessions",), ("device_type",), "week", where)
    assert rows["sessions"].tolist() == expected["sessions"].tolist()
    assert len(rows) > 0


def test_the_csv_holds_every_row_of_both_segments() -> None:
    test = page(dims="device_type", gran="all", b="and", b1="device_type:eq:tablet")
    shown = table(test)
    assert shown["sessions [B]"].isna().sum() == 2  # desktop and mobile are not in B
    back = pd.read_csv(io.BytesIO(segments.csv_bytes(shown)))
    assert back.columns.tolist() == shown.columns.tolist()
    assert back["device_type"].tolist() == shown["device_type"].tolist()
    assert back["sessions [A]"].tolist() == shown["sessions [A]"].tolist()
    assert back["sessions [B]"].isna().sum() == 2  # empty cells, not "<NA>"


@pytest.mark.slow
def test_the_chart_exports_as_png_and_svg() -> None:
    import xml.etree.ElementTree as ET

    from PIL import Image

    from workbench.ui import images

    builder = segments.parse({"dims": "device_type", "compare": "1"}).builder
    frames = {
        "A": segments.segment_frame(
            library(("sessions", "users"), ("device_type",)), None, ("device_type",)
        )
    }
    fig = segments.figure(frames, builder, "sessions", ZONE)
    image = Image.open(io.BytesIO(images.png(fig)))
    assert image.size == (images.WIDTH * images.PNG_SCALE, images.HEIGHT * images.PNG_SCALE)
    svg = ET.fromstring(images.svg(fig))
    groups = svg.iter("{http://www.w3.org/2000/svg}g")
    lines = [g for g in groups if g.get("class", "").startswith("trace scatter")]
    assert len(lines) == 3  # a line per device type


def test_buckets_are_cut_in_the_chosen_zone() -> None:
    test = page(tz="America/New_York", gran="hour", period="1d")
    day = Interval.from_dates(dt.date(2024, 11, 19), dt.date(2024, 11, 19), "America/New_York")
    expected = segmentation(sample(), day, ("sessions", "users"), (), "hour", sites=(SITE,)).frame
    shown = table(test)
    assert len(shown) == 24 and shown["bucket"].iloc[0] == "2024-11-19T00:00:00-05:00"
    assert shown["bucket"].tolist() == [stamp(b) for b in expected["bucket"]]
    assert shown["sessions"].tolist() == expected["sessions"].tolist()
