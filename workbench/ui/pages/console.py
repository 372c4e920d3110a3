"""API console page: build any documented vendor request, see its answer in each format, download it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from workbench.api import Response
from workbench.errors import WorkbenchError
from workbench.sites import site_keys
from workbench.ui import console, filters, state
from workbench.ui.console import ENDPOINTS, Built, Endpoint, Field
from workbench.ui.filters import Context
from workbench.ui.text import plain

SHOWN_CHARS = 100_000  # the text shown on screen; the download holds every byte
GROUPS = {
    console.CREDENTIALS: False,
    console.PARAMETERS: False,
    console.FILTERS: True,
}  # collapsed?


@st.cache_data(show_spinner=False, max_entries=32)
def answer(version: int, built: Built, now: dt.datetime) -> Response:
    """``Workbench.request`` of one built request, cached per store version."""
    headers = dict(built.headers)
    return state.workbench().request(
        built.url, body=built.body, method=built.method, headers=headers, now=now
    )


def site(ctx: Context, endpoint: Endpoint) -> dict[str, object] | None:
    """The site the form is prefilled for: one with the vendor's identity, the sidebar's first."""
    sites = ctx.wb.sites()
    known = sites[sites[endpoint.identity].notna()]
    if known.empty:
        st.info(f"No site of this store has a {endpoint.identity} identity: fill in the form.")
        return None
    ids = known["site_id"].tolist()
    first = next((s for s in ctx.selection.sites if s in ids), ids[0])
    chosen = st.selectbox(
        "Site", ids, index=ids.index(first), key=f"console_site_{endpoint.key}",
        help="Prefills the credentials: identities from wb.sites(), keys from the store.",
    )  # fmt: skip
    row = known[known["site_id"] == chosen].iloc[0].to_dict()
    keys = site_keys(ctx.wb.store, chosen)
    return {k: v for k, v in {**row, **keys}.items() if not pd.isna(v)}


def field_widget(field: Field, value: str, key: str) -> str:
    """One documented parameter's widget; its value as the request will carry it."""
    label, help_ = field.name, field.help
    if field.kind == "choice":
        index = field.choices.index(value) if value in field.choices else 0
        return st.selectbox(
            label, field.choices, index=index, key=key, help=help_,
            format_func=lambda v: v or "(not set)",
        )  # fmt: skip
    if field.kind == "multi":
        chosen = [v for v in value.split(",") if v in field.choices]
        return ",".join(st.multiselect(label, field.choices, default=chosen, key=key, help=help_))
    if field.kind == "area":
        return st.text_area(label, value, key=key, help=help_, height=100)
    kind = "password" if field.kind == "secret" else "default"
    return st.text_input(label, value, key=key, help=help_, type=kind)


def request_form(endpoint: Endpoint, prefill: dict[str, str]) -> tuple[dict[str, str], str]:
    """The form of the endpoint's documented parameters; the values last sent, and extras."""
    key = console.form_key(endpoint, prefill)
    values: dict[str, str] = {}
    with st.form(key):
        for group, collapsed in GROUPS.items():
            fields = [f for f in endpoint.fields if f.group == group]
            if not fields:
                continue
            box = st.expander(group, expanded=not collapsed)
            cells = box.columns(3)
            for i, field in enumerate(fields):
                with cells[i % 3]:
                    values[field.name] = field_widget(
                        field, prefill.get(field.name, ""), f"{key}_{field.name}"
                    )
        extra = st.text_input(
            "More parameters", key=f"{key}_extra", placeholder="name=value&name=value",
            help="Appended to the query as given: any documented parameter without a field.",
        )  # fmt: skip
        st.form_submit_button("Send request", type="primary", icon=":material/send:")
    return values, extra


def show_request(endpoint: Endpoint, built: Built, now: dt.datetime, zone: str) -> None:
    reveal = st.toggle("Show credentials", key="console_reveal")
    url, headers = console.shown(built, reveal)
    st.caption(f"{built.method} request (seed {endpoint.seed}):")
    st.code(url, language=None, wrap_lines=True)
    for name, value in headers:
        st.caption(f"{name}: {value}")
    if built.body is not None:
        st.code(built.body, language="json")
    local = now.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
    st.caption(f"Answered as of now = {local} ({zone}), as `workbench export --now` would.")


def show_response(endpoint: Endpoint, fmt: str, response: Response) -> None:
    """Status, media type and the answer as text (an image for PNG), and its download."""
    st.subheader("Answer")
    st.caption(
        f"HTTP {response.status} · {response.media_type} · {len(response.body):,} bytes"
        + "".join(f" · {k}: {v}" for k, v in response.headers)
    )
    st.download_button(
        f"Download ({fmt})", response.body, console.filename(endpoint, fmt, response.media_type),
        response.media_type, on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    if response.media_type.startswith("image/"):
        st.image(response.body, caption=f"{fmt}: the answer's image")
        return
    text = response.body.decode("utf-8", errors="replace")
    if len(text) > SHOWN_CHARS:
        st.caption(f"The first {SHOWN_CHARS:,} of {len(text):,} characters; the download has all.")
    st.code(text[:SHOWN_CHARS], language=None, wrap_lines=True)


def page() -> None:
    ctx = filters.context()
    st.title("API console")
    st.caption(
        "Any documented vendor request, answered by Workbench.request on the open store (the "
        "same bytes as `workbench export` and `workbench serve`). The sidebar's sites, days "
        "and zone prefill the form; its segment, bots and comparison do not apply."
    )
    key = st.selectbox(
        "Request", list(ENDPOINTS), key="console_endpoint", format_func=lambda k: ENDPOINTS[k].title
    )
    endpoint = ENDPOINTS[key]
    row = site(ctx, endpoint)
    zone = ctx.selection.zone or str((row or {}).get("time_zone") or ctx.zone)
    first, last = ctx.selection.days(ctx.today)
    password = console.demo_password(ctx.wb.as_of is not None, (row or {}).get("opentracker_login"))
    prefill = console.defaults(
        endpoint, console.Site(row, first, last, zone, password) if row else None
    )
    values, extra = request_form(endpoint, prefill)
    fmt = st.radio(
        "Format", endpoint.formats, horizontal=True, key=f"console_format_{key}",
        help="The formats the vendor documents for this request.",
    )  # fmt: skip
    try:
        built = console.build(endpoint, values, fmt, extra)
    except WorkbenchError as error:
        st.error(plain(error.message))
        return
    now = state.clock(zone).now
    show_request(endpoint, built, now, zone)
    with st.spinner("Answering…"):
        response = answer(state.data_version(), built, now)
    show_response(endpoint, fmt, response)


page()
