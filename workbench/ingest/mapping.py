"""Map a file's columns onto a canonical table and turn each source record into a canonical row."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from workbench.errors import WorkbenchError, invalid
from workbench.ingest.convert import ENUMS, Converter, Rejected, check_enum, converter, text
from workbench.model import table as canonical_table

# Required columns an ingest fills when the source has none (see ``derive``).
DERIVED = {
    "sessions": ("site_id", "session_id", "end_ts", "duration_s", "actions", "is_bot"),
    "events": ("site_id", "event_id", "count"),
}
ID_COLUMN = {"sessions": "session_id", "events": "event_id"}
TIME_COLUMN = {"sessions": "start_ts", "events": "ts"}
TABLES = tuple(DERIVED)
REQUIRED = {  # required columns every row has once derived (the id is given later)
    t: tuple(c.name for c in canonical_table(t).columns if c.required and c.name != ID_COLUMN[t])
    for t in TABLES
}


@dataclass(frozen=True)
class Plan:
    """Which source column fills each canonical column of ``table``, for one file."""

    table: str
    sources: tuple[tuple[str, str], ...]  # (canonical, source) pairs
    unknown: tuple[str, ...]  # source columns no canonical column takes
    keep_unknown: bool  # whether they go into source_fields (sessions only)
    site_column: str | None  # a source 'site_id' column, checked against --site

    @cached_property
    def steps(self) -> tuple[tuple[str, str, Converter], ...]:
        """(canonical, source, converter) for each mapped column."""
        spec = canonical_table(self.table)
        return tuple((c, s, converter(spec.column(c).type)) for c, s in self.sources)


def load_mapping(path: Path | None) -> dict[str, str]:
    """A mapping file: a JSON object of canonical column -> source column."""
    if path is None:
        return {}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WorkbenchError("bad_mapping", f"--mapping {path}: unreadable ({exc})") from None
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise WorkbenchError(
            "bad_mapping", f'--mapping {path}: expected a JSON object {{"canonical": "source"}}'
        )
    return doc


def plan(table: str, mapping: dict[str, str], columns: list[str], source: str) -> Plan:
    """The file's plan; unknown canonical names, absent source columns and missing required
    columns are errors naming them (nothing of any file is stored then)."""
    if table not in DERIVED:
        raise invalid("--table", table, TABLES)
    spec = canonical_table(table)
    for name in mapping:
        if name == "site_id":
            raise WorkbenchError("bad_mapping", "mapping: site_id comes from --site, not a column")
        spec.column(name)  # an unknown name is an error listing the table's columns
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise WorkbenchError("bad_columns", f"{source}: repeated column(s) {', '.join(duplicated)}")
    absent = [s for s in mapping.values() if s not in columns]
    if absent:
        raise WorkbenchError(
            "missing_column",
            f"{source}: mapped source column(s) {', '.join(absent)} not in the file; "
            f"its columns: {', '.join(columns) or '(none)'}",
        )
    sources = dict(mapping)
    for name in spec.names:
        if name not in sources and name in columns and name != "site_id":
            sources[name] = name
    missing = [
        c.name
        for c in spec.columns
        if c.required and c.name not in sources and c.name not in DERIVED[table]
    ]
    if missing:
        raise WorkbenchError(
            "missing_column",
            f"{source}: no column for required {table} column(s) {', '.join(missing)}; "
            "name them in the file or map them with --mapping",
        )
    used = set(sources.values())
    unknown = tuple(c for c in columns if c not in used and c != "site_id")
    keep = table == "sessions" and "source_fields" not in sources
    site_column = "site_id" if "site_id" in columns else None
    return Plan(table, tuple(sources.items()), unknown, keep, site_column)


def convert(
    plan: Plan, values: dict[str, object], site: str, now: dt.datetime
) -> dict[str, object]:
    """The canonical row for one source record (ids still unset where derived), or Rejected."""
    if plan.site_column and values.get(plan.site_column) not in (None, site):
        found = text(values[plan.site_column], "site_id")
        raise Rejected("wrong_site", f"site_id: {found!r} is not --site {site!r}")
    row: dict[str, object] = {"site_id": site}
    for name, source, to_type in plan.steps:
        value = values.get(source)
        if value is None:
            continue
        converted = to_type(value, name, now)
        if converted is not None:
            if name in ENUMS:
                check_enum(name, converted)
            row[name] = converted
    if plan.keep_unknown:
        extra = [(c, text(values[c], c)) for c in plan.unknown if values.get(c) is not None]
        if extra:
            row["source_fields"] = extra
    derive(plan.table, row)
    if int(row.get("duration_s") or 0) < 0:  # type: ignore[call-overload]
        raise Rejected("bad_value", "end_ts: before start_ts (a negative duration)")
    for name in REQUIRED[plan.table]:
        if row.get(name) is None:
            raise Rejected("missing_value", f"{name}: no value (required)")
    return row


def derive(table: str, row: dict[str, object]) -> None:
    """Fill derivable required columns: a session's end from its duration or the reverse (both
    missing: a zero-second visit), actions from pageviews, is_bot false; an event's count 1."""
    if table == "events":
        row.setdefault("count", 1)
        return
    start = row.get("start_ts")
    if isinstance(start, int):
        if row.get("end_ts") is None:
            row["end_ts"] = start + 1000 * int(row.get("duration_s") or 0)
        if row.get("duration_s") is None:
            row["duration_s"] = (int(row["end_ts"]) - start) // 1000  # type: ignore[arg-type]
    if row.get("actions") is None:
        row["actions"] = row.get("pageviews")
    row.setdefault("is_bot", False)
