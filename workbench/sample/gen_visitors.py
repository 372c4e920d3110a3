"""Visitors across days: who comes back, their running totals, and vendor-style identifiers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from workbench.sample.gen_arrays import (
    decimal,
    fixed_width,
    hex_chars,
    join,
    mix64,
    unit,
    uuid_strings,
)

LOYAL = 0.45  # share of new visitors who may ever come back
PARETO = 1.3  # tail of how often the loyal ones come back
MAX_WEIGHT = 150.0
RECENT_DAYS = 14  # half of returning visits are by visitors first seen this recently
BOT_BASE = 1 << 31  # automated visitors are numbered from here (they never come back)
_M32 = np.uint64(0xFFFFFFFF)
_CHUNK = 1 << 16


class VisitorPool:
    """One site's visitors so far, numbered in order of first visit; grows batch by batch.

    People are numbered 0, 1, ...; automated visitors from BOT_BASE and are not kept.
    """

    def __init__(self, seed: int, site_number: int) -> None:
        self.salt = int(mix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0])
        self.salt ^= int(mix64(np.array([site_number + 1], dtype=np.uint64))[0])
        self.size = self.sessions = self.bots = self.eligible = 0
        self.day_sizes: list[int] = []  # size at the start of each day so far
        self._cols = {n: np.zeros(_CHUNK, t) for n, t in _COLUMNS.items()}
        self._loyal = np.zeros(1, np.int64)  # loyal people among the first i
        self.pageviews = Totals()  # kept apart: added up later, on another thread

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("_cols", {})
        if name in cols:
            return cols[name][: self.size]
        raise AttributeError(name)

    def keys(self, idx: np.ndarray) -> np.ndarray:
        """Each visitor's 64-bit key: unique per (seed, site, visitor) and drives its traits."""
        return mix64(np.asarray(idx, dtype=np.uint64) ^ np.uint64(self.salt))

    def weights(self, idx: np.ndarray) -> np.ndarray:
        """How often a person comes back: 0 for most, heavy-tailed for the loyal."""
        key = self.keys(idx)
        w = np.minimum(unit(key, 401) ** (-1.0 / PARETO), MAX_WEIGHT)
        return np.where(unit(key, 402) < LOYAL, w, 0.0)

    def loyal_between(self, lo: int, hi: int) -> int:
        """How many of people lo..hi-1 may come back."""
        while len(self._loyal) <= hi:
            start = len(self._loyal) - 1
            more = self.weights(np.arange(start, start + _CHUNK)) > 0
            self._loyal = np.r_[self._loyal, self._loyal[-1] + np.cumsum(more)]
        return int(self._loyal[hi] - self._loyal[lo])

    def saturation(self, n_today: int) -> float:
        """How much of the target returning share the pool can supply yet (0 at the start)."""
        return self.eligible / (self.eligible + n_today) if self.eligible else 0.0

    def admit(self, first_ms: np.ndarray, city: np.ndarray) -> np.ndarray:
        """Add new people in first-visit order; returns their numbers."""
        k = len(first_ms)
        idx = np.arange(self.size, self.size + k)
        self._ensure(self.size + k)
        base = self._cols["cumw"][self.size - 1] if self.size else 0.0
        cols = self._cols
        cols["first_ms"][idx], cols["city"][idx] = first_ms, city
        cols["cumw"][idx] = base + np.cumsum(self.weights(idx))
        self.size += k
        return idx

    def pick(self, u: np.ndarray, size: np.ndarray, recent: np.ndarray) -> np.ndarray:
        """Returning people for uniforms ``u`` (k, 2) among the first ``size`` (per pick), half
        of them among those numbered from ``recent``; chosen in proportion to their weights."""
        cumw = self._cols["cumw"]
        hi = cumw[np.maximum(size - 1, 0)]
        lo = np.where(recent > 0, cumw[np.maximum(recent - 1, 0)], 0.0)
        lo = np.where((u[:, 1] < 0.5) & (hi > lo), lo, 0.0)
        idx = np.searchsorted(cumw[: self.size], lo + u[:, 0] * (hi - lo), side="right")
        return np.minimum(idx, size - 1)

    def add(self, column: str, idx: np.ndarray, values: np.ndarray | int) -> None:
        """Add to a running total (a person may appear more than once)."""
        np.add.at(self._cols[column], idx, values)

    def set(self, column: str, idx: np.ndarray, values: np.ndarray) -> None:
        self._cols[column][idx] = values

    def _ensure(self, need: int) -> None:
        cap = len(self._cols["cumw"])
        if need > cap:
            size = max(need, 2 * cap)
            for name, arr in self._cols.items():
                grown = np.zeros(size, arr.dtype)
                grown[:cap] = arr
                self._cols[name] = grown


