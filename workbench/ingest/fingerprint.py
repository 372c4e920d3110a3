"""Record fingerprints and the ids they give, so that storing the same record twice is detected.

A row keeps the id its source gave (session_id, event_id); a row without one gets its
fingerprint as id: a hash of its site, table and every canonical value. A row is a duplicate
when its id is already stored for its site: looked up, under the writers' lock, in the files
overlapping the batch's time range (an id is taken to keep its instant), with bound parameters.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from workbench.ingest.mapping import ID_COLUMN, TIME_COLUMN
from workbench.manifest import Snapshot


def fingerprint(table: str, row: dict[str, object]) -> str:
    """32 hex characters identifying the row's content (its id column left out; a null value
    and an absent one are the same)."""
    id_column = ID_COLUMN[table]
    values = []
    for column, value in sorted(row.items()):
        if value is None or column == id_column:
            continue
        if isinstance(value, list):  # maps, as (key, value) pairs: their order does not count
            value = sorted(value)
        values.append((column, value))
    doc = json.dumps([table, values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(doc.encode(), digest_size=16).hexdigest()


def assign_ids(table: str, rows: list[dict[str, object]]) -> list[str]:
    """Give every row without an id its fingerprint; the rows' ids."""
    id_column = ID_COLUMN[table]
    for row in rows:
        if row.get(id_column) is None:
            row[id_column] = fingerprint(table, row)
    return [str(row[id_column]) for row in rows]


def stored_ids(
    snapshot: Snapshot, table: str, site: str, rows: list[dict[str, object]]
) -> set[str]:
    """The ids of ``rows`` that ``snapshot`` already holds for ``site``."""
    if not rows:
        return set()
    times = [int(r[TIME_COLUMN[table]]) for r in rows]  # type: ignore[call-overload]
    paths = snapshot.paths(table, min(times), max(times) + 1)
    if not paths:
        return set()
    id_column = ID_COLUMN[table]
    with duckdb.connect() as con:
        found = con.execute(
            f"SELECT DISTINCT {id_column} FROM read_parquet($paths) "
            f"WHERE site_id = $site AND {id_column} IN (SELECT unnest($ids))",
            {"paths": paths, "site": site, "ids": [str(r[id_column]) for r in rows]},
        ).fetchall()
    return {f[0] for f in found}
