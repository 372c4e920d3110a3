"""Ingest Apache/Nginx access logs: hits into visits and events, one batch per block of lines.

Every line is stored (as one event of a visit), a duplicate (the same line is already stored
for the site, or came earlier in this input), rejected with a reason, or skipped and counted:
static assets, redirects (3xx but 304) and HTTP errors (4xx, 5xx) are not pageviews, as
Matomo's log importer does by default. Lines are read in blocks (``batch_lines``); after each
block, visits idle for longer than the timeout (against the latest time read) are closed and
stored with their events in one batch, all or nothing. Visits still open at the end of the
input are closed there: a visit that goes on in a log ingested later becomes a new visit
(give rotated logs in one call, oldest first, to keep such visits whole).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from workbench.errors import WorkbenchError, invalid
from workbench.ingest.accesslog_parse import MAX_LINE_BYTES, Clock, event_id, parse, read_lines
from workbench.ingest.accesslog_sessions import History, Rules, Visit, build, visitor_id
from workbench.ingest.convert import Rejected
from workbench.ingest.fingerprint import stored_ids
from workbench.ingest.geoip import CityDatabase, anonymize
from workbench.ingest.outcome import Outcome, Reject, RejectsFile, Tally, default_rejects
from workbench.ingest.readers import raw_text
from workbench.model import EVENTS, SESSIONS
from workbench.store import Store
from workbench.timeframe import check_aware

BATCH_LINES = 100_000  # lines read between two batches
SKIPPED = ("asset", "redirect", "http_error")


@dataclass(frozen=True)
class LogOutcome(Outcome):
    """An access-log ingest: lines = stored + duplicates + rejected + skipped, and its visits."""

    skipped: dict[str, int] = field(default_factory=dict)  # asset/redirect/http_error -> lines
    sessions: int = 0  # visits stored
    sessions_known: int = 0  # visits already stored (their lines are duplicates)
    bots: dict[str, int] = field(default_factory=dict)  # bot_reason -> visits stored

    @property
    def reconciles(self) -> bool:
        return self.input == self.stored + self.duplicates + self.rejected + sum(
            self.skipped.values()
        )

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        text = (
            f"access log: {self.input:,} lines = {self.stored:,} stored + "
            f"{self.duplicates:,} duplicates + {self.rejected:,} rejected + {skipped:,} skipped"
        )
        if self.skipped:
            text += " (" + ", ".join(f"{k} {v:,}" for k, v in sorted(self.skipped.items())) + ")"
        if self.reasons:
            text += "; rejected: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted(self.reasons.items())
            )
        text += f"; {self.sessions:,} visits stored"
        if self.bots:
            bots = ", ".join(f"{k} {v:,}" for k, v in sorted(self.bots.items()))
            text += f" ({sum(self.bots.values()):,} flagged as bots: {bots})"
        if self.sessions_known:
            text += f", {self.sessions_known:,} already stored"
        text += f"; {self.batches} batches"
        if self.rejects_path:
            text += f"; rejects in {self.rejects_path}"
        return text


def parse_bot_rules(specs: Sequence[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``NAME=REGEX`` options as (name, compiled pattern); a clear error for a bad one."""
    rules = []
    for spec in specs:
        name, sep, pattern = spec.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not pattern:
            raise invalid("--bot-rule", spec, "NAME=REGEX (NAME of letters, digits, _ . -)")
        try:
            rules.append((name, re.compile(pattern)))
        except re.error as exc:
            raise invalid("--bot-rule", spec, f"a valid regular expression ({exc})") from None
    return tuple(rules)


class _NothingNew(Exception):
    """Every line of a batch is stored already: end the batch without a commit."""


