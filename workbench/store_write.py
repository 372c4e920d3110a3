"""Writers of a store: take turns under a lock, write a batch's files, commit it in one step.

A writer holds an exclusive ``flock`` on ``STORE/.lock`` (released by the kernel if the
process dies). It writes each file under a hidden temporary name, renames it into place,
then replaces the manifest: until that last step no reader can see the batch. A writer that
finds a journal left by a dead one deletes the dead batch's files before it starts.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.errors import WorkbenchError
from workbench.manifest import FileEntry, Snapshot, fsync_dir, read_snapshot, write_snapshot
from workbench.model import TABLES, conform

LOCK = ".lock"
JOURNAL = ".batch-in-progress"
TIME_COLUMN = {"sessions": "start_ts", "events": "ts"}
PARQUET_OPTIONS = {"compression": "zstd", "row_group_size": 122_880}


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


class Batch:
    """The files one writer adds in one turn; committed together or not at all."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.base = snapshot
        self.number = snapshot.version + 1
        self.added: dict[str, list[FileEntry]] = {t: [] for t in TABLES}
        self.replaced_sites = False
        self.written: list[Path] = []

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
        column = TIME_COLUMN[table]
        days = pc.strftime(data.column(column), format="%Y-%m-%d")
        for day in pc.unique(days).to_pylist():
            part = data.filter(pc.equal(days, day)).sort_by(column)
            self._write(table, f"{table}/date={day}", part, column)
        return data.num_rows

    def put_sites(self, sites: pa.Table) -> None:
        """Replace the whole sites table."""
        sites = conform("sites", sites)
        self.added["sites"] = []
        self._write("sites", "sites", sites, None, name=f"sites-{self.number:08d}.parquet")
        self.replaced_sites = True

    def _write(
        self, table: str, folder: str, data: pa.Table, ts: str | None, name: str = ""
    ) -> None:
        name = name or f"part-{self.number:08d}-{len(self.added[table]):05d}.parquet"
        directory = self.base.root / folder
        directory.mkdir(parents=True, exist_ok=True)
        final = directory / name
        tmp = directory / f".{name}.tmp"
        self.written += [tmp, final]
        pq.write_table(data, tmp, **PARQUET_OPTIONS)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        bounds = {}
        if ts is not None:
            ms = data.column(ts).cast(pa.int64())
            bounds = {"min_ts": pc.min(ms).as_py(), "max_ts": pc.max(ms).as_py()}
        entry = FileEntry(
            str(final.relative_to(self.base.root)), data.num_rows, self.number, **bounds
        )
        self.added[table].append(entry)

    def snapshot(self) -> Snapshot:
        """The snapshot this batch commits."""
        files = dict(self.base.files)
        for table, entries in self.added.items():
            if table == "sites" and self.replaced_sites:
                files[table] = tuple(entries)
            elif entries:
                files[table] = tuple(files.get(table, ())) + tuple(entries)
        return replace(self.base, version=self.number, files=files, batches=self.base.batches + 1)


@contextmanager
def write_batch(root: Path, timeout: float = 30.0) -> Iterator[Batch]:
    """Take the writers' turn, yield a Batch, and commit it when the block ends without error."""
    with writer_lock(root, timeout):
        recover(root)
        batch = Batch(read_snapshot(root))
        journal = root / JOURNAL
        journal.write_text(json.dumps({"batch": batch.number, "pid": os.getpid()}))
        try:
            yield batch
            for path in {Path(root / e.path).parent for es in batch.added.values() for e in es}:
                fsync_dir(path)
            write_snapshot(batch.snapshot())
        except BaseException:
            _delete(batch.written)
            raise
        finally:
            journal.unlink(missing_ok=True)


def recover(root: Path) -> list[str]:
    """Delete what a dead writer left: files of an uncommitted batch and temporary files."""
    journal = root / JOURNAL
    if not journal.exists():
        return []
    committed = {e.path for es in read_snapshot(root).files.values() for e in es}
    stray = []
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
