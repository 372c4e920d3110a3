"""A batch of days' sessions before their content: site, visitor, place, start, bots, order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from workbench.sample.gen_arrays import group_starts, rank_in_group
from workbench.sample.gen_plan import DAY_MS, in_windows
from workbench.sample.gen_visitors import BOT_BASE, RECENT_DAYS, VisitorPool
from workbench.sample.gen_world import World

BOT_KINDS = np.cumsum([0.55, 0.20, 0.25])  # crawler, headless browser, one hit of zero seconds
EPOCH = dt.date(1970, 1, 1).toordinal()
CORE_U = 16  # uniforms per drawn session; columns named in U below
U = dict(
    spike=0,
    bot=1,
    bot_kind=2,
    returning=3,
    pick=4,
    recent=5,
    country=6,
    origin=7,
    city=8,
    hour=9,
    minute=10,
    bounce=11,
    short=12,
    rest=13,
    events=14,
    tail=15,
)


@dataclass(frozen=True)
class Draws:
    """A batch's random numbers, one row per drawn session (day by day, site by site)."""

    days: tuple[dt.date, ...]
    counts: np.ndarray  # (days, sites)
    day: np.ndarray
    site: np.ndarray
    u: np.ndarray  # (CORE_U, rows): one row of uniforms per use, see U
    z: np.ndarray  # (3, rows) standard normals
    us: np.ndarray  # (rows, session uniforms for arrivals)
    rngs: tuple[np.random.Generator, ...]  # each day's stream, for its events later


def draw(days: list[dt.date], counts: np.ndarray, seed: int, session_u: int) -> Draws:
    """Each day's numbers from its own ``default_rng([seed, day ordinal])``."""
    rngs = tuple(np.random.default_rng([seed, d.toordinal()]) for d in days)
    n = counts.sum(axis=1)
    f32 = np.float32  # plenty for draws, and half the memory traffic
    parts = [
        (r.random((CORE_U, k), f32), r.standard_normal((3, k), f32), r.random((k, session_u), f32))
        for r, k in zip(rngs, n.tolist(), strict=True)
    ]
    sites = np.tile(np.arange(counts.shape[1]), len(days))
    return Draws(
        days=tuple(days),
        counts=counts,
        day=np.repeat(np.arange(len(days)), n),
        site=np.repeat(sites, counts.ravel()),
        u=np.concatenate([p[0] for p in parts], axis=1),
        z=np.concatenate([p[1] for p in parts], axis=1),
        us=np.concatenate([p[2] for p in parts]),
        rngs=rngs,
    )


@dataclass(frozen=True)
class Draft:
    """A batch's sessions in start order (arrays of one row per session)."""

    day: np.ndarray  # index into the batch's days
    site: np.ndarray  # site position
    start_ms: np.ndarray
    bot: np.ndarray  # 0 human, 1 crawler, 2 headless, 3 one hit
    crawler: np.ndarray  # crawler index (meaningful where bot == 1)
    returning: np.ndarray  # a visitor seen on an earlier day
    spiked: np.ndarray  # one of a spike's extra visits
    visitor: np.ndarray  # number in the site's pool (automated visitors from BOT_BASE)
    key: np.ndarray  # the visitor's 64-bit key
    city: np.ndarray
    serial: np.ndarray  # the site's running session number
    visit: np.ndarray  # visit_number
    first_ms: np.ndarray
    first_serial: np.ndarray
    source: np.ndarray  # the row of Draws each session comes from
    by_visitor: np.ndarray  # rows grouped by (site, visitor), in start order within a group


def _flags(w: World, dr: Draws, factors: np.ndarray) -> tuple[np.ndarray, ...]:
    """Spike visits, bots and their kind, and the crawler each crawler session uses."""
    u, site, f = dr.u, dr.site, factors[dr.day, dr.site]
    spiked = (w.spike_channels_table(factors)[dr.day, site] >= 0) & (u[U["spike"]] < 1 - 1 / f)
    is_bot = (u[U["bot"]] < w.bots[site]) & ~spiked
    bot = np.zeros(len(site), np.int64)
    bots = np.flatnonzero(is_bot)
    bot[bots] = 1 + np.minimum(np.searchsorted(BOT_KINDS, u[U["bot_kind"], bots], side="right"), 2)
    return spiked, bot, w.agents.crawlers.draw(0, u[U["origin"]])


