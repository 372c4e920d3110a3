"""Turn a worked batch's web actions and app events into the canonical events table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.model import EVENT_TYPES
from workbench.sample.gen_app_events import KEYS, EventRows, segmentation
from workbench.sample.gen_arrays import hex_strings, mix64, strings, take
from workbench.sample.gen_batch import Batch, Worked
from workbench.sample.gen_columns import timestamps, titles
from workbench.sample.gen_profiles import SITE_NUMBERS
from workbench.sample.gen_world import World

TYPES = strings(EVENT_TYPES)
EVENT_KEYS = pa.concat_arrays([KEYS, pa.nulls(1, pa.string())])


def _order(day: np.ndarray, ts: np.ndarray, row: np.ndarray, session_id: pa.Array) -> np.ndarray:
    """Order by (day, ts, session_id, seq): a stable sort on (day, ts) of two nearly sorted runs,
    then events at the very same millisecond put in session_id order (a session's own events
    never share one)."""
    key = day * (1 << 42) + (ts - (ts.min() if len(ts) else 0))
    order = np.argsort(key, kind="stable")
    k = key[order]
    dup = np.flatnonzero(k[1:] == k[:-1])
    if len(dup):
        tied = np.unique(np.r_[dup, dup + 1])
        run = np.cumsum(np.r_[True, k[tied][1:] != k[tied][:-1]])
        ids = take(session_id, row[order[tied]])
        rank = np.empty(len(tied), np.int64)
        rank[pc.sort_indices(ids).to_numpy()] = np.arange(len(tied))
        order[tied] = order[tied][np.lexsort((rank, run))]
    return order


def _rows(w: World, b: Batch, k: Worked, s: dict) -> tuple[dict[str, np.ndarray], EventRows]:
    """Per event in table order: its session row and rows into the columns' dictionaries; and
    the app events apart (for their segmentation)."""
    we, ae = k.we, k.ae
    row = np.concatenate([np.repeat(k.web, b.actions[k.web]), np.repeat(k.app, b.actions[k.app])])
    order = _order(b.d.day[row], np.concatenate([we.ts, ae.ts]), row, s["session_id"])
    n_web, n = len(we.ts), len(order)
    at = np.flatnonzero(order >= n_web)  # the app events' places in the table
    ai = order[at] - n_web
    row = row[order]

    def both(web_values, app_values) -> np.ndarray:
        web_part = np.broadcast_to(web_values, n_web)
        return np.concatenate([web_part, np.broadcast_to(app_values, n - n_web)])[order]

    e = {
        "row": row,
        "seq": both(we.seq, ae.seq),
        "ts": both(we.ts, ae.ts),
        "type": both(we.type, ae.type),
        "title": both(we.target, len(w.pages.title) + ae.screen),
        "term": both(we.target, len(w.pages.term) - 1),
        "url": both(we.url, len(w.pages.url) - 1),
        "key": np.full(n, len(KEYS)),
        "count": np.ones(n, np.int64),
        "sum": np.full(n, np.nan),
        "dur": np.full(n, np.nan),
    }
    for name, values in (("key", ae.kind), ("count", ae.count), ("sum", ae.sum), ("dur", ae.dur)):
        e[name][at] = values[ai]
    first = np.flatnonzero((e["seq"] == 1) & (order < n_web))  # web visits' first pageviews
    e["url"][first] = len(w.pages.url) + s["_entry_row"][row[first]]
    e["ref"] = np.full(n, len(s["_refs"]["referrer_url"]) - 1)
    e["ref"][first] = s["_ref_row"][row[first]]
    app = EventRows(ae.kind[ai], ae.seq[ai], ae.screen[ai], ae.level[ai], ae.ts[ai], row[at], at)
    return e, app


def event_ids(w: World, b: Batch, row: np.ndarray, seq: np.ndarray) -> pa.Array:
    """Unique 16-hex-digit ids: a bijective scramble of (site number, session serial, seq)."""
    number = np.array([SITE_NUMBERS.index(p.site_id) for p in w.profiles], np.uint64)[b.d.site[row]]
    raw = (number << np.uint64(56)) | (b.d.serial[row].astype(np.uint64) << np.uint64(8))
    return hex_strings(mix64(raw | seq.astype(np.uint64)))


def event_columns(w: World, b: Batch, k: Worked, s: dict) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Event columns sorted by (day, ts, session_id, seq), and the number of events per day."""
    e, app = _rows(w, b, k, s)
    names = (w.geo.countries_named, w.app.versions)
    tech = k.tech
    columns = {
        "site_id": take(w.site_ids, b.d.site[e["row"]]),
        "session_id": take(s["session_id"], e["row"]),
        "visitor_id": take(s["visitor_id"], e["row"]),
        "event_id": event_ids(w, b, e["row"], e["seq"]),
        "ts": timestamps(e["ts"]),
        "seq": pa.array(e["seq"]),
        "type": take(TYPES, e["type"]),
        "url": take(pa.concat_arrays([w.pages.url, s["_month"]["entry_url"]]), e["url"]),
        "title": take(titles(w), e["title"]),
        "referrer_url": take(s["_refs"]["referrer_url"], e["ref"]),
        "search_term": take(w.pages.term, e["term"]),
        "key": take(EVENT_KEYS, e["key"]),
        "count": pa.array(e["count"]),
        "sum": pa.array(e["sum"], from_pandas=True),
        "duration_s": pa.array(e["dur"], from_pandas=True),
        "segmentation": segmentation(
            app, len(e["row"]), tech["_android"], tech["_release"], tech["_country"], names
        ),
    }
    return columns, np.bincount(b.d.day[e["row"]], minlength=len(b.days))
