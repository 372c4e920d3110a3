"""Ingest tables: CSV, Parquet and JSON Lines with a mapping, reconciled, idempotent, atomic."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import workbench.store_write
from workbench.cli import main
from workbench.core import Workbench
from workbench.errors import WorkbenchError
from workbench.ingest.forget import forget
from workbench.ingest.table import ingest_table
from workbench.query import Query
from workbench.sites import add_site
from workbench.store import Store
from workbench.timeframe import Interval

NOW = dt.datetime(2024, 11, 19, 12, tzinfo=dt.UTC)
UTC = dt.UTC
MAPPING = {
    "visitor_id": "uid",
    "start_ts": "started",
    "end_ts": "ended",
    "pageviews": "pages",
    "is_new": "first",
    "country_code": "country",
    "properties": "props",
}
CSV = """uid,started,ended,pages,first,country,city,props,note
v1,2024-11-01T12:00:00+02:00,2024-11-01T10:05:30Z,3,yes,FI,Helsinki,"{""plan"": ""pro""}",spring
v2,1730460000,,1,no,SE,,,
v3,1730466000000,,2,true,US,New York,,x
"""
RECORDS = [  # the same three records as JSON Lines and Parquet would hold them
    {
        "uid": "v1",
        "started": "2024-11-01T10:00:00Z",
        "ended": "2024-11-01T10:05:30Z",
        "pages": 3,
        "first": True,
        "country": "FI",
        "city": "Helsinki",
        "props": {"plan": "pro"},
        "note": "spring",
    },
    {"uid": "v2", "started": 1730460000, "pages": 1, "first": False, "country": "SE"},
    {
        "uid": "v3",
        "started": 1730466000000,
        "pages": 2,
        "first": True,
        "country": "US",
        "city": "New York",
        "note": "x",
    },
]
EXPECTED = [  # visitor, start, end, duration, pageviews, actions, new, bot, country, city, props, source
    ["v1", "2024-11-01 10:00:00", "2024-11-01 10:05:30", 330, 3, 3, True, False, "FI", "Helsinki",
     {"plan": "pro"}, {"note": "spring"}],
    ["v2", "2024-11-01 11:20:00", "2024-11-01 11:20:00", 0, 1, 1, False, False, "SE", None,
     None, None],
    ["v3", "2024-11-01 13:00:00", "2024-11-01 13:00:00", 0, 2, 2, True, False, "US", "New York",
     None, {"note": "x"}],
]  # fmt: skip
COLUMNS = (
    "visitor_id, strftime(start_ts, '%Y-%m-%d %H:%M:%S') AS s, "
    "strftime(end_ts, '%Y-%m-%d %H:%M:%S') AS e, duration_s, pageviews, actions, is_new, is_bot, "
    "country_code, city, properties, source_fields"
)


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    store = Store.create(tmp_path / "store")
    add_site(store, "shop", now=NOW, time_zone="Europe/Helsinki")
    return Workbench(store)


def run(wb: Workbench, *paths: Path, **options):
    options = {"site": "shop", "now": NOW, "mapping": MAPPING} | options
    return ingest_table(wb.store, paths, **options)


def rows(wb: Workbench, where: str = "true", params: dict | None = None) -> list[list]:
    frame = wb.sql(f"SELECT {COLUMNS} FROM sessions WHERE {where} ORDER BY start_ts", params)
    out = []
    for row in frame.to_dict("records"):
        for name in ("properties", "source_fields"):
            value = row[name]
            row[name] = dict(value) if isinstance(value, list | dict) else None
        out.append([None if v != v else v for v in row.values()])  # NaN -> None
    return out


def write(tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / f"visits.{fmt}"
    if fmt == "csv":
        path.write_text(CSV)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    else:
        table = pa.Table.from_pylist(
            [
                {**r, "started": str(r["started"]), "props": json.dumps(r.get("props"))}
                for r in RECORDS
            ]
        )
        starts = [
            dt.datetime(2024, 11, 1, h, m, tzinfo=UTC) for h, m in ((10, 0), (11, 20), (13, 0))
        ]
        table = table.set_column(1, "started", pa.array(starts, pa.timestamp("us", tz="UTC")))
        pq.write_table(table, path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_mapped_file_becomes_exactly_these_sessions(wb: Workbench, tmp_path: Path, fmt) -> None:
    outcome = run(wb, write(tmp_path, fmt))
    assert (outcome.input, outcome.stored, outcome.duplicates, outcome.rejected) == (3, 3, 0, 0)
    assert outcome.unknown_columns == ("note",) and outcome.unknown_kept
    assert rows(wb) == EXPECTED
    ids = wb.sql("SELECT session_id FROM sessions")["session_id"]
    assert all(re.fullmatch("[0-9a-f]{32}", i) for i in ids)
    interval = Interval(
        dt.datetime(2024, 11, 1, tzinfo=UTC), dt.datetime(2024, 11, 2, tzinfo=UTC), "UTC"
    )
    q = Query(interval, sites=("shop",), dimensions=("visitor_id", "country_code", "pageviews"))
    listed = wb.query(q).frame
    assert listed.values.tolist() == [["v3", "US", 2], ["v2", "SE", 1], ["v1", "FI", 3]]


def test_the_same_records_in_any_format_are_duplicates(wb: Workbench, tmp_path: Path) -> None:
    run(wb, write(tmp_path, "csv"))
    for fmt in ("jsonl", "parquet", "csv"):
        outcome = run(wb, write(tmp_path, fmt))
        assert (outcome.stored, outcome.duplicates, outcome.batches) == (0, 3, 0), fmt
    assert wb.store.snapshot.rows("sessions") == 3


HOSTILE = [  # (line, record bytes, fate)
    (2, b'h1,2024-11-02T00:00:00Z,1,false,"\'; DROP TABLE sessions; --",m', "stored"),
    (3, b"h2,2024-11-02T00:01:00Z,1,false,<script>alert(1)</script>,m", "stored"),
    (4, b"h3,yesterday,1,false,t,m", "bad_timestamp"),
    (5, b",2024-11-02T00:02:00Z,1,false,t,m", "missing_value"),
    (6, b"h5,2024-11-02T00:03:00Z,,false,t,m", "missing_value"),
    (7, b"h6,2024-11-02T00:04:00Z,1,false," + b"X" * 100_000 + b",m", "oversize"),
    (8, b"h7,2024-11-02T00:05:00Z,1,false," + b"Y" * 10_000 + b",m", "stored"),
    (9, b"h8,2024-11-02T00:06:00Z,1,false,caf\xe9,m", "invalid_utf8"),
    (10, b"h9,2024-11-02T00:07:00Z,1", "malformed_csv"),
    (11, b"h10,2030-01-01T00:00:00Z,1,false,t,m", "future_timestamp"),
    (12, b"h11,1970-01-02T00:00:00Z,1,false,t,m", "ancient_timestamp"),
    (13, b"h12,2024-11-02T00:08:00Z,1,maybe,t,m", "bad_boolean"),
    (14, b'h1,2024-11-02T00:00:00Z,1,false,"\'; DROP TABLE sessions; --",m', "duplicate"),
    (15, b'h13,2024-11-02T00:09:00Z,2,true,"two\nlines, ""quoted"" \xe2\x9c\x93",m', "stored"),
    (17, b"h14,2024-11-02T00:10:00Z,1.5,false,t,m", "bad_number"),
    (18, b"h15,2024-11-02T00:11:00Z,1,false,a\x00b,m", "stored"),
    (19, b"h16,2024-11-02T00:12:00Z,1,false,t,m,extra", "malformed_csv"),
]


def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    lines = [
        b"visitor_id,start_ts,pageviews,is_new,entry_title,mystery",
        *(r for _, r, _ in HOSTILE),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_hostile_table_reconciles_exactly(wb: Workbench, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    outcome = run(wb, hostile(tmp_path), mapping=None, rejects=rejects)
    fates = [fate for _, _, fate in HOSTILE]
    assert outcome.input == len(HOSTILE) == 17 and outcome.reconciles
    assert outcome.stored == fates.count("stored") == 5 and outcome.duplicates == 1
    rejected = [(line, fate) for line, _, fate in HOSTILE if fate not in ("stored", "duplicate")]
    assert outcome.rejected == len(rejected) == 11
    logged = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in logged] == rejected
    assert {r["source"] for r in logged} == {str(tmp_path / "hostile.csv")}
    assert outcome.reasons == {r: [f for _, f in rejected].count(r) for _, r in rejected}
    oversize = next(r for r in logged if r["reason"] == "oversize")
    assert len(oversize["raw"]) == 1001 and oversize["raw_chars"] == len(HOSTILE[5][1])
    assert next(r for r in logged if r["line"] == 9)["raw"].endswith("caf\\xe9,m")
    assert next(r for r in logged if r["line"] == 4)["detail"].startswith("start_ts: 'yesterday'")
    titles = wb.sql("SELECT visitor_id, entry_title, source_fields FROM sessions ORDER BY start_ts")
    assert titles["visitor_id"].tolist() == ["h1", "h2", "h7", "h13", "h15"]
    assert titles["entry_title"].tolist() == [
        "'; DROP TABLE sessions; --",
        "<script>alert(1)</script>",
        "Y" * 10_000,
        'two\nlines, "quoted" ✓',
        "a\x00b",
    ]
    assert all(dict(m) == {"mystery": "m"} for m in titles["source_fields"])
    found = wb.sql("SELECT count(*) AS n FROM sessions WHERE entry_title = $t", {"t": "a\x00b"})
    assert found["n"][0] == 1
    again = run(wb, hostile(tmp_path), mapping=None, rejects=rejects)
    assert (again.input, again.stored, again.duplicates, again.rejected) == (17, 0, 6, 11)


def test_events_from_json_lines_with_segmentation(wb: Workbench, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"session_id": "s1", "visitor_id": "v1", "ts": "2024-11-03T08:00:00Z", "seq": 1,
         "type": "custom", "key": "purchase", "sum": 9.5, "segmentation": {"item": "mug", "n": 2}},
        {"session_id": "s1", "visitor_id": "v1", "ts": "2024-11-03T08:00:05Z", "seq": 2,
         "type": "pageview", "url": "https://shop.example.com/?q=<b>"},
        {"session_id": "s1", "visitor_id": "v1", "ts": "2024-11-03T08:00:09Z", "seq": 3, "type": "teleport"},
    ]  # fmt: skip
    text = "".join(json.dumps(x) + "\n" for x in lines) + "[1, 2]\n\n{not json\n"
    path.write_text(text)
    outcome = run(wb, path, table="events", mapping=None)
    assert (outcome.input, outcome.stored, outcome.rejected) == (5, 2, 3)
    assert outcome.reasons == {"bad_value": 1, "bad_json": 2}
    with wb.store.cursor() as cur:
        got = cur.execute(
            "SELECT seq, type, key, count, sum, url, segmentation FROM events ORDER BY seq"
        ).fetchall()
    assert [r[:4] for r in got] == [(1, "custom", "purchase", 1), (2, "pageview", None, 1)]
    assert got[0][4] == 9.5 and got[0][6] == {"item": "mug", "n": "2"}
    assert got[1][5] == "https://shop.example.com/?q=<b>"


def test_a_batch_that_fails_midway_leaves_nothing(
    wb: Workbench, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "six.csv"
    path.write_text(
        "visitor_id,start_ts,pageviews,is_new\n"
        + "".join(f"v{i},2024-11-0{i}T00:00:00Z,1,true\n" for i in range(1, 7))
    )
    real, calls = workbench.store_write.write_snapshot, []

    def fail_second(snapshot):
        calls.append(snapshot.version)
        if len(calls) == 2:
            raise OSError("disk full")
        real(snapshot)

    monkeypatch.setattr(workbench.store_write, "write_snapshot", fail_second)
    with pytest.raises(OSError, match="disk full"):
        run(wb, path, mapping=None, batch_rows=2)
    monkeypatch.undo()
    assert wb.store.snapshot.rows("sessions") == 2
    files = {str(p.relative_to(wb.path)) for p in (wb.path / "sessions").rglob("*") if p.is_file()}
    assert files == {e.path for e in wb.store.snapshot.entries("sessions")} | {
        "sessions/_empty.parquet"
    }
    outcome = run(wb, path, mapping=None, batch_rows=2)
    assert (outcome.stored, outcome.duplicates, outcome.batches) == (4, 2, 2)
    assert wb.sql("SELECT count(DISTINCT visitor_id) AS n FROM sessions")["n"][0] == 6


def test_appended_sessions_keep_time_order_per_file(wb: Workbench, tmp_path: Path) -> None:
    path = tmp_path / "unsorted.csv"
    days = [5, 1, 4, 2, 3, 1]
    path.write_text(
        "visitor_id,start_ts,pageviews,is_new\n"
        + "".join(f"v{i},2024-11-0{d}T0{i}:00:00Z,1,true\n" for i, d in enumerate(days))
    )
    run(wb, path, mapping=None)
    (entry,) = wb.store.snapshot.entries("sessions")
    starts = pq.read_table(wb.path / entry.path).column("start_ts").to_pylist()
    assert starts == sorted(starts) and len(starts) == 6


@pytest.mark.parametrize(
    ("header", "mapping", "named"),
    [
        ("uid,started,pages,first", {"visitorid": "uid"}, "unknown column 'visitorid'"),
        ("uid,started,pages,first", {"visitor_id": "who"}, "mapped source column(s) who not in"),
        ("uid,started,pages", {"visitor_id": "uid", "start_ts": "started", "pageviews": "pages"},
         "no column for required sessions column(s) is_new"),
        ("visitor_id,start_ts,is_new,is_new", {}, "repeated column(s) is_new"),
        ("a,b", {"site_id": "a"}, "site_id comes from --site"),
    ],
)  # fmt: skip
def test_column_problems_are_named_before_anything_is_stored(
    wb: Workbench, tmp_path: Path, header, mapping, named
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "visitor_id,start_ts,pageviews,is_new,uid,started,pages\n"
        "v1,2024-11-01T00:00:00Z,1,true,v1,2024-11-01T00:00:00Z,1\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\n")
    with pytest.raises(WorkbenchError, match=re.escape(named)):
        run(wb, good, bad, mapping=mapping)
    assert wb.store.snapshot.version == 1  # the site only


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"site": "nope"}, "--site: invalid value 'nope'; expected one of: shop"),
        ({"table": "sites"}, "--table: invalid value 'sites'; expected one of: sessions, events"),
    ],
)
def test_bad_options_name_the_choices(wb: Workbench, tmp_path: Path, options, named) -> None:
    with pytest.raises(WorkbenchError, match=re.escape(named)):
        run(wb, write(tmp_path, "csv"), **options)
    with pytest.raises(WorkbenchError, match=r"unknown_format|'\.txt'"):
        run(wb, tmp_path / "x.txt")


def test_a_source_site_column_must_name_the_site(wb: Workbench, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,visitor_id,start_ts,pageviews,is_new\n"
        "shop,v1,2024-11-01T00:00:00Z,1,true\nother,v2,2024-11-01T00:00:00Z,1,true\n"
    )
    outcome = run(wb, path, mapping=None)
    assert (outcome.stored, outcome.reasons) == (1, {"wrong_site": 1})


def test_forget_deletes_a_visitors_sessions_and_events(wb: Workbench, tmp_path: Path) -> None:
    run(wb, write(tmp_path, "csv"))
    events = tmp_path / "e.csv"
    events.write_text(
        "session_id,visitor_id,ts,seq,type\n"
        "a,v1,2024-11-01T10:00:00Z,1,pageview\nb,v2,2024-11-01T11:20:00Z,1,pageview\n"
        "a,v1,2024-10-31T10:00:00Z,2,pageview\n"
    )
    run(wb, events, table="events", mapping=None)
    gone = forget(wb.store, "v1")
    assert (gone.sessions, gone.events) == (1, 2)
    assert [r[0] for r in rows(wb)] == ["v2", "v3"]
    assert wb.sql("SELECT visitor_id FROM events")["visitor_id"].tolist() == ["v2"]
    assert forget(wb.store, "v1").sessions == 0


def test_cli_ingests_forgets_and_prints_the_summary(tmp_path: Path) -> None:
    data = str(tmp_path / "store")
    runner = CliRunner()
    assert runner.invoke(main, ["create", "--data", data]).exit_code == 0
    assert runner.invoke(main, ["site", "add", "shop", "--data", data]).exit_code == 0
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING))
    csv = write(tmp_path, "csv")
    args = [
        "ingest",
        "table",
        str(csv),
        "--site",
        "shop",
        "--mapping",
        str(mapping),
        "--data",
        data,
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "sessions: 3 input = 3 stored + 0 duplicates + 0 rejected in 1 batches; "
        "unknown columns kept in source_fields: note"
    )
    again = runner.invoke(main, args).output.splitlines()[-1]
    assert again.startswith("sessions: 3 input = 0 stored + 3 duplicates + 0 rejected")
    unknown = runner.invoke(main, [*args[:3], "--site", "nope", "--data", data])
    assert unknown.exit_code == 1 and "'nope'; expected one of: shop" in unknown.output
    result = runner.invoke(main, ["forget", "v2", "--data", data])
    assert result.output == "forgot v2: 1 sessions, 0 events deleted\n"


def test_hostile_json_values_are_rejected_or_kept_exactly(wb: Workbench, tmp_path: Path) -> None:
    base = {"visitor_id": "j", "start_ts": "2024-11-04T00:00:00.001Z", "pageviews": 1, "is_new": 0}
    records = [
        base | {"visitor_id": "ms", "start_ts": 1730678400123, "entry_title": {"nested": [1, "x"]}},
        base | {"visitor_id": "big", "pageviews": 10**30},
        base | {"visitor_id": "far", "start_ts": 1e30},
        base | {"visitor_id": "nan", "latitude": float("nan")},
        base | {"visitor_id": "props", "properties": ["not", "a", "map"]},
        base | {"visitor_id": None},
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    outcome = run(wb, path, mapping=None)
    assert outcome.stored == 1 and outcome.reconciles
    assert outcome.reasons == {
        "bad_number": 2,
        "bad_timestamp": 1,
        "bad_map": 1,
        "missing_value": 1,
    }
    with wb.store.cursor() as cur:
        got = cur.execute(
            "SELECT visitor_id, epoch_ms(start_ts), entry_title FROM sessions"
        ).fetchall()
    assert got == [("ms", 1730678400123, '{"nested": [1, "x"]}')]


def test_a_source_id_seen_again_is_a_duplicate_and_the_first_wins(wb: Workbench, tmp_path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        "session_id,visitor_id,start_ts,pageviews,is_new\n"
        "s1,v1,2024-11-01T00:00:00Z,1,true\ns1,v1,2024-11-01T00:00:00Z,9,true\n"
        "s2,v2,2024-11-01T00:00:00Z,2,true\n"
    )
    first = run(wb, path, mapping=None)
    assert (first.stored, first.duplicates) == (2, 1)
    got = wb.sql("SELECT session_id, pageviews FROM sessions ORDER BY session_id")
    assert got.values.tolist() == [["s1", 1], ["s2", 2]]
    assert run(wb, path, mapping=None).duplicates == 3


def test_each_run_gets_its_own_rejects_file(tmp_path: Path) -> None:
    """Two runs in the same second never append to one rejects file."""
    import datetime as dt

    from workbench.ingest.outcome import default_rejects

    now = dt.datetime(2024, 11, 19, 12, 0, 5, tzinfo=dt.UTC)
    first = default_rejects(tmp_path, "countly", now)
    assert first == tmp_path / "rejects" / "countly-20241119T120005Z.jsonl"
    first.parent.mkdir()
    first.write_text("{}\n")
    second = default_rejects(tmp_path, "countly", now)
    assert second.name == "countly-20241119T120005Z-2.jsonl"
