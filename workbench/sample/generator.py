"""The seeded generator of the sample's bulk traffic: one (sessions, events) pair per UTC day."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyarrow as pa

from workbench.errors import WorkbenchError, invalid
from workbench.model import conform
from workbench.sample import gen_columns as cols
from workbench.sample.gen_arrays import take
from workbench.sample.gen_batch import Batch, Worked, make_batch, work
from workbench.sample.gen_events import event_columns
from workbench.sample.gen_geography import zone_offsets
from workbench.sample.gen_plan import plan
from workbench.sample.gen_profiles import PROFILES, SITE_NUMBERS
from workbench.sample.gen_visitors import VisitorPool
from workbench.sample.gen_world import World, world

DEFAULT_SEED = 20241119


def generate(
    *,
    start: dt.date,
    end: dt.date,
    seed: int = DEFAULT_SEED,
    sessions: int | None = None,
    sites: Sequence[str] | None = None,
    skip: Mapping[str, set[dt.date]] | None = None,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Sessions and events of each UTC day in ``[start, end)``, in day order.

    ``sessions=None`` gives the sample's natural volume (about 3,300 sessions a day over the
    four sites); a number scales every day so that the total is that number (within 1%).
    ``sites`` picks some of the sample sites; ``skip[site]`` lists local dates (in the site's
    zone) on which nothing is generated for it. The same arguments give identical tables.

    Each day draws from ``numpy.random.default_rng([seed, day ordinal])``; visitors carry
    over from day to day (a pool per site), so visit numbers, first visits and running
    pageviews are true totals over the generated history. Days are drafted in order on the
    calling thread and their columns built, a few days at a time, by two worker threads;
    the day tables of a batch are slices of one conformed table. Per-site behaviour lives in
    ``gen_profiles``, content in ``catalog``, each kind of column in its own ``gen_*`` module.
    """
    site_ids = _check(start, end, sessions, sites, skip)
    return _days(world(site_ids), start, end, seed % 2**64, sessions, dict(skip or {}))


def _check(start, end, sessions, sites, skip) -> tuple[str, ...]:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise WorkbenchError(
            "invalid_parameter", f"need start <= end as dates; got {start!r}, {end!r}"
        )
    if sessions is not None and (not isinstance(sessions, int) or sessions < 0):
        raise invalid("sessions", sessions, "a non-negative integer or None")
    chosen = tuple(PROFILES) if sites is None else tuple(dict.fromkeys(sites))
    for site in [*chosen, *(skip or {})]:
        if site not in PROFILES:
            raise invalid("sites", site, PROFILES)
    return chosen


def _days(
    w: World,
    start: dt.date,
    end: dt.date,
    seed: int,
    sessions: int | None,
    skip: dict[str, set[dt.date]],
) -> Iterator[tuple[pa.Table, pa.Table]]:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
    if not days:
        return
    offsets = zone_offsets(w.geo.zones, days)
    the_plan = plan(w.profiles, days, seed, sessions, skip, w.densities(offsets[:, 0]))
    pools = [VisitorPool(seed, SITE_NUMBERS.index(p.site_id)) for p in w.profiles]
    salts = [p.salt for p in pools]
    stage = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sample-work")
    with stage, ThreadPoolExecutor(max_workers=2, thread_name_prefix="sample-tables") as ex:
        building: deque[Future] = deque()
        for part in _batches(the_plan.counts.sum(axis=1)):
            b = make_batch(
                w,
                pools,
                days[part],
                the_plan.counts[part],
                the_plan.spikes[part],
                the_plan.windows,
                offsets[:, part],
                seed,
            )
            building.append(stage.submit(_work, ex, w, pools, b, salts))
            if len(building) > IN_FLIGHT:
                yield from _slices(*building.popleft().result())
        while building:
            yield from _slices(*building.popleft().result())


BATCH_SESSIONS = 60_000  # days are worked out together up to this many sessions
IN_FLIGHT = 3  # batches being built while the next is drawn


def _batches(per_day: np.ndarray) -> Iterator[slice]:
    """Runs of consecutive days holding up to BATCH_SESSIONS sessions (at least one day)."""
    first = 0
    while first < len(per_day):
        last = first + 1
        while last < len(per_day) and per_day[first : last + 1].sum() <= BATCH_SESSIONS:
            last += 1
        yield slice(first, last)
        first = last


def _work(
    ex: ThreadPoolExecutor, w: World, pools: list[VisitorPool], b: Batch, salts: list[int]
) -> tuple:
    """Work a batch out (batches in order: it adds up pageviews), then start its two tables;
    ids first, as both tables use them."""
    k = work(w, pools, b)
    ids = ex.submit(cols.id_columns, w, b, salts)
    acq = cols.acquisition_rows(w, b, k)
    sessions = ex.submit(_sessions, w, b, k, acq, ids)
    events = ex.submit(_events, w, b, k, acq, ids)
    return sessions, events, b.per_day


def _sessions(w: World, b: Batch, k: Worked, acq: dict, ids: Future) -> pa.Table:
    s = {
        "site_id": take(w.site_ids, b.d.site),
        **cols.activity_columns(b, k),
        **cols.acquisition_columns(w, b, k, acq),
        **cols.geo_columns(w, b),
        **cols.technology_columns(w, b, k),
        "properties": cols.properties(w, b),
    }
    return conform("sessions", pa.table(s | ids.result()))


def _events(w: World, b: Batch, k: Worked, acq: dict, ids: Future) -> tuple[pa.Table, np.ndarray]:
    events, per_day = event_columns(w, b, k, acq | ids.result())
    return conform("events", pa.table(events)), per_day


def _slices(
    sessions: Future, events: Future, per_day: np.ndarray
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """The batch's (sessions, events) day by day."""
    s_table, (e_table, events_per_day) = sessions.result(), events.result()
    at_s = at_e = 0
    for n_s, n_e in zip(per_day.tolist(), events_per_day.tolist(), strict=True):
        yield s_table.slice(at_s, n_s), e_table.slice(at_e, n_e)
        at_s, at_e = at_s + n_s, at_e + n_e
