"""Countly write API ingestion: a web-SDK-shaped log, sessionised exactly; hostile input; /i and /o/sdk."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse as up
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.core import Workbench
from workbench.ingest.countly import ingest_countly
from workbench.sites import add_site
from workbench.store import Store

NOW = dt.datetime(2024, 11, 19, 12, tzinfo=dt.UTC)
T0 = int(dt.datetime(2024, 11, 18, 9, 0, tzinfo=dt.UTC).timestamp() * 1000)  # 13 digits
MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000
A = "6d1f6a0e-5b7c-4c36-9d5e-1f2a3b4c5d6e"  # device ids are UUIDs in the web SDK
B = "0b8e3f4a-2c1d-4e5f-8a9b-7c6d5e4f3a2b"
METRICS = {
    "_ua": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "_resolution": "1920x1080",
    "_density": "1",
    "_locale": "fi-FI",
    "_os": "Linux",
    "_device_type": "desktop",
    "_browser": "Chrome",
    "_browser_version": "126.0",
    "_app_version": "2.1",
    "_store": "web",  # unknown to the model: kept in source_fields
}


@pytest.fixture
def app(tmp_path: Path) -> tuple[Store, dict]:
    store = Store.create(tmp_path / "store")
    site = add_site(store, "app", now=NOW, kind="app", vendors=["countly"]).site
    return store, site


def sdk(key: str, device: str, ts: int, rr: int = 0, **params: object) -> str:
    """A request as countly-sdk-web 26 posts it (form-encoded; metrics on every request)."""
    fields: dict[str, object] = {
        "app_key": key,
        "device_id": device,
        "t": 1,
        "av": "2.1",
        "sdk_name": "javascript_native_web",
        "sdk_version": "26.1.1",
        "timestamp": ts,
        "hour": dt.datetime.fromtimestamp(ts / 1000, dt.UTC).hour,
        "dow": 1,
        "tz": 120,
        "rr": rr,
        "metrics": METRICS,
    } | params
    return up.urlencode(
        {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in fields.items()}
    )


def view(name: str, ts: int, visit: bool = True, dur: float | None = None) -> dict:
    event = {"key": "[CLY]_view", "count": 1, "timestamp": ts, "hour": 9, "dow": 1}
    event["segmentation"] = {"name": name, "segment": "Linux"} | (
        {"visit": 1, "start": 1} if visit else {}
    )
    return event | ({"dur": dur} if dur is not None else {})


def web_log(key: str) -> list[str]:
    """Device A: a full session, an abandoned one, a third; device B: health check + session."""
    t1 = T0 + DAY
    return [
        sdk(key, A, T0, begin_session=1),
        sdk(key, A, T0 + 1_000, events=[
            {"key": "[CLY]_orientation", "count": 1, "segmentation": {"mode": "landscape"}, "timestamp": T0 + 900},
            view("/home", T0 + 1_000),
        ]),
        sdk(key, A, T0 + MIN, session_duration=60),
        sdk(key, A, T0 + 90_000, events=[
            view("/home", T0 + 90_000, visit=False, dur=89),
            view("/cart", T0 + 90_000),
            {"key": "purchase", "count": 2, "sum": 19.98, "dur": 3.5, "timestamp": T0 + 95_000,
             "segmentation": {"item": "gem_pack", "country": "Turkey", "paid": True}},
        ]),
        sdk(key, A, T0 + 2 * MIN, session_duration=60),
        sdk(key, A, T0 + 135_000, session_duration=15, end_session=1),
        sdk(key, B, T0 + 10 * MIN, hc=json.dumps({"el": 0, "wl": 0, "sc": -1})),  # health check
        sdk(key, B, T0 + 10 * MIN + 5, begin_session=1, ip_address="8.8.8.8"),
        sdk(key, B, T0 + 11 * MIN, session_duration=60, events=[view("/pricing", T0 + 10 * MIN + 30_000)]),
        sdk(key, B, T0 + 12 * MIN, session_duration=60, end_session=1),
        sdk(key, A, t1, begin_session=1),  # abandoned: no end_session
        sdk(key, A, t1 + MIN, session_duration=60),
        sdk(key, A, t1 + 3 * HOUR, begin_session=1),  # its timeout closed the one before
        sdk(key, A, t1 + 3 * HOUR + MIN, session_duration=60),
    ]  # fmt: skip


def write_log(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return path


SESSION_COLUMNS = (
    "visitor_id, epoch_ms(start_ts) - $t0 AS start, epoch_ms(end_ts) - $t0 AS end_, "
    "epoch_ms(last_seen_ts) - $t0 AS seen, duration_s, pageviews, actions, is_new, visit_number, "
    "epoch_ms(first_visit_ts) - $t0 AS first, entry_url, exit_url, ip_address, country_code"
)


def rows(store: Store, query: str) -> list[tuple]:
    with store.cursor() as cur:
        return cur.execute(query, {"t0": T0} if "$t0" in query else None).fetchall()


def sessions(store: Store) -> list[tuple]:
    return rows(store, f"SELECT {SESSION_COLUMNS} FROM sessions ORDER BY start_ts")


def events(store: Store) -> list[tuple]:
    return rows(
        store,
        "SELECT visitor_id, epoch_ms(ts) - $t0, seq, type, key, count, sum, duration_s, url, "
        "map_entries(segmentation) FROM events ORDER BY ts, seq",
    )


def dump(store: Store) -> tuple:
    """Everything ingestion stored (ids included), comparable across ways of ingesting."""
    s = store.sql(
        "SELECT * EXCLUDE (source_fields), map_entries(source_fields) AS f FROM sessions ORDER BY session_id"
    )
    e = store.sql("SELECT * FROM events ORDER BY event_id")
    return s.astype(str).values.tolist(), e.astype(str).values.tolist()


EXPECTED_SESSIONS = [
    # visitor, start, end, last seen, duration, pageviews, actions, new, visit, first, entry, exit,
    # ip, country (a log has no client address: only begin_session's ip_address)
    (A, 0, 135_000, 135_000, 135, 2, 5, True, 1, 0, "/home", "/cart", None, None),
    (B, 10 * MIN, 10 * MIN + 120_000, 12 * MIN, 120, 1, 1, True, 1, 10 * MIN, "/pricing", "/pricing", "8.8.8.8", "US"),
    (A, DAY, DAY + MIN, DAY + MIN, 60, 0, 0, False, 2, 0, None, None, None, None),
    (A, DAY + 3 * HOUR, DAY + 3 * HOUR + MIN, DAY + 3 * HOUR + MIN, 60, 0, 0, False, 3, 0, None, None, None, None),
]  # fmt: skip


def test_a_web_sdk_log_is_sessionised_exactly(app, tmp_path: Path) -> None:
    store, site = app
    log = write_log(tmp_path / "requests.log", web_log(site["countly_app_key"]))
    outcome = ingest_countly(store, [log], now=NOW)
    assert (outcome.input, outcome.stored, outcome.duplicates, outcome.rejected) == (14, 14, 0, 0)
    assert outcome.reconciles and outcome.rejects_path is None
    assert sessions(store) == EXPECTED_SESSIONS
    assert events(store) == [
        (A, 900, 1, "custom", "[CLY]_orientation", 1, None, None, None, [{"key": "mode", "value": "landscape"}]),
        (A, 1_000, 2, "pageview", "[CLY]_view", 1, None, None, "/home",
         [{"key": "name", "value": "/home"}, {"key": "segment", "value": "Linux"},
          {"key": "visit", "value": "1"}, {"key": "start", "value": "1"}]),
        (A, 90_000, 3, "custom", "[CLY]_view", 1, None, 89.0, "/home",
         [{"key": "name", "value": "/home"}, {"key": "segment", "value": "Linux"}]),
        (A, 90_000, 4, "pageview", "[CLY]_view", 1, None, None, "/cart",
         [{"key": "name", "value": "/cart"}, {"key": "segment", "value": "Linux"},
          {"key": "visit", "value": "1"}, {"key": "start", "value": "1"}]),
        (A, 95_000, 5, "custom", "purchase", 2, 19.98, 3.5, None,
         [{"key": "item", "value": "gem_pack"}, {"key": "country", "value": "Turkey"},
          {"key": "paid", "value": "true"}]),
        (B, 10 * MIN + 30_000, 1, "pageview", "[CLY]_view", 1, None, None, "/pricing",
         [{"key": "name", "value": "/pricing"}, {"key": "segment", "value": "Linux"},
          {"key": "visit", "value": "1"}, {"key": "start", "value": "1"}]),
    ]  # fmt: skip
    first = store.sql("SELECT * FROM sessions ORDER BY start_ts LIMIT 1").iloc[0]
    assert (first.os, first.device_type, first.browser, first.browser_version) == (
        "Linux", "desktop", "Chrome", "126.0",
    )  # fmt: skip
    assert (first.screen_resolution, first.density, first.language, first.app_version) == (
        "1920x1080", "1", "fi-FI", "2.1",
    )  # fmt: skip
    assert (first.sdk_name, first.sdk_version, first.is_bot) == (
        "javascript_native_web",
        "26.1.1",
        False,
    )
    assert first.user_agent == METRICS["_ua"] and first.first_session_id == first.session_id
    fields = dict(first.source_fields)
    assert fields["_store"] == "web" and fields["countly_begin"] == "begin_session"
    assert fields["countly_end"] == "end_session"
    assert store.sql("SELECT count(DISTINCT session_id) FROM events").iloc[0, 0] == 2


def test_the_read_api_shows_exactly_that_traffic(app, tmp_path: Path) -> None:
    store, site = app
    ingest_countly(
        store, [write_log(tmp_path / "r.log", web_log(site["countly_app_key"]))], now=NOW
    )
    keys = f"api_key={site['countly_api_key']}&app_id={site['countly_app_id']}"
    wb = Workbench(store)
    doc = json.loads(wb.request(f"/o?{keys}&method=sessions", now=NOW).body)
    # t sessions, n new users, u users, e actions (event rows), d duration in seconds
    assert doc["2024"]["11"]["18"]["9"] == {"t": 2, "n": 2, "u": 2, "e": 6, "d": 255}
    assert doc["2024"]["11"]["19"]["9"] == {"t": 1, "u": 1, "d": 60}
    assert doc["2024"]["11"]["19"]["12"] == {"t": 1, "u": 1, "d": 60}
    day = {k: v for k, v in doc["2024"]["11"]["18"].items() if k in "tnued"}
    assert day == {"t": 2, "n": 2, "u": 2, "e": 6, "d": 255}
    month = {k: v for k, v in doc["2024"]["11"].items() if k in ("t", "n", "u", "e", "d")}
    assert month == {"t": 4, "n": 2, "u": 2, "e": 6, "d": 375}
    events_doc = json.loads(wb.request(f"/o?{keys}&method=events&event=purchase", now=NOW).body)
    assert events_doc["2024"]["11"]["18"]["9"] == {"c": 2, "s": 19.98, "dur": 3.5}
    assert events_doc["meta"]["segments"] == ["country", "item", "paid"]
    listed = json.loads(wb.request(f"/o?{keys}&method=get_events", now=NOW).body)["list"]
    assert listed == ["[CLY]_orientation", "[CLY]_view", "purchase"]


def test_ingesting_twice_stores_nothing_new(app, tmp_path: Path) -> None:
    store, site = app
    log = write_log(tmp_path / "r.log", web_log(site["countly_app_key"]))
    ingest_countly(store, [log], now=NOW)
    before, version = dump(store), store.snapshot.version
    again = ingest_countly(store, [log], now=NOW)
    assert (again.input, again.stored, again.duplicates, again.rejected) == (14, 0, 14, 0)
    assert dump(store) == before and store.snapshot.version == version


@pytest.mark.parametrize("batch_requests", [1, 3, 50_000])
def test_chunks_and_split_inputs_give_the_same_store(app, tmp_path: Path, batch_requests) -> None:
    store, site = app
    lines = web_log(site["countly_app_key"])
    whole = Store.create(tmp_path / "whole")
    _copy_sites(store, whole)
    ingest_countly(whole, [write_log(tmp_path / "all.log", lines)], now=NOW)
    # the same requests in three logs ingested one after the other, in small batches: open
    # sessions are stored as they stand at each log's end and replaced when extended
    for i, part in enumerate((lines[:2], lines[2:9], lines[9:])):
        out = ingest_countly(
            store, [write_log(tmp_path / f"{i}.log", part)], now=NOW, batch_requests=batch_requests
        )
        assert out.reconciles and out.stored == len(part)
    assert dump(store) == dump(whole)
    assert sessions(store) == EXPECTED_SESSIONS


def _copy_sites(source: Store, target: Store) -> None:
    """The same app keys in ``target`` (ids and keys must match for the dumps to compare)."""
    from workbench.sites import _sites

    with source.batch() as b:
        rows = _sites(b)
    with target.batch() as b:
        b.put_sites(rows)


def test_the_timeout_is_configurable(app, tmp_path: Path) -> None:
    store, site = app
    key = site["countly_app_key"]
    lines = [sdk(key, A, T0, begin_session=1), sdk(key, A, T0 + 20 * MIN, session_duration=60)]
    ingest_countly(
        store, [write_log(tmp_path / "r.log", lines)], now=NOW, timeout=dt.timedelta(minutes=10)
    )
    got = store.sql(
        "SELECT visit_number, duration_s, map_entries(source_fields) AS f FROM sessions ORDER BY start_ts"
    )
    assert got[["visit_number", "duration_s"]].values.tolist() == [[1, 0], [2, 60]]
    assert {"key": "countly_begin", "value": "implicit"} in list(got["f"][1])


def hostile(key: str) -> list[tuple[bytes | str, str | None]]:
    """Hostile lines with their expected fate; None: stored (the first time)."""
    ok = sdk(key, A, T0, begin_session=1)
    return [
        (ok, None),
        (ok, "duplicate"),  # the same request twice
        ("this is not a request", "malformed_query"),
        ("app_key=" + key + "&device_id=x&&oops", "malformed_query"),
        ("app_key=%zz&device_id=x", "malformed_query"),
        (b"app_key=" + key.encode() + b"&device_id=\xff\xfe&timestamp=1731920400", "invalid_utf8"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&metrics=%ED%A0%80", "invalid_utf8"),
        ('{"app_key": "' + key + '", "device_id": "\\ud800", "timestamp": 1731920400}', "invalid_utf8"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&metrics={not_json", "bad_json"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&events=[{]", "bad_json"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&events={}", "bad_json"),
        ('{"app_key": "' + key + '", "device_id": ', "bad_json"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&events=" + up.quote('[{"key":"a","count":"many"}]'), "bad_event"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&events=" + up.quote('[{"key":"a","sum":1e999}]'), "bad_event"),
        ("device_id=x&timestamp=1731920400", "missing_parameter"),
        ("app_key=" + key + "&timestamp=1731920400", "missing_parameter"),
        ("app_key=nope&device_id=x&timestamp=1731920400", "unknown_app"),
        ("api_key=" + key + "&device_id=x&timestamp=1731920400", "missing_parameter"),
        ("app_key=" + key + "&device_id=x&timestamp=4102444800000", "future_timestamp"),
        ("app_key=" + key + "&device_id=x&timestamp=86400", "ancient_timestamp"),
        ("app_key=" + key + "&device_id=x&timestamp=soon", "bad_timestamp"),
        ("app_key=" + key + "&device_id=x", "missing_timestamp"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&session_duration=-5", "bad_value"),
        ("app_key=" + key + "&device_id=x&timestamp=1731920400&pad=" + "a" * (1 << 20), "oversize"),
        ("app_key=" + key + "&device_id=" + "d" * 70_000 + "&timestamp=1731920400", "oversize"),
        # hostile but valid: stored as data, never as code
        (sdk(key, "x'); DROP TABLE sessions;--", T0 + 1, begin_session=1,
             metrics={"_os": "<script>alert(1)</script>", "_device": "' OR '1'='1"}), None),
        (sdk(key, "<img src=x onerror=alert(1)>", T0 + 2, events=[
            {"key": "'; DELETE FROM events; --", "count": 1, "segmentation": {"q": "\" OR 1=1 --"}}]), None),
        ('{"app_key": "' + key + '", "device_id": "json-\u00e9", "timestamp": 1731920400000, "begin_session": 1, '
         '"metrics": {"_os": "iOS", "_custom": [1, 2]}, "events": [{"key": "k"}, {"count": 3}]}', None),
    ]  # fmt: skip


def test_a_hostile_corpus_is_reconciled_exactly(app, tmp_path: Path) -> None:
    store, site = app
    corpus = hostile(site["countly_app_key"])
    log = write_log(tmp_path / "hostile.log", [line for line, _ in corpus])
    outcome = ingest_countly(store, [log], now=NOW)
    fates = Counter(fate for _, fate in corpus)
    stored, duplicates = fates.pop(None), fates.pop("duplicate")
    assert (outcome.input, outcome.stored, outcome.duplicates) == (len(corpus), stored, duplicates)
    assert outcome.reasons == dict(fates) and outcome.reconciles
    rejects = [json.loads(x) for x in outcome.rejects_path.read_text().splitlines()]
    expected = [
        (i + 1, fate) for i, (_, fate) in enumerate(corpus) if fate not in (None, "duplicate")
    ]
    assert [(r["line"], r["reason"]) for r in rejects] == expected
    assert all(r["source"] == str(log) and len(r["raw"]) <= 1_001 for r in rejects)
    assert store.sql("SELECT count(*) FROM sessions").iloc[0, 0] == 4
    oses = {r[0] for r in rows(store, "SELECT os FROM sessions")}
    assert oses == {"Linux", "<script>alert(1)</script>", "iOS"}
    assert (
        store.sql("SELECT count(*) FROM events WHERE key = '''; DELETE FROM events; --'").iloc[0, 0]
        == 1
    )
    json_one = store.sql(
        "SELECT map_entries(source_fields) AS f FROM sessions WHERE visitor_id = 'json-é'"
    )
    assert {"key": "_custom", "value": "[1, 2]"} in list(json_one["f"][0])
    again = ingest_countly(store, [log], now=NOW)  # nothing new, the same rejects
    assert (again.stored, again.duplicates, again.reasons) == (0, stored + duplicates, dict(fates))


def late_events_log(key: str) -> list[str]:
    """countly-sdk-web's order: end_session goes out before the events queued with it."""
    return [
        sdk(key, A, T0, begin_session=1),
        sdk(key, A, T0 + 30_000, session_duration=30, end_session=1),
        sdk(key, A, T0 + 31_000, events=[
            {"key": "purchase", "count": 1, "sum": 5.0, "timestamp": T0 + 29_000},
            view("/thanks", T0 + 29_500),
        ]),
        sdk(key, A, T0 + 2 * HOUR, events=[view("/later", T0 + 2 * HOUR)]),  # past the timeout
    ]  # fmt: skip


