"""Ingest CSV, Parquet and JSON Lines tables into sessions or events, one batch per chunk."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa

from workbench.errors import invalid
from workbench.ingest.convert import Rejected
from workbench.ingest.fingerprint import assign_ids, stored_ids
from workbench.ingest.mapping import Plan, convert, load_mapping, plan
from workbench.ingest.outcome import Outcome, Reject, RejectsFile, Tally, default_rejects
from workbench.ingest.readers import FORMATS, Record, file_format, raw_text
from workbench.model import TIMESTAMP
from workbench.model import table as canonical_table
from workbench.store import Store
from workbench.timeframe import check_aware

BATCH_ROWS = 50_000  # records per batch: each batch is stored whole or not at all


class _NothingNew(Exception):
    """Every row of a batch is stored already: end the batch without a commit."""


def ingest_table(
    store: Store,
    paths: Sequence[str | Path],
    *,
    site: str,
    now: dt.datetime,
    table: str = "sessions",
    mapping: dict[str, str] | str | Path | None = None,
    rejects: str | Path | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Store every file's records in ``table`` for ``site``; the reconciled outcome.

    Every file's columns are checked before anything is stored. Records that cannot be
    stored go to ``rejects`` (default ``STORE/rejects/TABLE-NOW.jsonl``) with their reason;
    records already stored (same id for the site) are counted as duplicates.
    """
    check_aware(now, "now")
    sites = store.sql("SELECT site_id FROM sites ORDER BY site_id")["site_id"].tolist()
    if site not in sites:
        raise invalid(
            "--site",
            site,
            sites or "an existing site (add one with `workbench site add`)",
            "unknown_site",
        )
    if not isinstance(mapping, dict):
        mapping = load_mapping(Path(mapping) if mapping else None)
    plans = []
    for path in map(Path, paths):
        fmt = file_format(path)
        plans.append((path, fmt, plan(table, mapping, FORMATS[fmt][0](path), str(path))))
    tally = Tally(table)
    out = RejectsFile(Path(rejects) if rejects else default_rejects(store.root, table, now))
    try:
        for path, fmt, file_plan in plans:
            tally.unknown |= dict.fromkeys(file_plan.unknown)
            for chunk in _chunks(FORMATS[fmt][1](path), batch_rows):
                _ingest_chunk(store, file_plan, chunk, site, now, str(path), tally, out)
                if progress:
                    progress(len(chunk))
    finally:
        out.close()
    kept = any(p.keep_unknown and p.unknown for _, _, p in plans)
    return tally.outcome(out, kept)


def _ingest_chunk(
    store: Store,
    file_plan: Plan,
    chunk: Iterable[Record],
    site: str,
    now: dt.datetime,
    source: str,
    tally: Tally,
    out: RejectsFile,
) -> None:
    """Convert, deduplicate and store one chunk in one batch; then count it and log rejects."""
    table = file_plan.table
    rows, rejected, count = [], [], 0
    for record in chunk:
        count += 1
        try:
            if record.error:
                raise Rejected(*record.error)
            rows.append(convert(file_plan, record.values or {}, site, now))
        except Rejected as why:
            rejected.append(
                Reject(source, record.line, why.reason, why.detail, raw_text(record.raw))
            )
    fresh: dict[str, dict[str, object]] = {}
    for key, row in zip(assign_ids(table, rows), rows, strict=True):
        fresh.setdefault(key, row)  # the first of an id wins, as against the store
    new: list[dict[str, object]] = []
    if fresh:
        try:
            with store.batch() as batch:
                known = stored_ids(batch.base, table, site, list(fresh.values()))
                new = [row for key, row in fresh.items() if key not in known]
                if not new:
                    raise _NothingNew
                batch.append(table, arrow_rows(table, new))
            tally.batches += 1
        except _NothingNew:
            new = []
    tally.input += count
    tally.stored += len(new)
    tally.duplicates += len(rows) - len(new)
    tally.reasons.update(r.reason for r in rejected)
    out.write(rejected)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    """``records`` in lists of ``size`` (itertools.batched is Python 3.12+)."""
    it = iter(records)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def arrow_rows(table: str, rows: list[dict[str, object]]) -> pa.Table:
    """Canonical rows (instants as epoch ms) as an Arrow table of ``table``'s schema."""
    schema = canonical_table(table).schema
    staged = pa.schema([f.with_type(pa.int64()) if f.type == TIMESTAMP else f for f in schema])
    data = pa.Table.from_pylist(rows, schema=staged)
    return data.cast(schema)
