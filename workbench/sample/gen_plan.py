"""How many sessions each site gets each day: trend, season, weekday, spikes, scaling, skips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from workbench.sample.gen_arrays import mix64, unit
from workbench.sample.gen_profiles import HOURLY, SiteProfile
from workbench.sample.sites import AS_OF

DAY_MS = 86_400_000
NOISE = 0.07  # day-to-day wobble (log scale)


@dataclass(frozen=True)
class Plan:
    """Sessions per (day, site) before skipping, and the skipped windows per site."""

    counts: np.ndarray  # shape (days, sites), int64
    windows: tuple[np.ndarray, ...]  # per site: sorted [start_ms, end_ms) pairs, shape (k, 2)
    spikes: np.ndarray  # shape (days, sites): spike factor (1 on ordinary days)


def _season(months: tuple[float, ...], day: dt.date) -> float:
    """Monthly factors placed mid-month, linearly interpolated around the year."""
    x = (day.timetuple().tm_yday - 15.5) / (365.25 / 12)
    i = int(np.floor(x))
    frac = x - i
    return months[i % 12] * (1 - frac) + months[(i + 1) % 12] * frac


def _noise(seed: int, ordinal: np.ndarray, site: int) -> np.ndarray:
    key = mix64(np.asarray(ordinal, dtype=np.uint64) * np.uint64(8191) + np.uint64(site))
    key ^= np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
    u1, u2 = unit(key, 11), unit(key, 12)
    z = np.sqrt(-2 * np.log1p(-u1)) * np.cos(2 * np.pi * u2)
    return np.exp(NOISE * z - NOISE**2 / 2)


def natural(profile: SiteProfile, days: list[dt.date], seed: int, site: int) -> np.ndarray:
    """The site's expected sessions on each day, before any scaling."""
    spikes = {s.date: s.factor for s in profile.spikes}
    years = np.array([(d - AS_OF).days / 365.25 for d in days])
    base = profile.daily * profile.growth**years
    shape = np.array(
        [
            profile.weekly[d.weekday()] * _season(profile.monthly, d) * spikes.get(d, 1.0)
            for d in days
        ]
    )
    return base * shape * _noise(seed, np.array([d.toordinal() for d in days]), site)


def skip_windows(zone: str, dates: set[dt.date]) -> np.ndarray:
    """UTC millisecond windows [local midnight, next local midnight) of local ``dates``."""
    tz = ZoneInfo(zone)
    rows = []
    for d in sorted(dates):
        lo = dt.datetime(d.year, d.month, d.day, tzinfo=tz)
        hi = lo.replace(tzinfo=None) + dt.timedelta(days=1)
        rows.append((_ms(lo), _ms(hi.replace(tzinfo=tz))))
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def _ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


def in_windows(start_ms: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Whether each instant falls inside one of the sorted, disjoint windows."""
    if not len(windows):
        return np.zeros(len(start_ms), dtype=bool)
    i = np.searchsorted(windows[:, 0], start_ms, side="right") - 1
    return (i >= 0) & (start_ms < windows[np.maximum(i, 0), 1])


def utc_density(profile: SiteProfile, offsets_s: np.ndarray, city_p: np.ndarray) -> np.ndarray:
    """Expected share of the site's sessions in each UTC hour (visitors' local rhythm)."""
    hourly = np.asarray(HOURLY[profile.hourly])
    hourly = hourly / hourly.sum()
    shift = np.round(offsets_s / 3600).astype(np.int64)  # per city
    utc_hours = (np.arange(24)[None, :] - shift[:, None]) % 24  # local hour h lands here
    density = np.zeros(24)
    np.add.at(density, utc_hours, city_p[:, None] * hourly[None, :])
    return density


def _kept(density: np.ndarray, day: dt.date, windows: np.ndarray) -> float:
    """Share of a day's sessions left after removing skip windows (hour resolution)."""
    if not len(windows):
        return 1.0
    day_ms = (day.toordinal() - dt.date(1970, 1, 1).toordinal()) * DAY_MS
    mids = day_ms + (np.arange(24) + 0.5) * 3_600_000
    return float(1.0 - density[in_windows(mids.astype(np.int64), windows)].sum())


def plan(
    profiles: tuple[SiteProfile, ...],
    days: list[dt.date],
    seed: int,
    sessions: int | None,
    skip: Mapping[str, set[dt.date]],
    densities: list[np.ndarray],
) -> Plan:
    """Counts per day and site; with ``sessions`` scaled so the kept total is that number."""
    expected = np.stack([natural(p, days, seed, i) for i, p in enumerate(profiles)], axis=1)
    windows = tuple(skip_windows(p.zone, set(skip.get(p.site_id, ()))) for p in profiles)
    kept = np.array(
        [[_kept(dens, d, w) for dens, w in zip(densities, windows, strict=True)] for d in days]
    )
    kept = kept.reshape(expected.shape)
    if sessions is not None:
        total = (expected * kept).sum()
        expected = expected * (sessions / total if total > 0 else 0.0)
    cum = np.round(np.cumsum(expected.ravel()))
    counts = np.diff(np.r_[0.0, cum]).astype(np.int64).reshape(expected.shape)
    spikes = np.array(
        [[{s.date: s.factor for s in p.spikes}.get(d, 1.0) for p in profiles] for d in days]
    )
    return Plan(counts=counts, windows=windows, spikes=spikes.reshape(expected.shape))
