"""Read Countly devices' history from a batch's snapshot; write sessions and events, replacing extended ones."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.ingest.countly_sessionize import History, Visit, span_of
from workbench.ingest.table import arrow_rows
from workbench.model import SESSIONS, TIMESTAMP
from workbench.store import Store
from workbench.store_write import Batch

# Every session of the wanted devices, counted; kept: the latest and those a request may repeat.
_HISTORY = """
WITH wanted AS (
    SELECT unnest($sites) AS site_id, unnest($devices) AS visitor_id, unnest($since) AS since
), hist AS (
    SELECT s.*, w.since,
        count(*) OVER d AS stored_visits,
        epoch_ms(min(s.start_ts) OVER d) AS first_ms,
        arg_min(s.session_id, s.start_ts) OVER d AS first_id,
        row_number() OVER (
            PARTITION BY s.site_id, s.visitor_id ORDER BY s.start_ts DESC, s.session_id DESC
        ) AS recency
    FROM read_parquet($paths) s
    JOIN wanted w ON s.site_id = w.site_id AND s.visitor_id = w.visitor_id
    WINDOW d AS (PARTITION BY s.site_id, s.visitor_id)
)
SELECT * EXCLUDE (since) FROM hist
WHERE recency = 1 OR epoch_ms(coalesce(last_seen_ts, end_ts)) >= since
"""


def app_sites(store: Store) -> dict[str, str]:
    """Countly write keys (app_key) -> site_id."""
    rows = store.sql("SELECT countly_app_key, site_id FROM sites WHERE countly_app_key IS NOT NULL")
    return dict(zip(rows["countly_app_key"], rows["site_id"], strict=True))


def load_history(
    batch: Batch, wanted: dict[tuple[str, str], int]
) -> dict[tuple[str, str], History]:
    """Each wanted (site, device)'s history; ``wanted`` maps it to its first request's instant."""
    found = {key: History() for key in wanted}
    paths = batch.base.paths("sessions")
    if not wanted or not paths:
        return found
    keys = list(wanted)
    params = {
        "paths": paths,
        "sites": [k[0] for k in keys],
        "devices": [k[1] for k in keys],
        "since": list(wanted.values()),
    }
    with duckdb.connect() as con:
        table = _epoch_ms(con.sql(_HISTORY, params=params).to_arrow_table())
    for row in table.to_pylist():
        history = found[(row["site_id"], row["visitor_id"])]
        history.visits, history.first_ts = row.pop("stored_visits"), row.pop("first_ms")
        history.first_id = row.pop("first_id")
        if row.pop("recency") == 1:
            history.latest = {k: row[k] for k in SESSIONS.names}
        else:
            history.spans.append(span_of(row))
    return found


def write_visits(batch: Batch, visits: list[Visit]) -> tuple[int, int]:
    """Append the visits' sessions and new events; stored sessions they extend are replaced
    (the files holding them rewritten without them, in this batch). (sessions, events)."""
    replaced = {str(v.row["session_id"]) for v in visits if v.stored}
    kept = _drop_sessions(batch, replaced) if replaced else []
    sessions = [arrow_rows("sessions", [v.session_row() for v in visits]), *kept]
    events = [e for v in visits for e in v.events]
    batch.append("sessions", pa.concat_tables(sessions))
    if events:
        batch.append("events", arrow_rows("events", events))
    return len(visits), len(events)


def _drop_sessions(batch: Batch, ids: set[str]) -> list[pa.Table]:
    """Retire the files holding sessions ``ids``; their other rows, to append again."""
    paths = batch.base.paths("sessions")
    with duckdb.connect() as con:
        names = con.execute(
            "SELECT DISTINCT filename FROM read_parquet($paths, filename = true) "
            "WHERE session_id IN (SELECT unnest($ids))",
            {"paths": paths, "ids": sorted(ids)},
        ).fetchall()
    holding = {str(Path(n).relative_to(batch.base.root)) for (n,) in names}
    kept = []
    wanted = pa.array(sorted(ids))
    for entry in batch.base.entries("sessions"):
        if entry.path in holding:
            data = pq.read_table(batch.base.root / entry.path, schema=SESSIONS.schema)
            kept.append(data.filter(pc.invert(pc.is_in(data.column("session_id"), wanted))))
            batch.removed.add(entry.path)
    return kept


def _epoch_ms(table: pa.Table) -> pa.Table:
    """Instants as epoch ms, as the sessioniser keeps them."""
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            column = table.column(i).cast(TIMESTAMP).cast(pa.int64())
            table = table.set_column(i, pa.field(f.name, pa.int64()), column)
    return table
