"""The documented example fixtures reproduce their documents (seeds 000, 001, 003 and 004)."""

from __future__ import annotations

import csv
import datetime as dt
import ipaddress
import itertools
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from workbench.errors import WorkbenchError
from workbench.model import EVENTS, SESSIONS, conform
from workbench.sample.fix_common import country_cities, load_spec
from workbench.sample.fixtures import FIXTURES, fixture_rows, fixture_tables

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def seed_text(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed {name} not beside the project")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables():
    return fixture_tables()


@pytest.fixture(scope="module")
def con(tables):
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.register("sessions", tables["sessions"])
    con.register("events", tables["events"])
    yield con
    con.close()


@pytest.fixture(scope="module")
def sessions(tables) -> list[dict]:
    rows = tables["sessions"].to_pylist()
    for row in rows:
        for key in ("properties", "source_fields"):
            row[key] = dict(row[key] or [])
    return rows


def one(con, sql: str, params: dict | None = None) -> tuple:
    """The single row of a query (fetched whole: DuckDB 2 wants results finished)."""
    (row,) = con.execute(sql, params or {}).fetchall()
    return row


def local_midnight(day: str, zone: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), ZoneInfo(zone))


# --- all fixtures ------------------------------------------------------------------------


def test_tables_conform_to_the_model(tables):
    assert tables["sessions"].schema == SESSIONS.schema
    assert tables["events"].schema == EVENTS.schema
    assert conform("sessions", tables["sessions"]).equals(tables["sessions"])
    assert conform("events", tables["events"]).equals(tables["events"])


def test_ids_are_unique_and_prefixed(con, sessions):
    ids = [s["session_id"] for s in sessions]
    assert len(ids) == len(set(ids))
    (dupes,) = one(con, "SELECT count(*) - count(DISTINCT event_id) FROM events")
    assert dupes == 0
    documented = {r["session_id"] for r in load_spec(FIXTURES["opentracker-sessions"][0])["rows"]}
    for s in sessions:
        if s["session_id"] in documented:
            continue  # seed 001 gives these ids
        assert s["session_id"].startswith("fx-") and s["visitor_id"].startswith("fx-")


def test_events_belong_to_their_sessions(con):
    orphans = one(
        con,
        """SELECT count(*) FROM events e LEFT JOIN sessions s USING (session_id)
           WHERE s.session_id IS NULL OR s.visitor_id <> e.visitor_id OR s.site_id <> e.site_id
              OR e.ts < s.start_ts OR e.ts > s.end_ts""",
    )[0]
    assert orphans == 0
    mismatched = one(
        con,
        """SELECT count(*) FROM sessions s JOIN (
               SELECT session_id, count(*) AS n, count(*) FILTER (type = 'pageview') AS pv,
                      count(DISTINCT url) FILTER (type = 'pageview') AS urls,
                      min(seq) AS lo, max(seq) AS hi, max(ts) AS last
               FROM events GROUP BY session_id) e USING (session_id)
           WHERE e.n <> s.actions OR e.pv <> s.pageviews OR e.lo <> 1 OR e.hi <> e.n
              OR e.last <> s.end_ts OR coalesce(s.distinct_urls, e.urls) <> e.urls""",
    )[0]
    assert mismatched == 0
    (without_events,) = one(
        con, "SELECT count(*) FROM sessions WHERE session_id NOT IN (SELECT session_id FROM events)"
    )
    assert without_events == 0


def test_sessions_are_coherent(sessions):
    by_visitor: dict[str, list[dict]] = {}
    for s in sessions:
        assert s["is_bot"] is False and s["pageviews"] >= 1
        assert s["duration_s"] == round((s["end_ts"] - s["start_ts"]).total_seconds()) or (
            s["duration_s"] == (s["end_ts"] - s["start_ts"]) // dt.timedelta(seconds=1)
        )
        assert s["is_new"] == (s["visit_number"] == 1)
        assert s["first_visit_ts"] <= s["start_ts"]
        if s["is_new"]:
            assert s["first_visit_ts"] == s["start_ts"]
            assert s["first_session_id"] == s["session_id"]
        by_visitor.setdefault(s["visitor_id"], []).append(s)
    for visits in by_visitor.values():
        visits.sort(key=lambda s: s["start_ts"])
        for before, after in itertools.pairwise(visits):
            assert after["visit_number"] == before["visit_number"] + 1
            assert after["start_ts"] - before["end_ts"] >= dt.timedelta(minutes=30)
            assert after["first_visit_ts"] == before["first_visit_ts"]


