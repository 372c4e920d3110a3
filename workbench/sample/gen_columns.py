"""Turn a worked batch of days into the columns of the canonical sessions table."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

from workbench.model import TIMESTAMP
from workbench.sample.gen_acquisition import month_dictionaries, referrer_dictionaries, utm_blocks
from workbench.sample.gen_app_events import SCREENS
from workbench.sample.gen_arrays import join, place, string_map, take, unit
from workbench.sample.gen_batch import Batch, Worked
from workbench.sample.gen_devices import tech_dictionaries
from workbench.sample.gen_geography import network_columns
from workbench.sample.gen_visitors import ID_STYLES
from workbench.sample.gen_world import World

BOT_REASONS = pa.array(["crawler-ua", "headless", "one-hit-zero-seconds", None])
POSTAL_SHARE = 0.35  # visitors whose postal code the geolocation resolves
FIRST_NAMES = pa.array(
    [
        "anna",
        "mike",
        "sara",
        "john",
        "laura",
        "david",
        "emma",
        "tom",
        "nina",
        "alex",
        "julia",
        "mark",
        "kate",
        "peter",
        "maria",
        "chris",
    ]
)
NAME_ENDINGS = pa.array(["", "82", ".k", "_dev", "2024", ".s", "77", "_web", ".b", "99"])
ROOMS = pa.array(
    [
        "3c0d8a3e-5b7e-11ee-9f2a-0242ac120002",
        "7f1b2c44-5b7e-11ee-9f2a-0242ac120002",
        "a94e6d10-8c3f-11ee-b6a1-0242ac120002",
    ]
)
USERNAME_SHARE = 0.12  # Clicky visitors tagged with a username
ROOM_SHARE = 0.05  # giosg sessions that opened a chat room


def timestamps(ms: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(ms, dtype=np.int64), type=TIMESTAMP)


def _rows(n: int, null: int, *parts: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Row numbers into a dictionary: ``null`` except where a part sets them."""
    out = np.full(n, null, dtype=np.int64)
    for where, values in parts:
        out[where] = values
    return out


@cache
def titles(w: World) -> pa.Array:
    """Page titles then app view names: entry, exit and event titles index into it."""
    return pa.concat_arrays([w.pages.title, pa.array([*SCREENS, None], pa.string())])


def technology_columns(w: World, b: Batch, k: Worked) -> dict[str, pa.Array]:
    """Device, OS, browser, screen, language, carrier and app versions of every session."""
    out = {
        name: take(values, k.tech[name]) for name, (*_, values, _) in tech_dictionaries(w).items()
    }
    out["language"] = take(w.geo.language_tags, k.tech["language"])
    out["javascript"] = place(len(b.d.site), [(k.web, pa.array(b.d.bot[k.web] != 1))], pa.bool_())
    return out


def month_rows(w: World, b: Batch) -> tuple[dict[str, pa.Array], dict[str, np.ndarray]]:
    """The batch's months' campaign and entry-URL dictionaries, and each day's offsets in them."""
    months = sorted({f"{x:%Y-%m}" for x in b.days})
    dicts = [month_dictionaries(w.acq, w.pages, m) for m in months]
    out, offsets = {}, {}
    for name in ("campaign", "entry_url"):
        sizes = np.cumsum([0] + [len(x[name]) for x in dicts])
        out[name] = pa.concat_arrays([x[name] for x in dicts])
        per_month = dict(zip(months, sizes[:-1], strict=True))
        offsets[name] = np.array([per_month[f"{x:%Y-%m}"] for x in b.days])
    return out, offsets


def acquisition_rows(w: World, b: Batch, k: Worked) -> dict:
    """Rows into the referrer and month dictionaries (the events reuse them), and those."""
    n, web, app = len(b.d.site), k.web, k.app
    refs = referrer_dictionaries(w.acq)
    month, offset = month_rows(w, b)
    day = b.d.day[web]
    block = utm_blocks(w.acq)[k.channel]
    entry = np.where(block >= 0, len(w.pages.url) + block * w.pages.n_pages + k.entry, k.entry)
    entry_row = _rows(n, -1, (web, offset["entry_url"][day] + entry))
    entry_row[app] = offset["entry_url"][b.d.day[app]] + len(w.pages.url) - 1
    return {
        "_refs": refs,
        "_month": month,
        "_entry_row": entry_row,
        "_ref_row": _rows(n, len(refs["referrer_url"]) - 1, (web, k.ref_row)),
        "_campaign_row": _rows(
            n, len(month["campaign"]) - 1, (web, offset["campaign"][day] + k.channel)
        ),
    }


