"""How web visits arrive: direct, search engines with queries, social, links, email, campaigns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote_plus, urlsplit

import numpy as np
import pyarrow as pa

from workbench.sample import gen_countries
from workbench.sample.catalog import CATALOGS
from workbench.sample.gen_arrays import Stacked
from workbench.sample.gen_channels import CHANNELS, ENGINE_MIX, ENGINES, NOT_PROVIDED, Channel
from workbench.sample.gen_pages import Pages


@dataclass(frozen=True, eq=False)
class Acquisition:
    """Compiled channels, engines and terms of the web sites."""

    picks: Stacked  # group: site * 2 + returning -> flat channel
    channels: tuple[Channel, ...]  # flat over sites
    landing: np.ndarray  # per flat channel: global page index or -1
    search: np.ndarray  # per flat channel: is it 'search'
    spike: dict[tuple[int, str], int]  # (site position, channel key) -> flat channel
    engines: Stacked  # group: engine group of the country -> engine variant
    engine_group: np.ndarray  # per country index
    variant_columns: dict[str, pa.Array]  # prefix, suffix, domain per (engine, Google domain)
    google: np.ndarray  # per country index: its Google variant
    terms: Stacked  # group: site -> flat term
    term_columns: dict[str, pa.Array]  # text, encoded (each with a trailing '' / null)
    term_landing: np.ndarray


def build_acquisition(
    site_ids: tuple[str, ...], countries: tuple[str, ...], page_index: Callable[[int, str], int]
) -> Acquisition:
    """Compile channels for ``site_ids`` (apps have none); ``page_index(site, path)``."""
    channels, rows, spike, terms, term_rows, landing = [], [], {}, [], [], []
    for pos, site_id in enumerate(site_ids):
        own = CHANNELS.get(site_id, ())
        start = len(channels)
        channels.extend(own)
        for i, c in enumerate(own):
            spike[(pos, c.key)] = start + i
            landing.append(-1 if c.landing is None else page_index(pos, c.landing))
        pad = [0.0] * start
        rows += [pad + [c.new for c in own], pad + [c.returning for c in own]]
        cat = CATALOGS.get(site_id)
        found = [(t, page_index(pos, path), w) for t, path, w in (cat.terms if cat else ())]
        term_rows.append([0.0] * len(terms) + [w for *_, w in found] or [1.0])
        terms.extend(found)
    rows = [r + [0.0] * (len(channels) - len(r)) or [1.0] for r in rows]
    google, variants, groups = _engines(countries)
    return Acquisition(
        picks=Stacked(rows),
        channels=tuple(channels),
        landing=np.array(landing or [-1]),
        search=np.array([c.type == "search" for c in channels] or [False]),
        spike=spike,
        engines=Stacked([[w for _, w in g] for g in groups]),
        engine_group=np.array([_engine_group(cc) for cc in countries]),
        variant_columns={
            name: pa.array([v[i] for v in variants], pa.string())
            for i, name in enumerate(("prefix", "suffix", "domain"))
        },
        google=google,
        terms=Stacked([r + [0.0] * (len(terms) - len(r)) for r in term_rows]),
        term_columns={
            "text": pa.array([t for t, *_ in terms] + [None], pa.string()),
            "encoded": pa.array([quote_plus(t) for t, *_ in terms] + [""], pa.string()),
        },
        term_landing=np.array([p for _, p, _ in terms] or [0]),
    )


def _mix(text: str) -> list[tuple[str, float]]:
    parts = text.split()
    return [(e, float(w)) for e, w in zip(parts[::2], parts[1::2], strict=True)]


def _engine_group(cc: str) -> int:
    keys = list(ENGINE_MIX)
    return next((i for i, k in enumerate(keys) if cc in k.split()), 0)


def _engines(countries: tuple[str, ...]):
    domains = gen_countries.weighted(gen_countries.GOOGLE)
    variants = [(p, s, d) for e, (p, s, d) in ENGINES.items() if e != "google"]
    google_domains = sorted({v[0][0] for v in domains.values()})
    variants += [tuple(x.format(g=g) for x in ENGINES["google"]) for g in google_domains]
    first_google = len(ENGINES) - 1
    google = np.array(
        [
            first_google + google_domains.index(domains[cc][0][0])
            if cc in domains
            else first_google + google_domains.index("google.com")
            for cc in countries
        ]
    )
    others = [e for e in ENGINES if e != "google"]
    groups = []
    for text in ENGINE_MIX.values():
        weights = dict(_mix(text))
        # the Google slot stands for every Google domain: resolved per country afterwards
        groups.append(
            [(e, weights.get(e, 0.0)) for e in others] + [("google", weights.get("google", 0))]
        )
    variants.append(("https://www.google.com/", "", "google.com"))  # no query ("not provided")
    return google, variants, groups


def _netloc(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).netloc
    return host[4:] if host.startswith("www.") else host


def referrer_dictionaries(acq: Acquisition) -> dict[str, pa.Array]:
    """Every referrer URL, domain and search term a session can have (rows: see search_draw)."""
    enc = acq.term_columns["encoded"].to_pylist()
    prefix, suffix, domain = (
        acq.variant_columns[k].to_pylist() for k in ("prefix", "suffix", "domain")
    )
    combos = [p + t + s for p, s in zip(prefix, suffix, strict=True) for t in enc]
    return {
        "referrer_url": pa.array([c.url for c in acq.channels] + combos + [None], pa.string()),
        "referrer_domain": pa.array(
            [_netloc(c.url) for c in acq.channels] + domain + [None], pa.string()
        ),
        "referrer_type": pa.array([c.type for c in acq.channels] + [None], pa.string()),
        "search_term": acq.term_columns["text"],
    }


@lru_cache(maxsize=64)
def month_dictionaries(acq: Acquisition, pages: Pages, ym: str) -> dict[str, pa.Array]:
    """Campaign names and entry URLs (with utm parameters) of month ``ym``.

    entry_url rows: the page URLs first, then one block of ``n_pages`` per utm-tagged channel.
    """
    names = [c.campaign.format(ym=ym) if c.campaign else None for c in acq.channels]
    plain, n_pages = pages.url.to_pylist(), pages.n_pages
    tagged = []
    for c, name in zip(acq.channels, names, strict=True):
        if c.source and name:
            source, medium = c.source.split("/")
            query = f"?utm_source={source}&utm_medium={medium}&utm_campaign={name}"
            tagged += [u + query for u in plain[:n_pages]]
    return {
        "campaign": pa.array([*names, None], pa.string()),
        "entry_url": pa.array(plain + tagged, pa.string()),
    }


def utm_blocks(acq: Acquisition) -> np.ndarray:
    """Per flat channel: its block among the utm-tagged entry URLs (-1: untagged)."""
    tagged = np.array([bool(c.source and c.campaign) for c in acq.channels] or [False])
    return np.where(tagged, np.cumsum(tagged) - 1, -1)


def search_draw(
    acq: Acquisition, site_pos: np.ndarray, country: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Search visits: referrer, domain and search-term rows (of referrer_dictionaries), page."""
    term = acq.terms.draw(site_pos, u[:, 0])
    engine = acq.engines.draw(acq.engine_group[country], u[:, 1])
    google = engine == acq.engines.sizes[0] - 1
    variant = np.where(google, acq.google[country], engine)
    bare = google & (u[:, 2] < NOT_PROVIDED)
    variant = np.where(bare, len(acq.variant_columns["prefix"]) - 1, variant)
    n_terms = len(acq.term_columns["text"])  # the last is the empty query
    shown = np.where(bare, n_terms - 1, term)
    channels = len(acq.channels)
    return channels + variant * n_terms + shown, channels + variant, shown, acq.term_landing[term]
