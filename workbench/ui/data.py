"""The Data page's checks, without Streamlit: store folders to open or create, an uploaded
table staged on disk, its column mapping guessed and checked against the model."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from workbench.errors import WorkbenchError, invalid
from workbench.ingest.mapping import DERIVED, TABLES, Plan, plan
from workbench.ingest.outcome import Outcome
from workbench.ingest.readers import FORMATS, SUFFIXES, file_format
from workbench.manifest import MANIFEST
from workbench.model import table as canonical_table
from workbench.store import Store

UPLOAD_TYPES = tuple(s.lstrip(".") for s in SUFFIXES)  # what the ingestion path reads
NOT_MAPPED = ""  # a file column that fills no model column
PREVIEW_ROWS = 5

# -- store folders -------------------------------------------------------------------------


def folder_kind(path: Path) -> str:
    """What ``path`` is to a store: a store, an empty or missing folder, a file, or other."""
    if (path / MANIFEST).is_file():
        return "store"
    if not path.exists():
        return "missing"
    if not path.is_dir():
        return "file"
    return "empty" if not any(path.iterdir()) else "other"


# What stops each action, by what the folder is (a kind not listed is fine).
OPEN_PROBLEMS = {
    "missing": "{path}: no such folder. To start a store there, press 'Create a new store here'.",
    "empty": "{path}: an empty folder, no store yet. To start one there, press 'Create a new "
    "store here'.",
    "file": "{path}: a file, not a folder. Give the folder that holds store.json.",
    "other": "{path}: not a workbench store (no store.json). Give a store's folder, or a new "
    "or empty folder to create one.",
}
CREATE_PROBLEMS = {
    "store": "{path}: a store is already there. To use it, press 'Open the store'.",
    "file": "{path}: a file, not a folder. Give a new or empty folder.",
    "other": "{path}: this folder holds other files. Give a new or empty folder.",
}


def folder(text: str) -> Path:
    """The absolute folder a typed path names (``~`` expanded); an empty one is an error."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise WorkbenchError("no_path", "Give the path of a folder.")
    return Path(cleaned).expanduser().resolve()


def check(text: str, problems: Mapping[str, str]) -> Path:
    """The folder ``text`` names, if ``problems`` has nothing against it; else an error."""
    path = folder(text)
    problem = problems.get(folder_kind(path))
    if problem:
        raise WorkbenchError("bad_folder", problem.format(path=path))
    return path


def create_store(text: str) -> Path:
    """Create an empty store in a new or empty folder (what `workbench create` does)."""
    path = check(text, CREATE_PROBLEMS)
    try:
        Store.create(path).close()
    except OSError as exc:
        raise WorkbenchError("bad_folder", f"{path}: cannot create a store here ({exc})") from None
    return path


# -- an uploaded table ---------------------------------------------------------------------


def stage(directory: Path, name: str, data: bytes) -> Path:
    """Write an upload to ``directory`` under its own name (its suffix names its format)."""
    path = Path(directory) / Path(name).name
    if path.suffix.lower() not in SUFFIXES:
        raise invalid(path.name, path.suffix or "(no suffix)", SUFFIXES, code="unknown_format")
    path.write_bytes(data)
    return path


def columns(path: Path) -> list[str]:
    """The file's columns, read as the ingestion path reads them; none is an error."""
    found = FORMATS[file_format(path)][0](path)
    if not found:
        raise WorkbenchError("no_columns", f"{path.name}: no columns found (an empty file?)")
    return found


