"""The mobile app's devices as its Countly SDK reports them: OS, model, screen, carrier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from workbench.sample import gen_countries
from workbench.sample.gen_agents import OS_LAG
from workbench.sample.gen_arrays import Stacked, unit
from workbench.sample.gen_technology import ANDROID_OS, SAFARI

# model, OS, device type, _resolution, _density, weight, on sale from
PHONES = (
    ("iPhone12,1", "iOS", "mobile", "828x1792", "@2x", 6, None),
    ("iPhone13,2", "iOS", "mobile", "1170x2532", "@3x", 8, None),
    ("iPhone14,5", "iOS", "mobile", "1170x2532", "@3x", 10, None),
    ("iPhone14,7", "iOS", "mobile", "1170x2532", "@3x", 8, None),
    ("iPhone15,2", "iOS", "mobile", "1179x2556", "@3x", 7, None),
    ("iPhone15,4", "iOS", "mobile", "1179x2556", "@3x", 8, "2023-09-22"),
    ("iPhone16,2", "iOS", "mobile", "1290x2796", "@3x", 6, "2023-09-22"),
    ("iPhone17,3", "iOS", "mobile", "1179x2556", "@3x", 6, "2024-09-20"),
    ("iPhone14,6", "iOS", "mobile", "750x1334", "@2x", 4, None),
    ("iPad13,18", "iOS", "tablet", "1640x2360", "@2x", 5, None),
    ("iPad14,1", "iOS", "tablet", "1488x2266", "@2x", 2, None),
    ("iPad13,4", "iOS", "tablet", "1668x2388", "@2x", 2, None),
    ("SM-S918B", "Android", "mobile", "1080x2316", "XXHDPI", 5, None),
    ("SM-S911B", "Android", "mobile", "1080x2340", "XXHDPI", 5, None),
    ("SM-A546B", "Android", "mobile", "1080x2340", "XXHDPI", 8, None),
    ("23021RAAEG", "Android", "mobile", "1080x2400", "XXHDPI", 6, None),
    ("2201117TY", "Android", "mobile", "1080x2400", "XXHDPI", 5, None),
    ("M2101K6G", "Android", "mobile", "1080x2400", "XXHDPI", 4, None),
    ("Pixel 8", "Android", "mobile", "1080x2400", "XXHDPI", 2, "2023-10-12"),
    ("Pixel 7a", "Android", "mobile", "1080x2400", "XXHDPI", 2, None),
    ("moto g54 5G", "Android", "mobile", "1080x2400", "XXHDPI", 2, None),
    ("SM-S921B", "Android", "mobile", "1080x2340", "XXHDPI", 5, "2024-01-31"),
    ("SM-A155F", "Android", "mobile", "1080x2340", "XXHDPI", 5, "2023-12-15"),
    ("SM-X200", "Android", "tablet", "1200x1920", "HDPI", 3, None),
    ("SM-X710", "Android", "tablet", "1600x2560", "XHDPI", 1, None),
)
# release date, app version, iOS SDK version, Android SDK version
APP_RELEASES = (
    ("2023-07-11", "3.1.0", "23.6.0", "23.6.0"),
    ("2023-08-15", "3.1.2", "23.6.1", "23.6.0"),
    ("2023-09-20", "3.2.0", "23.8.2", "23.8.1"),
    ("2023-11-14", "3.3.0", "23.8.3", "23.8.1"),
    ("2023-12-05", "3.3.1", "23.8.3", "23.12.0"),
    ("2024-01-30", "3.4.0", "23.12.0", "23.12.0"),
    ("2024-03-26", "3.5.0", "24.1.0", "24.1.1"),
    ("2024-04-16", "3.5.2", "24.1.0", "24.1.1"),
    ("2024-06-04", "3.6.0", "24.4.0", "24.4.0"),
    ("2024-07-23", "3.7.0", "24.4.1", "24.4.1"),
    ("2024-09-10", "3.8.0", "24.7.1", "24.7.1"),
    ("2024-10-22", "3.9.0", "24.7.3", "24.7.2"),
    ("2024-11-05", "3.9.1", "24.7.3", "24.7.2"),
)
SDK_NAMES = {"iOS": "objc-native-ios", "Android": "java-native-android"}
IOS_SHARE = {
    "US": 0.55,
    "GB": 0.5,
    "CH": 0.55,
    "SE": 0.5,
    "DK": 0.5,
    "NL": 0.42,
    "DE": 0.38,
    "AT": 0.4,
    "BE": 0.4,
    "FR": 0.35,
    "TR": 0.22,
    "RU": 0.25,
    "UA": 0.2,
    "AZ": 0.2,
}
IOS_DEFAULT = 0.3
UNKNOWN_CARRIER = 0.12  # phones on Wi-Fi only or without a SIM read
ADOPTION_DAYS = 9.0  # mean delay before a user runs a new app release


def _ord(text: str | None) -> int:
    return dt.date.fromisoformat(text).toordinal() if text else 0


@dataclass(frozen=True, eq=False)
class AppTech:
    """Compiled device, OS version, carrier and release tables of the app."""

    device_columns: dict[str, pa.Array]  # device, os, device_type, screen_resolution, density
    models: Stacked  # group: os (0 iOS, 1 Android) -> device
    since: np.ndarray  # per device: first ordinal on sale
    tablet: np.ndarray  # per device
    os_versions: pa.Array  # iOS timeline then Android entries, trailing null
    ios_dates: np.ndarray
    android: Stacked  # one group: Android entry
    android_since: np.ndarray
    ios_share: np.ndarray  # per country index
    carriers: Stacked  # group: country -> flat carrier
    carrier_names: pa.Array  # trailing 'Unknown'
    releases: np.ndarray  # ordinals
    versions: tuple[str, ...]  # app version of each release
    release_columns: dict[str, pa.Array]  # app_version, sdk_ios, sdk_android


@cache
def app_tech(countries: tuple[str, ...]) -> AppTech:
    """Compile the app's technology tables for the geography's countries."""
    by_os = [[p[5] if p[1] == os_name else 0.0 for p in PHONES] for os_name in ("iOS", "Android")]
    carriers = gen_countries.weighted(gen_countries.CARRIERS)
    rows = [carriers.get(cc) or [("Unknown", 1.0)] for cc in countries]
    names = ("device", "os", "device_type", "screen_resolution", "density")
    return AppTech(
        device_columns={
            n: pa.array([p[i] for p in PHONES], pa.string()) for i, n in enumerate(names)
        },
        models=Stacked(by_os),
        since=np.array([_ord(p[6]) for p in PHONES]),
        tablet=np.array([p[2] == "tablet" for p in PHONES]),
        os_versions=pa.array([v for _, v, _ in SAFARI] + [v for v, *_ in ANDROID_OS] + [None]),
        ios_dates=np.array([d.toordinal() for d, _, _ in SAFARI]),
        android=Stacked([[w for _, _, w, _ in ANDROID_OS]]),
        android_since=np.array([_ord(s) for *_, s in ANDROID_OS]),
        ios_share=np.array([IOS_SHARE.get(cc, IOS_DEFAULT) for cc in countries]),
        carriers=Stacked([[w for _, w in r] for r in rows]),
        carrier_names=pa.array([c for r in rows for c, _ in r] + ["Unknown"], pa.string()),
        releases=np.array([_ord(r[0]) for r in APP_RELEASES]),
        versions=tuple(r[1] for r in APP_RELEASES),
        release_columns={
            "app_version": pa.array([r[1] for r in APP_RELEASES], pa.string()),
            "sdk_ios": pa.array([r[2] for r in APP_RELEASES], pa.string()),
            "sdk_android": pa.array([r[3] for r in APP_RELEASES], pa.string()),
        },
    )


def app_indexes(
    at: AppTech, country: np.ndarray, key: np.ndarray, ordinal: np.ndarray
) -> dict[str, np.ndarray]:
    """Per app session (stable per device, updating by date): rows of the AppTech tables."""
    android = (unit(key, 301) >= at.ios_share[country]).astype(np.int64)
    model = at.models.draw(android, unit(key, 302))
    model = np.where(
        at.since[model] > ordinal, at.models.draw(android, unit(key, 303) * 0.5), model
    )
    current_ios = np.searchsorted(at.ios_dates, ordinal, side="right") - 1
    ios_version = np.maximum(current_ios - np.searchsorted(OS_LAG, unit(key, 304), side="right"), 0)
    a = at.android.draw(0, unit(key, 305))
    a = np.where(at.android_since[a] > ordinal, 0, a)
    unknown = unit(key, 306) < np.where(at.tablet[model], 0.8, UNKNOWN_CARRIER)
    carrier = np.where(
        unknown, len(at.carrier_names) - 1, at.carriers.flat(country, unit(key, 307))
    )
    lag = -ADOPTION_DAYS * np.log1p(-unit(key, 308)) * np.where(unit(key, 309) < 0.1, 6.0, 1.0)
    release = np.clip(
        np.searchsorted(at.releases, ordinal - lag, side="right") - 1, 0, len(at.releases) - 1
    )
    return {
        "model": model,
        "os_version": np.where(android == 1, len(at.ios_dates) + a, ios_version),
        "carrier": carrier,
        "release": release,
        "android": android,
        "sdk": release + android * len(at.releases),
    }


def app_dictionaries(at: AppTech) -> dict[str, tuple[str, pa.Array]]:
    """Per session column: which app index selects its value, and the values."""
    sdk = pa.concat_arrays([at.release_columns["sdk_ios"], at.release_columns["sdk_android"]])
    out = {n: ("model", a) for n, a in at.device_columns.items()}
    return out | {
        "os_version": ("os_version", at.os_versions.slice(0, len(at.os_versions) - 1)),
        "carrier": ("carrier", at.carrier_names),
        "app_version": ("release", at.release_columns["app_version"]),
        "sdk_name": ("android", pa.array(list(SDK_NAMES.values()), pa.string())),
        "sdk_version": ("sdk", sdk),
    }
