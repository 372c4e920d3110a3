"""Open or create a store and read it through DuckDB views that follow the latest commit.

Any number of processes read a store while one at a time writes to it (see ``manifest`` for
the layout and ``store_write`` for the writers' turns). Each query first checks the
manifest's stamp (one ``stat``) and re-points the views when a writer has committed, so
every process sees new batches and sites at its next query.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from workbench import model
from workbench.errors import WorkbenchError
from workbench.manifest import (
    MANIFEST,
    Snapshot,
    empty_snapshot,
    manifest_stamp,
    read_snapshot,
    write_snapshot,
)
from workbench.model import TABLES
from workbench.store_write import Batch, Clock, write_batch

EMPTY = "_empty.parquet"


class Store:
    """A store folder, its latest snapshot, and a DuckDB connection with one view per table."""

    def __init__(self, root: Path, *, threads: int | None = None) -> None:
        self.root = Path(root)
        self._snapshot = read_snapshot(self.root)
        self._stamp = manifest_stamp(self.root)
        self._lock = threading.Lock()
        self._con = duckdb.connect()
        self._con.execute("SET TimeZone = 'UTC'")
        self._con.execute("SET parquet_metadata_cache = true")
        if threads:
            self._con.execute(f"SET threads = {int(threads)}")
        self._point_views(self._snapshot)

    # -- opening and creating -------------------------------------------------------------

    @classmethod
    def open(cls, root: str | Path) -> Store:
        """Open an existing store; a clear error if ``root`` is none or too old."""
        return cls(Path(root))

    @classmethod
    def create(cls, root: str | Path, *, as_of: dt.date | None = None) -> Store:
        """Create an empty store at ``root`` (a new or empty folder)."""
        root = Path(root)
        if (root / MANIFEST).exists():
            raise WorkbenchError("store_exists", f"--out {root}: a store already exists there")
        root.mkdir(parents=True, exist_ok=True)
        for name, spec in TABLES.items():
            (root / name).mkdir(exist_ok=True)
            pq.write_table(spec.schema.empty_table(), root / name / EMPTY)
        write_snapshot(empty_snapshot(root, as_of.isoformat() if as_of else None))
        return cls(root)

    # -- reading --------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        """The latest committed snapshot (re-read if a writer has committed since)."""
        self.refresh()
        return self._snapshot

    @property
    def as_of(self) -> dt.date | None:
        """The sample's fixed 'today'; None for stores users build."""
        value = self.snapshot.as_of
        return dt.date.fromisoformat(value) if value else None

    def refresh(self) -> bool:
        """Follow the latest commit; True if the views moved."""
        stamp = manifest_stamp(self.root)
        if stamp == self._stamp:
            return False
        with self._lock:
            if stamp == self._stamp:
                return False
            snapshot = read_snapshot(self.root)
            self._point_views(snapshot)
            self._snapshot, self._stamp = snapshot, stamp
            return True

    def _point_views(self, snapshot: Snapshot) -> None:
        for table in TABLES:
            self._con.execute(
                f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM {self._scan(snapshot, table)}"
            )

    def scan(
        self, table: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> str:
        """SQL for ``table`` read from only the files overlapping [start, end).

        Store-made file paths, quoted: no caller value reaches the text. A newest-first
        session list that widens its window day by day reads a file or two this way
        (``bench/layout.py``: 9 ms at 10M sessions, against 31 ms through the view).
        """
        model.table(table)  # an unknown name is an error listing the tables
        return self._scan(self.snapshot, table, start, end)

    def _scan(
        self,
        snapshot: Snapshot,
        table: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> str:
        paths = self._files(snapshot, table, start, end)
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        return f"read_parquet([{listed}], hive_partitioning = false)"

    def files(
        self, table: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[str]:
        """The latest snapshot's files of ``table`` that may hold rows in [start, end)."""
        model.table(table)
        return self._files(self.snapshot, table, start, end)

    def _files(
        self,
        snapshot: Snapshot,
        table: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> list[str]:
        low = int(start.timestamp() * 1000) if start else None
        high = int(end.timestamp() * 1000) if end else None
        return snapshot.paths(table, low, high) or [str(self.root / table / EMPTY)]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB cursor (one per thread) over the latest snapshot's views."""
        self.refresh()
        return self._con.cursor()

    def sql(self, query: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run ``query`` with bound ``params`` on the latest snapshot; a pandas DataFrame."""
        with self.cursor() as cur:
            return cur.execute(query, params).df()

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def batch(self, *, timeout: float = 30.0, clock: Clock = time.time) -> Iterator[Batch]:
        """Take the writers' turn for one batch; committed when the block ends without error."""
        with write_batch(self.root, timeout, clock) as batch:
            yield batch
        self.refresh()

    def compact(self, *, timeout: float = 30.0, clock: Clock = time.time) -> int:
        """Merge each month's files of sessions and events into one; the files replaced.

        Many small batches (a server writing one per request) make many small files, and
        every query opens each of them; compaction keeps the count near one per month.
        """
        with self.batch(timeout=timeout, clock=clock) as batch:
            return sum(batch.compact(table) for table in ("sessions", "events"))

    def close(self) -> None:
        self._con.close()
