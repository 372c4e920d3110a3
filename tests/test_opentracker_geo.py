"""Opentracker's top country/region/city list (seed 000) on the sample, as documented."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sample_store import sample

DATA = Path(__file__).resolve().parent / "data"
PATH = "/api/location/top_country_region_city.jsp"
CREDENTIALS = "login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
EXAMPLE_3 = f"{PATH}?period=1d&{CREDENTIALS}"
EXAMPLE_1 = (
    f"{PATH}?date=2024-11-19&{CREDENTIALS}&period=3w&dataType=html&detailLevel=region"
    "&countryCode=US"
)
EXAMPLE_2 = f"{PATH}?date=2024-11-19&detailLevel=city&countryCode=US&regionCode=CA&period=1d"


def documented() -> list[list[tuple[str, str]]]:
    doc = json.loads((DATA / "seed000_response.json").read_text(encoding="utf-8"))
    return [list(row.items()) for row in doc["resultsList"]]


def items(body: bytes) -> list[list[tuple[str, str]]]:
    return [list(row.items()) for row in json.loads(body)["resultsList"]]


@pytest.mark.parametrize("url", [EXAMPLE_3, EXAMPLE_3 + "&date=2024-11-19"])
def test_the_documented_example_returns_the_documented_response(url: str) -> None:
    response = sample().request(url)
    assert response.status == 200, response.text
    assert response.media_type.startswith("application/json")
    assert items(response.body) == documented()


def test_the_regions_example_answers_html() -> None:
    response = sample().request(EXAMPLE_1)
    assert response.status == 200, response.text
    assert response.media_type.startswith("text/html")
    cells = table_cells(response.text)
    assert cells[0] == ["No.", "flag", "country / region / city", "code", "users", "graph",
                        "percentage", "sessions"]  # fmt: skip
    assert cells[1][0] == "1" and cells[-1][6] == "100%"
    assert all(row[3] for row in cells[1:-1] if row[2] != "Unknown")


def test_the_credential_less_cities_example_answers_on_the_sample() -> None:
    response = sample().request(EXAMPLE_2)
    assert response.status == 200, response.text
    rows = json.loads(response.body)["resultsList"]
    assert rows[0]["graph"] == "|" * 20 and rows[-1]["percentage"] == "100%"
    assert all(r["code"] == "" for r in rows)


@pytest.mark.parametrize(
    "query",
    [
        "password=wrong&login=demo@opentracker.net",
        "login=someone@example.com&password=demo123",
        "site=www.nope.net&login=demo@opentracker.net&password=demo123",
    ],
)
def test_bad_credentials_get_the_documented_error(query: str) -> None:
    response = sample().request(f"{PATH}?period=1d&{query}")
    assert response.status == 401
    assert (
        response.text == "Error: java.lang.RuntimeException: Login/ site combination is not valid"
    )


@pytest.mark.parametrize(
    ("param", "value", "valid"),
    [
        ("detailLevel", "town", "country, region, city"),
        ("dataType", "xml", "json, html"),
        ("period", "5x", "e.g. 1d"),
        ("date", "2024-13-01", "yyyy-MM-dd"),
        ("unixTime", "soon", "seconds"),
        ("timeZone", "Mars/Base", "IANA"),
        ("locale", "xx_YY", "en_US"),
        ("ignoreLocale", "maybe", "true, false"),
    ],
)
def test_bad_parameters_are_named_in_the_documented_error_form(
    param: str, value: str, valid: str
) -> None:
    url = EXAMPLE_3.replace("period=1d", "period=5x" if param == "period" else "period=1d")
    response = sample().request(url if param == "period" else f"{url}&{param}={value}")
    assert response.status == 400, response.text
    assert response.text.startswith("Error: java.lang.IllegalArgumentException: ")
    assert param in response.text and repr(value) in response.text
    assert valid.lower() in response.text.lower()


def test_regions_need_a_country_and_cities_a_region() -> None:
    region = sample().request(f"{EXAMPLE_3}&detailLevel=region")
    city = sample().request(f"{EXAMPLE_3}&detailLevel=city&countryCode=US")
    assert region.status == city.status == 400
    assert "countryCode" in region.text and "regionCode" in city.text


def test_a_ticket_stands_in_for_the_password_until_it_expires() -> None:
    now = dt.datetime(2024, 11, 19, 12, tzinfo=dt.UTC)
    login = "/api/management/login_user.jsp?login=demo@opentracker.net&password=demo123&expires=60"
    ticket = sample().request(login, now=now).text
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ticket
    )
    url = f"{PATH}?period=1d&date=2024-11-19&login=demo@opentracker.net&ticketId={ticket}"
    assert sample().request(url, now=now + dt.timedelta(seconds=59)).status == 200
    late = sample().request(url, now=now + dt.timedelta(seconds=61))
    assert late.status == 401 and late.text.startswith("Error: java.lang.RuntimeException")
    wrong = login.replace("demo123", "nope")
    assert sample().request(wrong, now=now).text == "false"


def test_the_locale_formats_numbers() -> None:
    response = sample().request(f"{EXAMPLE_3}&locale=de_DE")
    totals = json.loads(response.body)["resultsList"][-1]
    assert totals["users"] == "1.876" and totals["sessions"] == "2.151"
    assert json.loads(response.body)["resultsList"][0]["percentage"] == "25,5%"


def test_csv_jsondatatable_jqgrid_and_png_hold_the_same_rows() -> None:
    want = documented()
    text = sample().request(f"{EXAMPLE_3}&dataType=csv").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [k for k, _ in want[0]]
    assert rows[1:] == [[v for _, v in row] for row in want]
    table = json.loads(sample().request(f"{EXAMPLE_3}&dataType=jsondatatable").body)
    assert table["field"] == [k for k, _ in want[0]] and table["rows"] == len(want)
    assert table["resultsList"] == [[v for _, v in row] for row in want]
    grid = json.loads(sample().request(f"{EXAMPLE_3}&dataType=jsonjqgrid").body)
    assert grid["records"] == len(want) and grid["rows"][0]["cell"] == [v for _, v in want[0]]
    png = sample().request(f"{EXAMPLE_3}&dataType=png")
    assert png.media_type == "image/png" and png.body.startswith(b"\x89PNG\r\n\x1a\n")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_cells(html: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(html)
    return parser.rows
