"""Writers of a store: take turns under a lock, write a batch's files, commit it in one step.

A writer holds an exclusive ``flock`` on ``STORE/.lock`` (released by the kernel if the
process dies). It writes each file under a hidden temporary name, renames it into place,
then replaces the manifest: until that last step no reader can see the batch. A writer that
finds a journal left by a dead one deletes the dead batch's files before it starts.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.errors import WorkbenchError
from workbench.manifest import (
    MANIFEST,
    FileEntry,
    Snapshot,
    fsync_dir,
    read_snapshot,
    write_snapshot,
)
from workbench.model import TABLES, conform

LOCK = ".lock"
JOURNAL = ".batch-in-progress"
TIME_COLUMN = {"sessions": "start_ts", "events": "ts"}
PARQUET_OPTIONS = {"compression": "zstd"}
ROW_GROUP = 65_536  # rows; appends smaller than this make one row group each
FLUSH_ROWS = 4 * ROW_GROUP  # rows a file buffers, then writes site by site (see by_site)
GRACE_S = 600.0  # replaced files outlive their last snapshot by this long before deletion
Clock = Callable[[], float]


@contextmanager
def writer_lock(root: Path, timeout: float, name: str = LOCK) -> Iterator[None]:
    """Hold the store's writer lock, waiting up to ``timeout`` seconds for it."""
    fd = os.open(root / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                    raise WorkbenchError(
                        "store_busy",
                        f"store {root}: another writer (pid {holder}) held the lock for more "
                        f"than {timeout:g} s; try again later or raise the timeout",
                    ) from None
                time.sleep(0.02)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _options(table: str) -> dict[str, list[str]]:
    """The table's Parquet options, less dictionaries for times: nearly one value per row,
    a dictionary only costs time (and the page fills before the dictionary gives up)."""
    spec = TABLES[table]
    options = spec.parquet_options
    times = {c.name for c in spec.columns if pa.types.is_timestamp(c.type)}
    return options | {"use_dictionary": [c for c in options["use_dictionary"] if c not in times]}


def by_site(rows: pa.Table) -> Iterator[pa.Table]:
    """``rows`` one site after another, each site's rows in their order (a stable sort).

    Each part starts row groups of its own: a row group then holds one site, and its
    statistics let a query on other sites skip it (all but one site's rows for a site's
    report), while time order within each site keeps row groups prunable by time.
    """
    sites = rows.column("site_id")
    if pc.count_distinct(sites).as_py() < 2:
        yield rows
        return
    rows = rows.take(pc.sort_indices(sites))
    names = rows.column("site_id").combine_chunks()
    starts = np.flatnonzero(pc.not_equal(names[1:], names[:-1]).to_numpy(zero_copy_only=False))
    cuts = [0, *(starts + 1).tolist(), rows.num_rows]
    for lo, hi in itertools.pairwise(cuts):
        yield rows.slice(lo, hi - lo)


class _OpenFile:
    """A Parquet file a batch is filling: rows are buffered, then written site by site in
    row groups of up to ROW_GROUP (``by_site``), so a query on some sites skips the others'.

    Full row groups queue up and one pool task at a time writes a file's queue in order, so
    a pool thread never sits waiting for another file's (or its own file's) earlier write.
    """

    def __init__(self, final: Path, table: str, pool: ThreadPoolExecutor) -> None:
        self.final = final
        self.tmp = final.with_name(f".{final.name}.tmp")
        spec = TABLES[table]
        self.writer = pq.ParquetWriter(self.tmp, spec.schema, **PARQUET_OPTIONS, **_options(table))
        self.pool = pool
        self.queue: deque[pa.Table] = deque()
        self.lock = threading.Lock()
        self.draining: Future | None = None  # the task writing the queue, while it runs
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows, self.min_ts, self.max_ts = 0, None, None

    def write(self, part: pa.Table, ms: np.ndarray) -> None:
        self.pending.append(part)
        self.pending_rows += part.num_rows
        self.rows += part.num_rows
        low, high = int(ms[0]), int(ms[-1])
        self.min_ts = low if self.min_ts is None else min(self.min_ts, low)
        self.max_ts = high if self.max_ts is None else max(self.max_ts, high)
        if self.pending_rows >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Queue the buffered rows as row groups, written in the background after earlier ones."""
        if self.pending:
            rows = pa.concat_tables(self.pending)
            self.pending, self.pending_rows = [], 0
            with self.lock:
                self.queue.append(rows)
                if self.draining is None:
                    self.draining = self.pool.submit(self._drain)

    def _drain(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    self.draining = None
                    return
                rows = self.queue.popleft()
            try:
                for part in by_site(rows):
                    self.writer.write_table(part, row_group_size=ROW_GROUP)
            except BaseException:
                with self.lock:  # the failed task stays: wait() re-raises its error
                    self.queue.clear()
                raise

    def wait(self) -> None:
        """Until every queued row group is written (re-raising a failed write)."""
        while True:
            with self.lock:
                task = self.draining
            if task is None:
                return
            task.result()

    def close(self) -> None:
        self.flush()
        self.wait()
        self.writer.close()


class Batch:
    """The files one writer adds in one turn; committed together or not at all.

    Rows go to one file per table and UTC month, in row groups of about ROW_GROUP rows
    written in the order they were appended (each append sorted by time): appended in
    time order, as generators and ingests do, a file's row groups prune by time as day
    partitions would, without the cost of a file per day.
    """

    def __init__(self, snapshot: Snapshot, clock: Clock = time.time) -> None:
        self.base = snapshot
        self.number = snapshot.version + 1
        self.clock = clock
        self.added: dict[str, list[FileEntry]] = {t: [] for t in TABLES}
        self.removed: set[str] = set()  # committed files this batch replaces
        self.written: list[Path] = []
        self._open: dict[tuple[str, str], _OpenFile] = {}
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store-write")

    def append(self, table: str, data: pa.Table) -> int:
        """Add rows to ``sessions`` or ``events``; returns the number of rows added."""
        if table not in TIME_COLUMN:
            raise WorkbenchError(
                "invalid_table",
                f"append: table {table!r} is not appendable; use sessions or events",
            )
        data = conform(table, data)
        if data.num_rows == 0:
            return 0
        ms = data.column(TIME_COLUMN[table]).cast(pa.int64()).to_numpy()
        if (np.diff(ms) < 0).any():
            order = np.argsort(ms, kind="stable")
            data, ms = data.take(pa.array(order)), ms[order]
        months = ms.astype("datetime64[ms]").astype("datetime64[M]")
        cuts = [0, *(np.flatnonzero(months[1:] != months[:-1]) + 1), len(ms)]
        for lo, hi in itertools.pairwise(cuts):
            self._file(table, str(months[lo])).write(data.slice(lo, hi - lo), ms[lo:hi])
        return data.num_rows

    def _file(self, table: str, month: str) -> _OpenFile:
        key = (table, month)
        if key not in self._open:
            directory = self.base.root / table / f"month={month}"
            directory.mkdir(parents=True, exist_ok=True)
            final = directory / f"part-{self.number:08d}.parquet"
            self._open[key] = _OpenFile(final, table, self._pool)
            self.written += [self._open[key].tmp, final]
        return self._open[key]

    def put_sites(self, sites: pa.Table) -> None:
        """Replace the whole sites table."""
        sites = conform("sites", sites)
        final = self.base.root / "sites" / f"sites-{self.number:08d}.parquet"
        tmp = final.with_name(f".{final.name}.tmp")
        self.written += [tmp, final]
        pq.write_table(sites, tmp, **PARQUET_OPTIONS)
        self._publish(tmp, final)
        self.added["sites"] = [self._entry(final, sites.num_rows)]
        self.removed |= {e.path for e in self.base.entries("sites")}

    def compact(self, table: str) -> int:
        """Rewrite every month of ``table`` held in several files as one; the files replaced.

        Files are read one at a time, earliest first, so memory stays within one file; the
        replaced files become garbage (see GRACE_S), not deleted under a reader's feet.
        """
        months: dict[Path, list[FileEntry]] = {}
        for entry in self.base.entries(table):
            months.setdefault(Path(entry.path).parent, []).append(entry)
        replaced = 0
        for entries in months.values():
            if len(entries) < 2:
                continue
            for entry in sorted(entries, key=lambda e: (e.min_ts or 0, e.path)):
                data = pq.read_table(self.base.root / entry.path, schema=TABLES[table].schema)
                self.append(table, data)
                self.removed.add(entry.path)
            replaced += len(entries)
        return replaced

    def close(self) -> None:
        """Finish every open file and move it into place (still invisible until committed)."""
        for (table, _), f in sorted(self._open.items()):
            f.close()
            self._publish(f.tmp, f.final)
            self.added[table].append(self._entry(f.final, f.rows, f.min_ts, f.max_ts))
        self._open.clear()
        self._pool.shutdown()

    def abandon(self) -> None:
        """Close open files without publishing them; the caller deletes what was written."""
        for f in self._open.values():
            with f.lock:
                f.queue.clear()
        self._pool.shutdown(cancel_futures=True)
        for f in self._open.values():
            f.writer.close()
        self._open.clear()

    def _publish(self, tmp: Path, final: Path) -> None:
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)

    def _entry(self, path: Path, rows: int, low: int | None = None, high: int | None = None):
        return FileEntry(str(path.relative_to(self.base.root)), rows, self.number, low, high)

    def snapshot(self) -> tuple[Snapshot, list[str]]:
        """The snapshot this batch commits, and the garbage whose grace has run out."""
        now = self.clock()
        files = {
            table: tuple(e for e in self.base.entries(table) if e.path not in self.removed)
            + tuple(self.added[table])
            for table in TABLES
        }
        kept = tuple(g for g in self.base.garbage if now - g[1] < GRACE_S)
        expired = [p for p, when in self.base.garbage if now - when >= GRACE_S]
        garbage = kept + tuple((p, now) for p in sorted(self.removed))
        snapshot = replace(
            self.base,
            version=self.number,
            files=files,
            batches=self.base.batches + 1,
            garbage=garbage,
        )
        return snapshot, expired


@contextmanager
def write_batch(root: Path, timeout: float = 30.0, clock: Clock = time.time) -> Iterator[Batch]:
    """Take the writers' turn, yield a Batch, and commit it when the block ends without error.

    After the commit, files retired more than GRACE_S ago are deleted: no snapshot lists
    them any more, and no reader still follows one that did.
    """
    with writer_lock(root, timeout):
        recover(root)
        batch = Batch(read_snapshot(root), clock)
        journal = root / JOURNAL
        journal.write_text(json.dumps({"batch": batch.number, "pid": os.getpid()}))
        try:
            yield batch
            batch.close()
            for path in {Path(root / e.path).parent for es in batch.added.values() for e in es}:
                fsync_dir(path)
            snapshot, expired = batch.snapshot()
            write_snapshot(snapshot)
        except BaseException:
            batch.abandon()
            _delete(batch.written)
            journal.unlink(missing_ok=True)
            raise
        # Killed before the journal goes, the next writer's recover() deletes what is left
        # of the expired files: the new manifest no longer lists them.
        _delete([root / p for p in expired])
        journal.unlink(missing_ok=True)


def recover(root: Path) -> list[str]:
    """Delete what a dead writer left: files of an uncommitted batch, temporary files, and
    the draft of a manifest it died writing (``write_snapshot`` names it by its pid).

    Files the manifest lists, as table data or as garbage in its grace, are kept."""
    journal = root / JOURNAL
    if not journal.exists():
        return []
    committed = read_snapshot(root).known_paths()
    stray = list(root.glob(f".{MANIFEST}.*.tmp"))  # no other writer runs: we hold the lock
    for table in TABLES:
        folder = root / table
        if folder.exists():
            for path in folder.rglob("*"):
                rel = str(path.relative_to(root))
                if path.is_file() and rel not in committed and path.name != "_empty.parquet":
                    stray.append(path)
    _delete(stray)
    journal.unlink(missing_ok=True)
    return [str(p.relative_to(root)) for p in stray]


def _delete(paths: list[Path]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
