"""The workbench command: info, sample, run, and clear errors."""

from __future__ import annotations

import json
import urllib.request

import pytest
from click.testing import CliRunner
from sample_store import sample
from served_app import running_app

from workbench.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_info_prints_the_sample_store() -> None:
    path = str(sample().path)
    text = invoke("info", "--data", path)
    assert text.exit_code == 0, text.output
    assert "as_of          2024-11-19" in text.output and "clicky_site_id=32020" in text.output
    facts = json.loads(invoke("info", "--data", path, "--json").output)
    assert facts["as_of"] == "2024-11-19"


def test_info_on_a_missing_store_fails_naming_it(tmp_path) -> None:
    result = invoke("info", "--data", str(tmp_path / "nope"))
    assert (
        result.exit_code != 0 and "nope" in result.output and "no workbench store" in result.output
    )


def test_sample_generates_a_store_of_the_asked_size(tmp_path) -> None:
    out = tmp_path / "gen"
    result = invoke("sample", "--sessions", "20000", "--days", "10", "--out", str(out))
    assert result.exit_code == 0, result.output
    facts = json.loads(invoke("info", "--data", str(out), "--json").output)
    assert abs(facts["rows"]["sessions"] - 20_000) <= 200
    assert facts["rows"]["events"] > facts["rows"]["sessions"]
    assert facts["first_session"] >= "2024-11-09"


def test_compact_merges_a_generated_store(tmp_path) -> None:
    out = str(tmp_path / "gen")
    assert invoke("sample", "--sessions", "3000", "--days", "40", "--out", out).exit_code == 0
    before = json.loads(invoke("info", "--data", out, "--json").output)
    result = invoke("compact", "--data", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 files merged")  # November's two, for each table
    after = json.loads(invoke("info", "--data", out, "--json").output)
    assert after["rows"] == before["rows"]
    assert after["files"] == {"sessions": 2, "events": 2}
    assert before["files"] == {"sessions": 3, "events": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sample", "--sessions", "10"], "--out is required"),
        (["sample", "--sessions", "0", "--out", "x"], "0"),
    ],
)
def test_sample_rejects_bad_arguments(args, message) -> None:
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.slow
def test_run_serves_the_app_on_localhost() -> None:
    sample()  # built already, so the server starts at once
    with running_app() as url, urllib.request.urlopen(f"{url}/") as page:
        assert b"<title>" in page.read()


def test_export_writes_a_documented_answer_and_fails_on_an_error(tmp_path) -> None:
    path = str(sample().path)
    url = "/api/location/top_country_region_city.jsp?period=1d&dataType=csv"
    out = tmp_path / "top.csv"
    done = invoke("export", url, "--data", path, "-o", str(out))
    assert done.exit_code == 0, done.output
    assert out.read_text().splitlines()[1].startswith("1,,India,IN,479,")
    bad = invoke("export", url + "&detailLevel=town", "--data", path)
    assert bad.exit_code == 1 and "detailLevel" in bad.output


def test_export_posts_a_body_with_headers() -> None:
    body = json.dumps(
        {
            "interval": {"start": "2019-01-01T00:00:00+02:00", "end": "2019-01-02T00:00:00+02:00"},
            "granularity": "all",
            "aggregations": [{"type": "count"}],
        }
    )
    url = "/api/reporting/v1/orgs/b0a1d32b-e82c-11e4-b081-6c4008adf7e8/visitor_sessions"
    token = "Authorization: Token 3a6d0284e743dc4a9b86f97d6dd1a3bf"
    done = invoke(
        "export", url, "-X", "POST", "-d", body, "-H", token, "--data", str(sample().path)
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["fields"][1] == {"name": "count", "type": "metric"}
    refused = invoke("export", url, "-X", "POST", "-d", body, "--data", str(sample().path))
    assert refused.exit_code == 1 and "credentials" in refused.output


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("-H", "no colon"), "-H"),
        (("--now", "yesterday"), "--now"),
        (("--now", "2024-11-19T12:00"), "offset"),
    ],
)
def test_export_rejects_bad_options(args: tuple[str, ...], named: str) -> None:
    result = invoke("export", "/api/location/top_country_region_city.jsp", *args)
    assert result.exit_code == 2 and named in result.output
