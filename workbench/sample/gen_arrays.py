"""Vectorised building blocks of the generator: hashing, grouped draws and string columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that scrambles every bit."""
    z = np.asarray(x, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def unit(key: np.ndarray, salt: int) -> np.ndarray:
    """A uniform [0, 1) number per key, a different one for each salt (stable per visitor).

    Keys are already well mixed (visitor keys come from :func:`mix64`), so one xor and one
    multiplication by an odd constant per salt are enough: the top 53 bits are used.
    """
    flip = int(mix64(np.array([salt], dtype=np.uint64))[0])
    bits = (np.asarray(key, dtype=np.uint64) ^ np.uint64(flip)) * np.uint64(flip | 1)
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


class Stacked:
    """Categorical distributions for many groups, drawn from in one vectorised call.

    Group ``g``'s cumulative weights are shifted to ``(g, g + 1]`` and stored end to end, so
    ``searchsorted(cdf, g + u)`` lands inside group ``g``; zero weights are never drawn. A
    lookup table of ``bins`` per group answers most draws without searching: a bin that
    holds one category gives it directly, and only draws in bins that straddle a boundary
    are searched (results are exactly those of the search).
    """

    def __init__(self, rows: Sequence[Sequence[float]]) -> None:
        cdfs, starts, at = [], [], 0
        for g, row in enumerate(rows):
            w = np.asarray(row, dtype=np.float64)
            total = w.sum()
            c = np.cumsum(w) / total if total > 0 else np.linspace(0, 1, len(w) + 1)[1:]
            c[-1] = 1.0
            cdfs.append(g + c)
            starts.append(at)
            at += len(w)
        self.cdf = np.concatenate(cdfs) if cdfs else np.zeros(0)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.sizes = np.asarray([len(r) for r in rows], dtype=np.int64)
        self.ends = self.starts + self.sizes - 1
        widest = int(self.sizes.max()) if len(rows) else 1
        self.bins = int(min(8192, max(256, 1 << int(np.ceil(np.log2(16 * widest))))))
        self.table = self._table(len(rows))

    def _table(self, groups: int) -> np.ndarray:
        """Per (group, bin): the flat category of the whole bin, or -1 where it is split."""
        edges = np.arange(self.bins + 1) / self.bins
        lo_u = np.repeat(np.arange(groups), self.bins) + np.tile(edges[:-1], groups)
        hi_u = np.repeat(np.arange(groups), self.bins) + np.tile(np.nextafter(edges[1:], 0), groups)
        lo = self._search(np.repeat(np.arange(groups), self.bins), lo_u)
        hi = self._search(np.repeat(np.arange(groups), self.bins), hi_u)
        return np.where(lo == hi, lo, -1).astype(np.int32)

    def _search(self, group: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, x, side="right"), self.ends[group])

    def flat(self, group: np.ndarray | int, u: np.ndarray) -> np.ndarray:
        """Index into the concatenation of all groups' categories."""
        g = np.broadcast_to(np.asarray(group, dtype=np.int64), np.shape(u))
        out = self.table[g * self.bins + (u * self.bins).astype(np.int64)].astype(np.int64)
        split = np.flatnonzero(out < 0)
        if len(split):
            out[split] = self._search(g[split], g[split] + u[split])
        return out

    def draw(self, group: np.ndarray | int, u: np.ndarray) -> np.ndarray:
        """Index within the group's own categories."""
        g = np.broadcast_to(np.asarray(group, dtype=np.int64), np.shape(u))
        return self.flat(g, u) - self.starts[g]


def strings(values: Sequence[str | None]) -> pa.Array:
    """A small dictionary of strings with a trailing null, so index ``len(values)`` is null."""
    return pa.array([*values, None], type=pa.string())