_COLUMNS = {
    "first_ms": np.int64,
    "first_serial": np.int64,
    "city": np.int64,
    "cumw": np.float64,
    "visits": np.int64,
}


class Totals:
    """A running total per person (people are numbered from 0), growing as needed."""

    def __init__(self) -> None:
        self._values = np.zeros(_CHUNK, np.int64)

    def get(self, idx: np.ndarray) -> np.ndarray:
        self._reserve(int(idx.max()) + 1 if len(idx) else 0)
        return self._values[idx]

    def add(self, idx: np.ndarray, values: np.ndarray) -> None:
        self._reserve(int(idx.max()) + 1 if len(idx) else 0)
        np.add.at(self._values, idx, values)

    def _reserve(self, n: int) -> None:
        if n > len(self._values):
            grown = np.zeros(max(n, 2 * len(self._values)), np.int64)
            grown[: len(self._values)] = self._values
            self._values = grown


def _perm32(x: np.ndarray) -> np.ndarray:
    """A bijection of 32-bit integers: distinct visitors get distinct numbers."""
    x = (np.asarray(x, dtype=np.uint64) * np.uint64(0x9E3779B1)) & _M32
    x ^= x >> np.uint64(15)
    return (x * np.uint64(0x85EBCA6B)) & _M32


def _ot_number(key: np.ndarray) -> np.ndarray:
    return (key % np.uint64(1_500_000_000) + np.uint64(10_000_000)).astype(np.int64)


def _objectid(start_ms: np.ndarray, serial: np.ndarray, salt: int) -> pa.Array:
    seconds = (np.asarray(start_ms) // 1000).astype(np.uint64)
    rest = mix64(np.asarray(serial, dtype=np.uint64) ^ np.uint64(salt))
    return fixed_width(np.concatenate([hex_chars(seconds, 8), hex_chars(rest, 16)], axis=1))


def _clicky_session(serial: np.ndarray) -> pa.Array:
    jitter = (mix64(np.asarray(serial, np.uint64)) % np.uint64(37)).astype(np.int64)
    return decimal(400_000_000 + serial * 37 + jitter)


def _ot_id(ms: np.ndarray, key: np.ndarray) -> pa.Array:
    return join(decimal(ms), ".", decimal(_ot_number(key)))


@dataclass(frozen=True)
class IdStyle:
    """How a vendor writes visitor and session ids."""

    visitor: Callable[
        [np.ndarray, np.ndarray, np.ndarray, int], pa.Array
    ]  # first_ms, idx, key, salt
    session: Callable[
        [np.ndarray, np.ndarray, np.ndarray, int], pa.Array
    ]  # start_ms, serial, key, salt
    first_is_visitor: bool = False  # the first session's id is the visitor id (Opentracker)


ID_STYLES: dict[str, IdStyle] = {
    # Opentracker: "{first visit ms}.{random}" and "{session start ms}.{same random}" (seed 001)
    "opentracker": IdStyle(
        visitor=lambda ms, idx, key, salt: _ot_id(ms, key),
        session=lambda ms, serial, key, salt: _ot_id(ms, key),
        first_is_visitor=True,
    ),
    # Clicky: numeric uid and session ids
    "clicky": IdStyle(
        visitor=lambda ms, idx, key, salt: decimal(1_000_000_000 + _perm32(idx).astype(np.int64)),
        session=lambda ms, serial, key, salt: _clicky_session(serial),
    ),
    # Countly: UUID device ids (the web SDK's kind); ObjectId-like session ids
    "countly": IdStyle(
        visitor=lambda ms, idx, key, salt: uuid_strings(key, 0xC0),
        session=lambda ms, serial, key, salt: _objectid(ms, serial, salt),
    ),
    # giosg: UUIDs for both
    "giosg": IdStyle(
        visitor=lambda ms, idx, key, salt: uuid_strings(key, 0x6105),
        session=lambda ms, serial, key, salt: uuid_strings(
            mix64(np.asarray(serial, np.uint64) ^ np.uint64(salt)), 0x5E
        ),
    ),
}
