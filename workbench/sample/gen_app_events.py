"""What app users do, as Countly records it: heartbeat sessions, [CLY]_view and custom events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from workbench.model import EVENT_TYPES
from workbench.sample.gen_arrays import group_starts, string_map, take

HEARTBEAT_S = 30  # the SDK extends the session every 30 seconds (seed 002)
MAX_EVENTS = 150
MAX_LEVEL = 500
SCREENS = (
    "MainMenu",
    "LevelSelect",
    "Gameplay",
    "Shop",
    "Settings",
    "Leaderboard",
    "DailyReward",
    "Profile",
    "Inventory",
)
SCREEN_CDF = np.cumsum([20, 18, 30, 8, 3, 6, 5, 4, 6]) / 100.0
FIRST_CDF = np.cumsum([80, 0, 0, 0, 0, 0, 20, 0, 0]) / 100.0
# key, share of events after the first view, segmentation keys
EVENTS = (
    ("[CLY]_view", 0.46, ("name", "segment", "visit")),
    ("level_success", 0.24, ("level", "mode")),
    ("level_fail", 0.21, ("level", "mode")),
    ("add_to_cart", 0.05, ("item",)),
    ("share", 0.032, ("network",)),
    ("in_app_purchase", 0.008, ("app_version", "country")),
)
MODES = pa.array(["classic", "daily", "endless"])
MODE_WEIGHTS = np.cumsum([0.7, 0.2, 0.1])
ITEMS = pa.array(["gem_pack_small", "gem_pack_large", "no_ads", "starter_bundle", "extra_lives"])
NETWORKS = pa.array(["WhatsApp", "Instagram", "Facebook", "X", "Telegram"])
PRICES = np.array([0.99, 1.99, 4.99, 9.99, 19.99])
PRICE_WEIGHTS = np.cumsum([0.5, 0.2, 0.18, 0.09, 0.03])
KEYS = pa.array([e[0] for e in EVENTS])


def app_counts(u: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Duration (heartbeats of 30 s plus the end_session remainder) and events per session.

    ``u`` holds three uniforms and ``z`` one standard normal per session.
    """
    beats = 1 + np.floor(np.exp(1.4 + 0.9 * z[:, 0])).astype(np.int64)
    beats = np.where(u[:, 0] < 0.06, 0, np.minimum(beats, 240))
    rest = (u[:, 1] * HEARTBEAT_S).astype(np.int64)
    rest = np.where(beats == 0, np.maximum(rest, 3), rest)
    busy = (0.6 + 0.7 * beats) * -np.log1p(-u[:, 2])
    return beats * HEARTBEAT_S + rest, np.minimum(1 + np.floor(busy).astype(np.int64), MAX_EVENTS)


@dataclass(frozen=True)
class AppEvents:
    """App events (grouped by session, in sequence) and what they add up to per session."""

    type: np.ndarray  # EVENT_TYPES code
    seq: np.ndarray
    ts: np.ndarray
    kind: np.ndarray  # index into EVENTS
    screen: np.ndarray  # index into SCREENS (views), len(SCREENS) otherwise
    count: np.ndarray
    sum: np.ndarray  # NaN where none
    dur: np.ndarray  # NaN where none
    level: np.ndarray
    pageviews: np.ndarray  # per session
    entry_screen: np.ndarray  # per session
    exit_screen: np.ndarray  # per session


def app_events(
    start_ms: np.ndarray,
    duration: np.ndarray,
    visit: np.ndarray,
    a: np.ndarray,
    tail: np.ndarray,
    u: np.ndarray,
) -> AppEvents:
    """Events of app sessions: views with durations, levels, purchases, shares (``u`` per event)."""
    n = len(a)
    sess = np.repeat(np.arange(n), a)
    first = np.r_[0, np.cumsum(a)[:-1]].astype(np.int64) if n else np.zeros(0, np.int64)
    seq = np.arange(len(sess)) - first[sess] + 1
    kind, screen = _kinds(seq, u)
    view = kind == 0
    ts = _spread(start_ms, duration, sess, seq, first, a, tail, u[:, 2])
    level = (kind == 1) | (kind == 2)
    count = np.where(level & (u[:, 3] < 0.1), 2 + (u[:, 4] * 3).astype(np.int64), 1)
    price = PRICES[np.searchsorted(PRICE_WEIGHTS, u[:, 4] * PRICE_WEIGHTS[-1], side="right")]
    pv_index = np.where(view, np.arange(len(sess)), -1)
    last_view = np.maximum.reduceat(pv_index, first) if n else first
    end_ms = start_ms + duration * 1000
    return AppEvents(
        type=np.where(view, EVENT_TYPES.index("pageview"), EVENT_TYPES.index("custom")),
        seq=seq,
        ts=ts,
        kind=kind,
        screen=screen,
        count=count.astype(np.int64),
        sum=np.where(kind == 5, price * count, np.nan),
        dur=_event_durations(ts, view, level, sess, end_ms, u[:, 4]),
        level=_levels(kind, sess, visit),
        pageviews=np.bincount(sess, weights=view, minlength=n).astype(np.int64),
        entry_screen=screen[first] if n else first,
        exit_screen=screen[last_view] if n else first,
    )


