"""The store's manifest: which Parquet files make up each table, read and replaced atomically.

A store is a folder::

    store.json                       the manifest (this module), replaced with os.replace
    .lock                            the writers' lock (see store_write)
    sites/sites-<version>.parquet    the whole sites table, rewritten on each change
    sessions/month=YYYY-MM/part-<batch>.parquet    a batch's sessions starting in that UTC month
    events/month=YYYY-MM/part-<batch>.parquet      a batch's events of that UTC month
    <table>/_empty.parquet           zero rows, carries the schema when a table has no data

Within a file, row groups of about 64k rows follow the order of the batch's appends, each
append sorted by time, and the manifest keeps each file's first and last instant: a query
for a few days reads only the files and row groups that overlap them. Readers only ever
read files the manifest lists, so a batch is visible whole or not at all.
Spark reads the data as it lies: ``spark.read.parquet(*snapshot.paths("sessions"))`` (or the
folders themselves, whose ``_``/``.`` files it skips).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.model import SCHEMA_VERSION, TABLES

MANIFEST = "store.json"
FORMAT = "analyst-workbench-store"


@dataclass(frozen=True)
class FileEntry:
    """One committed Parquet file of a table."""

    path: str  # relative to the store root
    rows: int
    batch: int
    min_ts: int | None = None  # epoch ms of the earliest row (start_ts or ts)
    max_ts: int | None = None

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Snapshot:
    """One committed state of a store: its version and the files of every table."""

    root: Path
    version: int
    schema_version: int
    as_of: str | None
    files: dict[str, tuple[FileEntry, ...]] = field(default_factory=dict)
    batches: int = 0
    # Files a commit replaced, with when (epoch s): readers of older snapshots may still be
    # reading them, so writers delete them only after a grace period.
    garbage: tuple[tuple[str, float], ...] = ()

    def entries(self, table: str) -> tuple[FileEntry, ...]:
        return self.files.get(table, ())

    def paths(
        self, table: str, start_ms: int | None = None, end_ms: int | None = None
    ) -> list[str]:
        """Absolute paths of ``table``'s files, only those overlapping [start_ms, end_ms) if given."""
        keep = [
            e
            for e in self.entries(table)
            if (start_ms is None or e.max_ts is None or e.max_ts >= start_ms)
            and (end_ms is None or e.min_ts is None or e.min_ts < end_ms)
        ]
        return [str(self.root / e.path) for e in keep]

    def rows(self, table: str) -> int:
        return sum(e.rows for e in self.entries(table))

    def known_paths(self) -> set[str]:
        """Every file the store still vouches for: the tables' and the garbage in its grace."""
        return {e.path for es in self.files.values() for e in es} | {p for p, _ in self.garbage}

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "schema_version": self.schema_version,
            "version": self.version,
            "as_of": self.as_of,
            "batches": self.batches,
            "tables": {t: [e.to_json() for e in es] for t, es in self.files.items()},
            "garbage": [{"path": p, "retired": t} for p, t in self.garbage],
        }


def empty_snapshot(root: Path, as_of: str | None) -> Snapshot:
    return Snapshot(root, 0, SCHEMA_VERSION, as_of, {t: () for t in TABLES})


def read_snapshot(root: Path) -> Snapshot:
    """The committed snapshot of the store at ``root``; a clear error if it is not a usable store."""
    path = root / MANIFEST
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise WorkbenchError(
            "not_a_store",
            f"--data {root}: no workbench store here (no {MANIFEST}); "
            "create one with `workbench sample --out PATH` or an ingest",
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WorkbenchError("corrupt_store", f"{path}: unreadable manifest ({exc})") from None
    if doc.get("format") != FORMAT:
        raise WorkbenchError("not_a_store", f"{path}: not a workbench store manifest")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise WorkbenchError(
            "schema_version",
            f"store {root} has schema version {version}, this workbench reads version "
            f"{SCHEMA_VERSION}: rebuild it (`workbench sample --out {root}` for a sample, or "
            "ingest the sources again into a new store)",
        )
    files = {t: tuple(FileEntry(**e) for e in doc.get("tables", {}).get(t, ())) for t in TABLES}
    garbage = tuple((g["path"], g["retired"]) for g in doc.get("garbage", ()))
    return Snapshot(
        root, doc["version"], version, doc.get("as_of"), files, doc.get("batches", 0), garbage
    )


def write_snapshot(snapshot: Snapshot) -> None:
    """Replace the manifest atomically and durably (temp file, fsync, rename, fsync folder)."""
    root = snapshot.root
    tmp = root / f".{MANIFEST}.{os.getpid()}.tmp"
    with open(tmp, "w") as fh:
        json.dump(snapshot.to_json(), fh, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / MANIFEST)
    fsync_dir(root)


def manifest_stamp(root: Path) -> tuple[int, int] | None:
    """A cheap fingerprint (inode, mtime) that changes whenever the manifest is replaced."""
    try:
        st = os.stat(root / MANIFEST)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
