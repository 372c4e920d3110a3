"""Consecutive days worked out together: their sessions, arrivals, events and running totals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from workbench.sample.gen_acquisition import search_draw
from workbench.sample.gen_app_events import AppEvents, app_counts, app_events
from workbench.sample.gen_devices import tech_rows
from workbench.sample.gen_pages import WebEvents, web_counts, web_events
from workbench.sample.gen_sessions import Draft, U, draft, draw, visitor_pageviews
from workbench.sample.gen_visitors import VisitorPool
from workbench.sample.gen_world import World

# uniforms per session: channel, search term, engine, bare query, entry page, chat (web) or
# the time after the last event (app); per event: kind, target, two for gaps, one more
SESSION_U, EVENT_U = 6, 5


@dataclass(frozen=True)
class Batch:
    """Days' sessions end to end in start order, with their counts and random numbers."""

    days: tuple[dt.date, ...]
    per_day: np.ndarray  # sessions of each day
    d: Draft
    actions: np.ndarray  # per session
    duration: np.ndarray  # per app session, seconds (0 on the web)
    spike_channel: np.ndarray  # per session: the channel of its day's spike (-1: none)
    us: np.ndarray  # (sessions, SESSION_U)
    ue: np.ndarray  # (events, EVENT_U), events in session order


def make_batch(
    w: World,
    pools: list[VisitorPool],
    days: list[dt.date],
    counts: np.ndarray,
    factors: np.ndarray,
    windows,
    offsets: np.ndarray,
    seed: int,
) -> Batch:
    """Draw and draft ``days`` (in order, after the days before them)."""
    dr = draw(days, counts, seed, SESSION_U)
    d = draft(w, pools, dr, factors, windows, offsets)
    app = w.is_app[d.site]
    actions, duration = np.zeros(len(d.site), np.int64), np.zeros(len(d.site), np.int64)
    web, rows = ~app, d.source
    web_u = dr.u[[U["bounce"], U["short"]]][:, rows[web]].T
    actions[web] = web_counts(
        w.pages, d.site[web], d.returning[web], d.bot[web], web_u, dr.z[:2, rows[web]].T
    )
    app_u = dr.u[[U["short"], U["rest"], U["events"]]][:, rows[app]].T
    duration[app], actions[app] = app_counts(app_u, dr.z[2:, rows[app]].T)
    events = np.bincount(d.day, weights=actions, minlength=len(days)).astype(np.int64)
    return Batch(
        days=tuple(days),
        per_day=np.bincount(d.day, minlength=len(days)),
        d=d,
        actions=actions,
        duration=duration,
        spike_channel=w.spike_channels_table(factors)[d.day, d.site],
        us=dr.us[d.source],
        ue=np.concatenate(
            [r.random((int(k), EVENT_U), np.float32) for r, k in zip(dr.rngs, events, strict=True)]
        ),
    )


@dataclass(frozen=True)
class Worked:
    """A batch's arrivals and activity, per session and per event."""

    web: np.ndarray  # session rows on the web
    app: np.ndarray  # session rows in the app
    channel: np.ndarray  # per web row
    entry: np.ndarray  # per web row: entry page
    ref_row: np.ndarray  # per web row: row of referrer_dictionaries' referrer_url
    dom_row: np.ndarray
    term_row: np.ndarray
    we: WebEvents
    ae: AppEvents
    pageviews: np.ndarray  # per session
    visitor_pageviews: np.ndarray
    tech: dict[str, np.ndarray]  # see gen_devices.tech_rows


def arrivals(w: World, b: Batch, web: np.ndarray) -> tuple[np.ndarray, ...]:
    """Channel, referrer rows and entry page of the web sessions."""
    d, u = b.d, b.us[web]
    site = d.site[web]
    channel = w.acq.picks.draw(site * 2 + d.returning[web], u[:, 0])
    channel = np.where(d.spiked[web], b.spike_channel[web], channel)
    channel = np.where(d.bot[web] > 0, w.direct[site], channel)
    searching = np.flatnonzero(w.acq.search[channel])
    country = w.geo.city_country[d.city[web[searching]]]
    ref, dom, term, landing_s = search_draw(w.acq, site[searching], country, u[searching, 1:4])
    ref_row, dom_row = channel.copy(), channel.copy()
    term_row = np.full(len(web), len(w.acq.term_columns["text"]) - 1)
    ref_row[searching], dom_row[searching], term_row[searching] = ref, dom, term
    landing = w.acq.landing[channel]
    landing[searching] = landing_s
    entry = np.where(landing >= 0, landing, w.pages.entries.draw(site, u[:, 4]))
    return channel, entry, ref_row, dom_row, term_row


def work(w: World, pools: list[VisitorPool], b: Batch) -> Worked:
    """Arrivals, events and running pageviews of a batch (call batches in day order)."""
    d, is_app = b.d, w.is_app[b.d.site]
    web, app = np.flatnonzero(~is_app), np.flatnonzero(is_app)
    channel, entry, ref_row, dom_row, term_row = arrivals(w, b, web)
    ev_app = np.repeat(is_app, b.actions)
    we = web_events(
        w.pages, d.site[web], d.bot[web], d.start_ms[web], entry, b.actions[web], b.ue[~ev_app]
    )
    tail = b.us[app, 5]
    ae = app_events(
        d.start_ms[app], b.duration[app], d.visit[app], b.actions[app], tail, b.ue[ev_app]
    )
    pageviews = np.zeros(len(d.site), np.int64)
    pageviews[web], pageviews[app] = we.pageviews, ae.pageviews
    return Worked(
        web=web,
        app=app,
        channel=channel,
        entry=entry,
        ref_row=ref_row,
        dom_row=dom_row,
        term_row=term_row,
        we=we,
        ae=ae,
        pageviews=pageviews,
        visitor_pageviews=visitor_pageviews(d, pools, pageviews),
        tech=tech_rows(w, b.days, d, web, app),
    )