@pytest.mark.parametrize("way", ["log", "one request at a time"])
def test_events_sent_after_end_session_join_the_ended_session(app, tmp_path, way) -> None:
    store, site = app
    lines = late_events_log(site["countly_app_key"])
    if way == "log":
        ingest_countly(store, [write_log(tmp_path / "late.log", lines)], now=NOW)
    else:
        for line in lines:
            assert Workbench(store).request(f"/i?{line}", now=NOW).status == 200
    got = rows(store, "SELECT epoch_ms(start_ts) - $t0, duration_s, pageviews, actions, "
                      "map_entries(source_fields) FROM sessions ORDER BY start_ts")  # fmt: skip
    assert [r[:4] for r in got] == [(0, 30, 1, 2), (2 * HOUR, 0, 1, 1)]
    fields = {f["key"]: f["value"] for f in got[0][4]}
    assert (fields["countly_begin"], fields["countly_end"]) == ("begin_session", "end_session")
    keys = rows(store, "SELECT key, epoch_ms(ts) - $t0 FROM events ORDER BY ts")
    assert keys == [("purchase", 29_000), ("[CLY]_view", 29_500), ("[CLY]_view", 2 * HOUR)]
    again = ingest_countly(store, [write_log(tmp_path / "again.log", lines)], now=NOW)
    assert (again.stored, again.duplicates) == (0, len(lines))  # a re-run stores nothing


