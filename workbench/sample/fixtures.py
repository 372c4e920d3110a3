"""The documented example fixtures, expanded from ``sample_data/fixtures/`` into canonical tables.

Four fixtures, each reproducing one vendor document's example response (see
``sample_data/fixtures/README.md``):

- ``opentracker-top-countries``: seed 000's top countries of www.opentracker.net on 2024-11-19;
- ``opentracker-sessions``: seed 001's example session rows (2011-11-16);
- ``clicky-visitors``: seed 003's nine visitors of Clicky site 32020 on 2015-04-13;
- ``giosg-helsinki``: seed 004's 212 visitors from Helsinki, Finland on 2019-01-01.

Expansion is deterministic: the same specs always give the same rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import pyarrow as pa

from workbench.errors import invalid
from workbench.sample import fix_clicky, fix_giosg, fix_ot_countries, fix_ot_sessions
from workbench.sample.fix_common import Row, load_spec, to_tables

Builder = Callable[[dict], tuple[list[Row], list[Row]]]

# fixture name -> (spec file in sample_data/fixtures/, builder)
FIXTURES: dict[str, tuple[str, Builder]] = {
    "opentracker-top-countries": (fix_ot_countries.SPEC, fix_ot_countries.build),
    "opentracker-sessions": (fix_ot_sessions.SPEC, fix_ot_sessions.build),
    "clicky-visitors": (fix_clicky.SPEC, fix_clicky.build),
    "giosg-helsinki": (fix_giosg.SPEC, fix_giosg.build),
}


def fixture_rows(name: str) -> tuple[list[Row], list[Row]]:
    """The session and event rows (dicts of canonical columns) of one fixture."""
    if name not in FIXTURES:
        raise invalid("fixture", name, FIXTURES)
    spec_file, build = FIXTURES[name]
    return build(load_spec(spec_file))


@functools.cache
def _tables(names: tuple[str, ...]) -> dict[str, pa.Table]:
    sessions: list[Row] = []
    events: list[Row] = []
    for name in names:
        more_sessions, more_events = fixture_rows(name)
        sessions += more_sessions
        events += more_events
    return to_tables(sessions, events)


def fixture_tables(names: Iterable[str] | None = None) -> dict[str, pa.Table]:
    """Canonical ``sessions`` and ``events`` tables of the fixtures (all four by default),
    passed through ``model.conform``; every session is non-bot."""
    chosen = tuple(FIXTURES) if names is None else tuple(names)
    for name in chosen:
        if name not in FIXTURES:
            raise invalid("fixture", name, FIXTURES)
    return dict(_tables(chosen))
