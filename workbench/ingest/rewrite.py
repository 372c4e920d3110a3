"""Delete rows from sessions or events by rewriting, inside one batch, only the files holding them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.model import TABLES
from workbench.store_write import Batch

MATCHING = "sessions", "events"  # the tables rows are deleted from
_COLUMNS = ("site_id", "visitor_id")  # the columns rows are matched on


def count_rows(batch: Batch, table: str, column: str, value: str) -> dict[str, int]:
    """Rows of ``table`` in the batch's base snapshot whose ``column`` equals ``value``, per file."""
    if column not in _COLUMNS:
        raise ValueError(f"not a matching column: {column}")
    paths = batch.base.paths(table)
    if not paths:
        return {}
    with duckdb.connect() as con:
        found = con.execute(
            f"SELECT filename, count(*) FROM read_parquet($paths, filename = true) "
            f"WHERE {column} = $value GROUP BY filename",
            {"paths": paths, "value": value},
        ).fetchall()
    return {str(Path(name).relative_to(batch.base.root)): int(n) for name, n in found}


def delete_rows(batch: Batch, table: str, column: str, value: str) -> int:
    """Delete the rows whose ``column`` equals ``value``: each file holding some is rewritten
    without them (the rest appended anew, the file retired as compaction does); the count."""
    hits = count_rows(batch, table, column, value)
    entries = [e for e in batch.base.entries(table) if e.path in hits]
    for entry in sorted(entries, key=lambda e: (e.min_ts or 0, e.path)):
        data = pq.read_table(batch.base.root / entry.path, schema=TABLES[table].schema)
        match = pc.fill_null(pc.equal(data.column(column), value), False)
        batch.append(table, data.filter(pc.invert(match)))
        batch.removed.add(entry.path)
    return sum(hits.values())
