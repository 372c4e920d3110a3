"""Committed reference tables: countries and cities with codes, names and coordinates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from workbench.errors import WorkbenchError, invalid
from workbench.paths import REFERENCE

COUNTRY_COLUMNS = ["code", "name", "iso_name", "latitude", "longitude", "continent"]
CITY_COLUMNS = [
    "country_code",
    "region_code",
    "region_name",
    "city",
    "latitude",
    "longitude",
    "population",
    "time_zone",
    "geonameid",
]
_FLOATS = {"latitude", "longitude"}
_INTS = {"population", "geonameid"}


def _read(name: str, columns: list[str]) -> pd.DataFrame:
    """Read one committed CSV with exact dtypes; "NA" (Namibia, North America) stays a string."""
    path: Path = REFERENCE / name
    if not path.is_file():
        raise WorkbenchError(
            "missing_reference",
            f"{path}: reference table not found; it is committed with the project",
        )
    dtypes = {c: "float64" if c in _FLOATS else "int64" if c in _INTS else str for c in columns}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[], encoding="utf-8")
    if list(frame.columns) != columns:
        raise WorkbenchError(
            "bad_reference", f"{path}: columns {list(frame.columns)}; expected {columns}"
        )
    return frame


@cache
def countries() -> pd.DataFrame:
    """Every ISO 3166-1 country plus XK: code, recorded name, ISO name, point, continent.

    The frame is shared between callers: copy it before changing it.
    """
    return _read("countries.csv", COUNTRY_COLUMNS)


@cache
def cities() -> pd.DataFrame:
    """Cities with ISO 3166-2 region codes (no country prefix; empty where none), GeoNames data.

    The frame is shared between callers: copy it before changing it.
    """
    return _read("cities.csv", CITY_COLUMNS)


@cache
def _names() -> dict[str, str]:
    frame = countries()
    return dict(zip(frame["code"], frame["name"], strict=True))


def _known(code: str) -> str:
    if code not in _names():
        raise invalid("country_code", code, "an ISO 3166-1 alpha-2 code or XK (see countries())")
    return code


def country_name(code: str) -> str:
    """The name the sample records for a country code ("FJ" -> "Fiji Islands")."""
    return _names()[_known(code)]


def regions(country_code: str) -> pd.DataFrame:
    """The regions of a country that have cities: region_code, region_name, sorted by code.

    Empty for countries whose cities have no region (city-states, territories, XK).
    """
    frame = cities()
    rows = frame[(frame["country_code"] == _known(country_code)) & (frame["region_code"] != "")]
    out = rows[["region_code", "region_name"]].drop_duplicates()
    return out.sort_values("region_code").reset_index(drop=True)