class _Run:
    """The state of one ingest: open visits, visitors' histories, counts, rejects."""

    def __init__(self, store: Store, rules: Rules, timeout_ms: int, out: RejectsFile) -> None:
        self.store, self.rules, self.timeout, self.out = store, rules, timeout_ms, out
        self.site = rules.site.encode()
        self.tally = Tally("access-log")
        self.skipped: dict[str, int] = dict.fromkeys(SKIPPED, 0)
        self.open: dict[tuple[str, str], Visit] = {}
        self.closed: list[Visit] = []
        self.pending: set[str] = set()  # event ids read and not yet committed
        self.orphans: dict[tuple[str, str], int] = {}  # visitor -> last asset outside a visit
        self.histories: dict[str, History] = {}
        self.vids: dict[tuple[str, str], str] = {}
        self.sessions = self.sessions_known = 0
        self.bots: dict[str, int] = {}
        self.rejects: list[Reject] = []
        self.watermark = 0

    def feed(self, chunk: list[tuple[str, tuple[int, bytes, bool]]], clock: Clock) -> None:
        """Read a chunk of lines into open visits (one loop: this is the hot path)."""
        tally, open_, pending, orphans, skipped = (
            self.tally, self.open, self.pending, self.orphans, self.skipped
        )  # fmt: skip
        timeout, site, anonymous = self.timeout, self.site, self.rules.anonymize_ip
        watermark = self.watermark
        tally.input += len(chunk)
        for source, (number, raw, cut) in chunk:
            try:
                if cut:
                    raise Rejected("oversize", f"line longer than {MAX_LINE_BYTES:,} bytes")
                try:
                    text = raw.decode()
                except UnicodeDecodeError:
                    raise Rejected("invalid_utf8", "line is not valid UTF-8") from None
                hit = parse(text, clock)
            except Rejected as why:
                self.rejects.append(Reject(source, number, why.reason, why.detail, raw_text(raw)))
                continue
            key = (hit.ip, hit.agent)
            visit = open_.get(key)
            ts, kind = hit.ts, hit.kind
            if kind in skipped:
                skipped[kind] += 1
                if kind == "asset":
                    if visit is not None and ts - visit.last <= timeout:
                        visit.assets += 1
                    else:
                        orphans[key] = ts
                continue
            if anonymous:
                raw = (anonymize(hit.ip) or "-").encode() + raw[len(hit.ip.encode()) :]
            eid = event_id(site, raw)
            if eid in pending:
                tally.duplicates += 1
                continue
            pending.add(eid)
            if visit is None or ts - visit.last > timeout or visit.start - ts > timeout:
                if visit is not None:
                    self.closed.append(visit)
                visit = open_[key] = Visit(key, ts, ts)
                orphan = orphans.pop(key, None)
                if orphan is not None and abs(ts - orphan) <= timeout:
                    visit.assets += 1
            visit.hits.append((hit, eid))
            if ts > visit.last:
                visit.last = ts
            elif ts < visit.start:
                visit.start = ts
            if ts > watermark:
                watermark = ts
        self.watermark = watermark

    def flush(self, final: bool) -> None:
        """Close idle visits (all when ``final``) and store them in one batch."""
        horizon = self.watermark - self.timeout
        for key, visit in list(self.open.items()):
            if final or visit.last < horizon:
                self.closed.append(self.open.pop(key))
        self.orphans = {k: t for k, t in self.orphans.items() if t >= horizon and not final}
        if self.closed:
            self._store(self.closed)
            for visit in self.closed:
                self.pending.difference_update(e for _, e in visit.hits)
            self.closed = []
        self.tally.reasons.update(r.reason for r in self.rejects)
        self.out.write(self.rejects)
        self.rejects = []

    def _vid(self, key: tuple[str, str]) -> str:
        vid = self.vids.get(key)
        if vid is None:
            ip = (anonymize(key[0]) or "-") if self.rules.anonymize_ip else key[0]
            vid = self.vids[key] = visitor_id(self.rules.site, ip, key[1])
        return vid

    def _store(self, visits: list[Visit]) -> None:
        visits.sort(key=lambda v: (v.start, v.key))
        with contextlib.suppress(_NothingNew):
            self._commit(visits)

    def _commit(self, visits: list[Visit]) -> None:
        """Build the visits' rows and store the new ones in one batch (or raise _NothingNew)."""
        with self.store.batch() as batch:
            vids = [self._vid(v.key) for v in visits]
            self._histories(batch.base, visits, vids)
            ids = [{"ts": h.ts, "event_id": e} for v in visits for h, e in v.hits]
            known = stored_ids(batch.base, "events", self.rules.site, ids)
            rows, columns = [], {name: [] for name in EVENT_COLUMNS}
            for visit, vid in zip(visits, vids, strict=True):
                row, events = build(visit, vid, self.histories[vid], self.rules)
                fresh = [i for i, e in enumerate(events["event_id"]) if e not in known]
                self.tally.duplicates += len(events["event_id"]) - len(fresh)
                if not fresh:
                    self.sessions_known += 1
                    continue
                rows.append(row)
                for name, values in events.items():
                    columns[name] += (
                        values if len(fresh) == len(values) else [values[i] for i in fresh]
                    )
            session_ids = [{"start_ts": r["start_ts"], "session_id": r["session_id"]} for r in rows]
            have = stored_ids(batch.base, "sessions", self.rules.site, session_ids)
            new_rows = [r for r in rows if r["session_id"] not in have]
            self.sessions_known += len(rows) - len(new_rows)
            stored = len(columns["event_id"])
            if not stored:
                raise _NothingNew
            if new_rows:
                batch.append("sessions", _sessions_table(new_rows))
            batch.append("events", _events_table(self.rules.site, columns))
        self.tally.batches += 1
        self.tally.stored += stored
        self.sessions += len(new_rows)
        for r in new_rows:
            if r["bot_reason"]:
                self.bots[r["bot_reason"]] = self.bots.get(r["bot_reason"], 0) + 1

    def _histories(self, base, visits: list[Visit], vids: list[str]) -> None:
        """Load the stored history of visitors first met in this batch (visits before theirs)."""
        first: dict[str, int] = {}
        for visit, vid in zip(visits, vids, strict=True):
            if vid not in self.histories and vid not in first:
                first[vid] = visit.start
        if not first:
            return
        for vid in first:
            self.histories[vid] = History()
        paths = base.paths("sessions")
        if not paths:
            return
        with duckdb.connect() as con:
            found = con.execute(
                "WITH f AS (SELECT unnest($v) AS v, unnest($t) AS t) "
                "SELECT visitor_id, count(*), epoch_ms(min(start_ts)), "
                "arg_min(session_id, start_ts), coalesce(sum(pageviews), 0) "
                "FROM read_parquet($paths) s JOIN f ON s.visitor_id = f.v "
                "WHERE site_id = $site AND epoch_ms(start_ts) < f.t GROUP BY visitor_id",
                {
                    "v": list(first),
                    "t": list(first.values()),
                    "paths": paths,
                    "site": self.rules.site,
                },
            ).fetchall()
        for vid, visits_, first_ts, first_session, pageviews in found:
            self.histories[vid] = History(
                int(visits_), int(first_ts), first_session, int(pageviews)
            )


