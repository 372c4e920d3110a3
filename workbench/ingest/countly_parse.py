"""Parse one Countly write-API request (query string, form or JSON body) into a checked CountlyRequest.

Seed 002 documents ``/i`` with ``app_key``, ``device_id``, ``begin_session`` + ``sdk_version``
+ ``metrics``, ``session_duration``, ``end_session``, ``timestamp`` (10 digits), ``ip_address``
(with ``begin_session`` only) and ``events``; real SDKs send ``timestamp`` in milliseconds and
more metrics (``../shared/MEASURED.md``). Anything that cannot be stored raises ``Rejected``
with a stable reason code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_plus

from workbench.ingest.convert import EARLIEST, FUTURE_TOLERANCE, MAX_VALUE_CHARS, Rejected
from workbench.model import DEVICE_TYPES

MAX_REQUEST_BYTES = 1 << 20  # a request (log line or body) longer than this is rejected
MAX_DURATION_S = 86_400  # a session_duration heartbeat longer than a day is rejected
SECONDS_BELOW = 100_000_000_000  # epoch numbers below are seconds (10 digits), above ms (13)
VIEW = "[CLY]_view"
# Countly metric -> sessions column (the rest go to source_fields as sent)
METRICS = {
    "_os": "os",
    "_os_version": "os_version",
    "_device": "device",
    "_resolution": "screen_resolution",
    "_carrier": "carrier",
    "_app_version": "app_version",
    "_density": "density",
    "_locale": "language",
    "_browser": "browser",
    "_browser_version": "browser_version",
    "_device_type": "device_type",
    "_ua": "user_agent",
}
VOLATILE = frozenset({"rr", "checksum", "checksum256"})  # differ between retries of a request
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Event:
    """One entry of ``events``: key, count, sum, dur, segmentation and its instant (epoch ms)."""

    key: str
    count: int
    sum: float | None
    dur: float | None
    segmentation: tuple[tuple[str, str], ...]
    ts: int

    @property
    def is_visit(self) -> bool:
        """A ``[CLY]_view`` that starts a view (``visit=1``): an app view, a pageview."""
        return self.key == VIEW and dict(self.segmentation).get("visit") in ("1", "true")

    @property
    def view_name(self) -> str | None:
        return dict(self.segmentation).get("name") if self.key == VIEW else None


@dataclass(frozen=True)
class CountlyRequest:
    """A checked write request, and its digest (what makes two requests the same)."""

    app_key: str
    device_id: str
    ts: int  # epoch ms
    digest: str
    begin: bool = False
    end: bool = False
    duration: int = 0  # session_duration seconds
    columns: tuple[tuple[str, str], ...] = ()  # sessions columns from metrics and the SDK
    extra: tuple[tuple[str, str], ...] = ()  # unknown metrics, for source_fields
    ip: str | None = None  # ip_address (begin_session) or the client's address
    events: tuple[Event, ...] = ()


def params_of(raw: bytes) -> dict[str, object]:
    """A request's parameters: from a JSON object, a URL or path with a query, or a form body."""
    if len(raw) > MAX_REQUEST_BYTES:
        raise Rejected("oversize", f"request: {len(raw):,} bytes > {MAX_REQUEST_BYTES:,}")
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise Rejected("invalid_utf8", f"request: invalid UTF-8 at byte {exc.start}") from None
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise Rejected("bad_json", f"request: not a JSON object ({exc})") from None
        if not isinstance(doc, dict):
            raise Rejected("bad_json", "request: not a JSON object")
        return doc
    _, sep, query = text.partition("?")
    return query_params(query if sep else text)


def query_params(query: str) -> dict[str, object]:
    """``name=value&...`` decoded strictly (the first value of a name wins)."""
    if _UNSAFE.search(query) or _BAD_ESCAPE.search(query):
        raise Rejected(
            "malformed_query", "query string: a space, control character or bad % escape"
        )
    params: dict[str, object] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or not name:
            raise Rejected("malformed_query", f"query string: {part[:40]!r} is not name=value")
        params.setdefault(_unquote(name), _unquote(value))
    return params


def _unquote(text: str) -> str:
    if "%" not in text and "+" not in text:
        return text
    decoded = _decoded(text)
    if decoded is None:
        raise Rejected("invalid_utf8", "query string: a %-escape is not UTF-8")
    return decoded


@lru_cache(maxsize=4096)  # an SDK repeats its metrics on every request
def _decoded(text: str) -> str | None:
    try:
        return unquote_plus(text, errors="strict")
    except UnicodeDecodeError:
        return None


def parse_request(
    params: dict[str, object],
    now: dt.datetime,
    client: str | None = None,
    *,
    timestamp_required: bool = False,
) -> CountlyRequest:
    """The checked request; ``now`` bounds timestamps and, unless ``timestamp_required``
    (log files: a replay needs the request's own time), is the time of one without any."""
    app_key, device_id = _text(params.get("app_key")), _text(params.get("device_id"))
    if not app_key or not device_id:
        raise Rejected("missing_parameter", 'Missing parameter "app_key" or "device_id"')
    if timestamp_required and params.get("timestamp") in (None, ""):
        raise Rejected("missing_timestamp", "timestamp: absent (a logged request needs its time)")
    now_ms = int(now.timestamp() * 1000)
    ts = instant(params.get("timestamp"), "timestamp", now_ms)
    begin = _flag(params.get("begin_session"))
    columns, extra = _metrics(params.get("metrics"))
    sdk = [
        (c, _text(params.get(p)))
        for c, p in (("sdk_name", "sdk_name"), ("sdk_version", "sdk_version"))
    ]
    columns += tuple((c, v) for c, v in sdk if v)
    ip = _text(params.get("ip_address")) if begin else None
    return CountlyRequest(
        app_key=app_key,
        device_id=device_id,
        ts=ts,
        digest=digest(params),
        begin=begin,
        end=_flag(params.get("end_session")),
        duration=_duration(params.get("session_duration")),
        columns=columns,
        extra=extra,
        ip=ip or client,
        events=_events(params.get("events"), ts, now_ms),
    )