def take(dictionary: pa.Array, idx: np.ndarray) -> pa.Array:
    """Dictionary-style lookup of many rows in a small array.

    Strings go through a dictionary array's cast, which sizes its output once: on fresh
    memory that is several times faster than ``take``, which grows its buffer as it goes.
    """
    idx = np.asarray(idx, dtype=np.int32)
    if len(idx) and (idx.min() < 0 or idx.max() >= len(dictionary)):
        raise IndexError(f"row {idx.max()} of a {len(dictionary)}-row dictionary")
    indices = pa.array(idx)
    if pa.types.is_string(dictionary.type):
        coded = pa.DictionaryArray.from_arrays(indices, dictionary, safe=False)
        return coded.cast(pa.string())
    return pc.take(dictionary, indices)


def fixed_width(chars: np.ndarray) -> pa.Array:
    """A string array from an (n, width) uint8 matrix of ASCII characters."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


_HEX_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), dtype="<u2")


def hex_chars(values: np.ndarray, digits: int = 16) -> np.ndarray:
    """Lower-case hex digits of uint64 values, as an (n, digits) uint8 matrix."""
    raw = np.asarray(values, dtype=">u8").view(np.uint8).reshape(-1, 8)
    pairs = _HEX_PAIRS[raw].view(np.uint8).reshape(-1, 16)
    return pairs[:, 16 - digits :]


def hex_strings(values: np.ndarray, digits: int = 16) -> pa.Array:
    """Zero-padded lower-case hex of uint64 values."""
    return fixed_width(hex_chars(values, digits))


def uuid_strings(key: np.ndarray, salt: int) -> pa.Array:
    """Version-4-shaped UUIDs (8-4-4-4-12) derived from 64-bit keys."""
    k = np.asarray(key, dtype=np.uint64)
    hi = mix64(k ^ np.uint64(salt))
    lo = mix64(hi ^ k)
    hi = (hi & np.uint64(0xFFFFFFFFFFFF0FFF)) | np.uint64(0x4000)
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    h, l_ = hex_chars(hi), hex_chars(lo)
    out = np.full((len(k), 36), ord("-"), dtype=np.uint8)
    out[:, 0:8], out[:, 9:13], out[:, 14:18] = h[:, 0:8], h[:, 8:12], h[:, 12:16]
    out[:, 19:23], out[:, 24:36] = l_[:, 0:4], l_[:, 4:16]
    return fixed_width(out)


def decimal(values: np.ndarray) -> pa.Array:
    """Decimal text of integers."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation; a null part makes the row null."""
    return pc.binary_join_element_wise(*parts, "")


def place(n: int, parts: Sequence[tuple[np.ndarray, pa.Array]], type_: pa.DataType) -> pa.Array:
    """Rows ``idx`` of an n-row array from each (idx, values) part; rows no part covers are null."""
    pos = np.full(n, sum(len(v) for _, v in parts), dtype=np.int64)
    at, arrays = 0, []
    for idx, values in parts:
        pos[idx] = np.arange(at, at + len(values))
        at += len(values)
        arrays.append(values.cast(type_))
    return take(pa.concat_arrays([*arrays, pa.nulls(1, type_)]), pos)


def group_starts(group: np.ndarray) -> np.ndarray:
    """For rows sorted by group: the row where each row's group begins."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    return np.repeat(first, np.diff(np.r_[first, n]))


def rank_in_group(group: np.ndarray) -> np.ndarray:
    """0-based position of each row within its run of equal, sorted group values."""
    return np.arange(len(group)) - group_starts(group)


def string_map(
    offsets: np.ndarray, keys: pa.Array, values: pa.Array, valid: np.ndarray
) -> pa.Array:
    """A map<string, string> column from flat keys/values, null where ``valid`` is False."""
    return pa.MapArray.from_arrays(
        pa.array(np.asarray(offsets, dtype=np.int32)),
        keys.cast(pa.string()),
        values.cast(pa.string()),
        mask=pa.array(~np.asarray(valid, dtype=bool)),
    )
