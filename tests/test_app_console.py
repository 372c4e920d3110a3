"""The API console: form values -> the documented URL and body (no Streamlit), and the page,
run by AppTest on the sample store, answering exactly what ``Workbench.request`` answers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from markdown_text import read
from sample_store import sample
from streamlit.testing.v1 import AppTest

from workbench.sample.sites import SAMPLE_SITES
from workbench.ui import console
from workbench.ui.console import ENDPOINTS, Built, build, shown

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "workbench/ui/pages/console.py")
KEYS = {k: v for s in SAMPLE_SITES for k, v in s.items()}  # the sample's demo credentials
SHOWN = 100_000  # characters the page shows
FIRST, LAST = dt.date(2024, 10, 21), dt.date(2024, 11, 19)  # the sidebar's default 30 days


def now(zone: str) -> dt.datetime:
    """The page's 'now': the sample's as_of day, ended in ``zone``."""
    return sample().clock(dt.datetime.now(dt.UTC), zone).now


# -- building requests (pure) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "values", "fmt", "url"),
    [
        ("top_country_region_city", {"site": "www.opentracker.net", "detailLevel": "region", "countryCode": "US", "period": "1d", "date": "2024-11-19"}, "csv",
         "/api/location/top_country_region_city.jsp?site=www.opentracker.net&date=2024-11-19&period=1d&detailLevel=region&countryCode=US&dataType=csv"),
        ("top_country_region_city", {"login": "demo@opentracker.net", "ignoreLocale": ""}, "png",
         "/api/location/top_country_region_city.jsp?login=demo@opentracker.net&dataType=png"),
        ("c_view_session", {"showColumns": "country,duration", "search": "open tracker", "useOr": "true"}, "jsondatatable",
         "/api/c_view_session.jsp?showColumns=country,duration&search=open+tracker&useOr=true&dataType=jsondatatable"),
        ("countly_o", {"api_key": "k", "app_id": "a", "method": "events", "events": '["a","b"]', "callback": "cb"}, "json",
         "/o?api_key=k&app_id=a&method=events&events=%5B%22a%22,%22b%22%5D"),
        ("countly_o", {"api_key": "k", "app_id": "a", "method": "locations", "callback": "cb"}, "jsonp",
         "/o?api_key=k&app_id=a&method=locations&callback=cb"),
        ("countly_dashboard", {"api_key": "k", "app_id": "a", "callback": ""}, "jsonp",
         "/o/analytics/dashboard?api_key=k&app_id=a&callback=callback"),
        ("countly_countries", {"api_key": "k", "app_id": "a"}, "json", "/o/analytics/countries?api_key=k&app_id=a"),
        ("clicky_stats", {"site_id": "32020", "sitekey": "s", "type": "visitors,countries", "date": "last-7-days", "country": "us"}, "csv",
         "/api/stats/4?site_id=32020&sitekey=s&type=visitors,countries&date=last-7-days&country=us&output=csv"),
    ],
)  # fmt: skip
def test_form_values_make_the_documented_url(key, values, fmt, url) -> None:
    assert build(ENDPOINTS[key], values, fmt).url == url


def test_more_parameters_are_appended_and_unknown_names_ignored() -> None:
    built = build(ENDPOINTS["clicky_stats"], {"type": "pages", "nope": "x"}, "json", "custom[a]=1")
    assert built.url == "/api/stats/4?type=pages&output=json&custom%5Ba%5D=1"


def test_a_format_the_vendor_does_not_document_is_an_error() -> None:
    with pytest.raises(console.WorkbenchError, match="format: 'xml'; expected one of json, jsonp"):
        build(ENDPOINTS["countly_dashboard"], {}, "xml")


def test_the_giosg_request_is_a_post_with_a_druid_body() -> None:
    values = {
        "organization": "org-1",
        "token": "t0ken",
        "start": "2024-11-01T00:00:00",
        "end": "2024-11-02T00:00:00",
        "time_zone": "Europe/Helsinki",
        "granularity": "PT1H",
        "group_by": "country,device_type",
        "aggregations": "count,hyperUnique:visitor_id",
        "filters": '{"type": "selector", "dimension": "country", "value": "Finland"}',
    }
    built = build(ENDPOINTS["giosg_visitor_sessions"], values, "json")
    assert (built.method, built.url) == ("POST", "/api/reporting/v1/orgs/org-1/visitor_sessions")
    assert dict(built.headers) == {
        "Authorization": "Token t0ken",
        "Content-Type": "application/json",
    }
    assert json.loads(built.body) == {
        "interval": {"start": "2024-11-01T00:00:00", "end": "2024-11-02T00:00:00", "time_zone": "Europe/Helsinki"},
        "granularity": {"type": "period", "period": "PT1H", "timeZone": "Europe/Helsinki"},
        "group_by": ["country", "device_type"],
        "aggregations": [{"type": "count"}, {"type": "hyperUnique", "fields": ["visitor_id"]}],
        "filters": {"type": "selector", "dimension": "country", "value": "Finland"},
    }  # fmt: skip
    with pytest.raises(console.WorkbenchError, match="filters: not JSON"):
        build(ENDPOINTS["giosg_visitor_sessions"], {**values, "filters": "{country"}, "json")


def test_credentials_are_masked_for_the_screen() -> None:
    built = Built(
        "GET",
        "/o?api_key=secret1&app_id=a&password=&sitekey=s%26k",
        None,
        (("Authorization", "Token abc"),),
    )
    url, headers = shown(built)
    assert url == "/o?api_key=********&app_id=a&password=&sitekey=********"
    assert headers == (("Authorization", "Token ********"),)
    assert shown(built, reveal=True) == (built.url, built.headers)  # fmt: skip


def test_choices_come_from_the_dialects_registries() -> None:
    from workbench.dialects import clicky_types, countly_read, opentracker_formats

    fields = {(e.key, f.name): f for e in ENDPOINTS.values() for f in e.fields}
    assert fields["countly_o", "method"].choices == tuple(countly_read.METHODS)
    assert fields["clicky_stats", "type"].choices == clicky_types.TYPES
    assert ENDPOINTS["top_country_region_city"].formats == opentracker_formats.DATA_TYPES
    assert ENDPOINTS["clicky_stats"].formats == ("xml", "php", "json", "csv")


# -- the page -----------------------------------------------------------------------------


def page(**params: str) -> AppTest:
    sample()
    test = AppTest.from_file(PAGE, default_timeout=120)
    test.query_params.update(params)
    return run(test)


def run(test: AppTest) -> AppTest:
    test.run()
    assert not test.exception, test.exception
    return test


def choose(test: AppTest, endpoint: str, fmt: str | None = None) -> AppTest:
    test.selectbox(key="console_endpoint").select(endpoint)
    run(test)
    if fmt is not None:
        test.radio(key=f"console_format_{endpoint}").set_value(fmt)
        run(test)
    return test


def request_of(test: AppTest) -> Built:
    """The request the page shows, with its credentials revealed."""
    test.toggle(key="console_reveal").set_value(True)
    run(test)
    body = test.code[1].value if len(test.code) > 2 else None
    headers = tuple(
        tuple(c.value.split(": ", 1))
        for c in test.caption
        if c.value.startswith(("Authorization:", "Content-Type:"))
    )
    method = next(c.value.split()[0] for c in test.caption if "request (seed" in c.value)
    return Built(method, test.code[0].value, body, headers)


def status_line(test: AppTest) -> str:
    return next(c.value for c in test.caption if c.value.startswith("HTTP "))


ZONES = {
    "top_country_region_city": "America/New_York",
    "c_view_session": "America/New_York",
    "countly_o": "Europe/Istanbul",
    "countly_dashboard": "Europe/Istanbul",
    "countly_countries": "Europe/Istanbul",
    "clicky_stats": "America/Los_Angeles",
    "giosg_visitor_sessions": "Europe/Helsinki",
}
CASES = [(key, fmt) for key, endpoint in ENDPOINTS.items() for fmt in endpoint.formats]


@pytest.mark.parametrize(("key", "fmt"), CASES)
def test_every_request_and_format_answers_workbench_requests_bytes(key, fmt) -> None:
    test = choose(page(), key, fmt)
    built = request_of(test)
    expected = sample().request(
        built.url,
        body=built.body,
        method=built.method,
        headers=dict(built.headers),
        now=now(ZONES[key]),
    )
    assert expected.status == 200, expected.text[:300]
    assert status_line(test).startswith(
        f"HTTP 200 · {expected.media_type} · {len(expected.body):,} bytes"
    )
    assert test.get("download_button")[0].proto.label == f"Download ({fmt})"
    if expected.media_type == "image/png":
        assert len(test.get("image")) == 1
        return
    text = expected.body.decode("utf-8")
    assert test.code[-1].value == text[:SHOWN].rstrip("\n")  # st.code drops a last newline


def test_the_form_is_prefilled_with_the_samples_demo_credentials_masked() -> None:
    test = choose(page(), "clicky_stats")
    fields = {w.label: w for w in test.text_input}
    assert fields["sitekey"].value == KEYS["clicky_sitekey"]
    assert fields["sitekey"].proto.type == fields["sitekey"].proto.PASSWORD
    assert fields["site_id"].value == "32020"
    assert KEYS["clicky_sitekey"] not in test.code[0].value
    assert "sitekey=********" in test.code[0].value
    assert fields["date"].value == f"{FIRST},{LAST}"
    opentracker = choose(page(), "top_country_region_city")
    fields = {w.label: w for w in opentracker.text_input}
    assert (fields["login"].value, fields["password"].value) == ("demo@opentracker.net", "demo123")


def test_sending_the_form_changes_the_request() -> None:
    test = choose(page(period="1d"), "top_country_region_city", "csv")
    fields = {w.label: w for w in test.text_input}
    fields["countryCode"].input("US")
    test.selectbox(key=next(s.key for s in test.selectbox if s.label == "detailLevel")).select(
        "region"
    )
    next(b for b in test.button if b.label == "Send request").click()
    run(test)
    built = request_of(test)
    assert "&detailLevel=region&countryCode=US&" in built.url and "period=1d" in built.url
    expected = sample().request(built.url, now=now("America/New_York"))
    assert test.code[-1].value == expected.text.rstrip("\n")
    assert expected.text.splitlines()[1].startswith("1,,New York,NY,")


def test_an_error_answer_shows_its_status() -> None:
    test = choose(page(), "clicky_stats", "json")
    fields = {w.label: w for w in test.text_input}
    fields["sitekey"].input("wrong-key-123")
    next(b for b in test.button if b.label == "Send request").click()
    run(test)
    assert status_line(test).startswith("HTTP 401 · application/json")
    assert json.loads(test.code[-1].value) == [{"error": "Invalid site_id or sitekey."}]


def test_a_bad_body_is_a_message_not_a_traceback() -> None:
    test = choose(page(), "giosg_visitor_sessions")
    test.text_area[0].input("{not json")
    next(b for b in test.button if b.label == "Send request").click()
    run(test)
    assert "filters: not JSON" in read(test.error[0].value)