EVENT_COLUMNS = ("session_id", "visitor_id", "event_id", "ts", "seq", "type", "url", "referrer_url")


def _sessions_table(rows: list[dict]) -> pa.Table:
    """Session rows as Arrow columns (the missing nullable columns are added by the store)."""
    schema = SESSIONS.schema
    return pa.table({n: pa.array([r[n] for r in rows], schema.field(n).type) for n in rows[0]})


def _events_table(site: str, columns: dict[str, list]) -> pa.Table:
    count = len(columns["event_id"])
    schema = EVENTS.schema
    arrays = {n: pa.array(v, type=schema.field(n).type) for n, v in columns.items()}
    arrays["site_id"] = pa.array([site] * count, pa.string())
    arrays["count"] = pa.array([1] * count, pa.int64())
    return pa.table(arrays)


def ingest_access_log(
    store: Store,
    paths: Sequence[str | Path],
    *,
    site: str,
    now: dt.datetime,
    timeout_minutes: float = 30,
    geoip: str | Path | CityDatabase | None = None,
    anonymize_ip: bool = False,
    bot_rules: Sequence[str] = (),
    rejects: str | Path | None = None,
    batch_lines: int = BATCH_LINES,
    progress: Callable[[int], None] | None = None,
) -> LogOutcome:
    """Store the access logs ``paths`` (in this order) for ``site``; the reconciled outcome.

    ``geoip`` is a GeoIP2/GeoLite2 City .mmdb for regions and cities (countries come from
    geoip2fast's shipped data without it); ``bot_rules`` are ``NAME=REGEX`` strings flagging
    visits whose user agent or a URL matches (``rule:NAME``); ``anonymize_ip`` stores IPs
    truncated after geolocation (and hashes the truncated IP into visitor ids).
    """
    check_aware(now, "now")
    names = store.sql("SELECT site_id, name FROM sites ORDER BY site_id")
    if site not in set(names["site_id"]):
        raise invalid(
            "--site",
            site,
            names["site_id"].tolist() or "an existing site (add one with `workbench site add`)",
            "unknown_site",
        )
    if not timeout_minutes or timeout_minutes <= 0:
        raise invalid("--timeout", timeout_minutes, "a positive number of minutes")
    for path in map(Path, paths):
        if not path.is_file():
            raise WorkbenchError("missing_file", f"{path}: no such file")
    own = str(names.loc[names["site_id"] == site, "name"].iloc[0] or "")
    city = CityDatabase(geoip) if isinstance(geoip, str | Path) else geoip
    rules = Rules(site, own, city, anonymize_ip, parse_bot_rules(bot_rules))
    out = RejectsFile(Path(rejects) if rejects else default_rejects(store.root, "access-log", now))
    run = _Run(store, rules, int(timeout_minutes * 60_000), out)
    clock = Clock(now)
    try:
        lines = itertools.chain.from_iterable(
            zip(itertools.repeat(str(p)), read_lines(Path(p))) for p in paths
        )
        chunk = list(itertools.islice(lines, batch_lines))
        while True:  # one batch per chunk; the last one also closes the visits left open
            run.feed(chunk, clock)
            following = list(itertools.islice(lines, batch_lines))
            run.flush(final=not following)
            if progress:
                progress(len(chunk))
            if not following:
                break
            chunk = following
    finally:
        out.close()
    base = run.tally.outcome(out, False)
    return LogOutcome(
        **{f: getattr(base, f) for f in Outcome.__dataclass_fields__},
        skipped={k: v for k, v in run.skipped.items() if v},
        sessions=run.sessions,
        sessions_known=run.sessions_known,
        bots=dict(sorted(run.bots.items())),
    )
