"""Each session's technology as rows of one dictionary per column (web and app side by side)."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pyarrow as pa

from workbench.sample.gen_agents import web_variants
from workbench.sample.gen_app import app_dictionaries, app_indexes
from workbench.sample.gen_arrays import unit
from workbench.sample.gen_sessions import Draft
from workbench.sample.gen_world import World

WEB_TECH = {
    "device_type": "variant",
    "os": "variant",
    "os_version": "variant",
    "browser": "variant",
    "browser_version": "variant",
    "user_agent": "variant",
    "screen_resolution": "screen",
}
WEB_ONLY = ("browser", "browser_version", "user_agent")


@cache
def tech_dictionaries(w: World) -> dict[str, tuple[str | None, str | None, pa.Array, int]]:
    """Per column: web source, app source, values (web part, app part, a null), app offset."""
    web_values = {
        "variant": w.agents.columns,
        "screen": {"screen_resolution": w.agents.screen_values},
    }
    web_only = {k: (None, pa.array([], pa.string())) for k in WEB_ONLY}
    out = {}
    for name, (app_source, app_values) in (app_dictionaries(w.app) | web_only).items():
        source = WEB_TECH.get(name)
        web_part = web_values[source][name] if source else pa.array([None], pa.string())
        web_part = web_part.slice(0, len(web_part) - 1)  # drop its trailing null
        values = pa.concat_arrays([web_part, app_values, pa.nulls(1, pa.string())])
        out[name] = (source, app_source, values, len(web_part))
    return out


def tech_rows(
    w: World, days: tuple[dt.date, ...], d: Draft, web: np.ndarray, app: np.ndarray
) -> dict[str, np.ndarray]:
    """Per column, each session's row in :func:`tech_dictionaries`; also, per session, the
    app's ``_android`` flag, ``_release`` and the ``_country`` index (0 on the web)."""
    n, country = len(d.site), w.geo.city_country[d.city]
    ordinals = np.array([x.toordinal() for x in days])
    bot = d.bot[web]
    variant, screen = web_variants(
        w.agents, d.site[web], w.tilt[country[web]], d.key[web], d.day[web], ordinals, bot == 2
    )
    web_index = {
        "variant": np.where(bot == 1, w.agents.crawler_base + d.crawler[web], variant),
        "screen": np.where(bot == 1, -1, screen),
    }
    app_index = app_indexes(w.app, country[app], d.key[app], ordinals[d.day[app]])
    out = {}
    for name, (web_src, app_src, values, offset) in tech_dictionaries(w).items():
        rows = np.full(n, len(values) - 1, np.int64)
        if web_src:
            rows[web] = np.where(web_index[web_src] < 0, len(values) - 1, web_index[web_src])
        if app_src:
            rows[app] = offset + app_index[app_src]
        out[name] = rows
    language = w.geo.languages.flat(country, unit(d.key, 601))
    crawler = np.zeros(n, bool)
    crawler[web[bot == 1]] = True
    out["language"] = np.where(crawler, len(w.geo.language_tags) - 1, language)
    for name in ("android", "release"):
        out[f"_{name}"] = np.zeros(n, np.int64)
        out[f"_{name}"][app] = app_index[name]
    out["_country"] = country
    return out
