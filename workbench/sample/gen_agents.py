"""Draw each web session's user agent: a catalogue of variants and per-visitor picks by date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from workbench.sample.gen_arrays import Stacked, unit
from workbench.sample.gen_bots import CRAWLERS
from workbench.sample.gen_technology import (
    COLUMNS,
    DEVICES,
    FAMILIES,
    IOS_HEAVY,
    IOS_LIGHT,
    RELEASES,
    SCREENS,
    Family,
)

TILT = (1.0, 1.8, 0.35)  # iOS weight factor for neutral, iOS-heavy and iOS-light countries
BROWSER_LAG = np.array([0.55, 0.80, 0.90, 0.95, 0.97, 0.985, 1.0])  # 0..6 releases behind
OS_LAG = np.array([0.35, 0.65, 0.80, 0.90, 0.96, 1.0])  # iOS updates come later


@dataclass(frozen=True)
class Agents:
    """Every (family, OS version, browser release) variant plus crawlers, as columns."""

    columns: dict[str, pa.Array]  # COLUMNS, one row per variant and a trailing null
    base: np.ndarray  # per family: its first variant
    n_browser: np.ndarray  # per family: number of browser releases
    browser_dates: tuple[np.ndarray, ...]  # per family: release ordinals
    os_dates: tuple[np.ndarray | None, ...]  # per family: OS release ordinals (timeline OS)
    os_pick: Stacked  # group: family -> static OS entry
    os_since: np.ndarray  # per flat static OS entry: first ordinal it exists
    families: Stacked  # group: (site * 3 + tilt) * 3 + device -> family
    devices: Stacked  # group: site -> device
    screens: Stacked  # group: screen kind -> flat index into screen_values
    screen_kind: np.ndarray  # per family: its screen kind
    screen_values: pa.Array
    crawler_base: int
    crawlers: Stacked  # one group
    crawler_country: tuple[str, ...]
    headless: int  # the family index of headless browsers
    tied: np.ndarray  # per family: the browser version is the OS version (Safari on iOS)


def _os_entries(f: Family) -> list[tuple[str | None, str]]:
    if isinstance(f.os_versions, str):
        return [(v, v.replace(".", "_")) for _, v, _ in RELEASES[f.os_versions]]
    return [(v, token) for v, token, _, _ in f.os_versions]


def _variants(f: Family) -> list[tuple[str, ...]]:
    rows = []
    for os_version, token in _os_entries(f):
        for _, v, c in RELEASES[f.releases]:
            ua = f.ua.format(v=v, c=c, o=token)
            rows.append(
                (f.device if f.device != "bot" else "desktop", f.os, os_version, f.browser, v, ua)
            )
    return rows


def _ordinals(dates) -> np.ndarray:
    return np.array([d.toordinal() for d in dates], dtype=np.int64)


def _catalogue() -> tuple[list[tuple], list[int], list[list[float]], list[int]]:
    """Variant rows (families' then crawlers'), each family's first row, its OS weights and
    each OS entry's first day on sale (an ordinal)."""
    rows, base, os_rows, os_since = [], [], [], []
    for f in FAMILIES:
        base.append(len(rows))
        rows.extend(_variants(f))
        static = () if isinstance(f.os_versions, str) else f.os_versions
        os_rows.append([w for *_, w, _ in static] or [1.0])
        since = [s for *_, s in static] or [None]
        os_since.extend(dt.date.fromisoformat(s).toordinal() if s else 0 for s in since)
    rows.extend(
        (device, None, None, name, version, ua) for name, version, ua, device, *_ in CRAWLERS
    )
    return rows, base, os_rows, os_since


def _dates(key: str | tuple) -> np.ndarray | None:
    return _ordinals(d for d, _, _ in RELEASES[key]) if isinstance(key, str) else None


