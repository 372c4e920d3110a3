"""IP to place offline: country and ASN from geoip2fast's shipped data, city from a user's .mmdb.

geoip2fast ships MaxMind GeoLite2 country and ASN data (IPv4 and IPv6, its own snapshot) in
the package: nothing is downloaded, ever (its updater is never called). Region, city,
coordinates, postal and metro codes and the location's time zone need a GeoIP2 or GeoLite2
City database the user supplies (``--geoip PATH``, read with ``maxminddb``); its country wins
over geoip2fast's (it is usually newer). Region codes are the database's ISO 3166-2
subdivision codes without the country prefix (US-CA -> "CA", GB-ENG -> "ENG"), the system the
sample data uses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, fields
from functools import cache, lru_cache
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.reference import countries

FAST_DATA = "geoip2fast-asn-ipv6.dat.gz"  # country + ASN, IPv4 + IPv6, shipped in the wheel
CACHE_SIZE = 1 << 16  # distinct IPs remembered per lookup function


@dataclass(frozen=True)
class Place:
    """Where an IP is, as the sessions table records it (None where unknown)."""

    country_code: str | None = None
    country_name: str | None = None
    region_code: str | None = None  # ISO 3166-2 subdivision code without the country prefix
    region_name: str | None = None
    city: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    metro_code: str | None = None
    geo_time_zone: str | None = None
    isp_organization: str | None = None  # the holder of the IP's autonomous system

    def columns(self) -> dict[str, object]:
        return _columns(self)


NOWHERE = Place()
COLUMNS = tuple(f.name for f in fields(Place))


@lru_cache(maxsize=CACHE_SIZE)
def _columns(place: Place) -> dict[str, object]:
    return {name: getattr(place, name) for name in COLUMNS}


@cache
def _fast():
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file=FAST_DATA)


@cache
def _names() -> dict[str, str]:
    frame = countries()
    return dict(zip(frame["code"], frame["name"], strict=True))


@lru_cache(maxsize=CACHE_SIZE)
def country(ip: str) -> Place:
    """Country code and name, and the ASN holder, from geoip2fast; NOWHERE for an address that
    is invalid, private, reserved or in no network it knows."""
    if ip.startswith("::ffff:") and "." in ip:  # IPv4-mapped, as dual-stack servers log
        ip = ip[7:]
    found = _fast().lookup(ip)
    code = found.country_code
    if found.is_private or not code or len(code) != 2 or not code.isalpha():
        return NOWHERE
    name = _names().get(code) or found.country_name
    return Place(country_code=code, country_name=name, isp_organization=found.asn_name or None)


class CityDatabase:
    """A GeoIP2/GeoLite2 City ``.mmdb`` the user supplied; lookups are cached."""

    def __init__(self, path: str | Path) -> None:
        import maxminddb

        self.path = Path(path)
        if not self.path.is_file():
            raise WorkbenchError(
                "missing_geoip",
                f"--geoip {self.path}: no such file; give a GeoIP2 or GeoLite2 City .mmdb "
                "(nothing is downloaded)",
            )
        try:
            self._reader = maxminddb.open_database(str(self.path), maxminddb.MODE_MEMORY)
        except (maxminddb.InvalidDatabaseError, ValueError, OSError) as exc:
            raise WorkbenchError(
                "bad_geoip", f"--geoip {self.path}: not a MaxMind DB (.mmdb) file: {exc}"
            ) from None
        kind = self._reader.metadata().database_type
        if "city" not in kind.lower():
            self._reader.close()
            raise WorkbenchError(
                "bad_geoip",
                f"--geoip {self.path}: database type {kind!r}; expected a City database "
                "(GeoIP2-City, GeoLite2-City)",
            )
        self.kind = kind
        self.lookup = lru_cache(maxsize=CACHE_SIZE)(self._lookup)

    def _lookup(self, ip: str) -> Place:
        """The place of ``ip``, country from geoip2fast where the database has none."""
        base = country(ip)
        if base is NOWHERE:
            return base
        try:
            record = self._reader.get(ip)
        except ValueError:
            return base
        if not isinstance(record, dict):
            return base
        code = (record.get("country") or {}).get("iso_code") or base.country_code
        name = _names().get(code) or _en(record.get("country")) or base.country_name
        subdivision = (record.get("subdivisions") or [{}])[0]
        location = record.get("location") or {}
        metro = location.get("metro_code")
        return Place(
            country_code=code,
            country_name=name,
            region_code=subdivision.get("iso_code"),
            region_name=_en(subdivision),
            city=_en(record.get("city")),
            postal_code=(record.get("postal") or {}).get("code"),
            latitude=location.get("latitude"),
            longitude=location.get("longitude"),
            metro_code=str(metro) if metro is not None else None,
            geo_time_zone=location.get("time_zone"),
            isp_organization=base.isp_organization,
        )

    def close(self) -> None:
        self._reader.close()


def _en(node: object) -> str | None:
    return ((node or {}).get("names") or {}).get("en") if isinstance(node, dict) else None


def locate(ip: str, city: CityDatabase | None = None) -> Place:
    """The place of ``ip``: with a City database when given, else the country alone."""
    return city.lookup(ip) if city is not None else country(ip)


@lru_cache(maxsize=CACHE_SIZE)
def anonymize(ip: str) -> str:
    """``ip`` truncated: IPv4's last octet and IPv6's last 80 bits zeroed (unparseable: '')."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
