"""Golden files pin every dialect x format on the sample (Clicky's are in test_clicky.py).

A changed answer fails here byte for byte. When a change is meant (a new rule, a new
sample), look at the diff and rewrite them: ``WRITE_GOLDEN=1 pytest tests/test_golden.py``.
PNG bytes depend on the renderer's version, so charts are checked for shape instead.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest
from sample_store import sample

GOLDEN = Path(__file__).parent / "golden"
NOW = "2024-11-19T18:00:00+00:00"  # the afternoon of the as_of day in every sample zone
OT = "login=demo@opentracker.net&password=demo123&site=www.opentracker.net"
GEO = f"/api/location/top_country_region_city.jsp?{OT}&date=2024-11-19&period=1w&detailLevel=region&countryCode=US"
SESSIONS = f"/api/c_view_session.jsp?{OT}&date=2024-11-19&period=1d&limit=25"
COUNTLY = "api_key=e2c569be17396eca2a2e3c11578123ed&app_id=5c4f2a1e9b3d7e0012a4c001"
GIOSG = "/api/reporting/v1/orgs/b0a1d32b-e82c-11e4-b081-6c4008adf7e8/visitor_sessions"
TOKEN = {"Authorization": "Token 3a6d0284e743dc4a9b86f97d6dd1a3bf"}
GIOSG_DAILY = {
    "interval": {"start": "2024-11-13T00:00:00", "end": "2024-11-20T00:00:00",
                 "time_zone": "Europe/Helsinki"},
    "granularity": "day",
    "group_by": ["device_type"],
    "aggregations": [{"type": "count"}, {"type": "avg", "fields": ["session_duration_secs"]},
                     {"type": "hyperUnique", "fields": ["visitor_id"]}],
}  # fmt: skip

CASES = {  # golden file -> (url, body)
    "opentracker/top_regions.json": (GEO, None),
    "opentracker/top_regions.html": (GEO + "&dataType=html", None),
    "opentracker/top_regions.csv": (GEO + "&dataType=csv", None),
    "opentracker/top_regions.jsondatatable.json": (GEO + "&dataType=jsondatatable", None),
    "opentracker/top_regions.jsonjqgrid.json": (GEO + "&dataType=jsonjqgrid", None),
    "opentracker/sessions.json": (SESSIONS, None),
    "opentracker/sessions.html": (SESSIONS + "&dataType=html", None),
    "opentracker/sessions.csv": (SESSIONS + "&dataType=csv", None),
    "opentracker/sessions.jsondatatable.json": (SESSIONS + "&dataType=jsondatatable", None),
    "countly/sessions_today.json": (f"/o?{COUNTLY}&method=sessions&action=refresh", None),
    "countly/events_today.json": (f"/o?{COUNTLY}&method=events&event=in_app_purchase&segmentation=country&action=refresh", None),
    "countly/get_events.jsonp.js": (f"/o?{COUNTLY}&method=get_events&callback=show", None),
    "countly/device_details_today.json": (f"/o?{COUNTLY}&method=device_details&action=refresh", None),
    "countly/dashboard.json": (f"/o/analytics/dashboard?{COUNTLY}", None),
    "countly/countries.json": (f"/o/analytics/countries?{COUNTLY}", None),
    "giosg/daily_by_device.json": (GIOSG, GIOSG_DAILY),
}  # fmt: skip


def answer(url: str, body: dict | None):
    import datetime as dt

    now = dt.datetime.fromisoformat(NOW)
    if body is None:
        return sample().request(url, now=now)
    return sample().request(url, json.dumps(body), "POST", TOKEN, now=now)


@pytest.mark.parametrize("name", list(CASES))
def test_answers_equal_their_golden_files(name: str) -> None:
    response = answer(*CASES[name])
    assert response.status == 200, response.text[:300]
    path = GOLDEN / name
    if os.environ.get("WRITE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.body)
    assert response.body == path.read_bytes(), f"{name} changed: WRITE_GOLDEN=1 after review"


@pytest.mark.slow
def test_the_png_chart_has_the_shape_of_its_list() -> None:
    response = answer(GEO + "&dataType=png", None)
    assert response.status == 200 and response.media_type == "image/png"
    body = response.body
    assert body[:8] == b"\x89PNG\r\n\x1a\n" and body[12:16] == b"IHDR"
    width, height = struct.unpack(">II", body[16:24])
    assert width >= 800 and height >= 300
