"""Offline IP geolocation: countries and ASNs from geoip2fast's data, cities from a City .mmdb."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import WorkbenchError
from workbench.ingest.geoip import NOWHERE, CityDatabase, anonymize, country, locate

# Addresses whose country is stable (the operators' own blocks), in geoip2fast 1.2's data.
COUNTRIES = [
    ("8.8.8.8", "US", "United States", "GOOGLE"),
    ("2001:4860:4860::8888", "US", "United States", "GOOGLE"),
    ("::ffff:8.8.8.8", "US", "United States", "GOOGLE"),  # IPv4-mapped, as dual-stack logs show
    ("81.2.69.142", "GB", "United Kingdom", "Andrews & Arnold Ltd"),
    ("130.104.1.1", "BE", "Belgium", "BELNET"),
    ("5.255.255.5", "RU", "Russian Federation", "YANDEX LLC"),
    ("1.1.1.1", "AU", "Australia", "CLOUDFLARENET"),
]


@pytest.mark.parametrize(("ip", "code", "name", "asn"), COUNTRIES)
def test_country_and_asn_from_the_shipped_data(ip, code, name, asn) -> None:
    place = country(ip)
    assert (place.country_code, place.country_name, place.isp_organization) == (code, name, asn)
    assert place.city is None and place.region_code is None


@pytest.mark.parametrize(
    "ip",
    ["10.0.0.1", "192.168.1.1", "127.0.0.1", "::1", "fe80::1", "0.0.0.0", "224.0.0.1", "-", "",
     "not-an-ip", "<script>", "999.1.1.1", "'; DROP TABLE sessions; --"],
)  # fmt: skip
def test_private_reserved_and_invalid_addresses_have_no_place(ip) -> None:
    assert country(ip) == NOWHERE


def test_country_names_follow_the_reference_table() -> None:
    # geoip2fast says "Russia"; the store records the reference table's name
    from workbench.reference import country_name

    assert country("5.255.255.5").country_name == country_name("RU")


@pytest.mark.parametrize(
    ("ip", "truncated"),
    [
        ("81.2.69.142", "81.2.69.0"),
        ("8.8.8.8", "8.8.8.0"),
        ("2001:4860:4860::8888", "2001:4860:4860::"),
        ("2a00:1450:4001:82b::200e", "2a00:1450:4001::"),
        ("garbage", ""),
    ],
)
def test_anonymize_drops_the_last_octet_or_80_bits(ip, truncated) -> None:
    assert anonymize(ip) == truncated


def _city_mmdb(path: Path, database_type: str = "GeoLite2-City") -> Path:
    """A tiny City database made offline with mmdb-writer (a test dependency)."""
    writer_module = pytest.importorskip("mmdb_writer")
    netaddr = pytest.importorskip("netaddr")
    writer = writer_module.MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=database_type,
        languages=["en"],
        description="workbench test",
    )
    writer.insert_network(
        netaddr.IPSet(["8.8.8.0/24"]),
        {
            "country": {"iso_code": "US", "names": {"en": "United States"}},
            "subdivisions": [{"iso_code": "CA", "names": {"en": "California"}}],
            "city": {"names": {"en": "Mountain View"}},
            "location": {
                "latitude": 37.386,
                "longitude": -122.0838,
                "metro_code": writer_module.MmdbU16(807),
                "time_zone": "America/Los_Angeles",
            },
            "postal": {"code": "94035"},
        },
    )
    writer.insert_network(
        netaddr.IPSet(["81.2.69.0/24"]),
        {
            "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
            "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}}],
            "city": {"names": {"en": "London"}},
            "location": {"latitude": 51.5142, "longitude": -0.0931, "time_zone": "Europe/London"},
        },
    )
    writer.to_db_file(str(path))
    return path


def test_a_city_database_adds_region_city_and_location(tmp_path: Path) -> None:
    db = CityDatabase(_city_mmdb(tmp_path / "city.mmdb"))
    assert db.kind == "GeoLite2-City"
    assert locate("8.8.8.8", db).columns() == {
        "country_code": "US",
        "country_name": "United States",
        "region_code": "CA",  # ISO 3166-2 subdivision code without the country prefix
        "region_name": "California",
        "city": "Mountain View",
        "postal_code": "94035",
        "latitude": 37.386,
        "longitude": -122.0838,
        "metro_code": "807",
        "geo_time_zone": "America/Los_Angeles",
        "isp_organization": "GOOGLE",  # the ASN still comes from geoip2fast
    }
    london = locate("81.2.69.142", db)
    assert (london.region_code, london.city, london.metro_code) == ("ENG", "London", None)
    # an address the City database lacks keeps geoip2fast's country
    assert locate("130.104.1.1", db).columns() == country("130.104.1.1").columns()
    assert locate("10.1.2.3", db) == NOWHERE
    db.close()


def test_a_missing_city_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match=r"--geoip .*nope\.mmdb: no such file") as err:
        CityDatabase(tmp_path / "nope.mmdb")
    assert err.value.code == "missing_geoip"


def test_a_file_that_is_no_mmdb_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"this is not a MaxMind database\n" * 10)
    with pytest.raises(WorkbenchError, match="not a MaxMind DB") as err:
        CityDatabase(bad)
    assert err.value.code == "bad_geoip"


def test_a_database_that_is_not_a_city_database_is_refused(tmp_path: Path) -> None:
    asn = _city_mmdb(tmp_path / "asn.mmdb", database_type="GeoLite2-ASN")
    with pytest.raises(WorkbenchError, match="'GeoLite2-ASN'; expected a City database"):
        CityDatabase(asn)