def test_fixtures_are_deterministic():
    for name in FIXTURES:
        assert fixture_rows(name) == fixture_rows(name)


def test_unknown_fixture_is_an_error_naming_the_valid_ones():
    with pytest.raises(WorkbenchError, match="opentracker-top-countries"):
        fixture_tables(["nope"])


# --- fixture 1: seed 000, top countries of www.opentracker.net on 2024-11-19 --------------

TOP_COUNTRIES = """
    SELECT country_name, country_code, count(DISTINCT visitor_id) AS users, count(*) AS sessions,
           min(start_ts) AS first_start
    FROM sessions
    WHERE site_id = $site AND NOT is_bot AND start_ts >= $start AND start_ts < $end
    GROUP BY country_name, country_code
    ORDER BY users DESC, first_start  -- the stated order rule
"""


def documented_top_countries() -> list[dict]:
    with (DATA / "seed000_top_countries.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_seed000_copy_matches_the_document():
    text = seed_text("000_938ebb18c729bda8.txt")
    start = text.index('{ "resultsList"')
    rows = json.loads(text[start : text.index("] }", start) + 3])["resultsList"]
    expected = [
        [r["No."], r["country / region / city"], r["code"], r["users"], r["sessions"]]
        for r in rows
        if r["No."]
    ]
    assert [list(r.values()) for r in documented_top_countries()] == expected
    assert rows[-1]["users"] == "1,876" and rows[-1]["sessions"] == "2,151"


def test_seed000_response_copy_is_the_documented_json():
    text = seed_text("000_938ebb18c729bda8.txt")
    start = text.index('{ "resultsList"')
    documented = json.loads(text[start : text.index("] }", start) + 3])
    copy = json.loads((DATA / "seed000_response.json").read_text(encoding="utf-8"))
    assert [list(r.items()) for r in copy["resultsList"]] == [
        list(r.items()) for r in documented["resultsList"]
    ]


def test_top_countries_reproduce_seed000(con):
    spec = load_spec(FIXTURES["opentracker-top-countries"][0])
    assert spec["order_rule"].startswith("users descending, then the country whose first session")
    params = {
        "site": spec["site_id"],
        "start": local_midnight(spec["date"], spec["time_zone"]),
        "end": local_midnight(spec["date"], spec["time_zone"]) + dt.timedelta(days=1),
    }
    got = con.execute(TOP_COUNTRIES, params).fetchall()
    expected = [
        (r["name"], r["code"], int(r["users"]), int(r["sessions"]))
        for r in documented_top_countries()
    ]
    assert [row[:4] for row in got] == expected
    assert [[r[1], r[2], r[3], r[4]] for r in spec["rows"]] == [list(e) for e in expected]
    # the rule decides every tie: no two countries with equal users share a first start
    firsts = {(row[2], row[4]) for row in got}
    assert len(firsts) == len(got)
    totals = one(
        con,
        "SELECT count(DISTINCT visitor_id), count(*) FROM sessions WHERE site_id = $site "
        "AND start_ts >= $start AND start_ts < $end",
        params,
    )
    assert totals == (1876, 2151)
    (outside,) = one(
        con,
        "SELECT count(*) FROM sessions WHERE session_id LIKE 'fx-ot-20241119-%' "
        "AND NOT (start_ts >= $start AND start_ts < $end)",
        {"start": params["start"], "end": params["end"]},
    )
    assert outside == 0


def test_top_countries_sessions_look_real(con):
    codes = [r["code"] for r in documented_top_countries()]
    with_cities = [code for code in codes if country_cities(code)]
    assert len(with_cities) >= 90
    rows = one(
        con,
        """SELECT count(*) FILTER (city IS NULL AND list_contains($with_cities, country_code)),
                  count(*) FILTER (region_code LIKE '%-%'),
                  count(*) FILTER (entry_url NOT LIKE 'http://www.opentracker.net%'),
                  count(*) FILTER (browser IS NULL OR os IS NULL OR device_type IS NULL),
                  count(DISTINCT referrer_type), count(*) FILTER (visit_number > 1)
           FROM sessions WHERE session_id LIKE 'fx-ot-20241119-%'""",
        {"with_cities": with_cities},
    )
    no_city, prefixed_region, foreign_entry, no_tech, referrer_types, returning = rows
    assert (no_city, prefixed_region, foreign_entry, no_tech) == (0, 0, 0, 0)
    assert referrer_types >= 3 and returning > 0


# --- fixture 2: seed 001, the example session rows ---------------------------------------

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]]')