@cache
def agents(site_devices: tuple[tuple[tuple[str, float], ...], ...]) -> Agents:
    """Compile the technology catalogue for sites with these device mixes (in site order)."""
    rows, base, os_rows, os_since = _catalogue()
    kinds = list(SCREENS)
    screen_rows = [SCREENS[k].split() for k in kinds]
    return Agents(
        columns={
            c: pa.array([r[i] for r in rows] + [None], pa.string()) for i, c in enumerate(COLUMNS)
        },
        base=np.array(base),
        n_browser=np.array([len(RELEASES[f.releases]) for f in FAMILIES]),
        browser_dates=tuple(_dates(f.releases) for f in FAMILIES),
        os_dates=tuple(_dates(f.os_versions) for f in FAMILIES),
        os_pick=Stacked(os_rows),
        os_since=np.array(os_since),
        families=Stacked(_family_rows(site_devices)),
        devices=Stacked([[dict(mix).get(d, 0.0) for d in DEVICES] for mix in site_devices]),
        screens=Stacked([[float(w) for w in r[1::2]] for r in screen_rows]),
        screen_kind=np.array([kinds.index(f.screens) for f in FAMILIES]),
        screen_values=pa.array([s for r in screen_rows for s in r[::2]] + [None], pa.string()),
        crawler_base=len(rows) - len(CRAWLERS),
        crawlers=Stacked([[c[5] for c in CRAWLERS]]),
        crawler_country=tuple(c[4] for c in CRAWLERS),
        headless=next(i for i, f in enumerate(FAMILIES) if f.device == "bot"),
        tied=np.array([f.os_versions == f.releases for f in FAMILIES]),
    )


def _family_rows(site_devices) -> list[list[float]]:
    rows = []
    for _ in site_devices:
        for tilt in TILT:
            for device in DEVICES:
                rows.append(
                    [
                        f.weight * (tilt if f.ios_tilt else 1.0) * (f.device == device)
                        for f in FAMILIES
                    ]
                )
    return rows


def country_tilt(countries: tuple[str, ...]) -> np.ndarray:
    """Per country index: 0 neutral, 1 iOS-heavy, 2 iOS-light."""
    return np.array([1 if c in IOS_HEAVY else 2 if c in IOS_LIGHT else 0 for c in countries])


def _current(dates: tuple[np.ndarray | None, ...], ordinals: np.ndarray) -> np.ndarray:
    """Per day and family: the index of the latest release (shape: days x families)."""
    return np.stack(
        [
            np.searchsorted(d, ordinals, side="right") - 1 if d is not None else 0 * ordinals
            for d in dates
        ],
        axis=1,
    )


def web_variants(
    ag: Agents,
    site_pos: np.ndarray,
    tilt: np.ndarray,
    key: np.ndarray,
    day: np.ndarray,
    ordinals: np.ndarray,
    headless: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Variant and screen of web sessions on ``ordinals[day]``: a visitor keeps its device and
    browser family and moves to newer releases over time, a few releases late."""
    device = ag.devices.draw(site_pos, unit(key, 201))
    fam = ag.families.draw((site_pos * 3 + tilt) * 3 + device, unit(key, 202))
    fam = np.where(headless, ag.headless, fam)
    lag = np.searchsorted(BROWSER_LAG, unit(key, 203), side="right")
    b = np.clip(_current(ag.browser_dates, ordinals)[day, fam] - lag, 0, ag.n_browser[fam] - 1)
    e = ag.os_pick.draw(fam, unit(key, 204))
    e = np.where(ordinals[day] < ag.os_since[ag.os_pick.starts[fam] + e], 0, e)
    timeline = np.array([d is not None for d in ag.os_dates])[fam]
    os_lag = np.searchsorted(OS_LAG, unit(key, 205), side="right")
    e = np.where(timeline, np.maximum(_current(ag.os_dates, ordinals)[day, fam] - os_lag, 0), e)
    b = np.where(ag.tied[fam], np.minimum(e, ag.n_browser[fam] - 1), b)  # iOS Safari = iOS
    variant = ag.base[fam] + e * ag.n_browser[fam] + b
    screen = ag.screens.flat(ag.screen_kind[fam], unit(key, 206))
    return variant, screen
