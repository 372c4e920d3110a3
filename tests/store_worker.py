"""Processes for the store's concurrency tests: a writer, a reader, a writer that gets killed."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import pyarrow as pa

from workbench.store import Store
from workbench.store_write import FLUSH_ROWS, ROW_GROUP

ROWS = 500
DAY0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def sessions(batch: int, rows: int = ROWS, days: int = 3) -> pa.Table:
    """``rows`` sessions of batch ``batch`` spread over ``days`` days (so several files)."""
    starts = [DAY0 + dt.timedelta(days=batch * days + i % days, seconds=i) for i in range(rows)]
    ids = [f"b{batch}-{i}" for i in range(rows)]
    return pa.table(
        {
            "site_id": ["s"] * rows,
            "session_id": ids,
            "visitor_id": ids,
            "start_ts": pa.array(starts, pa.timestamp("ms", tz="UTC")),
            "end_ts": pa.array(starts, pa.timestamp("ms", tz="UTC")),
            "duration_s": [0] * rows,
            "is_new": [True] * rows,
            "pageviews": [1] * rows,
            "actions": [1] * rows,
            "is_bot": [False] * rows,
        }
    )


def write(root: str, batches: int, pause: float) -> None:
    store = Store.open(root)
    for b in range(batches):
        with store.batch(timeout=60) as batch:
            batch.append("sessions", sessions(b))
        time.sleep(pause)


def read(root: str, expected: int, deadline_s: float, out: str) -> None:
    """Query until ``expected`` rows are seen; record every count and any torn batch."""
    store = Store.open(root)
    seen, started = [], time.monotonic()
    while time.monotonic() - started < deadline_s:
        n, batches = store.sql(
            "SELECT count(*), count(DISTINCT split_part(session_id, '-', 1)) FROM sessions"
        ).iloc[0]
        seen.append([int(n), int(batches)])
        if n >= expected:
            break
        time.sleep(0.01)
    Path(out).write_text(json.dumps(seen))


def write_and_die(root: str, marker: str) -> None:
    """Start one big batch, write real row groups, say so, and keep writing until killed."""
    store = Store.open(root)
    with store.batch(timeout=60) as batch:
        batch.append("sessions", sessions(100, rows=FLUSH_ROWS + ROW_GROUP, days=1))
        for day in range(1000):
            batch.append("sessions", sessions(101 + day, rows=50, days=1))
            Path(marker).touch()
            time.sleep(0.05)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "write":
        write(args[0], int(args[1]), float(args[2]))
    elif command == "read":
        read(args[0], int(args[1]), float(args[2]), args[3])
    elif command == "die":
        write_and_die(args[0], args[1])
