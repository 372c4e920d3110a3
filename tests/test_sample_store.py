"""The bundled sample store: sites, 13 months of traffic ending at as_of, the fixtures in place."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sample_store import sample

from workbench.core import Workbench
from workbench.credentials import verify_password
from workbench.reports import top_locations
from workbench.sample.build import sample_start
from workbench.sample.sites import CLICKY, COUNTLY, GIOSG, OPENTRACKER, site_zone
from workbench.timeframe import Interval

DATA = Path(__file__).parent / "data"
NY = ZoneInfo("America/New_York")


def test_sample_store_is_the_documents_world() -> None:
    wb = sample()
    assert wb.is_sample and wb.as_of == dt.date(2024, 11, 19)
    sites = wb.sql("SELECT * FROM sites").set_index("site_id")
    assert set(sites.index) == {OPENTRACKER, CLICKY, COUNTLY, GIOSG}
    assert sites.loc[CLICKY, "clicky_site_id"] == "32020"
    assert sites.loc[CLICKY, "clicky_sitekey"] == "0f3545d91b71cf50"
    assert sites.loc[GIOSG, "giosg_org_id"] == "b0a1d32b-e82c-11e4-b081-6c4008adf7e8"
    assert sites.loc[OPENTRACKER, "opentracker_login"] == "demo@opentracker.net"
    assert verify_password("demo123", sites.loc[OPENTRACKER, "opentracker_password_hash"])
    assert not verify_password("demo124", sites.loc[OPENTRACKER, "opentracker_password_hash"])


def test_thirteen_months_of_traffic_for_every_site_ending_at_as_of() -> None:
    extent = (
        sample()
        .sql(
            "SELECT site_id, min(start_ts) AS first, max(start_ts) AS last, count(*) AS n "
            "FROM sessions WHERE start_ts >= TIMESTAMPTZ '2023-01-01' GROUP BY site_id"
        )
        .set_index("site_id")
    )
    assert set(extent.index) == {OPENTRACKER, CLICKY, COUNTLY, GIOSG}
    for site, row in extent.iterrows():
        first = row["first"].tz_convert(ZoneInfo(site_zone(site)))
        assert first.date() == sample_start(), f"{site}: traffic starts on the first local day"
        assert first.hour < 2, f"{site}: the first local day is a whole day"
        assert row["last"].date() >= dt.date(2024, 11, 19), site
        assert row["n"] > 10_000, site
    for site, row in extent.iterrows():
        last = row["last"].tz_convert(ZoneInfo(site_zone(site)))
        assert last.date() == dt.date(2024, 11, 19), f"{site}: traffic ends at as_of, local time"
        assert last.hour >= 22, f"{site}: the last local day is a whole day"


def test_bots_are_flagged_with_a_reason() -> None:
    bots = sample().sql("SELECT bot_reason, count(*) AS n FROM sessions WHERE is_bot GROUP BY ALL")
    assert len(bots) >= 2 and bots["bot_reason"].notna().all()


def test_opentracker_fixture_day_answers_the_documented_top_list() -> None:
    with open(DATA / "seed000_top_countries.csv", newline="") as fh:
        documented = list(csv.DictReader(fh))
    start = dt.datetime(2024, 11, 19, tzinfo=NY)
    day = Interval(start, start + dt.timedelta(days=1), "America/New_York")
    rows = top_locations(sample(), day, sites=(OPENTRACKER,)).frame
    got = [(r.country_name, r.country_code, r.users, r.sessions) for r in rows.itertuples()]
    want = [(d["name"], d["code"], int(d["users"]), int(d["sessions"])) for d in documented]
    assert got == want
    assert (rows["users"].sum(), rows["sessions"].sum()) == (1876, 2151)


def test_giosg_fixture_has_212_helsinki_visitors_on_new_year() -> None:
    n = sample().sql(
        "SELECT count(DISTINCT visitor_id) AS n FROM sessions WHERE site_id = $site "
        "AND country_name = 'Finland' AND city = 'Helsinki' "
        "AND start_ts >= TIMESTAMPTZ '2019-01-01 00:00:00+02:00' "
        "AND start_ts < TIMESTAMPTZ '2019-01-02 00:00:00+02:00'",
        {"site": GIOSG},
    )["n"][0]
    assert n == 212


def test_clicky_fixture_day_has_the_nine_documented_visitors() -> None:
    rows = sample().sql(
        "SELECT ip_address FROM sessions WHERE site_id = $site AND start_ts >= "
        "TIMESTAMPTZ '2015-04-13 00:00:00-07:00' AND start_ts < TIMESTAMPTZ "
        "'2015-04-14 00:00:00-07:00' ORDER BY start_ts DESC",
        {"site": CLICKY},
    )
    assert rows["ip_address"].tolist()[:2] == ["50.46.135.0", "208.181.22.0"]
    assert len(rows) == 9


def test_clock_uses_as_of_for_the_sample_and_the_wall_clock_otherwise(tmp_path) -> None:
    wall = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    clock = sample().clock(wall, "America/New_York")
    assert clock.now == dt.datetime(2024, 11, 19, 23, 59, 59, 999000, tzinfo=NY)
    assert clock.source == "sample as_of 2024-11-19"
    from workbench.store import Store

    Store.create(tmp_path / "mine")
    own = Workbench.open(tmp_path / "mine").clock(wall, "Europe/Helsinki")
    assert (own.now, own.source) == (wall, "wall clock")


def test_info_describes_the_store() -> None:
    facts = sample().info()
    assert facts["as_of"] == "2024-11-19" and facts["schema_version"] == 1
    assert (
        facts["rows"]["sessions"] > 500_000 and facts["rows"]["events"] > facts["rows"]["sessions"]
    )
    assert {s["site_id"] for s in facts["sites"]} == {OPENTRACKER, CLICKY, COUNTLY, GIOSG}
    assert all("sitekey" not in k and "password" not in k for s in facts["sites"] for k in s)


@pytest.mark.parametrize("table", ["sessions", "events"])
def test_no_duplicate_ids(table: str) -> None:
    key = "session_id" if table == "sessions" else "event_id"
    dupes = sample().sql(f"SELECT {key}, count(*) FROM {table} GROUP BY 1 HAVING count(*) > 1")
    assert dupes.empty


@pytest.mark.parametrize(
    ("call", "code", "fragments"),
    [
        (lambda wb: wb.site("www.nope.net"), "unknown_site", ["www.nope.net", "clicky-demo"]),
        (
            lambda wb: top_locations(
                wb,
                Interval(
                    dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                    dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
                    "UTC",
                ),
                sites=("nope",),
            ),
            "unknown_site",
            ["'nope'", "www.opentracker.net"],
        ),
        (
            lambda wb: top_locations(
                wb,
                Interval(
                    dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
                    dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                    "UTC",
                ),
                sites=(OPENTRACKER,),
            ),
            "invalid_interval",
            ["2024-01-01", "after start"],
        ),
    ],
)
def test_bad_input_names_the_value_and_what_is_valid(call, code, fragments) -> None:
    from workbench.errors import WorkbenchError

    with pytest.raises(WorkbenchError) as err:
        call(sample())
    assert err.value.code == code
    for fragment in fragments:
        assert fragment in err.value.message