def _scan_rows(part: str, inside_row: bool) -> list[tuple[list[str], bool]]:
    """(values, closed) of each row in a piece of the resultsList text."""
    rows, current = [], ([] if inside_row else None)
    for token in TOKEN.findall(part):
        if token == "[":
            current = []
        elif token == "]":
            if current is None:
                break
            rows.append((current, True))
            current = None
        elif current is not None:
            current.append(json.loads(token))
    if current is not None:
        rows.append((current, False))
    return rows


def extract_seed001_rows(text: str) -> dict:
    """Seed 001's example rows as field -> value (None where the copy cuts a row)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('{"rows"'))
    head, tail = lines[at], lines[at + 2]  # the line between them is the ellipsis
    fields = json.loads(re.search(r'"field": (\[.*?\])', head).group(1))
    total = int(re.search(r'"rows": (\d+)', head).group(1))
    head_rows = _scan_rows(head.split('"resultsList": [', 1)[1], inside_row=False)
    tail_rows = _scan_rows(tail, inside_row=True)
    out = []
    for values, _ in head_rows:  # rows from the top: a cut row lacks its last fields
        missing = fields[len(values) :]
        out.append((values + [None] * len(missing), missing))
    for k, (values, _) in enumerate(tail_rows):  # after the cut: the first lacks its start
        missing = fields[: len(fields) - len(values)] if k == 0 else []
        out.append(([None] * len(missing) + values, missing))
    positions = [*range(1, len(head_rows) + 1), *range(total - len(tail_rows) + 1, total + 1)]
    rows = [
        {"position": p, "missing": m, "values": dict(zip(fields, v, strict=True))}
        for p, (v, m) in zip(positions, out, strict=True)
    ]
    return {"fields": fields, "rows": rows}


def documented_sessions() -> dict:
    return json.loads((DATA / "seed001_rows.json").read_text(encoding="utf-8"))


def test_seed001_copy_matches_the_document():
    extracted = extract_seed001_rows(seed_text("001_723d3149811d9f50.txt"))
    committed = documented_sessions()
    assert committed["fields"] == extracted["fields"]
    assert committed["rows"] == extracted["rows"]
    assert [len(r["missing"]) for r in committed["rows"]] == [0, 0, 0, 31, 2, 0, 0, 0]


# The documenting server's clock (VENDOR-NOTES) and zones: November strings are UTC+5,
# June/October firstMeasurement strings UTC+6 (pre-2011 Russian summer time rules).
NOW = dt.datetime(2011, 11, 16, 19, 44, 57, tzinfo=dt.UTC)
ONLINE_WINDOW = dt.timedelta(minutes=5)  # the document puts it between 45 s and 41 min
UTC5 = dt.timezone(dt.timedelta(hours=5))
UTC6 = dt.timezone(dt.timedelta(hours=6))
SUMMER_2011 = (
    dt.datetime(2011, 3, 26, 21, tzinfo=dt.UTC),
    dt.datetime(2011, 10, 29, 21, tzinfo=dt.UTC),
)
TWO_LABEL_SUFFIXES = ("co.uk", "com.br")


def java_time(ts: dt.datetime, zone: dt.tzinfo) -> str:
    """SimpleDateFormat 'MMM dd hh:mm a' (en_US)."""
    local = ts.astimezone(zone)
    return f"{local:%b} {local.day:02d} {local.hour % 12 or 12:02d}:{local.minute:02d} " + (
        "AM" if local.hour < 12 else "PM"
    )


def first_measurement(s: dict) -> str:
    ts = s["first_visit_ts"]
    return java_time(ts, UTC6 if SUMMER_2011[0] <= ts < SUMMER_2011[1] else UTC5)


def online(s: dict) -> bool:
    return NOW - s["last_seen_ts"] <= ONLINE_WINDOW


def pretty_seconds(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def duration(s: dict) -> str:
    if online(s):
        return pretty_seconds(round((NOW - s["start_ts"]).total_seconds()))
    return "s.e." if s["end_ts"] == s["start_ts"] else pretty_seconds(s["duration_s"])


def registrable_domain(s: dict) -> str:
    if not s["referrer_url"]:
        return ""
    labels = s["referrer_domain"].split(".")
    keep = 3 if ".".join(labels[-2:]) in TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


def referrer(s: dict) -> str:
    url = s["referrer_url"] or ""
    return url.replace("/url?", "/search?", 1) if ".google." in url else url


def milliseconds(ts: dt.datetime) -> str:
    return str((ts - EPOCH) // dt.timedelta(milliseconds=1))


DERIVED = {
    "lastEvent": lambda s: java_time(s["last_seen_ts"], UTC5),
    "duration": duration,
    "currentVisitDuration": duration,
    "status": lambda s: "puppet_online" if online(s) else "puppet_offline",
    "user_status": lambda s: "online" if online(s) else "offline",
    "flag": lambda s: s["country_code"].lower(),
    "visits_pageviews": lambda s: f"{s['visit_number']} ({s['pageviews']})",
    "browser": lambda s: f"{s['browser']} {s['browser_version']}",
    "platform": lambda s: s["source_fields"].get("platform") or f"{s['os']} {s['os_version']}",
    "resolution": lambda s: s["screen_resolution"].replace("x", " x "),
    "entry_root_url": lambda s: s["entry_url"].split("?")[0],
    "exit_root_url": lambda s: s["exit_url"].split("?")[0],
    "firstMeasurement": first_measurement,
    "inet_aton": lambda s: str(int(ipaddress.IPv4Address(s["ip_address"]))),
    "number_of_pages_viewed": lambda s: str(s["pageviews"]),
    "total_number_visits": lambda s: str(s["visit_number"]),
    "use_id": lambda s: s["visitor_id"],
    "visit_id": lambda s: s["session_id"],
    "type": lambda s: "session",
    "referrer": referrer,
    "referrersLogo": registrable_domain,
    "session_referrer_hostname": lambda s: registrable_domain(s).split(".")[0],
    "session_referrer_unix_timestamp": lambda s: (
        milliseconds(s["start_ts"]) if s["referrer_url"] else ""
    ),
}


def stored(s: dict, column: str) -> str:
    """A stored column as the document prints it ('' for none)."""
    if "." in column:
        mapping, key = column.split(".")
        value = s[mapping].get(key)
    else:
        value = s[column]
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return milliseconds(value)
    return repr(value) if isinstance(value, float) else str(value)


def test_every_documented_field_is_stored_or_derived():
    spec = load_spec(FIXTURES["opentracker-sessions"][0])
    fields = documented_sessions()["fields"]
    assert set(spec["stored"]).isdisjoint(DERIVED)
    assert sorted([*spec["stored"], *DERIVED]) == sorted(fields)
    assert set(spec["derived"]) == set(DERIVED)


def test_session_rows_reproduce_seed001(sessions):
    spec = load_spec(FIXTURES["opentracker-sessions"][0])
    by_event = {s["source_fields"].get("event_id"): s for s in sessions}
    for row in documented_sessions()["rows"]:
        s = by_event[row["values"]["event_id"]]
        for field, value in row["values"].items():
            if value is None:
                continue  # cut from the document
            column = spec["stored"].get(field)
            got = stored(s, column) if column else DERIVED[field](s)
            assert got == value, (row["position"], field)


def test_derived_fields_are_not_stored(sessions):
    opaque = {"machine_id", "rnd", "event_id", "entry_query", "exit_query_id", "total_duration"}
    for s in sessions:
        assert set(s["source_fields"]) <= opaque | {"platform"}
        assert set(s["properties"]) <= {"email"}


def test_session_events_match_their_pages(con):
    rows = con.execute(
        """SELECT s.session_id, s.pageviews, arg_min(e.url, e.seq), arg_max(e.url, e.seq),
                  s.entry_url, s.exit_url, arg_max(e.event_id, e.seq), s.source_fields['event_id']
           FROM sessions s JOIN events e USING (session_id)
           WHERE s.site_id = 'www.opentracker.net' AND s.start_ts < TIMESTAMPTZ '2012-01-01'
           GROUP BY ALL"""
    ).fetchall()
    assert len(rows) == 8
    for _, _, first, last, entry, exit_, last_id, documented_id in rows:
        assert (first, last, last_id) == (entry, exit_, documented_id)


# --- fixture 3: seed 003, Clicky's visitors-list example ----------------------------------


def time_pretty(ts: dt.datetime) -> str:
    """Clicky's time_pretty as the example prints it: 'Mon Apr 13 2015, 4:39pm', '2pm'."""
    minutes = f":{ts.minute:02d}" if ts.minute else ""
    return f"{ts:%a %b} {ts.day} {ts.year}, {ts.hour % 12 or 12}{minutes}" + (
        "am" if ts.hour < 12 else "pm"
    )


