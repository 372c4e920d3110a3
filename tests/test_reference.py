"""The committed reference tables: coverage, codes, names, coordinates and the loader's API."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import pytest

from workbench import reference
from workbench.errors import WorkbenchError
from workbench.paths import REFERENCE

# (code, name) pairs of seed 000's example response, copied from the seed itself.
SEED_COPY = Path(__file__).parent / "data" / "seed000_countries.csv"


@pytest.fixture(scope="module")
def seed_names() -> dict[str, str]:
    with SEED_COPY.open(encoding="utf-8", newline="") as f:
        pairs = {row["code"]: row["name"] for row in csv.DictReader(f)}
    assert len(pairs) == 98
    return pairs


def test_dtypes_and_columns() -> None:
    cities = reference.cities()
    assert list(cities.columns) == reference.CITY_COLUMNS
    assert list(reference.countries().columns) == reference.COUNTRY_COLUMNS
    for col in ("latitude", "longitude"):
        assert cities[col].dtype == "float64"
        assert reference.countries()[col].dtype == "float64"
    assert cities["population"].dtype == "int64"
    assert cities["geonameid"].dtype == "int64"
    assert cities["country_code"].dtype == "str"
    assert not cities[["country_code", "region_code", "city", "time_zone"]].isna().any().any()
    assert reference.cities() is cities  # cached


def test_city_coverage() -> None:
    cities = reference.cities()
    assert len(cities) >= 2000
    assert cities["country_code"].nunique() >= 100
    assert cities["geonameid"].is_unique
    assert not cities.duplicated(["country_code", "region_code", "city"]).any()
    assert (cities["population"] >= 0).all()  # GeoNames keeps a few capitals at 0


def test_seed_countries_have_recorded_names_and_cities(seed_names: dict[str, str]) -> None:
    names = dict(zip(reference.countries()["code"], reference.countries()["name"], strict=True))
    assert {code: names.get(code) for code in seed_names} == seed_names
    with_cities = set(reference.cities()["country_code"])
    assert sorted(set(seed_names) - {"XK"} - with_cities) == []


def test_countries_cover_iso_3166_1() -> None:
    frame = reference.countries()
    assert set(frame["code"]) == {c.alpha_2 for c in pycountry.countries} | {"XK"}
    assert frame["code"].is_unique
    assert set(frame["continent"]) <= {"AF", "AN", "AS", "EU", "NA", "OC", "SA"}
    assert frame["latitude"].between(-90, 90).all()
    assert frame["longitude"].between(-180, 180).all()
    fi = frame.set_index("code").loc["FI"]
    assert (fi["name"], fi["iso_name"], fi["continent"]) == ("Finland", "Finland", "EU")
    assert frame.set_index("code").loc["NA", "name"] == "Namibia"  # not read as missing


def test_region_codes_are_iso_3166_2() -> None:
    cities = reference.cities()
    regional = cities[cities["region_code"] != ""]
    known = {s.code for s in pycountry.subdivisions}
    codes = set(regional["country_code"] + "-" + regional["region_code"])
    assert sorted(codes - known) == []
    assert (regional["region_name"] != "").all()
    assert (cities.loc[cities["region_code"] == "", "region_name"] == "").all()
    # One name per region.
    assert regional.groupby(["country_code", "region_code"])["region_name"].nunique().max() == 1


def test_coordinates_in_range() -> None:
    cities = reference.cities()
    assert cities["latitude"].between(-90, 90).all()
    assert cities["longitude"].between(-180, 180).all()
    assert (cities["latitude"].round(4) == cities["latitude"]).all()


@pytest.mark.parametrize(
    ("country", "region", "region_name", "city"),
    [
        ("FI", "18", "Uusimaa", "Helsinki"),
        ("US", "CA", "California", "Los Angeles"),
        ("US", "CA", "California", "San Francisco"),
        ("US", "NY", "New York", "Brooklyn"),
        ("US", "NC", "North Carolina", "Raleigh"),
        ("CA", "BC", "British Columbia", "Nanaimo"),
        ("ES", "PV", "País Vasco", "Gasteiz / Vitoria"),
        ("BR", "MG", "Minas Gerais", "Montes Claros"),
        ("GB", "ENG", "England", "Liverpool"),
        ("SG", "", "", "Singapore"),
    ],
)
def test_known_cities(country: str, region: str, region_name: str, city: str) -> None:
    cities = reference.cities()
    row = cities[(cities["country_code"] == country) & (cities["city"] == city)]
    assert len(row) == 1
    assert (row["region_code"].item(), row["region_name"].item()) == (region, region_name)


def test_country_name() -> None:
    assert reference.country_name("FJ") == "Fiji Islands"
    assert reference.country_name("XK") == "Unknown"
    assert reference.country_name("DE") == "Germany"
    with pytest.raises(WorkbenchError, match="'ZZ'"):
        reference.country_name("ZZ")


def test_regions() -> None:
    us = reference.regions("US")
    assert list(us.columns) == ["region_code", "region_name"]
    assert us["region_code"].is_unique and us["region_code"].is_monotonic_increasing
    assert us.set_index("region_code").loc["CA", "region_name"] == "California"
    assert reference.regions("SG").empty
    with pytest.raises(WorkbenchError, match="'QQ'"):
        reference.regions("QQ")


def test_committed_files_stay_small() -> None:
    size = sum(p.stat().st_size for p in REFERENCE.glob("*.csv"))
    assert size < 400_000
