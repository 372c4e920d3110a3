"""The Workbench every page of a browser session uses (the app's store, or one opened on the
Data page), and the cached reports, keyed on which store and its data version."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import streamlit as st

from workbench.core import Clock, Workbench
from workbench.paths import default_sample_store
from workbench.query import Result
from workbench.timeframe import Interval
from workbench.ui import geography
from workbench.ui.selection import Drill, Selection

_STORE = "data_store"  # session_state: the store folder this browser session opened


@st.cache_resource(show_spinner="Opening the store…")
def _open(path: str | None) -> Workbench:
    if path is None or Path(path).resolve() == default_sample_store().resolve():
        return Workbench.open(None)  # the bundled sample (`workbench run` names it by path)
    return Workbench.open(path)


def app_store() -> str | None:
    """The app's own store: WORKBENCH_DATA (set by `workbench run [--data]`), else the sample."""
    return os.environ.get("WORKBENCH_DATA") or None


def workbench() -> Workbench:
    """The store this browser session opened on the Data page, else the app's own store."""
    return _open(st.session_state.get(_STORE) or app_store())


def use_store(path: str | Path | None) -> Workbench:
    """Open the store at ``path`` for this browser session (None: back to the app's own).

    A folder that is not a store raises ``WorkbenchError`` and changes nothing."""
    chosen = str(path) if path is not None else None
    wb = _open(chosen or app_store())
    if chosen is None:
        st.session_state.pop(_STORE, None)
    else:
        st.session_state[_STORE] = chosen
    return wb


def chosen_store() -> str | None:
    """The folder this browser session opened, if it opened one."""
    return st.session_state.get(_STORE)


def clock(zone: str) -> Clock:
    """'now' for the pages: the sample's as_of day, else the wall clock."""
    return workbench().clock(dt.datetime.now(dt.UTC), zone)


def data_version() -> tuple[str, int]:
    """Which store and its committed version: caches keyed on it show new data once it lands,
    and never another store's (sessions may have different stores open)."""
    wb = workbench()
    return str(wb.path), wb.store.snapshot.version


@st.cache_data(show_spinner=False, max_entries=256)
def locations(
    version: tuple[str, int], selection: Selection, drill: Drill, interval: Interval
) -> Result:
    """``geography.locations`` for one view, cached per store version."""
    return geography.locations(workbench(), selection, drill, interval)


@st.cache_data(show_spinner=False, max_entries=64)
def city_sessions(
    version: tuple[str, int], selection: Selection, drill: Drill, interval: Interval, limit: int
) -> Result:
    """``geography.city_sessions`` for one city, cached per store version."""
    result = geography.city_sessions(workbench(), selection, drill, interval, limit)
    result.excluded_bots  # noqa: B018  (counted now, so the cached copy holds a number)
    return result