def preview(path: Path, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The file's first records as text, as the ingestion path reads them."""
    records = itertools.islice(FORMATS[file_format(path)][1](path), rows)
    shown = [
        {k: None if v is None else str(v) for k, v in (r.values or {}).items()} for r in records
    ]
    return pd.DataFrame(shown, dtype=object)


def targets(table: str) -> list[str]:
    """The model columns a file column can fill (the site comes from the site chooser)."""
    return [NOT_MAPPED, *(n for n in canonical_table(table).names if n != "site_id")]


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


# Other names a source often gives a model column (matched after normalising).
ALIASES = {
    "visitor_id": ("uid", "user_id", "userid", "visitor", "client_id", "device_id"),
    "session_id": ("visit_id", "session"),
    "start_ts": ("started", "start", "start_time", "session_start", "visit_start"),
    "end_ts": ("ended", "end", "end_time", "session_end"),
    "duration_s": ("duration", "seconds", "visit_duration"),
    "ts": ("timestamp", "time", "event_time"),
    "country_code": ("country",),
    "entry_url": ("landing_page", "landing_url", "entry_page"),
    "referrer_url": ("referrer", "referer"),
    "user_agent": ("ua", "useragent"),
    "ip_address": ("ip",),
    "type": ("event_type",),
    "key": ("event", "event_name", "event_key"),
}


def guess(table: str, names: list[str]) -> dict[str, str]:
    """Each file column's likely model column (``NOT_MAPPED`` if none); each taken once."""
    known = {_norm(n): n for n in targets(table) if n}
    for canonical, others in ALIASES.items():
        if canonical in canonical_table(table).names:
            for other in others:
                known.setdefault(other, canonical)
    out: dict[str, str] = {}
    taken = set(names)  # a column named exactly like a model column keeps it
    for name in names:
        target = name if name in known.values() else known.get(_norm(name), NOT_MAPPED)
        if target and target != name and target in taken:
            target = NOT_MAPPED
        taken.add(target)
        out[name] = target if target != "site_id" else NOT_MAPPED
    return out


def mapping(table: str, choices: Mapping[str, str]) -> dict[str, str]:
    """The library's mapping (model column -> file column) for the chosen targets.

    A model column chosen twice, or a file column named like a model column but mapped
    elsewhere (the ingestion path would take it by its name anyway), is an error."""
    chosen: dict[str, str] = {}
    for source, target in choices.items():
        if not target:
            continue
        if target in chosen:
            raise WorkbenchError(
                "bad_mapping",
                f"model column {target} is chosen for two file columns: {chosen[target]} "
                f"and {source}; choose one",
            )
        chosen[target] = source
    names = set(canonical_table(table).names) - {"site_id"}
    for source, target in choices.items():
        if source in names and target != source and source not in chosen:
            raise WorkbenchError(
                "bad_mapping",
                f"file column {source} is named like the model's column and is taken as "
                f"{source}; map it to {source}, or map another file column to {source}",
            )
    return chosen


def check_mapping(table: str, choices: Mapping[str, str], name: str) -> Plan:
    """The ingestion path's plan for the mapping: missing required columns are errors."""
    if table not in TABLES:
        raise WorkbenchError("bad_table", f"table: {table!r}; expected one of {', '.join(TABLES)}")
    try:
        return plan(table, mapping(table, choices), list(choices), name)
    except WorkbenchError as error:  # the library speaks to the command line
        words = error.message.replace("with --mapping", "in the column mapping")
        raise WorkbenchError(error.code, words) from None


def plan_frame(file_plan: Plan) -> pd.DataFrame:
    """Every model column with the file column that fills it, or how it is derived."""
    sources = dict(file_plan.sources)
    rows = []
    for col in canonical_table(file_plan.table).columns:
        if col.name == "site_id":
            filled = "the chosen site"
        elif col.name in sources:
            filled = sources[col.name]
        elif col.name in DERIVED[file_plan.table]:
            filled = "(derived)"
        elif col.name == "source_fields" and file_plan.keep_unknown and file_plan.unknown:
            filled = ", ".join(file_plan.unknown)
        else:
            filled = None
        rows.append(
            {"column": col.name, "required": col.required, "from": filled, "meaning": col.meaning}
        )
    return pd.DataFrame(rows)


def row_estimate(path: Path) -> int:
    """About how many records the file holds (for a progress bar): Parquet's row count, else
    its lines."""
    if file_format(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with open(path, "rb") as fh:
        return max(sum(1 for _ in fh) - 1, 1)


def reasons_frame(outcome: Outcome) -> pd.DataFrame:
    """The rejects per reason code."""
    rows = sorted(outcome.reasons.items())
    return pd.DataFrame(rows, columns=["reason", "records"])
