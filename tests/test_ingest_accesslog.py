"""Access-log ingest: an nginx log into exact visits, events and places; hostile input; idempotence."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_geoip import _city_mmdb

from workbench.cli import main
from workbench.errors import WorkbenchError
from workbench.ingest.accesslog import ingest_access_log
from workbench.ingest.accesslog_sessions import visitor_id
from workbench.sites import add_site
from workbench.store import Store

NOW = dt.datetime(2024, 11, 19, 12, tzinfo=dt.UTC)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0"
TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36"
)
V6 = "2001:4860:4860::8888"


def line(ip: str, hms: str, request: str, status: int, referrer: str, ua: str | None) -> str:
    head = f'{ip} - - [18/Nov/2024:{hms} +0000] "{request}" {status} 5123'
    return head if ua is None else f'{head} "{referrer}" "{ua}"'


LOG = [
    line("81.2.69.142", "10:00:00", "GET /landing?utm_source=tw&utm_medium=social&utm_campaign=black-friday HTTP/1.1", 200, "https://t.co/abc", CHROME),
    line("81.2.69.142", "10:00:01", "GET /static/app.css HTTP/1.1", 200, "https://shop.example.com/landing", CHROME),
    line("81.2.69.142", "10:00:01", "GET /static/app.js HTTP/1.1", 200, "https://shop.example.com/landing", CHROME),
    line("81.2.69.142", "10:05:00", "GET /pricing HTTP/1.1", 200, "https://shop.example.com/landing", CHROME),
    line("81.2.69.142", "10:06:30", "GET /files/brochure.pdf HTTP/1.1", 200, "https://shop.example.com/pricing", CHROME),
    line("8.8.8.8", "10:10:00", "GET /shoes HTTP/2.0", 200, "https://www.google.com/search?q=running+shoes", IPHONE),
    line("8.8.8.8", "10:10:01", "GET /img/logo.png HTTP/2.0", 200, "https://shop.example.com/shoes", IPHONE),
    line("8.8.8.8", "10:12:00", "GET /shoes/red HTTP/2.0", 200, "https://shop.example.com/shoes", IPHONE),
    line("8.8.8.8", "10:12:30", "POST /cart HTTP/2.0", 302, "https://shop.example.com/shoes/red", IPHONE),
    line("66.249.66.1", "10:20:00", "GET /robots.txt HTTP/1.1", 200, "-", GOOGLEBOT),
    line("66.249.66.1", "10:20:01", "GET / HTTP/1.1", 200, "-", GOOGLEBOT),
    line("66.249.66.1", "10:20:02", "GET /pricing HTTP/1.1", 200, "-", GOOGLEBOT),
    line("130.104.1.1", "10:30:00", "GET / HTTP/1.1", 200, "-", HEADLESS),
    line("130.104.1.1", "10:30:00", "GET /static/app.css HTTP/1.1", 200, "https://shop.example.com/", HEADLESS),
    line(V6, "10:40:00", "GET /blog/post?id=1 HTTP/1.1", 200, "https://duckduckgo.com/?q=web+analytics", FIREFOX),
    line(V6, "10:40:02", "GET /fonts/a.woff2 HTTP/1.1", 200, "https://shop.example.com/blog/post?id=1", FIREFOX),
    line(V6, "10:41:00", "GET /blog/post?id=2 HTTP/1.1", 200, "https://shop.example.com/blog/post?id=1", FIREFOX),
    line("5.255.255.5", "10:45:00", "GET /api/health HTTP/1.1", 200, "-", "curl/8.5.0"),
    # 43.5 minutes after its last hit the first visitor comes back: a second visit
    line("81.2.69.142", "10:50:00", "GET /pricing HTTP/1.1", 200, "-", CHROME),
    line("81.2.69.142", "10:50:01", "GET /static/app.css HTTP/1.1", 304, "https://shop.example.com/pricing", CHROME),
    line("81.2.69.142", "10:50:05", "GET /missing HTTP/1.1", 404, "https://shop.example.com/pricing", CHROME),
    line("10.0.0.5", "11:00:00", "GET / HTTP/1.1", 200, "https://news.ycombinator.com/item?id=1", TABLET),
    line("10.0.0.5", "11:00:00", "GET / HTTP/1.1", 200, "https://news.ycombinator.com/item?id=1", TABLET),
    line("81.2.69.142", "11:30:00", "GET /common HTTP/1.0", 200, "", None),  # common format
]  # fmt: skip
SESSION_COLUMNS = (
    "ip_address, strftime(start_ts, '%H:%M:%S') AS start, duration_s, pageviews, actions, "
    "distinct_urls, entry_url, exit_url, is_new, visit_number, referrer_type, referrer_domain, "
    "search_term, campaign, country_code, country_name, browser, os, device_type, is_bot, "
    "bot_reason"
)
SESSIONS = [
    ["81.2.69.142", "10:00:00", 390, 2, 3, 2, "/landing?utm_source=tw&utm_medium=social&utm_campaign=black-friday", "/pricing", True, 1, "campaign", "t.co", None, "black-friday", "GB", "United Kingdom", "Chrome", "Windows", "desktop", False, None],
    ["8.8.8.8", "10:10:00", 120, 2, 2, 2, "/shoes", "/shoes/red", True, 1, "search", "google.com", "running shoes", None, "US", "United States", "Mobile Safari", "iOS", "mobile", False, None],
    ["66.249.66.1", "10:20:01", 1, 2, 2, 2, "/", "/pricing", True, 1, "direct", None, None, None, "US", "United States", "Googlebot", None, "desktop", True, "crawler-ua"],
    ["130.104.1.1", "10:30:00", 0, 1, 1, 1, "/", "/", True, 1, "direct", None, None, None, "BE", "Belgium", "HeadlessChrome", "Linux", "desktop", True, "headless"],
    [V6, "10:40:00", 60, 2, 2, 2, "/blog/post?id=1", "/blog/post?id=2", True, 1, "search", "duckduckgo.com", "web analytics", None, "US", "United States", "Firefox", "Mac OS X", "desktop", False, None],
    ["5.255.255.5", "10:45:00", 0, 1, 1, 1, "/api/health", "/api/health", True, 1, "direct", None, None, None, "RU", "Russian Federation", "curl", None, "desktop", True, "crawler-ua"],
    ["81.2.69.142", "10:50:00", 0, 1, 1, 1, "/pricing", "/pricing", False, 2, "direct", None, None, None, "GB", "United Kingdom", "Chrome", "Windows", "desktop", False, None],
    ["10.0.0.5", "11:00:00", 0, 1, 1, 1, "/", "/", True, 1, "social", "news.ycombinator.com", None, None, None, None, "Chrome", "Android", "tablet", True, "one-hit-zero-seconds"],
    ["81.2.69.142", "11:30:00", 0, 1, 1, 1, "/common", "/common", True, 1, "direct", None, None, None, "GB", "United Kingdom", None, None, "desktop", True, "crawler-ua"],
]  # fmt: skip
EVENTS = [  # (ip, time, seq, type, url)
    ("81.2.69.142", "10:00:00", 1, "pageview", "/landing?utm_source=tw&utm_medium=social&utm_campaign=black-friday"),
    ("81.2.69.142", "10:05:00", 2, "pageview", "/pricing"),
    ("81.2.69.142", "10:06:30", 3, "download", "/files/brochure.pdf"),
    ("8.8.8.8", "10:10:00", 1, "pageview", "/shoes"),
    ("8.8.8.8", "10:12:00", 2, "pageview", "/shoes/red"),
    ("66.249.66.1", "10:20:01", 1, "pageview", "/"),
    ("66.249.66.1", "10:20:02", 2, "pageview", "/pricing"),
    ("130.104.1.1", "10:30:00", 1, "pageview", "/"),
    (V6, "10:40:00", 1, "pageview", "/blog/post?id=1"),
    (V6, "10:41:00", 2, "pageview", "/blog/post?id=2"),
    ("5.255.255.5", "10:45:00", 1, "pageview", "/api/health"),
    ("81.2.69.142", "10:50:00", 1, "pageview", "/pricing"),
    ("10.0.0.5", "11:00:00", 1, "pageview", "/"),
    ("81.2.69.142", "11:30:00", 1, "pageview", "/common"),
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "store")
    add_site(store, "shop", now=NOW, name="shop.example.com", time_zone="Europe/Helsinki")
    return store


def write_log(tmp_path: Path, lines: list[str], name: str = "access.log") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sessions(store: Store, columns: str = SESSION_COLUMNS) -> list[list]:
    frame = store.sql(f"SELECT {columns} FROM sessions ORDER BY start_ts, ip_address")
    return [[None if v != v else v for v in row] for row in frame.values.tolist()]


def events(store: Store) -> list[tuple]:
    frame = store.sql(
        "SELECT s.ip_address, strftime(e.ts, '%H:%M:%S'), e.seq, e.type, e.url FROM events e "
        "JOIN sessions s USING (session_id) ORDER BY e.ts, e.seq"
    )
    return [tuple(r) for r in frame.values.tolist()]


def run(store: Store, *paths: Path, **options):
    return ingest_access_log(store, paths, site="shop", now=NOW, **options)


def test_an_nginx_log_becomes_exactly_these_visits_events_and_places(store, tmp_path) -> None:
    outcome = run(store, write_log(tmp_path, LOG))
    assert outcome.reconciles
    assert (outcome.input, outcome.stored, outcome.duplicates, outcome.rejected) == (24, 14, 1, 0)
    assert outcome.skipped == {"asset": 7, "redirect": 1, "http_error": 1}
    assert (outcome.sessions, outcome.batches) == (9, 1)
    assert outcome.bots == {"crawler-ua": 3, "headless": 1, "one-hit-zero-seconds": 1}
    assert sessions(store) == SESSIONS
    assert events(store) == EVENTS
    assert outcome.summary() == (
        "access log: 24 lines = 14 stored + 1 duplicates + 0 rejected + 9 skipped "
        "(asset 7, http_error 1, redirect 1); 9 visits stored (5 flagged as bots: crawler-ua 3, "
        "headless 1, one-hit-zero-seconds 1); 1 batches"
    )
    # the visitor is site + IP + user agent; the second visit knows the first
    first, second = sessions(
        store,
        "session_id, visitor_id, epoch_ms(first_visit_ts), first_session_id, visitor_pageviews",
    )[0::6][:2]
    assert first[1] == second[1] == visitor_id("shop", "81.2.69.142", CHROME)
    assert second[2:] == [1731924000000, first[0], 3]
    assert first[2:] == [1731924000000, first[0], 2]
    detail = store.sql(
        "SELECT referrer_url, user_agent, isp_organization, browser_version, os_version "
        "FROM sessions WHERE ip_address = $ip",
        {"ip": V6},
    ).values.tolist()
    assert detail == [
        ["https://duckduckgo.com/?q=web+analytics", FIREFOX, "GOOGLE", "125.0", "14.4"]
    ]
    refs = store.sql("SELECT referrer_url FROM events WHERE url = '/pricing' ORDER BY ts")
    assert refs["referrer_url"].tolist()[0] == "https://shop.example.com/landing"


def test_ingesting_the_same_log_twice_stores_nothing_new(store, tmp_path) -> None:
    path = write_log(tmp_path, LOG)
    run(store, path)
    files = store.snapshot.entries("events")
    again = run(store, path)
    assert again.reconciles
    assert (again.stored, again.duplicates, again.sessions, again.batches) == (0, 15, 0, 0)
    assert again.sessions_known == 9
    assert store.snapshot.entries("events") == files
    assert store.snapshot.rows("sessions") == 9 and store.snapshot.rows("events") == 14
    # the same file given twice in one call: its second copy is all duplicates
    twice = run(store, path, path)
    assert (twice.input, twice.stored, twice.duplicates) == (48, 0, 30)


def test_small_batches_give_the_same_visits(store, tmp_path) -> None:
    outcome = run(store, write_log(tmp_path, LOG), batch_lines=3)
    assert outcome.reconciles and outcome.stored == 14 and outcome.batches > 1
    assert sessions(store) == SESSIONS
    assert events(store) == EVENTS


def test_a_later_log_counts_visits_against_the_store(store, tmp_path) -> None:
    run(store, write_log(tmp_path, LOG[:5], "day1.log"))
    later = line("81.2.69.142", "23:00:00", "GET /again HTTP/1.1", 200, "-", CHROME)
    outcome = run(store, write_log(tmp_path, [later], "day2.log"))
    assert outcome.sessions == 1
    row = sessions(store, "is_new, visit_number, visitor_pageviews, first_session_id")[-1]
    first_id = sessions(store, "session_id")[0][0]
    assert row == [False, 2, 3, first_id]


def test_the_timeout_is_configurable(store, tmp_path) -> None:
    outcome = run(store, write_log(tmp_path, LOG), timeout_minutes=60)
    assert outcome.sessions == 8  # the first visitor's 43.5-minute gap no longer splits
    first = sessions(store, "pageviews, actions, duration_s, exit_url")[0]
    assert first == [3, 4, 3000, "/pricing"]


def test_bot_rules_flag_by_user_agent_or_url(store, tmp_path) -> None:
    outcome = run(
        store, write_log(tmp_path, LOG), bot_rules=["health=^/api/", "iphone=iPhone OS 17"]
    )
    flagged = dict(
        (r[0], r[1]) for r in sessions(store, "ip_address, bot_reason") if r[1] is not None
    )
    assert flagged["5.255.255.5"] == "rule:health"  # user rules come before the crawler list
    assert flagged["8.8.8.8"] == "rule:iphone"
    assert outcome.bots["rule:health"] == 1
    with pytest.raises(WorkbenchError, match="--bot-rule"):
        run(store, write_log(tmp_path, LOG), bot_rules=["bad=("])
    with pytest.raises(WorkbenchError, match="--bot-rule"):
        run(store, write_log(tmp_path, LOG), bot_rules=["no-equals-sign"])


def test_anonymized_ips_are_truncated_after_geolocation(store, tmp_path) -> None:
    run(store, write_log(tmp_path, LOG), anonymize_ip=True)
    rows = sessions(store, "ip_address, country_code, visitor_id")
    assert [r[:2] for r in rows[:5]] == [
        ["81.2.69.0", "GB"],
        ["8.8.8.0", "US"],
        ["66.249.66.0", "US"],
        ["130.104.1.0", "BE"],
        ["2001:4860:4860::", "US"],
    ]
    assert rows[0][2] == visitor_id("shop", "81.2.69.0", CHROME)
    assert not store.sql("SELECT count(*) FROM sessions WHERE ip_address LIKE '81.2.69.142'").iat[
        0, 0
    ]


def _hostile_lines() -> list[tuple[bytes, str]]:
    ok = b'81.2.69.142 - - [18/Nov/2024:09:00:%02d +0000] "GET %s HTTP/1.1" 200 10 "-" "%s"'

    def good(second: int, url: bytes, ua: bytes = b"Mozilla/5.0 (Windows NT 10.0)") -> bytes:
        return ok % (second, url, ua)

    script = good(1, b"/search?q=<script>alert(1)</script>", b"<script>alert('ua')</script>")
    return [
        (b"garbage", "malformed_line"),
        (b"", "malformed_line"),
        (b"\x00\x01\x02", "malformed_line"),
        (good(0, b"/" + b"A" * 100_000), "oversize"),
        (good(2, b"/caf\xe9"), "invalid_utf8"),
        (script, "stored"),
        (good(3, b"/item?id=1'%20OR%20'1'='1", b"'; DROP TABLE sessions; --"), "stored"),
        (script, "duplicate"),
        (b'81.2.69.142 - - [18/Nov/2030:09:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"', "future_timestamp"),
        (b'81.2.69.142 - - [18/Nov/1990:09:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"', "ancient_timestamp"),
        (b'81.2.69.142 - - [99/Foo/2024:09:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"', "bad_timestamp"),
        (b'81.2.69.142 - - [18/Nov/2024:09:00:04 +0000] "FOO BAR BAZ QUX" 200 1 "-" "x"', "malformed_request"),
        (b'81.2.69.142 - - [18/Nov/2024:09:00:05 +0000] "\\x16\\x03\\x01\\x02\\x00" 400 157 "-" "-"', "http_error"),
        (b'81.2.69.142 - - [18/Nov/2024:09:00:06 +0000] "GET /q\\"x HTTP/1.1" 200 1 "-" "Apache \\"quoted\\" agent"', "stored"),
        (b'81.2.69.142 - - [18/Nov/2024:09:00:07 +0000] "GET /n\\x22x HTTP/1.1" 200 1 "-" "nginx \\x22escaped\\x22 caf\\xC3\\xA9"', "stored"),
        (good(8, b"/crlf") + b"\r", "stored"),
        (good(9, b"/extra") + b' "1.2.3.4" "rt=0.003"', "stored"),
        (b'<script> - - [18/Nov/2024:09:00:10 +0000] "GET / HTTP/1.1" 200 1 "-" "x"', "stored"),
        (good(11, b"/nul", b"a\x00b"), "stored"),
        (b'81.2.69.142 - - [18/Nov/2024:09:00:12 +0000] "GET /a" b" HTTP/1.1" 200 1 "-" "x"', "malformed_line"),
        (b"\xff\xfe\xfd not even text", "invalid_utf8"),
        (b'81.2.69.142 - - [18/Nov/2024:09:00:13 +0000] "GET / HTTP/1.1" 200 1 "-" "' + b"U" * 60_000 + b'"', "stored"),
    ]  # fmt: skip


def test_a_hostile_log_reconciles_exactly(store, tmp_path) -> None:
    corpus = _hostile_lines()
    path = tmp_path / "hostile.log"
    path.write_bytes(b"\n".join(raw for raw, _ in corpus) + b"\n")
    rejects = tmp_path / "rejects.jsonl"
    outcome = run(store, path, rejects=rejects)
    fates = [fate for _, fate in corpus]
    assert outcome.reconciles and outcome.input == len(corpus)
    assert outcome.stored == fates.count("stored") == 9
    assert outcome.duplicates == 1 and outcome.skipped == {"http_error": 1}
    expected = [
        (i, f) for i, f in enumerate(fates, 1) if f not in ("stored", "duplicate", "http_error")
    ]
    logged = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in logged] == expected
    assert outcome.reasons == {r: [f for _, f in expected].count(r) for _, r in expected}
    assert all(len(r["raw"]) <= 1001 for r in logged)
    stored = store.sql("SELECT url FROM events ORDER BY ts")["url"].tolist()
    assert "/search?q=<script>alert(1)</script>" in stored
    assert "/item?id=1'%20OR%20'1'='1" in stored
    assert '/q"x' in stored and '/n"x' in stored and "/crlf" in stored and "/extra" in stored
    agents = set(store.sql("SELECT user_agent FROM sessions")["user_agent"])
    assert {'Apache "quoted" agent', 'nginx "escaped" café', "'; DROP TABLE sessions; --"} <= agents
    assert "a\x00b" in agents and "U" * 60_000 in agents
    assert store.sql("SELECT count(*) FROM sessions WHERE ip_address = '<script>'").iat[0, 0] == 1
    again = run(store, path, rejects=tmp_path / "again.jsonl")
    assert again.reconciles and again.stored == 0 and again.duplicates == 10


def test_unknown_site_missing_file_and_bad_geoip_are_clear_errors(store, tmp_path) -> None:
    path = write_log(tmp_path, LOG)
    with pytest.raises(WorkbenchError, match="--site: invalid value 'nope'"):
        ingest_access_log(store, [path], site="nope", now=NOW)
    with pytest.raises(WorkbenchError, match="no such file"):
        run(store, tmp_path / "missing.log")
    with pytest.raises(WorkbenchError, match=r"--geoip .*: no such file"):
        run(store, path, geoip=tmp_path / "GeoLite2-City.mmdb")
    with pytest.raises(WorkbenchError, match="--timeout"):
        run(store, path, timeout_minutes=0)
    assert store.snapshot.rows("sessions") == 0


def test_a_city_database_fills_regions_and_cities(store, tmp_path) -> None:
    mmdb = _city_mmdb(tmp_path / "city.mmdb")
    run(store, write_log(tmp_path, LOG), geoip=mmdb)
    rows = sessions(store, "ip_address, country_code, region_code, region_name, city, metro_code")
    assert rows[1] == ["8.8.8.8", "US", "CA", "California", "Mountain View", "807"]
    assert rows[0] == ["81.2.69.142", "GB", "ENG", "England", "London", None]
    assert rows[3] == ["130.104.1.1", "BE", None, None, None, None]


def test_the_cli_ingests_with_options_and_a_summary(store, tmp_path) -> None:
    path = write_log(tmp_path, LOG)
    runner = CliRunner()
    args = ["ingest", "access-log", str(path), "--site", "shop", "--data", str(store.root)]
    done = runner.invoke(main, [*args, "--timeout", "30", "--bot-rule", "health=^/api/"])
    assert done.exit_code == 0, done.output
    assert "24 lines = 14 stored + 1 duplicates + 0 rejected + 9 skipped" in done.output
    assert "rule:health 1" in done.output
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and "0 stored + 15 duplicates" in again.output
    # anonymized, a line hashes its truncated IP: another id, so mix the modes on no site
    anonymous = runner.invoke(main, [*args, "--anonymize-ip"])
    assert anonymous.exit_code == 0 and "14 stored" in anonymous.output
    bad = runner.invoke(main, [*args, "--geoip", str(tmp_path / "none.mmdb")])
    assert bad.exit_code != 0 and "--geoip" in bad.output and "no such file" in bad.output
