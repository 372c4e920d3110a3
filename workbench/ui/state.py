"""The opened Workbench shared by every page and session of the app."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from workbench.core import Clock, Workbench


@st.cache_resource(show_spinner="Opening the store…")
def _open(path: str | None) -> Workbench:
    return Workbench.open(path)


def workbench() -> Workbench:
    """The store named by WORKBENCH_DATA (set by `workbench run --data`), else the sample."""
    return _open(os.environ.get("WORKBENCH_DATA") or None)


def clock(zone: str) -> Clock:
    """'now' for the pages: the sample's as_of day, else the wall clock."""
    return workbench().clock(dt.datetime.now(dt.UTC), zone)