def _kinds(seq: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each event's kind (a view first) and, for views, the screen shown."""
    shares = np.cumsum([e[1] for e in EVENTS])
    kind = np.where(seq == 1, 0, np.searchsorted(shares / shares[-1], u[:, 0], side="right"))
    first = np.searchsorted(FIRST_CDF, u[:, 1], side="right")
    screen = np.where(seq == 1, first, np.searchsorted(SCREEN_CDF, u[:, 1], side="right"))
    return kind, np.where(kind == 0, screen, len(SCREENS))


def _spread(start_ms, duration, sess, seq, first, a, tail, u) -> np.ndarray:
    """Strictly increasing event times inside [start, start + duration]."""
    gaps = np.where(seq == 1, 0.0, -np.log1p(-u.astype(np.float64)))
    total = np.cumsum(gaps)
    cum = total - total[first][sess] if len(sess) else total
    span = cum[first + a - 1] - np.log1p(-tail) if len(a) else cum
    room = np.maximum(duration * 1000 - a, 0)
    frac = cum / np.maximum(span[sess], 1e-9)
    return start_ms[sess] + np.floor(frac * room[sess]).astype(np.int64) + (seq - 1)


def _levels(kind: np.ndarray, sess: np.ndarray, visit: np.ndarray) -> np.ndarray:
    """The level played: progress grows with visits and with levels won in the session."""
    won = np.cumsum(kind == 1)
    won_before = won - won[group_starts(sess)] if len(sess) else won
    return np.minimum(
        1 + np.floor((visit[sess] - 1) * 1.3).astype(np.int64) + won_before, MAX_LEVEL
    )


def _event_durations(ts, view, level, sess, end_ms, u) -> np.ndarray:
    """[CLY]_view: seconds until the next view or the end; levels: time played."""
    dur = np.full(len(ts), np.nan)
    idx = np.flatnonzero(view)
    if len(idx):
        nxt = np.r_[idx[1:], idx[-1]]
        same = np.r_[sess[idx[1:]] == sess[idx[:-1]], False]
        until = np.where(same, ts[nxt], end_ms[sess[idx]])
        dur[idx] = np.round((until - ts[idx]) / 1000.0)
    dur[level] = np.round(20.0 + 160.0 * u[level])
    return dur


@dataclass(frozen=True)
class EventRows:
    """The app events of a table, in its order."""

    kind: np.ndarray
    seq: np.ndarray
    screen: np.ndarray
    level: np.ndarray
    ts: np.ndarray
    row: np.ndarray  # the session's row in the sessions table
    at: np.ndarray  # the event's row in the events table


@cache
def _dictionary(
    countries: tuple[str, ...], versions: tuple[str, ...]
) -> tuple[pa.Array, dict[str, int]]:
    """Every segmentation value in one array, and where each kind of value starts in it."""
    blocks = {
        "name": list(SCREENS),
        "segment": ["iOS", "Android"],
        "visit": ["1"],
        "level": [str(i) for i in range(MAX_LEVEL + 1)],
        "mode": MODES.to_pylist(),
        "item": ITEMS.to_pylist(),
        "network": NETWORKS.to_pylist(),
        "app_version": list(versions),
        "country": list(countries),
    }
    starts, values = {}, []
    for name, block in blocks.items():
        starts[name] = len(values)
        values += block
    return pa.array(values, pa.string()), starts


def _codes(ev: EventRows, rows: np.ndarray, android, release, country) -> dict[str, object]:
    """Per segmentation key: each event's row within that key's block of values."""
    sess, level = ev.row[rows], ev.level[rows]
    return {
        "name": ev.screen[rows],
        "segment": android[sess],
        "visit": 0,
        "level": level,
        "mode": np.searchsorted(MODE_WEIGHTS, (level * 7 % 10) / 10),
        "item": level % len(ITEMS),
        "network": (ev.ts[rows] // 7) % len(NETWORKS),
        "app_version": release[sess],
        "country": country[sess],
    }


def segmentation(
    ev: EventRows,
    n: int,
    android: np.ndarray,
    release: np.ndarray,
    country: np.ndarray,
    names: tuple[tuple[str, ...], tuple[str, ...]],
) -> pa.Array:
    """The segmentation column of an ``n``-event table: maps for the app events ``ev``, null
    elsewhere. Per session: ``android`` (0/1), ``release`` and ``country`` rows into
    ``names`` = (country names, app versions)."""
    values, at = _dictionary(*names)
    nkeys = np.zeros(n, np.int64)
    nkeys[ev.at] = np.array([len(e[2]) for e in EVENTS])[ev.kind] + (ev.seq == 1)
    offsets = np.r_[0, np.cumsum(nkeys)]
    key_names = [k for e in EVENTS for k in e[2]] + ["start"]
    key_code, value_code = np.empty(offsets[-1], np.int64), np.empty(offsets[-1], np.int64)
    first = 0
    for k, (_, _, keys) in enumerate(EVENTS):
        rows = np.flatnonzero(ev.kind == k)
        slots, code = offsets[ev.at[rows]], _codes(ev, rows, android, release, country)
        for slot, key in enumerate(keys):
            key_code[slots + slot] = first + slot
            value_code[slots + slot] = at[key] + code[key]
        first += len(keys)
    starts = offsets[ev.at[ev.seq == 1]] + 3
    key_code[starts], value_code[starts] = len(key_names) - 1, at["visit"]
    valid = np.zeros(n, bool)
    valid[ev.at] = True
    return string_map(offsets, take(pa.array(key_names), key_code), take(values, value_code), valid)
