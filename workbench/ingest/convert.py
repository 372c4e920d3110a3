"""Convert source values to canonical column types; a value that does not fit rejects its record."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable

import pyarrow as pa

from workbench.model import DEVICE_TYPES, EVENT_TYPES, REFERRER_TYPES, STRING_MAP, TIMESTAMP

MAX_VALUE_CHARS = 65_536  # a longer text value rejects its record as oversize
EPOCH, MILLISECOND = dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.timedelta(milliseconds=1)
EARLIEST = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)  # before the web had analytics: "ancient"
FUTURE_TOLERANCE = dt.timedelta(days=1)  # instants later than now + this are rejected
SECONDS_BELOW = 100_000_000_000  # epoch numbers below are seconds (to year 5138), above ms
INT64 = (-(2**63), 2**63 - 1)
TRUE, FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0"}
ENUMS = {"referrer_type": REFERRER_TYPES, "device_type": DEVICE_TYPES, "type": EVENT_TYPES}


class Rejected(Exception):
    """A record that cannot be stored: a stable reason code and a message naming the value."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def text(value: object, column: str) -> str:
    """``value`` as text: valid UTF-8 and at most MAX_VALUE_CHARS, else Rejected."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected("invalid_utf8", f"{column}: invalid UTF-8") from None
    s = value if isinstance(value, str) else _plain(value)
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            raise Rejected("invalid_utf8", f"{column}: invalid UTF-8") from None
    if len(s) > MAX_VALUE_CHARS:
        raise Rejected("oversize", f"{column}: {len(s):,} characters > {MAX_VALUE_CHARS:,}")
    return s


def _plain(value: object) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def integer(value: object, column: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise Rejected("bad_number", f"{column}: {_shown(value)} is out of the 64-bit range")
        return value
    try:
        number = float(value) if not isinstance(value, str) else float(value.strip())
    except (TypeError, ValueError):
        number = math.nan
    if not number.is_integer():
        raise Rejected("bad_number", f"{column}: {_shown(value)} is not a whole number")
    return integer(int(number), column)


def number(value: object, column: str) -> float:
    try:
        result = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        result = math.nan
    if not math.isfinite(result) or isinstance(value, bool):
        raise Rejected("bad_number", f"{column}: {_shown(value)} is not a finite number")
    return result


def boolean(value: object, column: str) -> bool:
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key in TRUE or key in FALSE:
        return key in TRUE
    raise Rejected("bad_boolean", f"{column}: {_shown(value)}; expected true/false, yes/no or 1/0")


def string_map(value: object, column: str) -> list[tuple[str, str]] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise Rejected("bad_map", f"{column}: {_shown(value)} is not a JSON object") from None
        if value is None:  # JSON null: no map
            return None
    if isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        value = dict(value)  # a Parquet map arrives as (key, value) pairs
    if not isinstance(value, dict):
        raise Rejected("bad_map", f"{column}: {_shown(value)} is not an object")
    return [(text(k, column), text(v, column)) for k, v in value.items() if v is not None]


def timestamp_ms(value: object, column: str, now: dt.datetime) -> int:
    """Epoch ms of an ISO instant (naive ones are UTC), epoch seconds or ms, or a datetime."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        moment = _parse_instant(value, column)
    if moment < EARLIEST:
        raise Rejected(
            "ancient_timestamp", f"{column}: {_shown(value)} is before {EARLIEST:%Y-%m-%d}"
        )
    if moment > now + FUTURE_TOLERANCE:
        raise Rejected("future_timestamp", f"{column}: {_shown(value)} is in the future")
    return (moment - EPOCH) // MILLISECOND  # whole ms (the store's precision), no float error


def _parse_instant(value: object, column: str) -> dt.datetime:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            epoch = float(value)
        elif isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
            epoch = float(value.strip())
        else:
            moment = dt.datetime.fromisoformat(str(value).strip())
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        seconds = epoch if abs(epoch) < SECONDS_BELOW else epoch / 1000
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise Rejected(
            "bad_timestamp",
            f"{column}: {_shown(value)}; expected an ISO instant or epoch seconds/milliseconds",
        ) from None


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


Converter = Callable[[object, str, dt.datetime], object]


def converter(type_: pa.DataType) -> Converter:
    """The function converting a source value to a column of ``type_``."""
    if type_ == TIMESTAMP:
        return timestamp_ms
    simple = {
        pa.string(): text,
        pa.int64(): integer,
        pa.float64(): number,
        pa.bool_(): boolean,
        STRING_MAP: string_map,
    }[type_]
    return lambda value, column, now: simple(value, column)


def check_enum(column: str, value: object) -> None:
    """Columns with a fixed vocabulary (referrer_type, device_type, event type) hold one of it."""
    valid = ENUMS.get(column)
    if valid is not None and value not in valid:
        raise Rejected(
            "bad_value", f"{column}: {_shown(value)}; expected one of: {', '.join(valid)}"
        )
