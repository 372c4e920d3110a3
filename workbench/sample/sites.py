"""The sample's sites: one per vendor, with the identities the vendor documents use."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from workbench.model import SITES, conform

AS_OF = dt.date(2024, 11, 19)  # the documents' own example date; the sample's traffic ends here
CREATED = dt.datetime(2023, 10, 1, tzinfo=dt.UTC)

OPENTRACKER = "www.opentracker.net"
CLICKY = "clicky-demo"
COUNTLY = "countly-app"
GIOSG = "giosg-shop"

# Decisions where the documents are silent (written down in README "Sample data"):
# - www.opentracker.net keeps EST as seed 001 says ("default is EST"): America/New_York.
# - Clicky's demo site 32020 is Clicky's own (Portland, Oregon): America/Los_Angeles.
# - The Countly app and the giosg shop are placed in Istanbul and Helsinki, as their
#   documents' examples are (Turkey; Helsinki, Finland).
SAMPLE_SITES: tuple[dict[str, object], ...] = (
    {
        "site_id": OPENTRACKER,
        "name": "www.opentracker.net",
        "kind": "web",
        "time_zone": "America/New_York",
        "opentracker_site": "www.opentracker.net",
        "opentracker_login": "demo@opentracker.net",
        "opentracker_password": "demo123",
    },
    {
        "site_id": CLICKY,
        "name": "clicky.com",
        "kind": "web",
        "time_zone": "America/Los_Angeles",
        "clicky_site_id": "32020",
        "clicky_sitekey": "0f3545d91b71cf50",
    },
    {
        "site_id": COUNTLY,
        "name": "Sample Mobile App",
        "kind": "app",
        "time_zone": "Europe/Istanbul",
        "countly_app_id": "5c4f2a1e9b3d7e0012a4c001",
        "countly_app_key": "b1946ac92492d2347c6235b4d2611184",
        "countly_api_key": "e2c569be17396eca2a2e3c11578123ed",
    },
    {
        "site_id": GIOSG,
        "name": "shop.example.fi",
        "kind": "web",
        "time_zone": "Europe/Helsinki",
        "giosg_org_id": "b0a1d32b-e82c-11e4-b081-6c4008adf7e8",
        "giosg_token": "3a6d0284e743dc4a9b86f97d6dd1a3bf",
    },
)


def site_zone(site_id: str) -> str:
    """The IANA time zone of a sample site."""
    return next(str(s["time_zone"]) for s in SAMPLE_SITES if s["site_id"] == site_id)


def sample_sites_table(hash_password) -> pa.Table:
    """The sample sites as a canonical ``sites`` table; passwords go through ``hash_password``."""
    rows = []
    for site in SAMPLE_SITES:
        row = {k: v for k, v in site.items() if k != "opentracker_password"}
        if "opentracker_password" in site:
            row["opentracker_password_hash"] = hash_password(str(site["opentracker_password"]))
        row["created"] = CREATED
        rows.append(row)
    names = [c for c in SITES.names if any(c in r for r in rows)]
    data = pa.table({n: [r.get(n) for r in rows] for n in names})
    return conform("sites", data)
