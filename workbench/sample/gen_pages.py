"""What web visitors do: how many actions, which pages and links, and when."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus

import numpy as np
import pyarrow as pa

from workbench.model import EVENT_TYPES
from workbench.sample.catalog import CATALOGS, SiteCatalog
from workbench.sample.gen_arrays import Stacked, group_starts
from workbench.sample.gen_profiles import SiteProfile

KINDS = ("pageview", "download", "outbound", "click", "search")  # web action kinds, in T blocks
TYPE_CODE = {k: EVENT_TYPES.index(k) for k in KINDS}
MAX_ACTIONS = 200


@dataclass(frozen=True, eq=False)
class Pages:
    """Every web site's targets in one table T (pages, downloads, outbound, clicks, searches)."""

    url: pa.Array  # per target, trailing null
    title: pa.Array
    term: pa.Array  # internal search query of search targets, else null
    picks: dict[str, Stacked]  # kind -> group site -> flat index into T
    entries: Stacked  # group site -> entry page (flat index into T)
    index: dict[tuple[int, str], int]  # (site position, path) -> page index in T
    actions: Stacked  # group site -> kind position in KINDS
    bounce: np.ndarray  # per site position
    n_pages: int
    page_base: np.ndarray  # per site position: index of its first page (at most 64 pages each)


def build_pages(profiles: tuple[SiteProfile, ...]) -> Pages:
    """Compile the catalogues of the web sites among ``profiles`` (apps get empty groups)."""
    cats = [CATALOGS.get(p.site_id) for p in profiles]
    rows: list[tuple[str | None, str | None, str | None]] = []
    picks, weights, index = {}, {k: [] for k in KINDS}, {}
    entries: list[list[float]] = []
    for kind in KINDS:
        for pos, cat in enumerate(cats):
            items = _items(cat, kind)
            pad = [0.0] * len(rows)
            if kind == "pageview":
                entries.append(pad + [e for *_, e in items])
                for i, (path, *_rest) in enumerate(cat.pages if cat else ()):
                    index[(pos, path)] = len(rows) + i
            weights[kind].append(pad + [w for _, _, _, w, _ in items])
            rows.extend((u, t, q) for u, t, q, _, _ in items)
    for kind in KINDS:
        picks[kind] = Stacked([_fill(w, len(rows)) for w in weights[kind]])
    n_pages = sum(len(c.pages) for c in cats if c)
    sizes = [len(c.pages) if c else 0 for c in cats]
    if max(sizes, default=0) > 64:
        raise ValueError("a site catalogue has more than 64 pages (distinct_urls uses bit sets)")
    return Pages(
        url=pa.array([r[0] for r in rows] + [None], pa.string()),
        title=pa.array([r[1] for r in rows] + [None], pa.string()),
        term=pa.array([r[2] for r in rows] + [None], pa.string()),
        picks=picks,
        entries=Stacked([_fill(w, len(rows)) for w in entries]),
        index=index,
        actions=Stacked([[p.actions.get(k, 0.0) for k in KINDS] or [1.0] for p in profiles]),
        bounce=np.array([p.bounce for p in profiles]),
        n_pages=n_pages,
        page_base=np.cumsum([0, *sizes])[:-1],
    )


def _fill(w: list[float], n: int) -> list[float]:
    w = w + [0.0] * (n - len(w))
    return w if any(w) else [1.0] + [0.0] * (n - 1) if n else [1.0]


def _items(cat: SiteCatalog | None, kind: str) -> list[tuple]:
    """(url, title, query, weight, entry weight) of one kind of target of one site."""
    if cat is None:
        return []
    if kind == "pageview":
        return [(cat.base + p, cat.title(t), None, w, e) for p, t, w, e in cat.pages]
    if kind == "download":
        return [(cat.base + p, t, None, 1.0, 0) for p, t in cat.downloads]
    if kind == "outbound":
        return [(u, t, None, 1.0, 0) for u, t in cat.outbound]
    if kind == "click":
        return [(None, t, None, 1.0, 0) for t in cat.clicks]
    return [
        (cat.base + cat.search_path + quote_plus(q), f"Search: {q}", q, 1.0, 0)
        for q in cat.searches
    ]


