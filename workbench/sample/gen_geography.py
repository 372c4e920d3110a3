"""Where generated visitors are: reference cities by audience and population, zones, networks."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.sample import gen_bots as bots
from workbench.sample import gen_countries as cat
from workbench.sample.gen_arrays import Stacked, join, take, unit
from workbench.sample.gen_bots import CRAWLERS
from workbench.sample.gen_profiles import SiteProfile, country_shares

POPULATION_EXPONENT = 0.9  # a little flatter than population: big cities are over-counted
REST_EXPONENT = 0.6  # how unlisted countries share a site's "rest" of the audience


@dataclass(frozen=True)
class Geography:
    """Reference cities sorted by country, with everything drawn per city or per country."""

    countries: tuple[str, ...]  # country codes with cities; a country index points here
    countries_named: tuple[str, ...]  # their names as the sample records them
    city_country: np.ndarray  # country index of each city
    city_zone: np.ndarray  # zone index of each city
    zones: tuple[str, ...]
    in_country: Stacked  # group: country index -> city (flat index = city index)
    columns: dict[str, pa.Array]  # per-city session columns (geography of the row)
    postal: Stacked  # group: city -> flat index into postal_codes
    postal_codes: pa.Array
    isps: Stacked  # group: country -> flat index into isp_columns
    isp_columns: dict[str, pa.Array]  # isp, isp_organization, hostname
    orgs: Stacked  # group: country -> flat index into organizations
    organizations: pa.Array
    has_org: np.ndarray  # per flat organisation: a real name (not a country without any)
    # isp_columns and organizations end with: a null, each crawler's network, data centres
    languages: Stacked  # group: country -> flat index into language_tags
    language_tags: pa.Array
    octets: Stacked  # group: country -> flat index into first_octets
    first_octets: np.ndarray
    population: np.ndarray  # per country, summed over its cities

    def country_index(self, code: str) -> int:
        return self.countries.index(code)


def _blank(values: pd.Series) -> list[str | None]:
    return [None if (v is None or v != v or v == "") else str(v) for v in values]


def build_geography(cities: pd.DataFrame, countries: pd.DataFrame) -> Geography:
    """Compile the reference tables (``reference.cities()``/``countries()``) for drawing."""
    c = cities.sort_values(["country_code", "population"], ascending=[True, False], kind="stable")
    c = c.reset_index(drop=True)
    codes = tuple(sorted(c["country_code"].unique()))
    index = {cc: i for i, cc in enumerate(codes)}
    zones = tuple(sorted(c["time_zone"].unique()))
    city_country = c["country_code"].map(index).to_numpy(np.int64)
    weights = c["population"].to_numpy(np.float64).clip(1000) ** POPULATION_EXPONENT
    groups = np.split(weights, np.flatnonzero(np.diff(city_country)) + 1)
    names = dict(zip(countries["code"], countries["name"], strict=True))
    columns = {
        "country_code": pa.array(c["country_code"].tolist(), pa.string()),
        "country_name": pa.array([names.get(cc, cc) for cc in c["country_code"]], pa.string()),
        "region_code": pa.array(_blank(c["region_code"]), pa.string()),
        "region_name": pa.array(_blank(c["region_name"]), pa.string()),
        "city": pa.array(c["city"].tolist(), pa.string()),
        "latitude": pa.array(c["latitude"].to_numpy(np.float64)),
        "longitude": pa.array(c["longitude"].to_numpy(np.float64)),
        "geo_time_zone": pa.array(c["time_zone"].tolist(), pa.string()),
    }
    places = [cat.PLACES.get(k) for k in zip(c["country_code"], c["city"], strict=True)]
    columns["metro_code"] = pa.array([p[0] if p else None for p in places], pa.string())
    columns["area_code"] = pa.array([p[1] if p else None for p in places], pa.string())
    postal_rows = [[z.replace("_", " ") for z in p[2].split()] if p else [None] for p in places]
    return Geography(
        countries=codes,
        countries_named=tuple(names.get(cc, cc) for cc in codes),
        city_country=city_country,
        city_zone=c["time_zone"].map({z: i for i, z in enumerate(zones)}).to_numpy(np.int64),
        zones=zones,
        in_country=Stacked(groups),
        columns=columns,
        postal=Stacked([[1.0] * len(r) for r in postal_rows]),
        postal_codes=pa.array([z for r in postal_rows for z in r] + [None], pa.string()),
        population=np.array([g.sum() for g in groups]),
        **_networks(codes),
    )


def _per_country(codes: tuple[str, ...], table: dict, default: list) -> tuple[Stacked, list]:
    rows = [table.get(cc) or default for cc in codes]
    return Stacked([[w for _, w in r] for r in rows]), [v for r in rows for v, _ in r]


def _networks(codes: tuple[str, ...]) -> dict[str, object]:
    isp_rows = {cc: [(isp[:3], isp[3]) for isp in v] for cc, v in cat.ISPS.items()}
    isps, isp_values = _per_country(codes, isp_rows, [((None, None, None), 1.0)])
    org_rows = {cc: [(o, 1.0) for o in v] for cc, v in cat.ORGANIZATIONS.items()}
    orgs, org_values = _per_country(codes, org_rows, [(None, 1.0)])
    languages, tags = _per_country(codes, cat.weighted(cat.LANGUAGES), [("en-US", 1.0)])
    octet_rows = {
        cc: [(int(o), 1.0) for o, _ in v] for cc, v in cat.weighted(cat.FIRST_OCTETS).items()
    }
    octets, octet_values = _per_country(codes, octet_rows, [(o, 1.0) for o in cat.PUBLIC_OCTETS])
    machines = [bots.CRAWLER_NETWORKS[c[0]] for c in CRAWLERS] + list(bots.DATACENTER_NETWORKS)
    return {
        "isps": isps,
        "isp_columns": {
            name: pa.array(
                [v[i] for v in isp_values] + [None] + [m[i] for m in machines], pa.string()
            )
            for i, name in enumerate(("isp", "isp_organization", "hostname"))
        },
        "orgs": orgs,
        "organizations": pa.array([*org_values, None] + [m[1] for m in machines], pa.string()),
        "has_org": np.array([v is not None for v in org_values]),
        "languages": languages,
        "language_tags": pa.array([*tags, None], pa.string()),
        "octets": octets,
        "first_octets": np.array(octet_values, dtype=np.int64),
    }


@cache
def geography() -> Geography:
    """The compiled reference geography (``workbench.reference`` cities and countries)."""
    from workbench import reference

    return build_geography(reference.cities(), reference.countries())


def audiences(geo: Geography, profiles: tuple[SiteProfile, ...]) -> Stacked:
    """Per site (group = position in ``profiles``): the country of a new visitor."""
    rest = geo.population**REST_EXPONENT
    rest = rest / rest.sum()
    rows = []
    for p in profiles:
        w = rest * p.rest
        for cc, share in country_shares(p).items():
            if cc in geo.countries:
                w[geo.country_index(cc)] += share
        rows.append(w)
    return Stacked(rows)


def datacenters(geo: Geography) -> Stacked:
    """One group: the country of automated traffic that does not say where it comes from."""
    w = np.zeros(len(geo.countries))
    parts = bots.DATACENTERS.split()
    for cc, share in zip(parts[::2], parts[1::2], strict=True):
        if cc in geo.countries:
            w[geo.country_index(cc)] += float(share)
    return Stacked([w])


def zone_offsets(zones: tuple[str, ...], days: list[dt.date]) -> np.ndarray:
    """UTC offset in seconds of each zone at noon UTC of each day: shape (zones, days).

    Probed weekly; a week whose ends differ is bisected to the day the offset changes.
    """
    out = np.zeros((len(zones), len(days)), dtype=np.int64)
    probes = sorted({*range(0, len(days), 7), len(days) - 1})
    for z, zone in enumerate(zones):
        tz = ZoneInfo(zone)

        def offset(i: int, tz=tz) -> int:
            noon = dt.datetime.combine(days[i], dt.time(12), dt.UTC)
            return int(noon.astimezone(tz).utcoffset().total_seconds())

        known = {i: offset(i) for i in probes}
        for a, b in itertools.pairwise(probes):
            out[z, a:b] = known[a]
            lo, hi = a, b
            while known[lo] != known[hi] and hi - lo > 1:
                mid = (lo + hi) // 2
                known[mid] = offset(mid)
                lo, hi = (mid, hi) if known[mid] == known[lo] else (lo, mid)
            out[z, hi:b] = known[hi]
        out[z, probes[-1]] = known[probes[-1]]
    return out


def network_columns(
    geo: Geography, city: np.ndarray, key: np.ndarray, bot: np.ndarray, crawler: np.ndarray
) -> dict[str, pa.Array]:
    """ISP, organisation, connection and IP address of each session's visitor (``bot`` 0 for
    people, 1 for the crawler ``crawler``, 2-3 for scripts in data centres)."""
    country = geo.city_country[city]
    u_isp, u_org, u_has = unit(key, 101), unit(key, 102), unit(key, 103)
    no_isp, no_org = len(geo.isps.cdf), len(geo.has_org)
    machine = np.where(
        bot == 1, crawler, len(CRAWLERS) + (u_isp * len(bots.DATACENTER_NETWORKS)).astype(int)
    )
    isp = np.where(u_has < 0.8, geo.isps.flat(country, u_isp), no_isp)
    isp = np.where(bot > 0, no_isp + 1 + machine, isp)
    isp_cols = {n: take(a, isp) for n, a in geo.isp_columns.items()}
    org = geo.orgs.flat(country, unit(key, 104))
    corporate = ((u_org < 0.08) & geo.has_org[org]) | (bot > 0)
    org = np.where(bot > 0, no_org + 1 + machine, np.where(corporate, org, no_org))
    organizations = take(geo.organizations, org)
    connection = np.where(corporate, 2, np.where(u_has < 0.5, 0, np.where(u_has < 0.75, 1, 4)))
    octet = geo.first_octets[geo.octets.flat(country, unit(key, 105))]
    tail = (unit(key, 106) * 16777216).astype(np.int64)
    ip = join(take(IP_HEADS, octet * 256 + (tail >> 16)), take(IP_TAILS, tail & 0xFFFF))
    return {
        **isp_cols,
        "organization": organizations,
        "connection_type": take(CONNECTIONS, connection),
        "ip_address": ip,
    }


IP_HEADS = pa.array([f"{i >> 8}.{i & 255}." for i in range(65536)], pa.string())
IP_TAILS = pa.array([f"{i >> 8}.{max(i & 255, 1)}" for i in range(65536)], pa.string())
CONNECTIONS = pa.array(["Cable/DSL", "Cellular", "Corporate", "Dialup", None], pa.string())
