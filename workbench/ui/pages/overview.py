"""Overview page: the store at a glance and its top countries (until the full app lands)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from workbench.reports import top_locations
from workbench.timeframe import Interval
from workbench.ui import state

wb = state.workbench()
sites = wb.sites()
st.title("Analyst workbench")
site_id = st.selectbox("Site", sites["site_id"].tolist(), key="overview_site")
zone = sites.set_index("site_id").loc[site_id, "time_zone"]
clock = state.clock(zone)
days = st.selectbox("Period", [1, 7, 30, 90, 365], index=2, key="overview_days",
                    format_func=lambda d: f"last {d} day{'s' if d > 1 else ''}")  # fmt: skip
end = clock.now
start = end - dt.timedelta(days=days)
local_now = end.astimezone(ZoneInfo(zone))
st.caption(f"Now = {local_now:%Y-%m-%d %H:%M} {zone} ({clock.source}).")
result = top_locations(wb, Interval(start, end, zone), sites=(site_id,))
rows = result.frame
left, right = st.columns(2)
left.metric("Users", f"{rows['users'].sum():,}")
right.metric("Sessions", f"{rows['sessions'].sum():,}")
st.caption(f"{result.excluded_bots:,} bot sessions left out.")
st.subheader("Top countries")
st.dataframe(
    rows,
    hide_index=True,
    column_config={"share": st.column_config.ProgressColumn("share", format="percent")},
)