def acquisition_columns(w: World, b: Batch, k: Worked, rows: dict) -> dict[str, pa.Array]:
    """Referrer, search term, campaign and entry/exit columns."""
    n, web, app, refs = len(b.d.site), k.web, k.app, rows["_refs"]
    names = titles(w)
    return {
        "referrer_url": take(refs["referrer_url"], rows["_ref_row"]),
        "referrer_domain": take(
            refs["referrer_domain"], _rows(n, len(refs["referrer_domain"]) - 1, (web, k.dom_row))
        ),
        "referrer_type": take(
            refs["referrer_type"], _rows(n, len(refs["referrer_type"]) - 1, (web, k.channel))
        ),
        "search_term": take(
            refs["search_term"], _rows(n, len(refs["search_term"]) - 1, (web, k.term_row))
        ),
        "campaign": take(rows["_month"]["campaign"], rows["_campaign_row"]),
        "entry_url": take(rows["_month"]["entry_url"], rows["_entry_row"]),
        "exit_url": take(w.pages.url, _rows(n, len(w.pages.url) - 1, (web, k.we.exit_page))),
        "entry_title": take(
            names, _rows(n, 0, (web, k.entry), (app, len(w.pages.title) + k.ae.entry_screen))
        ),
        "exit_title": take(
            names, _rows(n, 0, (web, k.we.exit_page), (app, len(w.pages.title) + k.ae.exit_screen))
        ),
    }


def geo_columns(w: World, b: Batch) -> dict[str, pa.Array]:
    """Country, region, city, coordinates, codes and network of every session."""
    geo, d = w.geo, b.d
    out = {name: take(a, d.city) for name, a in geo.columns.items()}
    postal = geo.postal.flat(d.city, unit(d.key, 501))
    known = unit(d.key, 502) < POSTAL_SHARE
    out["postal_code"] = take(geo.postal_codes, np.where(known, postal, len(geo.postal_codes) - 1))
    return out | network_columns(geo, d.city, d.key, d.bot, d.crawler)


def id_columns(w: World, b: Batch, salts: list[int]) -> dict[str, pa.Array]:
    """session_id, visitor_id and first_session_id in each site's vendor style."""
    d, n = b.d, len(b.d.site)
    parts: dict[str, list] = {"session_id": [], "visitor_id": [], "first_session_id": []}
    for s, p in enumerate(w.profiles):
        rows = np.flatnonzero(d.site == s)
        style, salt, key = ID_STYLES[p.ids], salts[s], d.key[rows]
        parts["session_id"].append(
            (rows, style.session(d.start_ms[rows], d.serial[rows], key, salt))
        )
        visitor = style.visitor(d.first_ms[rows], d.visitor[rows], key, salt)
        parts["visitor_id"].append((rows, visitor))
        first = (
            visitor
            if style.first_is_visitor
            else style.session(d.first_ms[rows], d.first_serial[rows], key, salt)
        )
        parts["first_session_id"].append((rows, first))
    return {name: place(n, p, pa.string()) for name, p in parts.items()}


def properties(w: World, b: Batch) -> pa.Array:
    """Custom visitor data: Clicky usernames, giosg chat rooms; null for everyone else."""
    d = b.d
    style = np.array([p.ids for p in w.profiles] + [""])[d.site]
    named = (style == "clicky") & (unit(d.key, 701) < USERNAME_SHARE) & (d.bot == 0)
    chat = (style == "giosg") & (b.us[:, 5] < ROOM_SHARE) & (d.bot == 0)
    has = named | chat
    rows = np.flatnonzero(has)
    key = d.key[rows]
    name = join(
        take(FIRST_NAMES, (unit(key, 702) * len(FIRST_NAMES)).astype(np.int64)),
        take(NAME_ENDINGS, (unit(key, 703) * len(NAME_ENDINGS)).astype(np.int64)),
    )
    room = take(ROOMS, (unit(key, 704) * len(ROOMS)).astype(np.int64))
    is_chat = chat[rows]
    keys = take(pa.array(["username", "rooms"]), is_chat.astype(np.int64))
    values = place(
        len(rows),
        [
            (np.flatnonzero(~is_chat), name.filter(pa.array(~is_chat))),
            (np.flatnonzero(is_chat), room.filter(pa.array(is_chat))),
        ],
        pa.string(),
    )
    return string_map(np.r_[0, np.cumsum(has)], keys, values, has)


def activity_columns(b: Batch, k: Worked) -> dict[str, pa.Array]:
    """Counts, times and durations of every session."""
    d, web, app, n = b.d, k.web, k.app, len(b.d.site)
    end_ms = np.empty(n, np.int64)
    end_ms[web], end_ms[app] = k.we.end_ms, d.start_ms[app] + b.duration[app] * 1000
    end = timestamps(end_ms)
    return {
        "start_ts": timestamps(d.start_ms),
        "end_ts": end,
        "last_seen_ts": end,
        "duration_s": pa.array((end_ms - d.start_ms) // 1000),
        "pageviews": pa.array(k.pageviews),
        "actions": pa.array(b.actions),
        "distinct_urls": place(n, [(web, pa.array(k.we.distinct))], pa.int64()),
        "is_new": pa.array(d.visit == 1),
        "visit_number": pa.array(d.visit),
        "first_visit_ts": timestamps(d.first_ms),
        "visitor_pageviews": pa.array(k.visitor_pageviews),
        "is_bot": pa.array(d.bot > 0),
        "bot_reason": take(BOT_REASONS, np.where(d.bot > 0, d.bot - 1, 3)),
    }