def test_seed003_copy_matches_the_document():
    text = seed_text("003_c5a5c4d2aea5df3c.txt")
    lines = [line for line in text.splitlines() if line.startswith("Mon Apr 13 2015, ")]
    assert (DATA / "seed003_visitors_list.txt").read_text(encoding="utf-8").splitlines() == lines


def test_visitors_list_reproduces_seed003(con):
    spec = load_spec(FIXTURES["clicky-visitors"][0])
    zone = ZoneInfo(spec["time_zone"])
    start = local_midnight(spec["date"], spec["time_zone"])
    rows = con.execute(
        """SELECT start_ts, ip_address, referrer_url FROM sessions
           WHERE site_id = $site AND NOT is_bot AND start_ts >= $start AND start_ts < $end
           ORDER BY start_ts DESC""",
        {"site": spec["site_id"], "start": start, "end": start + dt.timedelta(days=1)},
    ).fetchall()
    got = [
        f"{time_pretty(ts.astimezone(zone))} - {ip} - {ref or '(no referrer)'}"
        for ts, ip, ref in rows
    ]
    documented = (DATA / "seed003_visitors_list.txt").read_text(encoding="utf-8").splitlines()
    assert got == [line.removesuffix("<br>").rstrip() for line in documented]


def test_clicky_bing_visitor(con):
    row = con.execute(
        """SELECT referrer_domain, referrer_type, search_term, country_code, region_code
           FROM sessions WHERE ip_address = '50.46.135.0'"""
    ).fetchall()
    assert row == [("bing.com", "search", "unique visitor versus visitor", "US", "WA")]


