"""Everything the generator draws from, compiled once per choice of sites."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from workbench.sample.gen_acquisition import Acquisition, build_acquisition
from workbench.sample.gen_agents import Agents, agents, country_tilt
from workbench.sample.gen_app import AppTech, app_tech
from workbench.sample.gen_arrays import Stacked
from workbench.sample.gen_bots import CRAWLERS
from workbench.sample.gen_geography import Geography, audiences, datacenters, geography
from workbench.sample.gen_pages import Pages, build_pages
from workbench.sample.gen_plan import utc_density
from workbench.sample.gen_profiles import HOURLY, SiteProfile, profile_list


@dataclass(frozen=True, eq=False)
class World:
    """Compiled profiles, geography, technology, acquisition and content of some sites."""

    profiles: tuple[SiteProfile, ...]
    site_ids: pa.Array
    is_app: np.ndarray  # per site position
    returning: np.ndarray
    bots: np.ndarray
    hourly: Stacked  # group: site -> local hour
    geo: Geography
    audiences: Stacked  # group: site -> country
    datacenters: Stacked  # one group -> country
    crawler_country: np.ndarray  # per crawler: country index
    agents: Agents
    tilt: np.ndarray  # per country: iOS tilt group
    acq: Acquisition
    pages: Pages
    app: AppTech
    direct: np.ndarray  # per site: flat channel of direct visits
    city_p: np.ndarray  # per site, per city: probability a new visitor lives there

    def spike_channels(self, factors: np.ndarray) -> np.ndarray:
        """Per site: the flat channel that brings a spike's extra visits (-1: none)."""
        out = np.full(len(self.profiles), -1)
        for pos, p in enumerate(self.profiles):
            for s in p.spikes:
                if factors[pos] == s.factor and s.channel:
                    out[pos] = self.acq.spike[(pos, s.channel)]
        return out

    def spike_channels_table(self, factors: np.ndarray) -> np.ndarray:
        """:meth:`spike_channels` for each day's factors: shape (days, sites)."""
        return np.array([self.spike_channels(f) for f in factors], dtype=np.int64).reshape(
            factors.shape
        )

    def densities(self, offsets_s: np.ndarray) -> list[np.ndarray]:
        """Per site: expected share of sessions per UTC hour (for skip accounting)."""
        zone_of_city = offsets_s[self.geo.city_zone]
        return [utc_density(p, zone_of_city, self.city_p[i]) for i, p in enumerate(self.profiles)]


def _city_probabilities(geo: Geography, aud: Stacked) -> np.ndarray:
    within = geo.in_country.cdf - geo.city_country  # each country's own cdf, in (0, 1]
    p_in = np.diff(np.r_[0.0, within])
    p_in[geo.in_country.starts] = within[geo.in_country.starts]
    rows = []
    for g in range(len(aud.sizes)):
        cdf = aud.cdf[aud.starts[g] : aud.starts[g] + aud.sizes[g]] - g
        rows.append(np.diff(np.r_[0.0, cdf])[geo.city_country] * p_in)
    return np.array(rows)


@cache
def world(site_ids: tuple[str, ...]) -> World:
    """The compiled world for ``site_ids`` (reference data is read once)."""
    profiles = profile_list(site_ids)
    geo = geography()
    pages = build_pages(profiles)
    acq = build_acquisition(site_ids, geo.countries, lambda pos, path: pages.index[(pos, path)])
    aud = audiences(geo, profiles)
    codes = {cc: i for i, cc in enumerate(geo.countries)}
    return World(
        profiles=profiles,
        site_ids=pa.array([*site_ids, None], pa.string()),
        is_app=np.array([p.kind == "app" for p in profiles]),
        returning=np.array([p.returning for p in profiles]),
        bots=np.array([p.bots for p in profiles]),
        hourly=Stacked([HOURLY[p.hourly] for p in profiles]),
        geo=geo,
        audiences=aud,
        datacenters=datacenters(geo),
        crawler_country=np.array([codes.get(c[4], codes["US"]) for c in CRAWLERS]),
        agents=agents(tuple(tuple(p.devices.items()) for p in profiles)),
        tilt=country_tilt(geo.countries),
        acq=acq,
        pages=pages,
        app=app_tech(geo.countries),
        direct=np.array([acq.spike.get((i, "direct"), 0) for i in range(len(profiles))]),
        city_p=_city_probabilities(geo, aud),
    )
