"""What an ingest did, reconciled (input = stored + duplicates + rejected), and its rejects file."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

RAW_CHARS = 1_000  # a rejected record's raw text is kept up to this many characters


@dataclass(frozen=True)
class Reject:
    """One rejected record: where it was, why (a stable code and a message), and what it was."""

    source: str
    line: int
    reason: str
    detail: str
    raw: str

    def to_json(self) -> str:
        raw = self.raw if len(self.raw) <= RAW_CHARS else self.raw[:RAW_CHARS] + "…"
        doc = {"source": self.source, "line": self.line, "reason": self.reason}
        doc |= {"detail": self.detail, "raw": raw, "raw_chars": len(self.raw)}
        return json.dumps(doc, ensure_ascii=False)


@dataclass(frozen=True)
class Outcome:
    """The reconciled summary of an ingest: every input record is counted exactly once."""

    table: str
    input: int
    stored: int
    duplicates: int
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)  # reject code -> records
    batches: int = 0  # batches committed
    rejects_path: Path | None = None
    unknown_columns: tuple[str, ...] = ()  # source columns with no canonical column
    unknown_kept: bool = False  # whether they were kept in source_fields

    @property
    def reconciles(self) -> bool:
        return self.input == self.stored + self.duplicates + self.rejected

    def summary(self) -> str:
        """One line: the reconciliation, reject reasons, where the rejects went."""
        text = (
            f"{self.table}: {self.input:,} input = {self.stored:,} stored + "
            f"{self.duplicates:,} duplicates + {self.rejected:,} rejected"
        )
        if self.reasons:
            text += " (" + ", ".join(f"{k} {v:,}" for k, v in sorted(self.reasons.items())) + ")"
        text += f" in {self.batches} batches"
        if self.rejects_path:
            text += f"; rejects in {self.rejects_path}"
        if self.unknown_columns:
            fate = "kept in source_fields" if self.unknown_kept else "ignored"
            text += f"; unknown columns {fate}: {', '.join(self.unknown_columns)}"
        return text


class Tally:
    """The counts an ingest keeps while it runs; ``outcome()`` freezes them."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.input = self.stored = self.duplicates = self.batches = 0
        self.reasons: Counter[str] = Counter()
        self.unknown: dict[str, None] = {}

    def outcome(self, rejects: RejectsFile, unknown_kept: bool) -> Outcome:
        return Outcome(
            self.table,
            self.input,
            self.stored,
            self.duplicates,
            sum(self.reasons.values()),
            dict(self.reasons),
            self.batches,
            rejects.path if rejects.written else None,
            tuple(self.unknown),
            unknown_kept,
        )


def default_rejects(root: Path, kind: str, now: dt.datetime) -> Path:
    """A run's own rejects file in the store: ``rejects/<kind>-<UTC time>.jsonl``, with a
    counter when a run of the same second already wrote one (a run never appends to another's)."""
    stem = f"{kind}-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    path, n = root / "rejects" / f"{stem}.jsonl", 1
    while path.exists():
        n += 1
        path = root / "rejects" / f"{stem}-{n}.jsonl"
    return path


class RejectsFile:
    """Rejected records as JSON Lines, created on the first one, flushed to disk per batch."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.written = 0
        self._fh = None

    def write(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
        self._fh.write("".join(r.to_json() + "\n" for r in rejects))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.written += len(rejects)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
