"""The store: batches commit whole, readers never wait, writers take turns, crashes leave no trace."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_worker import DAY0, ROWS, sessions

from workbench.errors import WorkbenchError
from workbench.manifest import MANIFEST, read_snapshot
from workbench.model import SCHEMA_VERSION
from workbench.store import Store

WORKER = Path(__file__).parent / "store_worker.py"
ENV = dict(os.environ, PYTHONPATH=str(Path(__file__).parent))


def spawn(*args: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], env=ENV)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "store", as_of=None)


def test_new_store_is_empty_and_queryable(store: Store) -> None:
    assert store.sql("SELECT count(*) AS n FROM sessions")["n"][0] == 0
    assert store.sql("SELECT count(*) AS n FROM sites")["n"][0] == 0
    assert store.as_of is None
    assert list(store.sql("SELECT * FROM events").columns)[:4] == [
        "site_id",
        "session_id",
        "visitor_id",
        "event_id",
    ]


def test_batch_writes_one_file_per_month_sorted_by_start(store: Store) -> None:
    with store.batch() as batch:
        batch.append("sessions", sessions(10, rows=40, days=4))  # 2024-02-10 .. 2024-02-13
        batch.append("sessions", sessions(0, rows=30, days=3).take([2, 1, 0] * 10))  # unsorted
    snap = store.snapshot
    assert snap.version == 1 and snap.rows("sessions") == 70
    folders = sorted(Path(e.path).parent.name for e in snap.entries("sessions"))
    assert folders == ["month=2024-01", "month=2024-02"]
    for entry in snap.entries("sessions"):
        path = snap.root / entry.path
        starts = store.sql(f"SELECT start_ts FROM read_parquet('{path}')")["start_ts"]
        assert starts.is_monotonic_increasing and len(starts) == entry.rows
        assert (
            entry.min_ts == starts.min().value // 10**6
            and entry.max_ts == starts.max().value // 10**6
        )


def test_failed_batch_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.batch() as batch:
        batch.append("sessions", sessions(0))
        raise RuntimeError("ingest failed half way")
    assert store.snapshot.version == 0
    left = [p.name for p in (store.root / "sessions").rglob("*") if p.is_file()]
    assert left == ["_empty.parquet"]


def test_invalid_rows_are_rejected_naming_the_column(store: Store) -> None:
    bad = sessions(0).drop_columns(["visitor_id"])
    with pytest.raises(WorkbenchError, match="visitor_id"), store.batch() as batch:
        batch.append("sessions", bad)
    with pytest.raises(WorkbenchError, match="not appendable"), store.batch() as batch:
        batch.append("sites", sessions(0))


def test_second_writer_waits_then_gets_a_clear_error(store: Store) -> None:
    with store.batch():
        started = time.monotonic()
        with pytest.raises(WorkbenchError) as err, store.batch(timeout=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    assert err.value.code == "store_busy"
    assert str(os.getpid()) in err.value.message and "0.3 s" in err.value.message


def test_two_readers_follow_a_writer_and_never_see_half_a_batch(store: Store, tmp_path) -> None:
    batches = 12
    expected = batches * ROWS
    readers = [spawn("read", store.root, expected, 60, tmp_path / f"r{i}.json") for i in range(2)]
    time.sleep(1.0)  # readers are up and polling an empty store
    writer = spawn("write", store.root, batches, 0.15)
    assert writer.wait(timeout=90) == 0
    for reader in readers:
        assert reader.wait(timeout=90) == 0
    for i in range(2):
        seen = json.loads((tmp_path / f"r{i}.json").read_text())
        counts = [n for n, _ in seen]
        assert counts[-1] == expected, "a reader did not see the last batch"
        assert counts == sorted(counts)
        assert all(n == b * ROWS for n, b in seen), "a reader saw part of a batch"
        assert len(set(counts)) > 3, "readers should see the batches arrive one by one"


def test_writer_killed_mid_batch_leaves_no_partial_batch(store: Store, tmp_path) -> None:
    with store.batch() as batch:
        batch.append("sessions", sessions(0))
    marker = tmp_path / "started"
    victim = spawn("die", store.root, marker)
    for _ in range(600):
        if marker.exists():
            break
        time.sleep(0.01)
    time.sleep(0.5)  # the doomed batch is streaming rows to disk now
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    doomed = [p.stat().st_size for p in (store.root / "sessions").rglob(".part-*.tmp")]
    assert max(doomed, default=0) > 400_000, "the victim should have written row groups"

    reader = Store.open(store.root)
    assert reader.sql("SELECT count(*) AS n FROM sessions")["n"][0] == ROWS
    assert reader.snapshot.version == 1

    with reader.batch(timeout=5) as batch:  # the next writer cleans up and carries on
        batch.append("sessions", sessions(1))
    committed = {e.path for e in reader.snapshot.entries("sessions")}
    on_disk = {
        str(p.relative_to(store.root)) for p in (store.root / "sessions").rglob("*.parquet*")
    }
    assert on_disk - committed == {"sessions/_empty.parquet"}
    assert reader.sql("SELECT count(*) AS n FROM sessions")["n"][0] == 2 * ROWS


def test_sites_replace_whole_and_show_at_next_query(store: Store) -> None:
    other = Store.open(store.root)
    from workbench.credentials import hash_password
    from workbench.sample.sites import sample_sites_table

    with store.batch() as batch:
        batch.put_sites(sample_sites_table(hash_password))
    assert len(other.sql("SELECT * FROM sites")) == 4


@pytest.mark.parametrize(
    ("mutate", "code", "named"),
    [
        (lambda doc: doc.update(schema_version=0), "schema_version", "schema version 0"),
        (lambda doc: doc.update(format="other"), "not_a_store", "not a workbench store"),
    ],
)
def test_unusable_stores_get_clear_errors(store: Store, mutate, code, named) -> None:
    doc = json.loads((store.root / MANIFEST).read_text())
    mutate(doc)
    (store.root / MANIFEST).write_text(json.dumps(doc))
    with pytest.raises(WorkbenchError) as err:
        Store.open(store.root)
    assert err.value.code == code and named in err.value.message
    if code == "schema_version":
        assert f"version {SCHEMA_VERSION}" in err.value.message


def test_missing_store_is_named(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError) as err:
        Store.open(tmp_path / "nowhere")
    assert err.value.code == "not_a_store" and "nowhere" in err.value.message


def test_existing_store_is_not_overwritten(store: Store) -> None:
    with pytest.raises(WorkbenchError, match="already exists"):
        Store.create(store.root)


def test_as_of_is_recorded(tmp_path: Path) -> None:
    assert Store.create(tmp_path / "s", as_of=dt.date(2024, 11, 19)).as_of == dt.date(2024, 11, 19)
    assert read_snapshot(tmp_path / "s").as_of == "2024-11-19"


def test_scan_reads_only_the_files_overlapping_a_window(store: Store) -> None:
    with store.batch() as batch:
        batch.append("sessions", sessions(0, rows=10, days=1))  # January 2024
        batch.append("sessions", sessions(40, rows=10, days=1))  # February 2024
    feb = dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    scan = store.scan("sessions", feb, feb + dt.timedelta(days=29))
    assert "month=2024-02" in scan and "month=2024-01" not in scan
    assert store.sql(f"SELECT count(*) AS n FROM {scan}")["n"][0] == 10
    empty = store.scan("sessions", feb.replace(year=2030), feb.replace(year=2031))
    assert store.sql(f"SELECT count(*) AS n FROM {empty}")["n"][0] == 0
    with pytest.raises(WorkbenchError, match="unknown table"):
        store.scan("visits")


T0 = 1_700_000_000.0


def test_compaction_merges_small_batches_into_one_file_per_month(store: Store) -> None:
    for b in range(6):  # six small batches, as a server writing per request makes
        with store.batch(clock=lambda: T0) as batch:
            batch.append("sessions", sessions(b, rows=20, days=1))
    before = store.sql("SELECT * FROM sessions ORDER BY session_id")
    old = [store.root / e.path for e in store.snapshot.entries("sessions")]
    assert len(old) == 6

    assert store.compact(clock=lambda: T0) == 6
    entries = store.snapshot.entries("sessions")
    assert len(entries) == 1 and entries[0].rows == 120
    assert store.sql("SELECT * FROM sessions ORDER BY session_id").equals(before)
    assert entries[0].min_ts == int(before["start_ts"].min().timestamp() * 1000)
    assert store.compact(clock=lambda: T0) == 0, "nothing left to merge"


def test_replaced_files_outlive_their_snapshot_by_the_grace_period(store: Store) -> None:
    from workbench.store_write import GRACE_S

    for b in range(3):
        with store.batch(clock=lambda: T0) as batch:
            batch.append("sessions", sessions(b, rows=5, days=1))
    old = [store.root / e.path for e in store.snapshot.entries("sessions")]
    store.compact(clock=lambda: T0)
    assert {p for p, _ in store.snapshot.garbage} == {str(p.relative_to(store.root)) for p in old}

    with store.batch(clock=lambda: T0 + GRACE_S - 1):  # a reader may still be on them
        pass
    assert all(p.exists() for p in old)
    with store.batch(clock=lambda: T0 + GRACE_S + 1):
        pass
    assert not any(p.exists() for p in old)
    assert store.snapshot.garbage == ()
    assert store.sql("SELECT count(*) AS n FROM sessions")["n"][0] == 15


def test_recovery_keeps_garbage_in_its_grace_and_deletes_strays(store: Store) -> None:
    from workbench.store_write import JOURNAL, recover

    for b in range(2):
        with store.batch() as batch:
            batch.append("sessions", sessions(b, rows=5, days=1))
    store.compact()
    stray = store.root / "sessions" / "month=2024-01" / ".part-00000099.parquet.tmp"
    stray.write_bytes(b"PAR1")
    (store.root / JOURNAL).write_text("{}")  # as a writer killed mid-batch leaves it
    assert recover(store.root) == [str(stray.relative_to(store.root))]
    assert all((store.root / p).exists() for p, _ in store.snapshot.garbage)


def test_a_site_change_retires_the_old_sites_file(store: Store) -> None:
    from workbench.credentials import hash_password
    from workbench.sample.sites import sample_sites_table

    for _ in range(2):
        with store.batch() as batch:
            batch.put_sites(sample_sites_table(hash_password))
    (current,) = store.snapshot.entries("sites")
    assert [p for p, _ in store.snapshot.garbage] == ["sites/sites-00000001.parquet"]
    assert current.path == "sites/sites-00000002.parquet"
    assert len(store.sql("SELECT * FROM sites")) == 4


def test_row_groups_hold_one_site_each_in_time_order(tmp_path) -> None:
    """Rows of several sites written together land site by site: each row group's
    statistics name one site (a site's query skips the others'), time order kept inside."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from workbench.store_write import FLUSH_ROWS, ROW_GROUP

    rows = sessions(0, rows=FLUSH_ROWS + ROW_GROUP, days=1)
    sites = pa.array(["a", "b", "c"] * (rows.num_rows // 3) + ["a"] * (rows.num_rows % 3))
    rows = rows.set_column(0, "site_id", sites)
    store = Store.create(tmp_path / "store")
    with store.batch() as batch:
        batch.append("sessions", rows)
    (path,) = store.files("sessions", DAY0, DAY0 + dt.timedelta(days=1))
    meta = pq.ParquetFile(path).metadata
    seen = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(0).statistics
        assert stats.min == stats.max  # one site per row group
        seen.append(stats.min)
    assert sorted(set(seen)) == ["a", "b", "c"] and meta.num_row_groups >= 6
    back = pq.read_table(path).to_pandas()
    for _, group in back.groupby("site_id"):
        assert group["start_ts"].is_monotonic_increasing
    assert sorted(back["session_id"]) == sorted(rows.column("session_id").to_pylist())