def _new_city(w: World, dr: Draws, bot: np.ndarray, crawler: np.ndarray) -> np.ndarray:
    """City of a new visitor: by audience; crawlers from home, other bots from data centres."""
    u = dr.u
    country = w.audiences.draw(dr.site, u[U["country"]])
    country = np.where(bot == 1, w.crawler_country[crawler], country)
    country = np.where(bot >= 2, w.datacenters.draw(0, u[U["origin"]]), country)
    return w.geo.in_country.flat(country, u[U["city"]])


def _start(
    w: World, dr: Draws, rows: np.ndarray, city: np.ndarray, bot: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Start instants: the site's hourly rhythm in the visitor's local time; bots all day."""
    minute, day = dr.u[U["minute"], rows], dr.day[rows]
    hour = w.hourly.draw(dr.site[rows], dr.u[U["hour"], rows])
    local = (hour + minute) * 3600.0
    utc = np.mod(local - offsets[w.geo.city_zone[city], day], 86400.0)
    utc = np.where(bot > 0, minute * 86400.0, utc)
    ordinals = np.array([d.toordinal() - EPOCH for d in dr.days])
    return ordinals[day] * DAY_MS + np.floor(utc * 1000.0).astype(np.int64)


def _skipped(site: np.ndarray, start_ms: np.ndarray, windows: tuple[np.ndarray, ...]) -> np.ndarray:
    out = np.zeros(len(site), bool)
    for s, win in enumerate(windows):
        if len(win):
            out |= (site == s) & in_windows(start_ms, win)
    return out


def _returning(
    w: World, pools: list[VisitorPool], dr: Draws, can_return: np.ndarray, new_kept: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day by day: who returns (the pool fills up over time), and each day's pool sizes."""
    ret = np.zeros(len(dr.site), bool)
    sizes, recent = np.zeros(dr.counts.shape, np.int64), np.zeros(dr.counts.shape, np.int64)
    bounds = np.r_[0, np.cumsum(dr.counts.ravel())]
    planned = [p.size for p in pools]
    draws = dr.u[U["returning"]]
    for d in range(len(dr.days)):
        for s, pool in enumerate(pools):
            lo, hi = bounds[d * len(pools) + s], bounds[d * len(pools) + s + 1]
            pool.day_sizes.append(planned[s])
            sizes[d, s] = planned[s]
            recent[d, s] = pool.day_sizes[-RECENT_DAYS] if len(pool.day_sizes) >= RECENT_DAYS else 0
            share = w.returning[s] * pool.saturation(int(hi - lo))
            ret[lo:hi] = can_return[lo:hi] & (draws[lo:hi] < share)
            k = int(np.count_nonzero(new_kept[lo:hi] & ~ret[lo:hi]))
            pool.eligible += pool.loyal_between(planned[s], planned[s] + k)
            planned[s] += k
    return ret, sizes, recent


def draft(
    w: World,
    pools: list[VisitorPool],
    dr: Draws,
    factors: np.ndarray,
    windows: tuple[np.ndarray, ...],
    offsets: np.ndarray,
) -> Draft:
    """The batch's sessions: flags, returning people, places, starts; skips dropped, sorted."""
    spiked, bot, crawler = _flags(w, dr, factors)
    city = _new_city(w, dr, bot, crawler)
    start = _start(w, dr, np.arange(len(dr.site)), city, bot, offsets)
    kept = ~_skipped(dr.site, start, windows)
    ret, sizes, recent = _returning(w, pools, dr, (bot == 0) & ~spiked, kept & (bot == 0))
    visitor = _visitors(pools, dr, ret, bot, kept, start, city, sizes, recent)
    back = np.flatnonzero(ret)
    start[back] = _start(w, dr, back, city[back], bot[back], offsets)
    kept[back] = ~_skipped(dr.site[back], start[back], windows)
    rows = np.flatnonzero(kept)
    order = rows[np.argsort(start[rows], kind="stable")]
    columns = {"day": dr.day, "site": dr.site, "start_ms": start, "bot": bot, "crawler": crawler,
               "returning": ret, "spiked": spiked, "visitor": visitor, "city": city}  # fmt: skip
    return _number(pools, columns, order)


def _visitors(pools: list[VisitorPool], dr: Draws, ret: np.ndarray, bot: np.ndarray,
              kept: np.ndarray, start: np.ndarray, city: np.ndarray, sizes: np.ndarray,
              recent: np.ndarray) -> np.ndarray:  # fmt: skip
    """Number new people and machines in start order, and pick the returning people (their
    ``city`` is updated to their own)."""
    visitor = np.full(len(dr.site), -1, np.int64)
    for s, pool in enumerate(pools):
        people = np.flatnonzero(~ret & (bot == 0) & kept & (dr.site == s))
        people = people[np.argsort(start[people], kind="stable")]
        visitor[people] = pool.admit(start[people], city[people])
        machines = np.flatnonzero((bot > 0) & kept & (dr.site == s))
        machines = machines[np.argsort(start[machines], kind="stable")]
        visitor[machines] = BOT_BASE + pool.bots + np.arange(len(machines))
        pool.bots += len(machines)
        back = np.flatnonzero(ret & (dr.site == s))
        u = dr.u[[U["pick"], U["recent"]]][:, back].T
        picked = pool.pick(u, sizes[dr.day[back], s], recent[dr.day[back], s])
        visitor[back], city[back] = picked, pool.city[picked]
    return visitor


def _number(pools: list[VisitorPool], r: dict[str, np.ndarray], order: np.ndarray) -> Draft:
    """Session serials, visit numbers and first-visit facts, rows in start order."""
    r = {k: v[order] for k, v in r.items()}
    n, site, visitor = len(order), r["site"], r["visitor"]
    serial, key = np.zeros(n, np.int64), np.zeros(n, np.uint64)
    visit, first_ms, first_serial = (
        np.ones(n, np.int64),
        r["start_ms"].copy(),
        np.zeros(n, np.int64),
    )
    group = site * (1 << 40) + visitor
    by_visitor = np.argsort(group, kind="stable")
    earlier = np.empty(n, np.int64)
    earlier[by_visitor] = rank_in_group(group[by_visitor])
    for s, pool in enumerate(pools):
        rows = np.flatnonzero(site == s)
        serial[rows] = pool.sessions + np.arange(len(rows))
        pool.sessions += len(rows)
        first_serial[rows] = serial[rows]
        key[rows] = pool.keys(visitor[rows])
        people = rows[visitor[rows] < BOT_BASE]
        new = people[~r["returning"][people] & (earlier[people] == 0)]
        pool.set("first_serial", visitor[new], serial[new])
        v = visitor[people]
        visit[people] = pool.visits[v] + earlier[people] + 1
        first_ms[people], first_serial[people] = pool.first_ms[v], pool.first_serial[v]
        pool.add("visits", v, 1)
    return Draft(
        **r,
        key=key,
        serial=serial,
        visit=visit,
        first_ms=first_ms,
        first_serial=first_serial,
        source=order,
        by_visitor=by_visitor,
    )


def visitor_pageviews(d: Draft, pools: list[VisitorPool], pageviews: np.ndarray) -> np.ndarray:
    """Each visitor's pageviews over all visits up to this one; adds the batch's to the pools."""
    group = d.site * (1 << 40) + d.visitor
    order = d.by_visitor
    running = np.cumsum(pageviews[order])
    before = running - pageviews[order]
    out = np.empty(len(order), np.int64)
    out[order] = running - before[group_starts(group[order])]
    for s, pool in enumerate(pools):
        rows = np.flatnonzero((d.site == s) & (d.visitor < BOT_BASE))
        out[rows] += pool.pageviews.get(d.visitor[rows])
        pool.pageviews.add(d.visitor[rows], pageviews[rows])
    return out
