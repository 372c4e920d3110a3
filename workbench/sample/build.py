"""Build stores from the sample: the bundled sample store, and stores of any size for benchmarks."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from itertools import chain, islice
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from workbench.credentials import hash_password
from workbench.manifest import read_snapshot
from workbench.paths import FIXTURES, REFERENCE
from workbench.sample import sites as sample_sites
from workbench.store import Store
from workbench.store_write import writer_lock

MONTHS = 13
DEFAULT_SEED = 20241119
FINGERPRINT_FILE = ".sample-fingerprint"
Progress = Callable[[int], None]  # called with the number of sessions just written


def sample_start(as_of: dt.date = sample_sites.AS_OF, months: int = MONTHS) -> dt.date:
    """First day of the sample: ``months`` months back from ``as_of`` (the next day)."""
    month = as_of.month - months
    year = as_of.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(as_of.day, 28)) + dt.timedelta(days=1)


def fingerprint() -> str:
    """A hash of everything the sample store is made from (the model, the file writer, the
    sample code, the fixtures and reference tables); a change means a rebuild."""
    here = Path(__file__).resolve().parent
    files = [here.parent / "model.py", here.parent / "store_write.py", *sorted(here.glob("*.py"))]
    files += sorted(FIXTURES.glob("*")) + sorted(REFERENCE.glob("*"))
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _sites_table() -> pa.Table:
    # A fixed salt keeps the sample store reproducible byte for byte; user sites get random ones.
    return sample_sites.sample_sites_table(lambda p: hash_password(p, salt=b"workbench-sample"))


def _traffic(
    start: dt.date, end: dt.date, seed: int, sessions: int | None, skip: dict | None
) -> Iterator[tuple[pa.Table, pa.Table]]:
    from workbench.sample.generator import generate

    return generate(start=start, end=end, seed=seed, sessions=sessions, skip=skip)


def within_local_days(
    chunk: tuple[pa.Table, pa.Table], first: dt.date, last: dt.date
) -> tuple[pa.Table, pa.Table]:
    """The sessions (and their events) starting from ``first`` to ``last`` inclusive, in
    their site's own zone: every site's first and last local day are whole days."""
    sessions, events = chunk
    site_ids = pa.array([str(s["site_id"]) for s in sample_sites.SAMPLE_SITES])
    row = pc.index_in(sessions.column("site_id"), site_ids)
    low = _local_midnights(first, site_ids).take(row)
    high = _local_midnights(last + dt.timedelta(days=1), site_ids).take(row)
    start = sessions.column("start_ts")
    keep = pc.and_(pc.greater_equal(start, low), pc.less(start, high))
    if pc.all(keep).as_py():
        return chunk
    sessions = sessions.filter(keep)
    events = events.filter(pc.is_in(events.column("session_id"), sessions.column("session_id")))
    return sessions, events


def _local_midnights(day: dt.date, site_ids: pa.Array) -> pa.Array:
    """The instant each site's local ``day`` begins."""
    return pa.array(
        [
            dt.datetime.combine(day, dt.time(), ZoneInfo(sample_sites.site_zone(s)))
            for s in site_ids.to_pylist()
        ],
        pa.timestamp("ms", tz="UTC"),
    )


def write_traffic(
    store: Store,
    chunks: Iterator[tuple[pa.Table, pa.Table]],
    *,
    days_per_batch: int = 31,
    progress: Progress | None = None,
) -> int:
    """Append generated (sessions, events) day chunks, ``days_per_batch`` days per batch.

    Each chunk is appended as it comes (its rows go to the batch's files in the background),
    so memory holds a few days, not a batch."""
    total, chunks = 0, iter(chunks)
    for first in chunks:
        with store.batch() as batch:
            for sessions, events in chain([first], islice(chunks, days_per_batch - 1)):
                total += batch.append("sessions", sessions)
                batch.append("events", events)
                if progress:
                    progress(sessions.num_rows)
    return total


def build_sample_store(
    out: str | Path, *, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> Store:
    """The sample store: four sites, the documented fixtures and 13 months of traffic."""
    from workbench.sample.fixtures import fixture_tables

    store = Store.create(out, as_of=sample_sites.AS_OF)
    fixtures = fixture_tables()
    with store.batch() as batch:
        batch.put_sites(_sites_table())
        batch.append("sessions", fixtures["sessions"])
        batch.append("events", fixtures["events"])
    skip = {sample_sites.OPENTRACKER: {sample_sites.AS_OF}}
    first, last = sample_start(), sample_sites.AS_OF
    # One more UTC day at each end reaches every zone's first and last local day whole.
    chunks = _traffic(first - dt.timedelta(days=1), last + dt.timedelta(days=2), seed, None, skip)
    write_traffic(store, (within_local_days(c, first, last) for c in chunks), progress=progress)
    (Path(out) / FINGERPRINT_FILE).write_text(fingerprint())
    return store


def build_benchmark_store(
    out: str | Path,
    *,
    sessions: int,
    days: int,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> Store:
    """A store of ``sessions`` generated sessions over ``days`` days ending at the sample's as_of."""
    store = Store.create(out, as_of=sample_sites.AS_OF)
    with store.batch() as batch:
        batch.put_sites(_sites_table())
    end = sample_sites.AS_OF + dt.timedelta(days=1)
    chunks = _traffic(end - dt.timedelta(days=days), end, seed, sessions, None)
    write_traffic(store, chunks, progress=progress)
    return store


def ensure_sample_store(path: Path, progress: Progress | None = None) -> Path:
    """Build the sample store at ``path`` unless an up-to-date one is there; safe to race.

    Builders take turns under a lock; the store is built in a sibling temporary folder and
    renamed into place, so an opener sees no store or a whole one. A store made by older
    sample code (see :func:`fingerprint`) is replaced.
    """
    if _is_current(path):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(path.parent, timeout=600, name=f".{path.name}.build-lock"):
        return _rebuild(path, progress)


def _rebuild(path: Path, progress: Progress | None) -> Path:
    if _is_current(path):  # another process built it while we waited
        return path
    tmp = path.parent / f".{path.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    build_sample_store(tmp, progress=progress)
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return path


def _is_current(path: Path) -> bool:
    marker = path / FINGERPRINT_FILE
    if not marker.exists():
        return False
    try:
        read_snapshot(path)
    except ValueError:
        return False
    return marker.read_text() == fingerprint()