# --- fixture 4: seed 004, giosg's unique visitors from Helsinki on 2019-01-01 -------------

HELSINKI_VISITORS = """
    SELECT count(DISTINCT visitor_id) FROM sessions
    WHERE site_id = 'giosg-shop' AND country_name = 'Finland' AND city = 'Helsinki'
      AND start_ts >= $start AND start_ts < $end
"""


def test_helsinki_visitors_reproduce_seed004(con):
    spec = load_spec(FIXTURES["giosg-helsinki"][0])
    expected = spec["expected"]
    start = dt.datetime.fromisoformat("2019-01-01T00:00:00.000+02:00")
    end = dt.datetime.fromisoformat("2019-01-02T00:00:00.000+02:00")
    local = one(con, HELSINKI_VISITORS, {"start": start, "end": end})[0]
    assert local == expected["helsinki_visitors_local_day"] == 212
    in_utc = {
        "start": dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
        "end": dt.datetime(2019, 1, 2, tzinfo=dt.UTC),
    }
    utc_count = one(con, HELSINKI_VISITORS, in_utc)[0]
    assert utc_count == expected["helsinki_visitors_utc_day"] != 212
    inclusive = HELSINKI_VISITORS.replace("start_ts < $end", "start_ts <= $end")
    inclusive_count = one(con, inclusive, {"start": start, "end": end})[0]
    assert inclusive_count == expected["helsinki_visitors_end_inclusive"]
    no_city = HELSINKI_VISITORS.replace("AND city = 'Helsinki'", "")
    no_city_count = one(con, no_city, {"start": start, "end": end})[0]
    assert no_city_count == expected["finland_visitors_local_day"]


def test_giosg_sessions_are_filled(con):
    counts = one(
        con,
        """SELECT count(*) FILTER (device_type IS NULL OR browser IS NULL OR os IS NULL
                                   OR organization IS NULL OR distinct_urls IS NULL),
                  count(*) FILTER (device_type NOT IN ('desktop', 'mobile', 'tablet')),
                  count(DISTINCT city)
           FROM sessions WHERE site_id = 'giosg-shop'""",
    )
    assert counts[:2] == (0, 0) and counts[2] == 6
    (repeaters,) = one(
        con,
        """SELECT count(*) FROM (
               SELECT visitor_id FROM sessions
               WHERE site_id = 'giosg-shop' AND city = 'Helsinki'
                 AND start_ts >= TIMESTAMPTZ '2019-01-01 00:00:00+02'
                 AND start_ts < TIMESTAMPTZ '2019-01-02 00:00:00+02'
               GROUP BY visitor_id HAVING count(*) >= 2)""",
    )
    assert repeaters >= 20
