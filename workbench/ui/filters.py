"""The sidebar of global filters every page shares, held in the URL (``st.query_params``).

``sidebar()`` reads the URL into a Selection (``workbench.ui.selection``; its segment is
``Context.where``, a filter tree for reports' ``where=``), draws the filters
as a form whose Apply writes them back to the URL, shows the 'now' in use and where it came
from, and returns what a page needs to run its reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, available_timezones

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench import filters as f
from workbench.core import Clock, Workbench
from workbench.timeframe import Interval, local_date
from workbench.ui import state
from workbench.ui.selection import (
    CUSTOM,
    PERIODS,
    SEGMENT_HELP,
    Drill,
    Selection,
    parse,
    parse_segment,
    segment_text,
    to_params,
)
from workbench.ui.text import plain

SITE_ZONE = ""  # the time zone choice meaning "the first site's"
_APPLIED = "filters_applied"  # session_state: the last Selection the widgets were set from
_PARAMS = "filters_params"  # session_state: the last URL parameters (pages lose them)
_CONTEXT = "filters_context"  # session_state: this run's Context, from app.py to the page


@dataclass(frozen=True)
class Context:
    """What a page runs its reports with."""

    wb: Workbench
    selection: Selection
    drill: Drill
    zone: str
    clock: Clock
    today: dt.date
    interval: Interval
    site_zones: dict[str, str]
    bots_slot: DeltaGenerator  # the sidebar line where a page says how many bots it left out
    where: f.Filter | None = None  # the segment: pass it to reports as ``where=``

    def moved(self, drill: Drill) -> Context:
        """The view at ``drill``, written to the URL, for this run to draw (no second run)."""
        params = to_params(self.selection, drill)
        st.session_state[_PARAMS] = params
        st.query_params.from_dict(params)
        return replace(self, drill=drill)

    def set_view(self, selection: Selection | None = None, drill: Drill | None = None) -> None:
        """Put a new view in the URL and rerun the page on it."""
        params = to_params(selection or self.selection, self.drill if drill is None else drill)
        st.session_state[_PARAMS] = params
        st.query_params.from_dict(params)
        st.rerun()


def shared() -> None:
    """Draw the sidebar once per run, from app.py before the page runs, for ``context``.

    Widgets drawn by the entry script are the same widgets on every page, so the form keeps
    its values when the page changes (drawn by each page, they would be new ones, empty).
    """
    st.session_state[_CONTEXT] = sidebar()


def context(required: bool = True) -> Context | None:
    """This run's filters: drawn by app.py (``shared``), else here (a page run alone).

    Without a site in the store there is nothing to filter: ``required`` pages say so and stop.
    """
    ctx = st.session_state.pop(_CONTEXT) if _CONTEXT in st.session_state else sidebar()
    if ctx is None and required:
        st.info("This store has no sites yet: add one on the Data page.")
        st.stop()
    return ctx


def sidebar() -> Context | None:
    """The global filters of the URL, drawn in the sidebar; bad values are shown, not raised.
    None when the store has no site yet."""
    wb = state.workbench()
    sites = wb.sites()
    if sites.empty:  # a new store: nothing to filter or show yet
        return None
    site_zones = dict(zip(sites["site_id"], sites["time_zone"], strict=True))
    params = {k: st.query_params[k] for k in st.query_params}
    if "site" not in params and _PARAMS in st.session_state:
        params = dict(st.session_state[_PARAMS])  # another page dropped them: restore
        st.query_params.from_dict(params)
    parsed = parse(params, site_zones)
    for problem in parsed.problems:
        st.sidebar.warning(plain(problem))
    chosen = parsed.selection
    zone = chosen.time_zone(site_zones)
    clock = state.clock(zone)
    today = local_date(clock.now, zone)
    _sync_widgets(chosen, today)
    applied = _form(list(site_zones), site_zones)
    if applied is not None and applied != chosen:
        st.session_state[_PARAMS] = to_params(applied, parsed.drill)
        st.query_params.from_dict(st.session_state[_PARAMS])
        st.rerun()
    st.session_state[_PARAMS] = to_params(chosen, parsed.drill)
    local_now = clock.now.astimezone(ZoneInfo(zone))
    st.sidebar.caption(f"Now = {local_now:%Y-%m-%d %H:%M} {zone} ({clock.source}).")
    interval = chosen.interval(site_zones, today)
    first, last = chosen.days(today)
    st.sidebar.caption(f"Showing {first} to {last} ({zone}).")
    if chosen.segment:
        st.sidebar.caption("Segment: " + segment_text(chosen.segment))
    return Context(
        wb,
        chosen,
        parsed.drill,
        zone,
        clock,
        today,
        interval,
        site_zones,
        st.sidebar.empty(),
        chosen.where,
    )


def _sync_widgets(chosen: Selection, today: dt.date) -> None:
    """Set the form's widgets from the URL when the URL changed (a link, a breadcrumb)."""
    if st.session_state.get(_APPLIED) == chosen:
        return
    st.session_state[_APPLIED] = chosen
    st.session_state["filter_sites"] = list(chosen.sites)
    st.session_state["filter_period"] = chosen.period
    st.session_state["filter_dates"] = chosen.days(today)
    st.session_state["filter_zone"] = chosen.zone or SITE_ZONE
    st.session_state["filter_bots"] = chosen.include_bots
    st.session_state["filter_compare"] = chosen.compare
    st.session_state["filter_segment"] = segment_text(chosen.segment)


def _form(site_ids: list[str], site_zones: dict[str, str]) -> Selection | None:
    """The filters form; the Selection it holds once Apply is pressed, else None."""
    with st.sidebar.form("filters"):
        sites = st.multiselect("Sites", site_ids, key="filter_sites")
        period = st.selectbox(
            "Period", [*PERIODS, CUSTOM], key="filter_period", format_func=_period_label
        )
        dates = st.date_input(
            "Custom dates", key="filter_dates", help="Used when Period is custom."
        )
        zones = [SITE_ZONE, *sorted(available_timezones())]
        zone = st.selectbox(
            "Time zone", zones, key="filter_zone", format_func=lambda z: z or "the site's"
        )
        bots = st.toggle("Include bot sessions", key="filter_bots")
        compare = st.toggle("Compare with the previous period", key="filter_compare")
        segment_field = st.text_input(
            "Segment", key="filter_segment", help=SEGMENT_HELP, placeholder="country_code=US"
        )
        if not st.form_submit_button("Apply", type="primary"):
            return None
    if not sites:
        st.sidebar.warning("Choose at least one site.")
        return None
    segment, problems = parse_segment(segment_field)
    for problem in problems:
        st.sidebar.warning(plain(problem))
    if problems:
        return None
    parts = list(dates) if isinstance(dates, tuple | list) else [dates]
    first, last = (parts[0], parts[-1]) if parts else (None, None)
    custom = period == CUSTOM and first is not None
    return Selection(
        tuple(sites),
        period,
        first if custom else None,
        last if custom else None,
        zone or None,
        bots,
        compare,
        segment,
    )


def _period_label(period: str) -> str:
    return PERIODS.get(period, "custom dates")


def show_bots(ctx: Context, excluded: int | None) -> None:
    """Say in the sidebar what the page's numbers leave out."""
    if ctx.selection.include_bots:
        ctx.bots_slot.caption("Bot sessions are included.")
    else:
        ctx.bots_slot.caption(f"{excluded or 0:,} bot sessions left out (Include bot sessions).")