def test_the_write_endpoint_over_get_post_and_json(app) -> None:
    store, site = app
    wb, key = Workbench(store), site["countly_app_key"]
    lines = web_log(key)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for i, line in enumerate(lines):
        if i % 2:
            response = wb.request("/i", line, "POST", form, client="81.17.16.1", now=NOW)
        else:
            response = wb.request(f"/i?{line}", method="GET", client="81.17.16.1", now=NOW)
        assert (response.status, response.text) == (200, '{"result":"Success"}'), line
        assert ("Access-Control-Allow-Origin", "*") in response.headers
    got = sessions(store)
    assert [r[:-2] for r in got] == [r[:-2] for r in EXPECTED_SESSIONS]
    # without ip_address, the client's address (here a Swiss one) and its country
    assert [r[-2:] for r in got] == [
        ("81.17.16.1", "CH"), ("8.8.8.8", "US"), ("81.17.16.1", "CH"), ("81.17.16.1", "CH")
    ]  # fmt: skip
    again = wb.request(f"/i?{lines[0]}", now=NOW)  # an SDK retry: a duplicate, Success
    assert again.text == '{"result":"Success"}' and len(got) == len(sessions(store))
    body = json.dumps(
        {"app_key": key, "device_id": "j", "begin_session": 1, "metrics": {"_os": "Android"}}
    )
    posted = wb.request("/i", body, "POST", {"Content-Type": "application/json"}, now=NOW)
    assert posted.text == '{"result":"Success"}'
    row = store.sql("SELECT start_ts, os FROM sessions WHERE visitor_id = 'j'").iloc[0]
    assert (row.start_ts.to_pydatetime(), row.os) == (NOW, "Android")  # no timestamp: now


