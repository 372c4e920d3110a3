"""Read CSV, Parquet and JSON Lines files as numbered records of column -> value."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from workbench.errors import WorkbenchError, invalid

MAX_RECORD_CHARS = 1 << 20  # a CSV field or JSON line longer than this is rejected as oversize
JSON_SNIFF = 1_000  # a JSON Lines file's columns are the keys of its first this many objects
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS))


@dataclass(frozen=True)
class Record:
    """One input record: its line (or row) number, its values, or why it could not be read."""

    line: int
    values: dict[str, object] | None
    raw: object  # what the source held, rendered by raw_text only when rejected
    error: tuple[str, str] | None = None  # (reason, detail)


def raw_text(raw: object) -> str:
    """A record's source text for the rejects file: invalid bytes shown as \\xNN escapes."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "backslashreplace")
    if isinstance(raw, list):  # CSV fields, written back as one CSV line
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(raw)
        return out.getvalue().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return json.dumps(raw, ensure_ascii=False, default=str)


def _text(path: Path) -> io.TextIOWrapper:
    """The file as text that keeps invalid UTF-8 bytes as lone surrogates (found per value)."""
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def csv_columns(path: Path) -> list[str]:
    with _text(path) as fh:
        return next(csv.reader(fh), [])


def csv_records(path: Path) -> Iterator[Record]:
    """Rows after the header; empty fields are nulls; a row of the wrong width is an error."""
    with _text(path) as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        line = reader.line_num + 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(
                    line,
                    None,
                    [],
                    ("oversize" if "limit" in str(exc) else "malformed_csv", str(exc)),
                )
                line = reader.line_num + 1
                continue
            if not fields:  # a blank line is no record
                pass
            elif len(fields) != len(header):
                detail = f"expected {len(header)} fields, found {len(fields)}"
                yield Record(line, None, fields, ("malformed_csv", detail))
            else:
                yield Record(
                    line, {k: v or None for k, v in zip(header, fields, strict=True)}, fields
                )
            line = reader.line_num + 1


def jsonl_records(path: Path) -> Iterator[Record]:
    """One JSON object per line; blank lines are skipped, others that are not objects rejected."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            yield _json_record(number, line)


def _json_record(number: int, line: bytes) -> Record:
    if len(line) > MAX_RECORD_CHARS:
        return Record(
            number, None, line, ("oversize", f"{len(line):,} bytes > {MAX_RECORD_CHARS:,}")
        )
    try:
        doc = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Record(number, None, line, ("invalid_utf8", str(exc)))
    except json.JSONDecodeError as exc:
        return Record(number, None, line, ("bad_json", str(exc)))
    if not isinstance(doc, dict):
        return Record(
            number, None, line, ("bad_json", f"expected an object, found {type(doc).__name__}")
        )
    return Record(number, doc, line)


def jsonl_columns(path: Path) -> list[str]:
    keys: dict[str, None] = {}
    with open(path, "rb") as fh:
        lines = (line for line in fh if line.strip())
        for line in itertools.islice(lines, JSON_SNIFF):
            record = _json_record(0, line)
            keys |= dict.fromkeys(record.values or ())
    return list(keys)


def parquet_columns(path: Path) -> list[str]:
    return list(_parquet(path).schema_arrow.names)


def parquet_records(path: Path, rows: int = 10_000) -> Iterator[Record]:
    """Rows numbered from 1, as Python values (timestamps as datetimes)."""
    number = 0
    for batch in _parquet(path).iter_batches(batch_size=rows):
        for values in batch.to_pylist():
            number += 1
            yield Record(number, values, values)


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise WorkbenchError(
            "unreadable_file", f"{path}: not a readable Parquet file ({exc})"
        ) from None


FORMATS: dict[str, tuple[Callable[[Path], list[str]], Callable[[Path], Iterator[Record]]]] = {
    "csv": (csv_columns, csv_records),
    "parquet": (parquet_columns, parquet_records),
    "jsonl": (jsonl_columns, jsonl_records),
}
SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


def file_format(path: Path) -> str:
    """The format a file's suffix names; an unknown suffix is an error naming the known ones."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise invalid(str(path), suffix or "(no suffix)", SUFFIXES, code="unknown_format")
    if not path.is_file():
        raise WorkbenchError("missing_file", f"{path}: no such file")
    return SUFFIXES[suffix]
