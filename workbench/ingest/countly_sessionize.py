"""Sessionise Countly requests per device as Countly does: begin opens, heartbeats extend, end closes.

Rules (README "Your own data" has them for users):

- ``begin_session`` opens a session (closing the device's open one). A request of a device
  with no open session opens one anyway ("implicit", so that its events and duration have a
  session); a ``begin_session`` within the timeout adopts such a session (the SDK's health
  check or queued events often come just before it).
- ``session_duration`` adds its seconds; ``end_session`` closes; a request more than
  ``timeout`` after the device's last one closes the open session as it stood.
- A request without ``begin_session`` that comes within the timeout after an
  ``end_session`` joins the session that ended (a web SDK flushes the events queued before
  ``end_session`` after it), in the same batch or a later one (the stored row is replaced):
  Countly counts sessions only at ``begin_session``.
- Visit numbers count the device's sessions the store already holds for the app.
- The session's address is ``ip_address`` of its ``begin_session`` (seed 002: only there),
  else the client's; its country (and ASN holder) come from it offline (``geoip.country``).
- A request is a duplicate when a session of its device already covers it: its instant lies
  inside the session's span, or is the session's last instant and the session lists the
  request's digest there (``source_fields.countly_last``). Requests of a device are expected
  in time order, as an SDK's queue sends them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from workbench.ingest.countly_parse import CountlyRequest
from workbench.ingest.geoip import country

BEGIN, END, LAST = "countly_begin", "countly_end", "countly_last"  # source_fields keys kept


def _id(*parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()


@dataclass
class History:
    """What the store holds of one device of one app."""

    visits: int = 0
    first_ts: int | None = None
    first_id: str | None = None
    latest: dict[str, object] | None = None  # the latest stored session, instants as epoch ms
    spans: list[tuple[int, int, frozenset[str]]] = field(default_factory=list)


class Visit:
    """A session being built: a new one, or a stored one being extended (``stored``)."""

    def __init__(self, row: dict[str, object], stored: bool) -> None:
        self.row = row
        self.stored, self.changed = stored, not stored
        fields = dict(row.get("source_fields") or [])  # type: ignore[arg-type]
        self.begun = fields.get(BEGIN) == "begin_session"
        self.ended = END in fields
        self.last = int(row.get("last_seen_ts") or row["end_ts"])  # type: ignore[arg-type]
        self.digests = set(str(fields.get(LAST, "")).split(",")) - {""}
        self.events: list[dict[str, object]] = []
        self.requests = 0  # new requests applied: counted as stored once written
        self.queued = False  # among the sessions to write next

    @property
    def start(self) -> int:
        return int(self.row["start_ts"])  # type: ignore[call-overload]

    def covers(self, ts: int, digest: str) -> bool:
        return self.start <= ts < self.last or (ts == self.last and digest in self.digests)

    def span(self) -> tuple[int, int, frozenset[str]]:
        return self.start, self.last, frozenset(self.digests)

    def session_row(self) -> dict[str, object]:
        """The canonical row as it stands (end_ts = start + the heartbeats' seconds)."""
        row = dict(self.row)
        row["end_ts"] = self.start + 1000 * int(row["duration_s"])  # type: ignore[call-overload]
        row["last_seen_ts"] = self.last
        fields = {k: v for k, v in (row.get("source_fields") or []) if k not in (BEGIN, END, LAST)}  # type: ignore[union-attr, misc]
        fields[BEGIN] = "begin_session" if self.begun else "implicit"
        if self.ended:
            fields[END] = "end_session"
        fields[LAST] = ",".join(sorted(self.digests))
        row["source_fields"] = sorted(fields.items())
        return row


class Device:
    """One device of one app: its history, its open session, the spans it has covered."""

    def __init__(self, site: str, device_id: str, history: History) -> None:
        self.site, self.device_id = site, device_id
        self.visits, self.first = history.visits, (history.first_ts, history.first_id)
        self.spans = list(history.spans)
        latest = history.latest
        fields = dict(latest.get("source_fields") or []) if latest else {}  # type: ignore[arg-type]
        extendable = latest is not None and BEGIN in fields and END not in fields
        self.open: Visit | None = Visit(dict(latest), stored=True) if extendable else None  # type: ignore[arg-type]
        ended = latest is not None and END in fields
        self.ended: Visit | None = Visit(dict(latest), stored=True) if ended else None  # type: ignore[arg-type]
        if latest is not None and self.open is None:
            self.spans.append(span_of(latest))


def span_of(row: dict[str, object]) -> tuple[int, int, frozenset[str]]:
    """A stored session's span: start, last instant, the digests of its last requests."""
    fields = dict(row.get("source_fields") or [])  # type: ignore[arg-type]
    last = int(row.get("last_seen_ts") or row["end_ts"])  # type: ignore[call-overload]
    return int(row["start_ts"]), last, frozenset(str(fields.get(LAST, "")).split(",")) - {""}  # type: ignore[call-overload]


class Sessionizer:
    """Devices in memory, the sessions they closed, and the duplicates found."""

    def __init__(self, timeout_ms: int) -> None:
        self.timeout_ms = timeout_ms
        self.devices: dict[tuple[str, str], Device] = {}
        self.closed: list[Visit] = []
        self.duplicates = 0

    def known(self, key: tuple[str, str]) -> bool:
        return key in self.devices

    def add(self, site: str, device_id: str, history: History) -> None:
        self.devices[(site, device_id)] = Device(site, device_id, history)

    def apply(self, site: str, req: CountlyRequest) -> bool:
        """Apply one request (its device added first); False if it is a duplicate."""
        dev = self.devices[(site, req.device_id)]
        visit = dev.open
        if (visit and visit.covers(req.ts, req.digest)) or any(
            s <= req.ts < last or (req.ts == last and req.digest in d) for s, last, d in dev.spans
        ):
            self.duplicates += 1
            return False
        if visit is None and self._late(dev, req):
            return self._join_ended(dev, req)
        if visit and req.ts - visit.last > self.timeout_ms:
            visit = self._close(dev)
        if req.begin and visit is not None and not visit.begun:
            visit.begun = True  # adopt the implicit session
            _describe(visit, req)
        elif req.begin or visit is None:
            if visit is not None:
                self._close(dev)
            visit = dev.open = self._new(dev, req)
        _apply(visit, dev, req)
        if req.end:
            visit.ended = True
            self._close(dev)
            dev.ended = visit
        return True

    def _late(self, dev: Device, req: CountlyRequest) -> bool:
        """A request of the session the device just ended (not a new one)."""
        ended = dev.ended
        return (
            ended is not None
            and not req.begin
            and ended.start <= req.ts <= ended.last + self.timeout_ms
        )

    def _join_ended(self, dev: Device, req: CountlyRequest) -> bool:
        visit = dev.ended
        assert visit is not None
        _apply(visit, dev, req)
        dev.spans.append(visit.span())
        if not visit.queued:  # a stored session: written again, replacing its row
            visit.queued = True
            self.closed.append(visit)
        return True

    def _new(self, dev: Device, req: CountlyRequest) -> Visit:
        dev.visits += 1
        dev.ended = None
        session_id = _id(dev.site, dev.device_id, req.ts, req.digest)
        if dev.first[0] is None:
            dev.first = (req.ts, session_id)
        row: dict[str, object] = {
            "site_id": dev.site,
            "session_id": session_id,
            "visitor_id": dev.device_id,
            "start_ts": req.ts,
            "end_ts": req.ts,
            "last_seen_ts": req.ts,
            "duration_s": 0,
            "is_new": dev.visits == 1,
            "visit_number": dev.visits,
            "first_visit_ts": dev.first[0],
            "first_session_id": dev.first[1],
            "pageviews": 0,
            "actions": 0,
            "is_bot": False,
        }
        visit = Visit(row, stored=False)
        visit.begun = req.begin
        _describe(visit, req)
        return visit

    def _close(self, dev: Device) -> None:
        visit = dev.open
        if visit is not None:
            dev.open = None
            dev.spans.append(visit.span())
            visit.queued = True
            self.closed.append(visit)

    def take(self, watermark: int | None) -> list[Visit]:
        """Sessions to write now: the closed ones, and open ones idle for the timeout before
        ``watermark`` (all of them when None: the end of the input). Devices left without an
        open session are forgotten (the store will answer for them)."""
        out, self.closed = self.closed, []
        for key, dev in list(self.devices.items()):
            if dev.open and (watermark is None or dev.open.last < watermark - self.timeout_ms):
                self._close(dev)
                out.append(self.closed.pop())
            if dev.open is None:
                del self.devices[key]
        return [v for v in out if v.changed]


def _describe(visit: Visit, req: CountlyRequest) -> None:
    """What a session-opening request says of the device: metrics, SDK, address."""
    row = visit.row
    row.update(req.columns)
    if req.ip:
        row["ip_address"] = req.ip
        row.update(country(req.ip).columns())  # country and ASN holder, offline (geoip2fast)
    if req.extra:
        fields = dict(row.get("source_fields") or [])  # type: ignore[arg-type]
        row["source_fields"] = sorted((fields | dict(req.extra)).items())


def _apply(visit: Visit, dev: Device, req: CountlyRequest) -> None:
    row = visit.row
    visit.changed = True
    visit.requests += 1
    if req.ts > visit.last:
        visit.last, visit.digests = req.ts, {req.digest}
    else:
        visit.digests.add(req.digest)
    row["duration_s"] = int(row["duration_s"]) + req.duration  # type: ignore[call-overload]
    for i, event in enumerate(req.events):
        row["actions"] = seq = int(row["actions"]) + 1  # type: ignore[call-overload]
        name = event.view_name
        if event.is_visit:
            row["pageviews"] = int(row["pageviews"]) + 1  # type: ignore[call-overload]
            if not row.get("entry_url"):
                row["entry_url"] = name
            row["exit_url"] = name
        visit.events.append(
            {
                "site_id": dev.site,
                "session_id": row["session_id"],
                "visitor_id": dev.device_id,
                "event_id": _id(dev.site, dev.device_id, req.ts, req.digest, i),
                "ts": event.ts,
                "seq": seq,
                "type": "pageview" if event.is_visit else "custom",
                "url": name,
                "key": event.key,
                "count": event.count,
                "sum": event.sum,
                "duration_s": event.dur,
                "segmentation": list(event.segmentation),
            }
        )