@pytest.mark.parametrize(
    ("url", "body", "status", "result"),
    [
        ("/i?device_id=d", None, 400, 'Missing parameter "app_key" or "device_id"'),
        ("/i?app_key=KEY", None, 400, 'Missing parameter "app_key" or "device_id"'),
        ("/i?app_key=API&device_id=d", None, 400, "App does not exist"),  # a read key
        ("/i?app_key=nope&device_id=d", None, 400, "App does not exist"),
        ("/i?app_key=KEY&device_id=d&metrics=%7B", None, 400, "metrics: not JSON"),
        ("/i", b"app_key=KEY&device_id=\xff", 400, "request body: invalid UTF-8"),
        ("/i?app_key=KEY&device_id=d&timestamp=4102444800", None, 400, "is in the future"),
        ("/i?app_key=KEY&device_id=d", b"x" * ((1 << 20) + 1), 400, "bytes > 1,048,576"),
    ],
)
def test_write_errors_are_countly_shaped(app, url, body, status, result) -> None:
    store, site = app
    url = url.replace("KEY", site["countly_app_key"]).replace("API", site["countly_api_key"])
    response = Workbench(store).request(url, body, "POST" if body else "GET", now=NOW)
    assert response.status == status and result in json.loads(response.body)["result"]
    assert ("Access-Control-Allow-Origin", "*") in response.headers
    assert store.sql("SELECT count(*) FROM sessions").iloc[0, 0] == 0
    assert list((store.root / "rejects").glob("countly-http-*.jsonl"))