def digest(params: dict[str, object]) -> str:
    """16 hex characters naming the request's content (volatile retry counters left out)."""
    items = sorted(
        f"{k}\x00{v if isinstance(v, str) else json.dumps(v, sort_keys=True)}"
        for k, v in params.items()
        if k not in VOLATILE
    )
    doc = "\x01".join(items).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(doc, digest_size=8).hexdigest()


def instant(value: object, name: str, now_ms: int) -> int:
    """Epoch ms from 10-digit seconds or 13-digit milliseconds; ``now_ms`` when absent."""
    if value is None or value == "":
        return now_ms
    try:
        number = float(value) if not isinstance(value, bool) else math.nan  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise Rejected("bad_timestamp", f"{name}: {_shown(value)} is not epoch seconds or ms")
    ms = int(number * 1000) if number < SECONDS_BELOW else int(number)
    if ms < EARLIEST.timestamp() * 1000:
        raise Rejected(
            "ancient_timestamp", f"{name}: {_shown(value)} is before {EARLIEST:%Y-%m-%d}"
        )
    if ms > now_ms + FUTURE_TOLERANCE.total_seconds() * 1000:
        raise Rejected("future_timestamp", f"{name}: {_shown(value)} is in the future")
    return ms


def _text(value: object, name: str = "value") -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_VALUE_CHARS:
        raise Rejected("oversize", f"{name}: {len(text):,} characters > {MAX_VALUE_CHARS:,}")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise Rejected("invalid_utf8", f"{name}: not UTF-8 (a lone surrogate)") from None
    return text


def _flag(value: object) -> bool:
    return value in ("1", 1, True, "true")


def _json(value: object, kind: type, name: str) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise Rejected("bad_json", f"{name}: not JSON ({exc})") from None
    if not isinstance(value, kind):
        raise Rejected(
            "bad_json", f"{name}: expected a JSON {'object' if kind is dict else 'array'}"
        )
    return value


def _metrics(value: object) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(sessions column, value) pairs and unknown metrics; cached for the text an SDK repeats."""
    if value is None or value == "":
        return (), ()
    if isinstance(value, str):
        return _metrics_text(value)
    return _metric_pairs(_json(value, dict, "metrics"))  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _metrics_text(text: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    return _metric_pairs(_json(text, dict, "metrics"))  # type: ignore[arg-type]


def _metric_pairs(metrics: dict) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    columns, extra = [], []
    for name, value in metrics.items():
        text = _text(value, f"metrics.{name}")
        key = _text(name, "metrics")
        if text is None or text == "":
            continue
        column = METRICS.get(key)  # type: ignore[arg-type]
        if column == "device_type" and text not in DEVICE_TYPES:
            column = None  # Countly's other device types (console, smarttv, ...) stay as sent
        (columns if column else extra).append((column or key, text))
    return tuple(columns), tuple(extra)


def _duration(value: object) -> int:
    if value is None or value == "":
        return 0
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 <= seconds <= MAX_DURATION_S:
        raise Rejected(
            "bad_value",
            f"session_duration: {_shown(value)}; expected 0 to {MAX_DURATION_S} seconds",
        )
    return int(seconds)


def _events(value: object, ts: int, now_ms: int) -> tuple[Event, ...]:
    entries = _json(value, list, "events") or []
    events = []
    for i, entry in enumerate(entries):  # type: ignore[union-attr]
        if not isinstance(entry, dict):
            raise Rejected("bad_event", f"events[{i}]: not an object")
        key = entry.get("key")
        if key is None or key == "":
            continue  # Countly skips an event without a key (and answers Success)
        events.append(_event(entry, i, _text(key, f"events[{i}].key"), ts, now_ms))  # type: ignore[arg-type]
    return tuple(events)


def _event(entry: dict, i: int, key: str, ts: int, now_ms: int) -> Event:
    count = entry.get("count", 1)
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 2**53:
        raise Rejected("bad_event", f"events[{i}].count: {_shown(count)} is not a whole number")
    segmentation = entry.get("segmentation") or {}
    if not isinstance(segmentation, dict):
        raise Rejected("bad_event", f"events[{i}].segmentation: not an object")
    pairs = tuple(
        (_text(k, f"events[{i}].segmentation"), _text(v, f"events[{i}].segmentation.{k}"))
        for k, v in segmentation.items()
        if v is not None
    )
    return Event(
        key=key,
        count=count,
        sum=_number(entry.get("sum"), f"events[{i}].sum"),
        dur=_number(entry.get("dur"), f"events[{i}].dur"),
        segmentation=pairs,  # type: ignore[arg-type]
        ts=instant(entry.get("timestamp"), f"events[{i}].timestamp", now_ms)
        if entry.get("timestamp") not in (None, "")
        else ts,
    )


def _number(value: object, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise Rejected("bad_event", f"{name}: {_shown(value)} is not a finite number")
    return number


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