def web_counts(
    pg: Pages,
    site: np.ndarray,
    returning: np.ndarray,
    bot: np.ndarray,
    u: np.ndarray,
    z: np.ndarray,
) -> np.ndarray:
    """Actions per web session: heavy-tailed, many bounces; crawlers read many pages.

    ``bot`` is 0 for people, 1 crawler, 2 headless browser, 3 one hit of zero seconds;
    ``u`` holds two uniforms and ``z`` two standard normals per session.
    """
    deep = 2 + np.floor(np.exp(0.6 + 0.9 * z[:, 0])).astype(np.int64)
    bounce = pg.bounce[site] * np.where(returning, 0.8, 1.0)
    a = np.where(u[:, 0] < bounce, 1, deep)
    crawl = 1 + np.floor(np.exp(1.0 + 1.0 * z[:, 1])).astype(np.int64)
    a = np.where(bot == 1, crawl, np.where(bot == 2, 1 + (u[:, 1] * 4).astype(np.int64), a))
    return np.minimum(np.where(bot == 3, 1, a), MAX_ACTIONS)


@dataclass(frozen=True)
class WebEvents:
    """Web events (grouped by session, in sequence) and what they add up to per session."""

    type: np.ndarray  # EVENT_TYPES code
    seq: np.ndarray
    ts: np.ndarray
    url: np.ndarray  # index into Pages.url
    target: np.ndarray  # index into Pages.title / Pages.term
    pageview: np.ndarray  # bool
    pageviews: np.ndarray  # per session
    end_ms: np.ndarray  # per session
    exit_page: np.ndarray  # per session
    distinct: np.ndarray  # per session


def web_events(
    pg: Pages,
    site: np.ndarray,
    bot: np.ndarray,
    start_ms: np.ndarray,
    entry: np.ndarray,
    a: np.ndarray,
    u: np.ndarray,
) -> WebEvents:
    """Events of web sessions (per-session arrays, ``a`` actions each; ``u`` a row per event)."""
    sess = np.repeat(np.arange(len(a)), a)
    first = np.r_[0, np.cumsum(a)[:-1]].astype(np.int64) if len(a) else np.zeros(0, np.int64)
    seq = np.arange(len(sess)) - first[sess] + 1
    esite, ebot = site[sess], bot[sess]
    kind = np.where((seq == 1) | (ebot > 0), 0, pg.actions.draw(esite, u[:, 0]))
    target = np.zeros(len(sess), dtype=np.int64)
    for k, name in enumerate(KINDS):
        on = kind == k
        target[on] = pg.picks[name].draw(esite[on], u[on, 1])
    target = np.where(seq == 1, entry[sess], target)
    is_pv = kind == 0
    last_pv = np.maximum.accumulate(np.where(is_pv, np.arange(len(sess)), 0)) if len(sess) else sess
    ts = _timestamps(start_ms, sess, seq, kind, ebot, u)
    pv_index = np.where(is_pv, np.arange(len(sess)), -1)
    exit_event = np.maximum.reduceat(pv_index, first) if len(a) else first
    return WebEvents(
        type=np.array([TYPE_CODE[k] for k in KINDS])[kind],
        seq=seq,
        ts=ts,
        url=np.where(kind == 3, target[last_pv], target),
        target=target,
        pageview=is_pv,
        pageviews=np.bincount(sess, weights=is_pv, minlength=len(a)).astype(np.int64),
        end_ms=ts[first + a - 1] if len(a) else start_ms,
        exit_page=target[exit_event] if len(a) else first,
        distinct=_distinct(sess[is_pv], target[is_pv] - pg.page_base[esite[is_pv]]),
    )


def _timestamps(start_ms, sess, seq, kind, ebot, u) -> np.ndarray:
    """Event times: reading time between pageviews, quick clicks, machine-fast bots."""
    normal = np.sqrt(-2.0 * np.log1p(-u[:, 2])) * np.cos(2.0 * np.pi * u[:, 3])
    reading = np.exp(np.where(kind == 0, 3.69, 2.48) + np.where(kind == 0, 1.0, 0.8) * normal)
    gap = np.clip(reading, 2.0, 1800.0) * 1000.0
    gap = np.where(ebot > 0, 200.0 + u[:, 4] * 2800.0, gap).astype(np.int64)
    gap[seq == 1] = 0
    total = np.cumsum(gap)
    return start_ms[sess] + total - total[group_starts(sess)]


def _distinct(sess: np.ndarray, page: np.ndarray) -> np.ndarray:
    """Distinct pages per session (every session has a pageview; pages numbered < 64 per site)."""
    if not len(sess):
        return np.zeros(0, np.int64)
    bits = np.left_shift(np.uint64(1), page.astype(np.uint64))
    starts = np.flatnonzero(np.r_[True, sess[1:] != sess[:-1]])
    return np.bitwise_count(np.bitwise_or.reduceat(bits, starts)).astype(np.int64)
