"""The opened Workbench shared by every page and session of the app, and its cached reports."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from workbench.core import Clock, Workbench
from workbench.query import Result
from workbench.timeframe import Interval
from workbench.ui import geography
from workbench.ui.selection import Drill, Selection


@st.cache_resource(show_spinner="Opening the store…")
def _open(path: str | None) -> Workbench:
    return Workbench.open(path)


def workbench() -> Workbench:
    """The store named by WORKBENCH_DATA (set by `workbench run --data`), else the sample."""
    return _open(os.environ.get("WORKBENCH_DATA") or None)


def clock(zone: str) -> Clock:
    """'now' for the pages: the sample's as_of day, else the wall clock."""
    return workbench().clock(dt.datetime.now(dt.UTC), zone)


def data_version() -> int:
    """The store's committed version: caches keyed on it show new data once it lands."""
    return workbench().store.snapshot.version


@st.cache_data(show_spinner=False, max_entries=256)
def locations(version: int, selection: Selection, drill: Drill, interval: Interval) -> Result:
    """``geography.locations`` for one view, cached per store version."""
    return geography.locations(workbench(), selection, drill, interval)


@st.cache_data(show_spinner=False, max_entries=64)
def city_sessions(
    version: int, selection: Selection, drill: Drill, interval: Interval, limit: int
) -> Result:
    """``geography.city_sessions`` for one city, cached per store version."""
    result = geography.city_sessions(workbench(), selection, drill, interval, limit)
    result.excluded_bots  # noqa: B018  (counted now, so the cached copy holds a number)
    return result