def test_the_sdk_config_call_answers_an_empty_config(app) -> None:
    store, site = app
    wb = Workbench(store)
    body = f"method=sc&app_key={site['countly_app_key']}&device_id=d&sdk_version=26.1.1"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = wb.request("/o/sdk", body, "POST", form, now=NOW)
    assert (response.status, response.text) == (200, "{}")
    assert ("Access-Control-Allow-Origin", "*") in response.headers
    assert wb.request("/o/sdk?method=sc&app_key=x&device_id=d").status == 400


def test_the_cli_ingests_and_summarises(app, tmp_path: Path) -> None:
    store, site = app
    log = write_log(tmp_path / "r.log", [*web_log(site["countly_app_key"]), "junk"])
    data = str(store.root)
    out = CliRunner().invoke(
        main, ["ingest", "countly", str(log), "--data", data, "--timeout", "30"]
    )
    assert out.exit_code == 0, out.output
    assert (
        "countly requests: 15 input = 14 stored + 0 duplicates + 1 rejected (malformed_query 1)"
        in out.output
    )
    again = CliRunner().invoke(main, ["ingest", "countly", str(log), "--data", data])
    assert "15 input = 0 stored + 14 duplicates + 1 rejected" in again.output
    missing = CliRunner().invoke(
        main, ["ingest", "countly", str(tmp_path / "none.log"), "--data", data]
    )
    assert missing.exit_code != 0
