"""The canonical model: every column documented, every documented vendor field served."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from workbench.errors import WorkbenchError
from workbench.model import EVENTS, SESSIONS, SITES, TABLES, conform, markdown, table

# Seed 001's `field` list (the session list's columns), verbatim.
OPENTRACKER_SESSION_FIELDS = """lastEvent duration status flag country visits_pageviews currentPage
area area_code browser browser_version city company_org connection country_code country_name
currentTitle currentVisitDuration dma_code email entryPage entry_query entry_root_url entry_title
eventUnixTimestamp event_id exit_query_id exit_root_url exit_title firstMeasurement
first_session_unix_timestamp inet_aton ip_number isp isp_org latitude longitude machine_id
machine_idx number_of_pages_viewed number_visits pages_viewed platform postal_code provider
referrer referrersLogo region region_code resolution rnd search session_end_unix_timestamp
session_id session_referrer session_referrer_hostname session_referrer_unix_timestamp
session_search session_start_unix_timestamp site timezone total_duration total_number_visits
total_pages_viewed type use_id user_status visit_id zipCode""".split()
# Seed 000's top-list fields (users and sessions are aggregates of sessions rows).
OPENTRACKER_GEO_FIELDS = ["country", "code", "flag"]
# Seed 003's visitors-list fields.
CLICKY_VISITOR_FIELDS = """time time_total ip_address session_id actions total_visits first_visit
web_browser operating_system screen_resolution javascript language referrer_url referrer_domain
referrer_search referrer_type geolocation latitude longitude hostname organization campaign
custom""".split()
# Seed 002's metrics and the ones real SDKs send (MEASURED.md), and seed 004's dimensions.
COUNTLY_FIELDS = """device_id _os _os_version _device _resolution _carrier _app_version _density
_locale _ua _device_type _browser _browser_version sdk_version sdk_name ip_address""".split()
GIOSG_DIMENSIONS = """browser_name browser_version city country device_type distinct_visited_urls
distinct_visited_urls_count ip_organization os_name rooms session_duration_secs session_id
visitor_id""".split()
# Fields that are not per-session data: constants or computed at query time from events.
NOT_STORED = {
    ("ot", "type"): "always 'session'",
    ("ot", "total_duration"): "empty in every documented row",
    ("ot", "currentVisitDuration"): "same rule as duration",
    ("ot", "session_referrer_unix_timestamp"): "start_ts when there is a referrer",
    ("clicky", "time_pretty"): "start_ts rendered",
    ("giosg", "distinct_landing_urls"): "from events (first pageview per host)",
    ("giosg", "distinct_search_terms"): "from events and sessions.search_term",
}


def served(vendor: str) -> set[str]:
    """Every field that some column's `serves` names for ``vendor``."""
    fields: set[str] = set()
    for spec in TABLES.values():
        for col in spec.columns:
            for clause in col.serves.split(";"):
                words = clause.strip().split(None, 1)
                if len(words) == 2 and words[0] == vendor:
                    fields |= {re.sub(r"[ (.].*", "", f.strip()) for f in words[1].split(",")}
    return fields


@pytest.mark.parametrize("spec", TABLES.values(), ids=list(TABLES))
def test_every_column_is_documented(spec) -> None:
    assert spec.purpose
    for col in spec.columns:
        assert col.meaning.strip(), f"{spec.name}.{col.name} has no meaning"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", col.name)
    assert len(set(spec.names)) == len(spec.names)


@pytest.mark.parametrize(
    ("vendor", "fields"),
    [
        ("ot", OPENTRACKER_SESSION_FIELDS + OPENTRACKER_GEO_FIELDS),
        ("clicky", CLICKY_VISITOR_FIELDS),
        ("countly", COUNTLY_FIELDS),
        ("giosg", GIOSG_DIMENSIONS),
    ],
)
def test_every_documented_field_is_served(vendor: str, fields: list[str]) -> None:
    missing = [f for f in fields if f not in served(vendor) and (vendor, f) not in NOT_STORED]
    assert not missing, f"{vendor} fields with no column: {missing}"


def test_conform_orders_columns_and_fills_nullable_ones() -> None:
    data = pa.table({"site_id": ["s"], "name": ["n"], "kind": ["web"], "time_zone": ["UTC"]})
    out = conform("sites", data)
    assert out.schema == SITES.schema and out.column("clicky_site_id").null_count == 1


@pytest.mark.parametrize(
    ("data", "code", "named"),
    [
        (pa.table({"site_id": ["s"], "bogus": [1]}), "unknown_column", "bogus"),
        (pa.table({"site_id": ["s"]}), "missing_column", "time_zone"),
        (
            pa.table({"site_id": [None], "name": ["n"], "kind": ["web"], "time_zone": ["UTC"]}),
            "null_value",
            "sites.site_id",
        ),
    ],
)
def test_conform_rejects_bad_tables_naming_the_column(data, code, named) -> None:
    with pytest.raises(WorkbenchError) as err:
        conform("sites", data)
    assert err.value.code == code and named in err.value.message


def test_unknown_table_lists_the_valid_ones() -> None:
    with pytest.raises(WorkbenchError, match="sites, sessions, events"):
        table("visits")
    assert isinstance(WorkbenchError("x", "y"), ValueError)


def test_time_columns_are_utc_milliseconds() -> None:
    for spec in (SESSIONS, EVENTS):
        for col in spec.columns:
            if pa.types.is_timestamp(col.type):
                assert col.type.unit == "ms" and col.type.tz == "UTC"


def test_conform_checks_required_nulls_even_when_the_schema_matches() -> None:
    full = conform(
        "sites", pa.table({"site_id": ["s"], "name": ["n"], "kind": ["web"], "time_zone": ["UTC"]})
    )
    broken = full.set_column(
        0, pa.field("site_id", pa.string(), nullable=False), pa.array([None], pa.string())
    )
    with pytest.raises(WorkbenchError, match=r"sites\.site_id"):
        conform("sites", broken)


def test_docs_model_md_is_current() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs" / "model.md"
    assert docs.read_text() == markdown(), "regenerate it: workbench model > docs/model.md"


def test_docs_fields_md_is_current() -> None:
    from workbench.fields_doc import markdown as fields_markdown

    docs = Path(__file__).resolve().parent.parent / "docs" / "fields.md"
    assert docs.read_text() == fields_markdown(), "regenerate it: workbench fields > docs/fields.md"
