"""Ingest Countly write-API requests (log files, one per line, or one HTTP request) into sessions and events.

A log is read in chunks; each chunk is one batch, stored whole or not at all. Sessions still
open at a chunk's end stay in memory, with their events, until they close (``end_session``,
the timeout, or the end of the input), so that a session and its events are committed
together. A session open at the end of the input is stored as it stands; a later request
(the next log, or ``/i``) that extends it replaces the stored row in its own batch. Every
request is counted once: stored (when its session is written), a duplicate, or rejected.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.ingest.convert import Rejected
from workbench.ingest.countly_parse import (
    MAX_REQUEST_BYTES,
    CountlyRequest,
    params_of,
    parse_request,
)
from workbench.ingest.countly_sessionize import Sessionizer
from workbench.ingest.countly_store import app_sites, load_history, write_visits
from workbench.ingest.outcome import Outcome, Reject, RejectsFile, Tally, default_rejects
from workbench.ingest.readers import raw_text
from workbench.store import Store
from workbench.timeframe import check_aware

BATCH_REQUESTS = 50_000  # requests per batch
TIMEOUT = dt.timedelta(minutes=30)  # no request for this long closes a session
TABLE = "countly requests"


class _NothingNew(Exception):
    """A batch with nothing to write: ended without a commit."""


@dataclass(frozen=True)
class Line:
    """One input line: where it was and its bytes."""

    source: str
    number: int
    raw: bytes


def ingest_countly(
    store: Store,
    paths: Sequence[str | Path],
    *,
    now: dt.datetime,
    timeout: dt.timedelta = TIMEOUT,
    rejects: str | Path | None = None,
    batch_requests: int = BATCH_REQUESTS,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Store every request of the log files (query strings, form or JSON bodies, one a line).

    Requests of unknown apps, malformed ones and ones in the future (or before 1995) go to
    ``rejects`` (default ``STORE/rejects/countly-NOW.jsonl``) with their line and reason.
    """
    check_aware(now, "now")
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.is_file():
            raise WorkbenchError("missing_file", f"{path}: no such file")
    out = RejectsFile(Path(rejects) if rejects else default_rejects(store.root, "countly", now))
    run = _Run(store, now, timeout, out)
    try:
        for chunk in _chunks(_lines(paths), batch_requests):
            run.chunk(chunk, final=False)
            if progress:
                progress(len(chunk))
        run.chunk([], final=True)
    finally:
        out.close()
    return run.tally.outcome(out, unknown_kept=True)


def ingest_params(
    store: Store,
    source: Callable[[], dict[str, object]],
    *,
    now: dt.datetime,
    client: str | None = None,
    raw: bytes = b"",
) -> tuple[Outcome, Reject | None]:
    """One HTTP request stored in its own batch: ``source()`` gives its parameters (or raises
    Rejected). Its outcome and its reject, if any (also written to
    ``STORE/rejects/countly-http-DAY.jsonl``)."""
    check_aware(now, "now")
    day = now.astimezone(dt.UTC)
    out = RejectsFile(store.root / "rejects" / f"countly-http-{day:%Y%m%d}.jsonl")
    run = _Run(store, now, TIMEOUT, out)
    try:
        run.tally.input += 1
        try:
            run.accept(source(), client, timestamp_required=False)
        except Rejected as why:
            reject = Reject("/i", 1, why.reason, why.detail, raw_text(raw))
            run.reject([reject])
            return run.tally.outcome(out, unknown_kept=True), reject
        run.commit(final=True)
    finally:
        out.close()
    return run.tally.outcome(out, unknown_kept=True), None


class _Run:
    """One ingest: apps, the sessioniser carried across chunks, the tally."""

    def __init__(self, store: Store, now: dt.datetime, timeout: dt.timedelta, out: RejectsFile):
        self.store, self.now, self.out = store, now, out
        self.apps = app_sites(store)
        self.sessions = Sessionizer(int(timeout.total_seconds() * 1000))
        self.tally = Tally(TABLE)
        self.pending: list[tuple[str, CountlyRequest]] = []
        self.watermark: int | None = None

    def chunk(self, lines: list[Line], final: bool) -> None:
        """Check a chunk of lines (rejects written in line order), then commit."""
        rejected = []
        for line in lines:
            self.tally.input += 1
            try:
                self.accept(params_of(line.raw), None, timestamp_required=True)
            except Rejected as why:
                rejected.append(
                    Reject(line.source, line.number, why.reason, why.detail, raw_text(line.raw))
                )
        self.reject(rejected)
        self.commit(final)

    def accept(
        self, params: dict[str, object], client: str | None, *, timestamp_required: bool
    ) -> None:
        """Check one request of a known app; it waits for the next commit (else Rejected)."""
        req = parse_request(params, self.now, client, timestamp_required=timestamp_required)
        site = self.apps.get(req.app_key)
        if site is None:
            raise Rejected("unknown_app", "App does not exist")
        self.pending.append((site, req))

    def commit(self, final: bool) -> None:
        """Sessionise the pending requests and write what closed, in one batch."""
        pending, self.pending = self.pending, []
        if pending:
            middle = statistics.median_low(r.ts for _, r in pending)  # robust to a stray instant
            self.watermark = max(self.watermark or middle, middle)
        pending.sort(key=lambda p: p[1].ts)  # stable: a device's requests keep their line order
        try:
            with self.store.batch() as batch:
                wanted: dict[tuple[str, str], int] = {}
                for site, req in pending:
                    key = (site, req.device_id)
                    if not self.sessions.known(key):
                        wanted.setdefault(key, req.ts)
                for key, history in load_history(batch, wanted).items():
                    self.sessions.add(*key, history)
                before = self.sessions.duplicates
                for site, req in pending:
                    self.sessions.apply(site, req)
                self.tally.duplicates += self.sessions.duplicates - before
                visits = self.sessions.take(None if final else self.watermark)
                if not visits:
                    raise _NothingNew
                write_visits(batch, visits)
            self.tally.batches += 1
            self.tally.stored += sum(v.requests for v in visits)
        except _NothingNew:
            pass

    def reject(self, rejected: list[Reject]) -> None:
        self.tally.reasons.update(r.reason for r in rejected)
        self.out.write(rejected)


def _lines(paths: Iterable[Path]) -> Iterator[Line]:
    """Every non-blank line of the files, as bytes; a line over MAX_REQUEST_BYTES is cut
    there (the rest skipped unread into memory) and rejected as oversize by the parser."""
    for path in paths:
        with open(path, "rb") as fh:
            for number in itertools.count(1):
                raw = fh.readline(MAX_REQUEST_BYTES + 1)
                if not raw:
                    break
                if len(raw) > MAX_REQUEST_BYTES and not raw.endswith(b"\n"):
                    while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                elif raw.strip():
                    raw = raw.rstrip(b"\r\n")
                else:
                    continue
                yield Line(str(path), number, raw)


def _chunks(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    it = iter(lines)
    while chunk := list(itertools.islice(it, size)):
        yield chunk
