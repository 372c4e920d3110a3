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
